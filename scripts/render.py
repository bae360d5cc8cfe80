"""Stage 5: one HTML site per framework with Sphinx, myst-nb and sphinx-book-theme.

``python -m scripts html`` checks the book, writes the notebooks and a ``conf.py`` generated from
``_config.yml`` into ``_build/src/<fw>/``, runs Sphinx into ``_build/sphinx/<fw>/`` (kept between
runs, so rebuilds are incremental) and, only when that succeeds, replaces ``_build/html/<fw>/``
with the result.  A failed build leaves the previous site as it was.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from scripts import check, cli, envs, execute, notebooks, stamps
from scripts.config import Book
from scripts.contracts import RESULTS_FILE, Record, load_records, notebook_meta
from scripts.execute import freeze
from scripts.errors import BookError, BookErrors
from scripts.files import write_if_changed
from scripts.paths import replace_dir, sync_dir

REPO = Path(__file__).resolve().parent.parent


def _document_settings(book: Book) -> dict:
    """What the book is and how its MyST sources are read and numbered."""
    cfg = book.config
    return {
        "project": cfg.title, "author": cfg.author, "copyright": cfg.copyright,
        "version": book.version, "release": book.version, "root_doc": "index",
        "extensions": ["myst_nb", "sphinx_design", "sphinxcontrib.bibtex",
                       "sphinx-mathjax-offline", "sphinxcontrib.rsvgconverter",
                       "scripts.sphinx_ext"],
        "exclude_patterns": ["_build", "jupyter_execute", "**.ipynb_checkpoints", "conf.py"],
        "bibtex_bibfiles": [Path(b).name for b in cfg.bibtex_bibfiles],
        "bibtex_default_style": "plain",
        "bibtex_reference_style": "author_year",
        "numfig": True,
        "math_numfig": True,
        "numfig_secnum_depth": 1,
        "numfig_format": {"section": "Section %s", "figure": "Fig. %s", "table": "Table %s",
                          "code-block": "Listing %s"},
        "myst_enable_extensions": ["dollarmath", "amsmath", "colon_fence", "substitution"],
        "myst_heading_anchors": 3,
        "suppress_warnings": ["mystnb.unknown_mime_type", "myst.header"],
    }


def _without_code(book: Book, fw: str) -> list[str]:
    """Outnames of the pages whose notebook for ``fw`` has no code cell."""
    out = []
    for page in [book.root_page] + book.ordered_pages():
        path = book.build.notebook(fw, page.outname)
        if path.is_file() and not notebook_meta(json.loads(path.read_text())).get("has_code"):
            out.append(page.outname)
    return out


def _execution_settings(book: Book, fw: str, failed: tuple[str, ...]) -> dict:
    """myst-nb only reads the cache that planning filled (from the freeze or the execute stage);
    rendering refuses to start while a page lacks outputs, so nothing is executed here."""
    return {
        "nb_execution_mode": "cache",
        "nb_execution_cache_path": str(execute.cache_path(book, fw)),
        # a notebook without code for this framework has nothing to run: myst-nb must not
        # start a kernel for it (a framework with nothing to execute may have no environment)
        "nb_execution_excludepatterns": [f"{o}.ipynb" for o in
                                         sorted(set(failed) | set(_without_code(book, fw)))],
        "nb_execution_timeout": book.config.execute.timeout,
        "nb_execution_raise_on_error": True,
        "nb_execution_show_tb": True,
        "nb_merge_streams": True,
        # plots are SVG: let the LaTeX builder take them (rsvgconverter turns them into PDF)
        "nb_mime_priority_overrides": [("latex", "image/svg+xml", 15)],
    }


def _html_settings(book: Book, fw: str) -> dict:
    cfg = book.config
    return {
        "html_theme": "sphinx_book_theme",
        "html_title": cfg.title,
        "html_static_path": [],
        "html_use_index": False,  # the book has no index entries: no empty genindex page
        "templates_path": [],
        "html_context": {"default_mode": "light"},
        "html_theme_options": {
            "repository_url": cfg.repository.url,
            "repository_branch": cfg.repository.branch,
            "path_to_docs": book.build.src(fw).relative_to(book.root).as_posix(),
            "use_repository_button": cfg.html.use_repository_button,
            # our header has the PDF, the notebooks and Colab: room for them in one row
            "use_download_button": False,
            "use_fullscreen_button": False,
            # our own Colab button (d2l-header.html) opens the published Colab notebook
            "launch_buttons": {},
            "article_header_start": ["toggle-primary-sidebar.html", "fw-switcher.html",
                                     "d2l-header.html"],
            # one search box: the sidebar's (the header bar is hidden on wide screens)
            "navbar_persistent": [],
            "show_toc_level": 2,
        },
    }


def _latex_settings(book: Book, fw: str) -> dict:
    """PDF: xelatex (Unicode, FreeFont from fonts-freefont-otf), SVG figures and plots converted
    by rsvg-convert (librsvg2-bin)."""
    cfg = book.config
    return {
        "latex_engine": "xelatex",
        "latex_documents": [("index", f"{book.slug}-{fw}.tex",
                             f"{cfg.title} ({book.frameworks[fw].display})", cfg.author,
                             "manual")],
        "latex_elements": {"papersize": "a4paper", "pointsize": "10pt",
                           "printindex": "", "sphinxsetup": "verbatimwithframe=false"},
        "latex_show_urls": "no",
    }


def _d2l_settings(book: Book, fw: str, failed: tuple[str, ...], preview: bool = False) -> dict:
    """What :mod:`scripts.sphinx_ext` needs: switchers, downloads, Colab links, banners."""
    return {
        "d2l_version": book.version,
        "d2l_slug": book.slug,
        "d2l_colab": {p.outname: book.colab_url(fw, p.outname)
                      for p in [book.root_page] + book.ordered_pages()},
        "d2l_frameworks": [{"name": f.name, "display": f.display}
                           for f in book.frameworks.values()],
        "d2l_framework": fw,
        "d2l_discuss_url": book.config.html.discuss_url,
        # a framework without Colab points to how to run its notebooks locally
        "d2l_run_locally": "" if book.frameworks[fw].colab else next(
            (p.outname for p in book.ordered_pages() if p.outname.endswith("installation")), ""),
        "d2l_failed_pages": list(failed),
        "d2l_preview": preview,
    }


def conf_py(book: Book, fw: str, failed: tuple[str, ...] = (), preview: bool = False) -> str:
    """The ``conf.py`` of framework ``fw``'s site, from ``_config.yml`` (its ``sphinx.config``
    last, so a book can override any setting); ``failed`` pages (``--keep-going`` and
    ``--no-execute`` previews) are excluded from execution and get a notice that says why
    (``preview``: not executed yet; otherwise: failed)."""
    settings = {**_document_settings(book), **_execution_settings(book, fw, failed),
                **_html_settings(book, fw), **_latex_settings(book, fw),
                **_d2l_settings(book, fw, failed, preview), **book.config.sphinx.config}
    lines = [
        "# Generated by `python -m scripts html` from _config.yml: do not edit.",
        "import sys",
        f"sys.path.insert(0, {str(REPO)!r})",
    ]
    lines += [f"{k} = {v!r}" for k, v in settings.items()]
    return "\n".join(lines) + "\n"


METRICS_MIME = "application/vnd.d2l.metrics+json"
OUTPUTS_FROM = {"hit": "local cache", "frozen": "frozen", "miss": "executed"}


def _frozen_entry(book: Book, fw: str, page) -> dict | None:
    try:
        found = freeze.read(book, fw, page)
    except freeze.Corrupt:
        return None
    return found.entry if found else None


def page_runs(entry: dict | None) -> list[dict]:
    """The final metrics of every training run of a page, in the order they were printed."""
    return [out["data"][METRICS_MIME] for cell in (entry or {}).get("cells", [])
            for out in cell.get("outputs", []) if METRICS_MIME in (out.get("data") or {})]


def results_data(book: Book) -> dict:
    """``{page outname: {framework: [final metrics of each run]}}`` from the frozen entries of
    every page that trains something, for the ``{results}`` tables."""
    data = {}
    for page in book.ordered_pages():
        runs = {fw: page_runs(_frozen_entry(book, fw, page)) for fw in book.frameworks}
        if any(runs.values()):
            data[page.outname] = {fw: r for fw, r in runs.items() if r}
    return data


def _metrics_text(metrics: dict | None) -> str:
    if not metrics:
        return ""
    return ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                     for k, v in metrics.items())


def metrics_table(book: Book, data: dict) -> list[str]:
    """Markdown lines: the final metrics of the last run of every page that trains a model, per
    framework (``data``: :func:`results_data`)."""
    rows = []
    for page in book.ordered_pages():
        runs = data.get(page.outname, {})
        cells = [_metrics_text(runs[fw][-1] if runs.get(fw) else None) for fw in book.frameworks]
        if any(cells):
            rows.append(f"| {{doc}}`/{page.outname}` | " + " | ".join(cells) + " |")
    if not rows:
        return []
    head = "| Section | " + " | ".join(f.display for f in book.frameworks.values()) + " |"
    return ["## Results across frameworks", "",
            "The final metrics each training run reported, side by side. Every model starts from "
            "the same initialization scheme with the same seeds in every framework; the numbers "
            "still differ a little because each framework has its own random number generator.",
            "", head, "|---|" + "---|" * len(book.frameworks), *rows, ""]


def report_page(book: Book, fw: str, data: dict | None = None) -> str:
    """The "Execution report" page of ``fw``'s site: how each page ran (this checkout's records,
    else its frozen entry's), pages over the time budget, and the results across frameworks."""
    by_page = {r.page: r for r in load_records(book.build.records(fw))}
    display = book.frameworks[fw].display
    budget = book.config.execute.budget
    rows = ["| Section | Status | Seconds | Outputs | Device | " + display + " | Python | Executed |",
            "|---|---|---:|---|---|---|---|---|"]
    no_code, over = [], 0
    for page in book.ordered_pages():
        r = by_page.get(page.docname)
        if r is None:
            nb = json.loads(book.build.notebook(fw, page.outname).read_text())
            if not notebook_meta(nb).get("has_code"):
                no_code.append(page)
                continue
            entry = _frozen_entry(book, fw, page)
            if entry is None:
                continue
            r = Record.from_dict({"page": page.docname, "source": page.source, "framework": fw,
                                  "status": "ok", "cache": "frozen", "seconds": 0.0,
                                  **entry["record"]})
        status = r.status + (f" ({r.note})" if r.note else "")
        if r.seconds > budget:
            status += f" — over the {budget} s budget"
            over += 1
        rows.append(f"| {{doc}}`/{page.outname}` | {status} | {r.seconds:.1f} | "
                    f"{OUTPUTS_FROM.get(r.cache, r.cache)} | {r.device} | {r.framework_version} | "
                    f"{r.python_version} | {r.executed_at} |")
    total = len(book.ordered_pages())
    with_code = len(rows) - 2
    lines = ["(execution-report)=", "# Execution report", "",
             f"Every section with {display} code runs in the `{book.frameworks[fw].kernel}` "
             "kernel; its outputs are frozen in the repository and reused until the code, the "
             "`d2l` code it uses, the pinned environment or its data change. Every section's full "
             f"run is meant to fit {budget} s on a laptop CPU.", "",
             f"Coverage: {with_code} of {total} pages have {display} code"
             + (f"; {over} over the time budget." if over else "."), "", *rows, ""]
    if no_code:
        lines += [f"Pages without {display} code:", ""]
        lines += [f"- {{doc}}`/{p.outname}`" for p in no_code]
        lines.append("")
    lines += metrics_table(book, results_data(book) if data is None else data)
    return "\n".join(lines).rstrip("\n") + "\n"


