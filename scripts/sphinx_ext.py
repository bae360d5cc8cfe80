"""The Sphinx side of the render stage: framework and version switchers, downloads, Colab.

Loaded by the generated ``conf.py`` of each framework's site.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from scripts import dialect
from scripts.contracts import RESULTS_FILE

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


def _memoize_bibtex_formatting() -> None:
    """sphinxcontrib-bibtex formats every cited entry again (twice, for the tooltips) on every
    build, even when no citation changed: a second or more per build of this book. The
    formatted entries are kept in the environment, keyed by everything they depend on (the
    bibliography directive's settings, the cited keys in order, the bib files' times)."""
    try:
        from sphinxcontrib.bibtex.domain import BibtexDomain
    except ImportError:
        return
    if getattr(BibtexDomain, "_d2l_memoized", False):
        return
    format_entries = BibtexDomain.get_formatted_entries

    def get_formatted_entries(self, bibliography_key, docnames, tooltips, tooltips_style):
        b = self.bibliographies[bibliography_key]
        key = repr((tuple(bibliography_key), tuple(map(str, b.bibfiles)), b.style, b.list_,
                    b.enumtype, b.start, b.labelprefix, b.keyprefix, tooltips, tooltips_style,
                    tuple(k for k, _ in self.get_sorted_entries(bibliography_key, docnames)),
                    sorted((str(f), v.mtime) for f, v in self.bibdata.bibfiles.items())))
        memo = self.data.setdefault("d2l_formatted_entries", {})
        if key not in memo:
            if len(memo) > 32:
                memo.clear()
            memo[key] = list(format_entries(self, bibliography_key, docnames, tooltips,
                                            tooltips_style))
        return memo[key]

    BibtexDomain.get_formatted_entries = get_formatted_entries
    BibtexDomain._d2l_memoized = True


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
    context["d2l_run_locally"] = (f"{up}{cfg.d2l_run_locally}{suffix}"
                                  if cfg.d2l_run_locally else "")
    context["d2l_discuss_url"] = (cfg.d2l_discuss_url.replace("{framework}", cfg.d2l_framework)
                                  .replace("{page}", pagename) if cfg.d2l_discuss_url else "")
    if pagename in cfg.d2l_failed_pages and "body" in context:
        if cfg.d2l_preview:
            notice = ('<div class="admonition note d2l-not-executed"><p class="admonition-title">'
                      "Not executed</p><p>This is a preview (<code>html --no-execute</code>): "
                      "the code is shown without its outputs, which no run has produced yet. "
                      "<code>make freeze</code> executes it.</p></div>")
        else:
            notice = ('<div class="admonition error d2l-exec-failed"><p class="admonition-title">'
                      "This page failed to execute</p><p>Its outputs are missing: this is a "
                      "preview build (<code>--keep-going</code>) and must not be published. See "
                      "the execution report.</p></div>")
        context["body"] = notice + context["body"]


class ResultsTable(SphinxDirective):
    """```` ```{results} ````: the final metric of training runs of the book, one row per
    ``Label = page[#n]``, one column per framework, filled in from the frozen outputs (the file
    the render stage writes next to the notebooks), so the page never types a number in."""
    has_content = True
    option_spec = {"metric": lambda arg: (arg or "").strip()}

    def run(self):
        path = Path(self.env.srcdir) / RESULTS_FILE
        self.env.note_dependency(str(path))
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        metric = self.options.get("metric") or "val_acc"
        frameworks = self.config.d2l_frameworks
        _, rows, problems = dialect.parse_results(list(self.content))
        for _, message in problems:  # `check` reports them with file:line first
            self.state.document.reporter.warning(message, line=self.lineno)
        lines = dialect.results_table(rows, metric, data,
                                      [(f["name"], f["display"]) for f in frameworks])
        container = nodes.container(classes=["d2l-results"])
        self.state.nested_parse(StringList(lines, source=self.get_source_info()[0]),
                                self.content_offset, container)
        return container.children


def missing_reference_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{d2l-missing}`label```: what a reference to a label no page defines becomes in a
    lenient book (``check: {strict: false}``): a visible marker, instead of a failed build."""
    from docutils import nodes
    node = nodes.inline(rawtext, f"[missing reference: {text}]", classes=["d2l-missing-ref"])
    return [node], []


def setup(app):
    app.add_role("d2l-missing", missing_reference_role)
    app.add_config_value("d2l_frameworks", [], "html")
    app.add_config_value("d2l_framework", "", "html")
    app.add_config_value("d2l_failed_pages", [], "html")
    app.add_config_value("d2l_preview", False, "html")
    app.add_config_value("d2l_version", "", "html")
    app.add_config_value("d2l_slug", "book", "html")
    app.add_config_value("d2l_colab", {}, "html")
    app.add_config_value("d2l_discuss_url", "", "html")
    app.add_config_value("d2l_run_locally", "", "html")
    app.add_directive("results", ResultsTable)
    app.connect("html-page-context", _page_context)
    _memoize_bibtex_formatting()
    app.connect("config-inited", _remember_config, priority=900)
    app.connect("env-updated", _pickle_config_as_read, priority=900)
    app.connect("env-check-consistency", _restore_config_additions)
    app.connect("write-started", _restore_config_additions)
    app.config.templates_path.append(str(HERE / "templates"))
    app.config.html_static_path.append(str(HERE / "static"))
    app.add_css_file("d2l.css")
    app.add_js_file("d2l.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
