"""The Sphinx side of the render stage: framework and version switchers, downloads, Colab.

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
    context["d2l_up"] = up
    context["d2l_version"] = cfg.d2l_version
    context["d2l_pdf"] = f"{up}../pdf/{cfg.d2l_slug}-{cfg.d2l_framework}.pdf"
    context["d2l_zip"] = f"{up}../notebooks/{cfg.d2l_slug}-{cfg.d2l_framework}.zip"
    context["d2l_colab_url"] = cfg.d2l_colab.get(pagename, "")
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
    app.add_config_value("d2l_version", "", "html")
    app.add_config_value("d2l_slug", "book", "html")
    app.add_config_value("d2l_colab", {}, "html")
    app.connect("html-page-context", _page_context)
    app.config.templates_path.append(str(HERE / "templates"))
    app.config.html_static_path.append(str(HERE / "static"))
    app.add_css_file("d2l.css")
    app.add_js_file("d2l.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