def extra_files(book: Book, fw: str) -> dict[str, str]:
    data = results_data(book)   # every framework's frozen entries, read once for both files
    files = {"conf.py": conf_py(book, fw), f"{notebooks.REPORT}.md": report_page(book, fw, data),
             RESULTS_FILE: json.dumps(data, indent=1, sort_keys=True) + "\n"}
    for bib in book.config.bibtex_bibfiles:
        path = book.root / bib
        if path.is_file():
            files[Path(bib).name] = path.read_text(encoding="utf-8")
    return files


def publish_dir(src: Path, dest: Path) -> int:
    """Make ``dest`` a copy of ``src`` without Sphinx's bookkeeping files, copying only the files
    that changed; return how many did (-1: ``dest`` was created)."""
    return sync_dir(src, dest, ignore=shutil.ignore_patterns(".buildinfo*", ".doctrees"))


def _inputs(book: Book, fw: str, builder: str, failed: tuple[str, ...]) -> dict:
    """What a Sphinx build of ``fw`` reads: its source folder (notebooks, conf.py, assets, the
    report page), the toolchain and the tools' versions. Outputs come from the execution cache,
    whose entries are keyed by the notebooks' code, so they are covered by the notebooks."""
    return stamps.signature([book.build.src(fw), *stamps.toolchain_files()], book.root,
                            builder=builder, failed=list(failed))


