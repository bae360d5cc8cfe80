"""The Sphinx side of the render stage: the framework switcher and the offline MathJax.

Loaded by the generated ``conf.py`` of each framework's site.
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def _page_context(app, pagename, templatename, context, doctree):
    cfg = app.config
    up = "../" * pagename.count("/")
    suffix = app.builder.out_suffix if hasattr(app.builder, "out_suffix") else ".html"
    context["d2l_fw_links"] = [
        {"name": fw["name"], "display": fw["display"], "current": fw["name"] == cfg.d2l_framework,
         "href": f"{up}../{fw['name']}/{pagename}{suffix}"}
        for fw in cfg.d2l_frameworks
    ]
    context["d2l_framework"] = cfg.d2l_framework
    if pagename in cfg.d2l_failed_pages and "body" in context:
        context["body"] = (
            '<div class="admonition error d2l-exec-failed"><p class="admonition-title">'
            "This page failed to execute</p><p>Its outputs are missing: this is a preview build "
            "(<code>--keep-going</code>) and must not be published. See the execution report."
            "</p></div>" + context["body"])


def setup(app):
    app.add_config_value("d2l_frameworks", [], "html")
    app.add_config_value("d2l_framework", "", "html")
    app.add_config_value("d2l_failed_pages", [], "html")
    app.connect("html-page-context", _page_context)
    app.config.templates_path.append(str(HERE / "templates"))
    app.config.html_static_path.append(str(HERE / "static"))
    app.add_css_file("d2l.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
