"""Stage 2: one MyST notebook per page and framework.

``book/<path>.md`` becomes ``_build/src/<fw>/<path>.ipynb`` (the ``book/`` prefix dropped) with the
framework's code cells and prose, kernelspec ``d2l-<fw>`` and MyST syntax for references,
citations, figures, tables and equations.  The root page gets the toctree of ``_toc.yml``, chapter
pages the toctree of their sections.  Images and other files of ``book/`` are copied beside the
notebooks.  Only files whose content changed are written, so Sphinx stays incremental.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from scripts import cli, dialect, envs, fingerprint, library
from scripts.config import Book, Page
from scripts.contracts import NOTEBOOK_META_KEY, NotebookMeta
from scripts.files import write_if_changed
BIBLIOGRAPHY = "bibliography"     # the generated References page, last in every site
REPORT = "execution-report"        # written by the render stage from the execution records
# The PDF numbers chapters as the site does: front matter (unnumbered parts before the first
# numbered one) and back matter get no chapter numbers. LaTeX only; the HTML ignores raw latex.
LATEX_FRONT = ("```{raw} latex\n\\newcounter{dtwosecnum}\\setcounter{dtwosecnum}{\\value{secnumdepth}}"
               "\\setcounter{secnumdepth}{-1}\n```")
LATEX_MAIN = "```{raw} latex\n\\setcounter{secnumdepth}{\\value{dtwosecnum}}\n```"
LATEX_BACK = "```{raw} latex\n\\setcounter{secnumdepth}{-1}\n```"
BIBLIOGRAPHY_PAGE = f"{LATEX_BACK}\n\n# References\n\n```{{bibliography}}\n:all:\n```\n"


def latex_matter(book: Book, page: Page) -> str | None:
    """The raw LaTeX that opens the front matter or the main matter at ``page``, if any."""
    first_numbered = next((i for i, part in enumerate(book.parts) if part.numbered), None)
    if not first_numbered or not book.parts[0].chapters:    # no front matter before chapters
        return None
    if page.docname == book.parts[0].chapters[0]:
        return LATEX_FRONT
    chapters = book.parts[first_numbered].chapters
    if chapters and page.docname == chapters[0]:
        return LATEX_MAIN
    return None


# --- prose ---------------------------------------------------------------------------------

SLIDE_KEEP = [re.compile(r"\[\*\*(.+?)\*\*\](?!\()", re.S), re.compile(r"\(\*\*(.+?)\*\*\)", re.S)]
SLIDE_DROP = [re.compile(r"\[~~(.+?)~~\](?!\()", re.S), re.compile(r"\(~~(.+?)~~\)", re.S)]
ROLE_MAP = dialect.ROLES


#: the MyST role of the marker a broken reference becomes (lenient mode; scripts.sphinx_ext)
MISSING_ROLE = "d2l-missing"


def convert_roles(text: str, unnumbered: frozenset = frozenset(),
                  broken: frozenset = frozenset()) -> str:
    """Dialect roles -> MyST roles; a :numref: to an ``unnumbered`` label (front matter, which
    has no number to show) becomes a reference by title; a reference to a ``broken`` target
    (no page defines it: lenient mode) becomes a visible "missing reference" marker."""
    def sub(m: re.Match) -> str:
        if m.group("code"):
            return m.group("code")
        role, target = m.group("role"), m.group("target")
        if role in ("numref", "ref", "eqref") and target in broken:
            return "{%s}`%s`" % (MISSING_ROLE, target)
        if role in ("cite", "citet"):
            target = ",".join(k.strip() for k in target.split(","))
        if role == "numref" and target in unnumbered:
            role = "ref"
        return "{%s}`%s`" % (ROLE_MAP[role], target)
    return dialect.ROLE.sub(sub, text)


def strip_slide_marks(text: str) -> str:
    for rx in SLIDE_DROP:
        text = rx.sub("", text)
    for rx in SLIDE_KEEP:
        text = rx.sub(r"\1", text)
    return text


def convert_markdown(source: str, unnumbered: frozenset = frozenset(),
                     broken: frozenset = frozenset()) -> str:
    """Dialect prose -> MyST markdown (labels, figures, tables, equations, roles, slide marks).

    ``unnumbered``, ``broken``: labels without a number, targets nobody defines (see
    :func:`convert_roles`)."""
    return convert_blocks(dialect.parse_blocks(source), unnumbered, broken)


def convert_blocks(blocks: list[dialect.Block], unnumbered: frozenset = frozenset(),
                   broken: frozenset = frozenset()) -> str:
    """The MyST markdown of parsed prose blocks (see :func:`convert_markdown`)."""
    def inline(text: str) -> str:
        return convert_roles(strip_slide_marks(text), unnumbered, broken)

    out = [ln for b in blocks for ln in _myst_lines(b, inline)]
    return strip_slide_marks("\n".join(out)).strip("\n")


def _myst_lines(b: dialect.Block, inline) -> list[str]:
    """The MyST lines of one block; ``inline`` converts a line of text."""
    if isinstance(b, dialect.Heading):
        head = [inline(ln) for ln in b.lines[:b.size]]
        return [f"({b.label})=", *head] if b.label else head
    if isinstance(b, dialect.Fence):      # shown-only code: copied verbatim
        if b.info.strip() == "eval_rst":  # d2lbook's raw reStructuredText: MyST renders it
            return [b.fence + "{eval-rst}", *b.lines[1:]]
        return b.lines
    if isinstance(b, dialect.Figure):
        opts = [f":{'name' if k == 'label' else k}: {v}" for k, v in b.options]
        return ["```{figure} " + b.path, *opts, "", inline(b.caption), "```"]
    if isinstance(b, dialect.Table):
        rows = [inline(r) for r in b.rows]
        if b.caption is None and b.label is None:
            return rows
        caption = inline(b.caption) if b.caption is not None else ""
        # a backtick fence's info string may not hold backticks (CommonMark): a caption
        # with inline code gets a tilde fence
        fence = "~~~" if "`" in caption else "```"
        return [f"{fence}{{table}} {caption}", *([f":name: {b.label}"] if b.label else []),
                "", *rows, fence]
    if isinstance(b, dialect.Math):
        if b.label is None:
            return b.lines
        maths = "\n".join(b.body).strip()[2:-2].strip()
        return ["```{math}", f":label: {b.label}", "", maths, "```"]
    if b.kind in ("label", "eqlabel"):
        return []       # a stray label (already reported by check); never shown
    return [inline(ln) for ln in b.lines]


# --- notebooks -----------------------------------------------------------------------------

def _cell_id(*parts) -> str:
    return hashlib.sha1("\x00".join(map(str, parts)).encode()).hexdigest()[:12]


def no_code_notice(fw_display: str, available: list[str]) -> str:
    others = ", ".join(available)
    return (":::{admonition} No " + fw_display + " code\n:class: warning d2l-no-code\n\n"
            f"This section has no code for {fw_display}. It is written for {others}: use the "
            "framework switcher at the top of the page to see it run there.\n:::")


def toctree(entries: list[str], caption: str | None = None, numbered: bool = False,
            hidden: bool = False, maxdepth: int = 2) -> str:
    opts = [f":maxdepth: {maxdepth}"]
    if caption:
        opts.append(f":caption: {caption}")
    if numbered:
        opts.append(":numbered:")
    if hidden:
        opts.append(":hidden:")
    return "```{toctree}\n" + "\n".join(opts) + "\n\n" + "\n".join(entries) + "\n```"


def _rel(from_out: str, to_out: str) -> str:
    return os.path.relpath(to_out, os.path.dirname(from_out) or ".")


def unnumbered_labels(book: Book, parsed: dict) -> frozenset:
    """Labels defined on pages of unnumbered parts (front matter): they have no number, so a
    :numref: to them becomes a reference by title."""
    docnames, stack = set(), [d for part in book.parts if not part.numbered for d in part.chapters]
    while stack:
        d = stack.pop()
        docnames.add(d)
        stack += list(book.pages[d].children) if d in book.pages else []
    return frozenset(u.target for d in docnames if d in parsed for u in parsed[d].uses
                     if u.kind == "label")


def build_notebook(book: Book, page: Page, parsed: dialect.ParsedPage, fw: str,
                   unnumbered: frozenset = frozenset(), broken: frozenset = frozenset()) -> dict:
    """The notebook of ``page`` for framework ``fw`` as an nbformat-4 dict."""
    framework = book.frameworks[fw]
    cells: list[dict] = []
    md_buffer: list[str] = []
    md_lines: list[int] = []
    lines: list[int] = []       # source line of each cell, for error messages

    def flush():
        if md_buffer:
            text = "\n\n".join(md_buffer)
            lines.append(md_lines[0])
            cells.append({"cell_type": "markdown", "id": _cell_id(page.docname, fw, len(cells)),
                          "metadata": {}, "source": text})
            md_buffer.clear()
            md_lines.clear()

    code_fws = parsed.code_frameworks()
    notice_needed = parsed.has_code and fw not in code_fws
    matter = latex_matter(book, page)
    if matter:
        md_buffer.append(matter)
        md_lines.append(1)
    for cell in parsed.cells:
        if cell.frameworks is not None and fw not in cell.frameworks:
            continue
        if cell.kind == "markdown":
            text = convert_blocks(cell.blocks, unnumbered, broken)
            if text.strip():
                md_buffer.append(text)
                md_lines.append(cell.line)
            if notice_needed and any(isinstance(b, dialect.Heading) for b in cell.blocks):
                md_buffer.append(no_code_notice(framework.display,
                                                [book.frameworks[f].display for f in book.frameworks
                                                 if f in code_fws]))
                md_lines.append(cell.line)
                notice_needed = False
            continue
        flush()
        source = dialect.resolve_tab_selected(cell.source, fw)
        # cell metadata is part of jupyter-cache's key: keep source lines out of it (they live
        # in the notebook metadata), so a prose edit that shifts lines re-runs nothing
        meta = {}
        lines.append(cell.line)
        if cell.tags:
            meta["tags"] = list(cell.tags)
        cells.append({"cell_type": "code", "id": _cell_id(page.docname, fw, len(cells)),
                      "metadata": meta, "execution_count": None, "outputs": [], "source": source})
    if notice_needed:   # no heading at all: put the notice first
        md_buffer.insert(0, no_code_notice(framework.display, [book.frameworks[f].display
                                                               for f in code_fws]))
        md_lines.insert(0, 1)
    if page.docname == book.root_page.docname:
        md_buffer.append(root_toctree(book))
        back = ([BIBLIOGRAPHY] if book.config.bibtex_bibfiles else []) + [REPORT]
        md_buffer.append(toctree(back, "Back matter", maxdepth=1))
        md_lines.append(0)
        md_lines.append(0)
    elif page.children:
        entries = [_rel(page.outname, book.pages[c].outname) for c in page.children]
        md_buffer.append(toctree(entries, maxdepth=1))
        md_lines.append(0)
    flush()
    meta = {
        "kernelspec": {"name": framework.kernel, "display_name": f"d2l ({fw})",
                       "language": "python"},
        "language_info": {"name": "python"},
        NOTEBOOK_META_KEY: _notebook_meta(book, page, parsed, fw, lines),
    }
    return {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}


def _notebook_meta(book: Book, page: Page, parsed: dialect.ParsedPage, fw: str,
                   lines: list[int]) -> NotebookMeta:
    meta = NotebookMeta(framework=fw, source=str(page.path.relative_to(book.root)),
                        has_code=fw in parsed.code_frameworks(), page_has_code=parsed.has_code,
                        cell_lines=lines)
    if parsed.meta:
        meta["front_matter"] = parsed.meta
    return meta


def root_toctree(book: Book) -> str:
    """Toctrees of the root page, one per run of numbered / unnumbered parts.

    Sphinx restarts numbering in every numbered toctree, so consecutive numbered parts share one.
    """
    blocks: list[str] = []
    group: list[str] = []
    caption, numbered = None, None
    for part in book.parts:
        if group and (part.numbered != numbered or not part.numbered):
            blocks.append(toctree(group, caption, bool(numbered), maxdepth=2))
            group = []
        if not group:
            caption, numbered = part.caption, part.numbered
        group += [_rel(book.root_page.outname, book.pages[c].outname) for c in part.chapters]
    if group:
        blocks.append(toctree(group, caption, bool(numbered), maxdepth=2))
    return "\n\n".join(blocks)


def notebook_json(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def copy_assets(book: Book, dest: Path) -> int:
    """Copy every non-page file of ``book/`` (images, data) into ``dest``; return how many
    changed."""
    changed = 0
    for src in sorted(book.source_dir.rglob("*")):
        if src.is_dir() or src.suffix == ".md" or any(p.startswith(".") for p in src.parts):
            continue
        target = dest / src.relative_to(book.source_dir)
        if not target.exists() or target.stat().st_size != src.stat().st_size or \
                target.read_bytes() != src.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
            changed += 1
    return changed


def requirements_file(book: Book, fw: str) -> Path:
    """The framework's pinned requirements: the book's own, else the toolchain checkout's (a
    fixture book runs in the checkout's environments)."""
    name = book.frameworks[fw].requirements
    own = book.root / name
    return own if own.is_file() else Path(__file__).resolve().parent.parent / name