def unexecuted(book: Book, fw: str) -> list[str]:
    """Source files of the pages of ``fw`` that have no valid cache entry."""
    cache = execute.open_cache(book, fw)
    todo, _ = execute.plan(book, fw, cache)
    return [t.source for t in todo]


#: The last preparation in this process: (what it read and wrote, its result). ``book`` renders
#: the sites and then the PDFs from the same notebooks, which are checked and written once.
_PREPARED: dict[tuple, tuple[dict, dict]] = {}


def _prepared_inputs(book: Book, frameworks: list[str]) -> dict:
    root = book.root
    return stamps.signature(
        [*stamps.book_sources(root), *(book.build.records(fw) for fw in frameworks),
         *(book.build.src(fw) for fw in frameworks)],
        root, version=book.version)


def prepare_render(book: Book, frameworks: list[str], keep_going: bool = False) -> dict[str, tuple[str, ...]]:
    """Check the book, write its notebooks and kernels, and make sure every page was executed.

    Returns, per framework, the outnames of pages without a successful execution (only with
    ``keep_going``; otherwise such pages are an error). A second call in the same process with
    nothing changed returns the first one's result.
    """
    key = (str(book.root), tuple(frameworks), keep_going)
    if key in _PREPARED and _PREPARED[key][0] == _prepared_inputs(book, frameworks):
        return _PREPARED[key][1]
    failed = _prepare_render(book, frameworks, keep_going)
    _PREPARED.clear()
    _PREPARED[key] = (_prepared_inputs(book, frameworks), failed)
    return failed


