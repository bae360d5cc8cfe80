"""The Sphinx side of the render stage: framework and version switchers, downloads, Colab.

Loaded by the generated ``conf.py`` of each framework's site.
"""
from __future__ import annotations

import copy
from pathlib import Path

HERE = Path(__file__).parent


# Themes and extensions add to some settings after ``conf.py`` ran (template and static folders,
# the theme's ``html_context``, its permalink icon). Sphinx pickles its environment with those
# additions and, at the next run, compares them with the values ``conf.py`` gives, so it would
# report "The configuration has changed" on every build. The environment is therefore pickled
# with the values as they were once the configuration was read, and the additions are put back
# for writing.

def _remember_config(app, config):
    app._d2l_config_read = {}
    for name in config._options:
        try:
            app._d2l_config_read[name] = copy.deepcopy(config[name])
        except Exception:  # a value that cannot be copied cannot be pickled either
            pass


def _pickle_config_as_read(app, env):
    read = getattr(app, "_d2l_config_read", {})
    app._d2l_config_added = {name: app.config[name] for name, value in read.items()
                             if app.config[name] != value}
    for name in app._d2l_config_added:
        app.config[name] = copy.deepcopy(read[name])


def _restore_config_additions(app, *args):
    for name, value in getattr(app, "_d2l_config_added", {}).items():
        app.config[name] = value
    app._d2l_config_added = {}


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
    app.connect("config-inited", _remember_config, priority=900)
    app.connect("env-updated", _pickle_config_as_read, priority=900)
    app.connect("env-check-consistency", _restore_config_additions)
    app.connect("write-started", _restore_config_additions)
    app.config.templates_path.append(str(HERE / "templates"))
    app.config.html_static_path.append(str(HERE / "static"))
    app.add_css_file("d2l.css")
    app.add_js_file("d2l.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