def generate(book: Book, frameworks: list[str], parsed: dict[str, dialect.ParsedPage] | None = None,
             extra_files=None) -> dict[str, list[Path]]:
    """Write the notebooks (and assets) of ``frameworks``; return the files written per
    framework. ``extra_files(book, fw) -> {relative path: text}`` lets the render stage add its
    generated files (``conf.py``) through the same change-only writer."""
    parsed = dialect.parse_book(book) if parsed is None else parsed
    libraries = library.build_all(book, frameworks, parsed)
    written: dict[str, list[Path]] = {}
    unnumbered = unnumbered_labels(book, parsed)
    broken = dialect.broken_targets(parsed)     # empty unless check.strict is false
    for fw in frameworks:
        lib = fingerprint.Library(libraries[fw])
        requirements = requirements_file(book, fw)
        out = book.build.src(fw)
        written[fw] = []
        expected = set()
        for page in book.ordered_pages():
            nb = build_notebook(book, page, parsed[page.docname], fw, unnumbered, broken)
            code = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "code")
            if code:
                deps = fingerprint.manifest(code, lib, requirements, parsed[page.docname].meta,
                                            book.root, envs.kernel_identity())
                fingerprint.stamp(nb, fingerprint.from_manifest(deps, lib, requirements))
                nb["metadata"][NOTEBOOK_META_KEY]["deps"] = deps
            path = book.build.notebook(fw, page.outname)
            expected.add(path)
            if write_if_changed(path, notebook_json(nb)):
                written[fw].append(path)
        extras = dict(extra_files(book, fw)) if extra_files else {}
        if book.config.bibtex_bibfiles:
            extras[f"{BIBLIOGRAPHY}.md"] = BIBLIOGRAPHY_PAGE
        for rel, text in extras.items():
            path = out / rel
            expected.add(path)
            if write_if_changed(path, text):
                written[fw].append(path)
        copy_assets(book, out)
        # notebooks of pages that left the toc must go, or Sphinx would still build them
        for stale in out.rglob("*.ipynb"):
            if stale not in expected and "_build" not in stale.parts:
                stale.unlink()
    return written


def _run(args, book: Book, fws: list[str]) -> int:
    for fw, files in generate(book, fws).items():
        print(f"[notebooks] {fw}: {len(files)} file(s) changed in {book.build.src(fw)}")
    return 0


main = cli.command("notebooks", __doc__, _run)