def _prepare_render(book: Book, frameworks: list[str], keep_going: bool) -> dict[str, tuple[str, ...]]:
    errors, warnings, parsed = check.book_problems(book)
    if errors:
        raise BookErrors(errors)
    check.print_warnings(warnings, book.root, "html")
    notebooks.generate(book, frameworks, parsed, extra_files=extra_files)
    envs.book_kernels(book, frameworks)
    failed: dict[str, list[str]] = {fw: unexecuted(book, fw) for fw in frameworks}
    if not keep_going and any(failed.values()):
        raise BookErrors([BookError(f"no successful execution for {fw}",
                                    f"run `python -m scripts execute --frameworks {fw}` (or "
                                    "`make execute`); `html --keep-going` previews without it",
                                    book.root / src) for fw, srcs in failed.items() for src in srcs])
    outnames = {p.path.relative_to(book.root).as_posix(): p.outname for p in book.ordered_pages()}
    return {fw: tuple(outnames[s] for s in failed[fw]) for fw in frameworks}


def sphinx_command(book: Book, fw: str, builder: str, out: Path, quiet: bool) -> list[str]:
    """The command that runs Sphinx's ``builder`` on framework ``fw``'s notebooks into ``out``."""
    cmd = [sys.executable, "-m", "sphinx", "-b", builder,
           "-d", str(book.build.sphinx(fw) / "doctrees"), str(book.build.src(fw)), str(out)]
    if quiet:
        cmd.insert(3, "-q")
    return cmd


def _sphinx_failed(fw: str, builder: str, code: int, src: Path) -> BookError:
    return BookError(f"Sphinx ({builder}) failed for {fw} (exit {code})",
                     "read the error above; the previous output was left as it was", path=src)


def sphinx(book: Book, fw: str, builder: str, out: Path, quiet: bool) -> None:
    """Run Sphinx's ``builder`` on framework ``fw``'s notebooks (and the ``conf.py`` written
    for it) into ``out``."""
    r = subprocess.run(sphinx_command(book, fw, builder, out, quiet), cwd=str(book.root))
    if r.returncode != 0:
        raise _sphinx_failed(fw, builder, r.returncode, book.build.src(fw))


def _render_side_by_side(book: Book, jobs: list[str], quiet: bool) -> dict[str, float]:
    """Run the HTML builds of ``jobs`` (frameworks), as many at a time as there are CPUs; each
    one's output is printed when it ends. Returns seconds per framework."""
    from concurrent.futures import ThreadPoolExecutor

    def run(fw: str) -> tuple[str, float, subprocess.CompletedProcess]:
        t0 = time.time()
        r = subprocess.run(sphinx_command(book, fw, "html", book.build.sphinx(fw) / "html", quiet),
                           cwd=str(book.root), capture_output=True, text=True)
        return fw, time.time() - t0, r

    times, errors = {}, []
    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
        for fw, seconds, r in pool.map(run, jobs):
            sys.stdout.write(r.stdout)
            sys.stderr.write(r.stderr)
            if r.returncode != 0:
                errors.append(_sphinx_failed(fw, "html", r.returncode, book.build.src(fw)))
            times[fw] = seconds
    if errors:
        raise BookErrors(errors)
    return times


def _doctree_times(book: Book, fw: str) -> dict[str, int]:
    """When Sphinx last read each page of ``fw`` (its pickled doctree's time)."""
    base = book.build.sphinx(fw) / "doctrees"
    return {p.relative_to(base).with_suffix("").as_posix(): p.stat().st_mtime_ns
            for p in base.rglob("*.doctree")} if base.is_dir() else {}


def _read_again(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(name for name, t in after.items() if before.get(name) != t)


def build_html(book: Book, frameworks: list[str], quiet: bool = True,
               keep_going: bool = False, preview: bool = False) -> dict[str, float]:
    """Check, prebuild and render from the execution cache; return seconds per framework.

    A framework whose Sphinx inputs are those of its last successful build is not rendered
    again, and only the files that changed are copied into ``_build/html/<fw>/``; several
    frameworks render side by side. Strict by default: a page without a successful cache entry
    is an error. With ``keep_going`` such pages render without outputs under an error banner;
    ``preview`` (``--no-execute``) is the same for a book not executed yet, with a note instead.
    """
    failed = prepare_render(book, frameworks, keep_going or preview)
    times, jobs, sigs = {}, [], {}
    for fw in frameworks:
        write_if_changed(book.build.src(fw) / "conf.py", conf_py(book, fw, failed[fw], preview))
        sigs[fw] = _inputs(book, fw, "html", failed[fw])
        stamp = stamps.Stamp(book.build.stamp(f"html-{fw}"))
        if stamp.matches(sigs[fw]) and (book.build.html(fw) / "index.html").is_file():
            print(f"[html] {fw}: up to date -> {book.build.html(fw) / 'index.html'}", flush=True)
            times[fw] = 0.0
            continue
        stamp.clear()
        jobs.append(fw)
    if not jobs:
        return times
    print(f"[html] rendering {', '.join(jobs)} …", flush=True)
    read_before = {fw: _doctree_times(book, fw) for fw in jobs}
    if len(jobs) == 1:
        t0 = time.time()
        sphinx(book, jobs[0], "html", book.build.sphinx(jobs[0]) / "html", quiet)
        rendered = {jobs[0]: time.time() - t0}
    else:
        rendered = _render_side_by_side(book, jobs, quiet)
    for fw in jobs:
        t0 = time.time()
        changed = publish_dir(book.build.sphinx(fw) / "html", book.build.html(fw))
        stamps.Stamp(book.build.stamp(f"html-{fw}")).save(sigs[fw])
        times[fw] = rendered[fw] + time.time() - t0
        read = _read_again(read_before[fw], _doctree_times(book, fw))
        shown = ", ".join(read[:3]) + (", …" if len(read) > 3 else "")
        what = (f"{len(read)} page(s) read" + (f" ({shown})" if read else "") + ", "
                + ("new site" if changed < 0 else f"{changed} file(s) updated"))
        print(f"[html] {fw}: done in {times[fw]:.1f} s, {what} -> "
              f"{book.build.html(fw) / 'index.html'}", flush=True)
    return times


# --- PDF ------------------------------------------------------------------------------------

TEX_TOOLS = ("xelatex", "latexmk", "rsvg-convert")


def latex_error(log: str, tex: str) -> tuple[str, str | None]:
    """The first LaTeX error of ``log`` with its context, and the page (outname) it comes from.

    TeX reports errors as ``! message`` followed by context lines and ``l.<n> <source line>``;
    the page is the last ``\\label{\\detokenize{<page>::doc}}`` Sphinx wrote above line n.
    """
    lines = log.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith("!")), None)
    if start is None:
        return "", None
    context, lineno = [], None
    for ln in lines[start:start + 12]:
        context.append(ln)
        m = re.match(r"l\.(\d+)", ln)
        if m:
            lineno = int(m.group(1))
            break
    page = None
    if lineno:
        for ln in reversed(tex.splitlines()[:lineno]):
            m = re.search(r"\\label\{\\detokenize\{([^}]+?)::doc\}\}", ln)
            if m:
                page = m.group(1)
                break
    return "\n".join(context), page


def build_pdf(book: Book, frameworks: list[str], quiet: bool = True) -> dict[str, Path]:
    """Render each framework's executed notebooks to LaTeX and compile them with latexmk and
    xelatex into ``_build/pdf/<slug>-<fw>.pdf``; return the PDF per framework."""
    absent = [t for t in TEX_TOOLS if shutil.which(t) is None]
    if absent:
        raise BookError(f"cannot build PDFs: {', '.join(absent)} not found",
                        "run `make envs` as root (it installs the TeX packages of "
                        "scripts/envs.py), or install them with apt-get")
    failed = prepare_render(book, frameworks)
    pages = {p.outname: p.path for p in book.ordered_pages()}
    pages["index"] = book.root_page.path
    out = {}
    for fw in frameworks:
        t0 = time.time()
        latex = book.build.sphinx(fw) / "latex"
        dest = book.build.pdf(book.slug, fw)
        write_if_changed(book.build.src(fw) / "conf.py", conf_py(book, fw, failed[fw]))
        sig = _inputs(book, fw, "latex", failed[fw])
        stamp = stamps.Stamp(book.build.stamp(f"pdf-{fw}"))
        if stamp.matches(sig) and dest.is_file():
            print(f"[pdf] {fw}: up to date -> {dest}", flush=True)
            out[fw] = dest
            continue
        stamp.clear()
        # the LaTeX folder is kept: Sphinx re-reads only changed pages, and latexmk reruns
        # xelatex only as often as the changed .tex needs
        print(f"[pdf] {fw}: LaTeX …", flush=True)
        sphinx(book, fw, "latex", latex, quiet)
        name = f"{book.slug}-{fw}"
        print(f"[pdf] {fw}: latexmk + xelatex …", flush=True)
        r = subprocess.run(["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error",
                            f"{name}.tex"], cwd=latex,
                           capture_output=True, text=True)
        pdf = latex / f"{name}.pdf"
        if r.returncode != 0 or not pdf.is_file():
            log = (latex / f"{name}.log").read_text(errors="replace") if (latex / f"{name}.log").exists() else ""
            tex = (latex / f"{name}.tex").read_text(errors="replace")
            context, page = latex_error(log, tex)
            where = pages.get(page) if page else None
            raise BookError(f"LaTeX failed for {fw}" + (f" in page '{page}'" if page else "") +
                            (":\n" + context if context else f" (latexmk exit {r.returncode}):\n"
                             + r.stdout[-2000:]),
                            f"fix the page; the full log is {latex / (name + '.log')}",
                            path=where)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(".pdf.part")
        shutil.copyfile(pdf, tmp)
        os.replace(tmp, dest)
        stamp.save(sig)
        out[fw] = dest
        print(f"[pdf] {fw}: done in {time.time() - t0:.1f} s -> {dest}", flush=True)
    return out


def _verbose(p) -> None:
    p.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's output")


pdf_main = cli.command("pdf", "one PDF per framework with LaTeX (xelatex)",
                       lambda args, book, fws: build_pdf(book, fws, quiet=not args.verbose) and 0,
                       _verbose, failed="[pdf] no PDF was written")


def _html_options(p) -> None:
    p.add_argument("-q", "--quiet", action="store_true",
                   help="only warnings and errors from Sphinx (the default)")
    p.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress output")
    p.add_argument("--keep-going", action="store_true",
                   help="preview: render pages that failed to execute under an error banner")
    p.add_argument("--prepare-only", action="store_true",
                   help="write the notebooks and conf.py Sphinx reads, without running Sphinx "
                        "(what `serve` runs before each rebuild)")
    p.add_argument("--no-execute", action="store_true",
                   help="preview without executing: outputs from the frozen entries or the cache "
                        "where they exist, the code and a 'not executed' note elsewhere")


def _html(args, book: Book, fws: list[str]) -> int:
    if args.prepare_only:
        failed = prepare_render(book, fws, args.keep_going or args.no_execute)
        for fw in fws:
            write_if_changed(book.build.src(fw) / "conf.py",
                             conf_py(book, fw, failed[fw], args.no_execute))
        return 0
    build_html(book, fws, quiet=not args.verbose, keep_going=args.keep_going,
               preview=args.no_execute)
    print("[html] sites:")
    for fw in fws:
        print(f"  {fw:<11} {book.build.html(fw) / 'index.html'}")
    return 0


main = cli.command("html", __doc__, _html, _html_options, failed="[html] nothing was rendered")
