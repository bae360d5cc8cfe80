"""Stage 1: parse a source page of ``book/`` (the dialect of DIALECT.md) into cells.

A page becomes a list of :class:`Cell` (markdown or code) that know which frameworks they belong
to and the line they start on, plus the page's front matter and the labels, references, citations
and images it uses.  Nothing here depends on Sphinx or Jupyter: later stages turn the cells into
notebooks and library code.  Problems are collected as :class:`~scripts.errors.BookError` with
``file:line`` so that ``check`` can list every one of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from scripts.errors import BookError

FENCE = re.compile(r"^(?P<indent>\s{0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
TAB_MARK = re.compile(r"^\s*#\s*@tab\s+(?P<names>.+?)\s*$")
CELL_MAGIC_TAB = re.compile(r"^%%tab\s+(?P<names>.+?)\s*$")
BEGIN_TAB = re.compile(r"^\s*:begin_tab:`(?P<names>[^`]*)`\s*$")
END_TAB = re.compile(r"^\s*:end_tab:\s*$")
HIDE_MARKS = {"#@hide_code": "remove-input", "#@hide_output": "remove-output", "#@hide": "remove-cell"}
HIDE_MARK = re.compile(r"\s*#\s*@(hide_code|hide_output|hide)\s*$")
SAVE_MARK = re.compile(r"#\s*@save\s*$", re.M)

LABEL = re.compile(r"^\s*:label:`(?P<name>[^`]+)`\s*$")
EQLABEL = re.compile(r"^\s*:eqlabel:`(?P<name>[^`]+)`\s*$")
WIDTH = re.compile(r"^\s*:(?P<key>width|height):`(?P<value>[^`]+)`\s*$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*$")
IMAGE = re.compile(r"^\s*!\[(?P<caption>.*)\]\((?P<path>[^)\s]+)\)\s*$")
INLINE_IMAGE = re.compile(r"!\[[^\]]*\]\((?P<path>[^)\s]+)\)")
#: the end of an image whose caption was wrapped onto several lines: ``… caption.](../img/x.svg)``
IMAGE_TAIL = re.compile(r"^[^\[]*\]\((?P<path>[^)\s]+\.(?:svg|png|jpe?g|gif|pdf))\)\s*$")
TABLE_CAPTION = re.compile(r"^:\s+(?P<caption>\S.*)$")
TABLE_ROW = re.compile(r"^\s*\|")
ROLE = re.compile(r"(?P<code>``.+?``)|:(?P<role>numref|ref|eqref|cite|citet):`(?P<target>[^`]+)`")


@dataclass
class Cell:
    """A piece of a page. ``frameworks`` is ``None`` for prose shared by all frameworks."""
    kind: str                      # "markdown" | "code"
    source: str                    # marker lines removed (code) / raw dialect (markdown)
    line: int                      # 1-based line in the source file of the first source line
    frameworks: tuple[str, ...] | None = None
    tags: tuple[str, ...] = ()     # remove-input / remove-output / remove-cell
    section_label: str | None = None   # nearest heading label before the cell ("Defined in")
    line_map: list[int] = field(default_factory=list)  # source line of each line of `source`


@dataclass
class Use:
    kind: str      # label | eqlabel | numref | ref | eqref | cite | citet | image
    target: str
    line: int


@dataclass
class ParsedPage:
    path: Path
    meta: dict
    cells: list[Cell]
    uses: list[Use]
    errors: list[BookError]

    @property
    def has_code(self) -> bool:
        return any(c.kind == "code" for c in self.cells)

    def code_frameworks(self) -> set[str]:
        return {fw for c in self.cells if c.kind == "code" for fw in c.frameworks or ()}


def parse_tab_names(text: str, frameworks: list[str], path: Path, line: int,
                    errors: list[BookError]) -> tuple[str, ...]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        errors.append(BookError("empty framework list", "name frameworks, e.g. `pytorch, jax`, "
                                "or `all`", path, line))
        return ()
    if "all" in names:
        return tuple(frameworks)
    out = []
    for n in names:
        if n not in frameworks:
            errors.append(BookError(f"unknown framework '{n}'",
                                    f"use one of: all, {', '.join(frameworks)}", path, line))
        elif n not in out:
            out.append(n)
    return tuple(out)


def _front_matter(lines: list[str], path: Path, errors: list[BookError]) -> tuple[dict, int]:
    """YAML between ``---`` lines at the very top; returns (meta, number of lines used)."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            try:
                meta = yaml.safe_load("\n".join(lines[1:i])) or {}
            except yaml.YAMLError as e:
                mark = getattr(e, "problem_mark", None)
                errors.append(BookError(f"invalid front matter: {getattr(e, 'problem', e)}",
                                        "fix the YAML between the `---` lines", path,
                                        (mark.line + 2) if mark else 1))
                meta = {}
            if not isinstance(meta, dict):
                errors.append(BookError("front matter is not a mapping",
                                        "write `key: value` lines", path, 1))
                meta = {}
            return meta, i + 1
    errors.append(BookError("front matter `---` is never closed", "add a closing `---` line",
                            path, 1))
    return {}, 0


def _code_cell(body: list[tuple[int, str]], path: Path, frameworks: list[str], default: str,
               errors: list[BookError], section_label: str | None, open_line: int) -> Cell:
    fws: tuple[str, ...] | None = None
    tags: list[str] = []
    kept: list[tuple[int, str]] = []
    for idx, (lineno, text) in enumerate(body):
        m = CELL_MAGIC_TAB.match(text) if idx == 0 else None
        m = m or TAB_MARK.match(text)
        if m:
            if fws is not None:
                errors.append(BookError("two #@tab marks in one cell",
                                        "keep one `#@tab a, b` line per cell", path, lineno))
            fws = parse_tab_names(m.group("names"), frameworks, path, lineno, errors)
            continue
        h = HIDE_MARK.search(text)
        if h:
            tags.append(HIDE_MARKS["#@" + h.group(1)])
            text = text[:h.start()]
            if not text.strip():
                continue
        kept.append((lineno, text))
    # trim blank lines at both ends
    while kept and not kept[0][1].strip():
        kept.pop(0)
    while kept and not kept[-1][1].strip():
        kept.pop()
    first = kept[0][0] if kept else open_line + 1
    return Cell(kind="code", source="\n".join(t for _, t in kept), line=first,
                frameworks=fws if fws is not None else (default,), tags=tuple(dict.fromkeys(tags)),
                section_label=section_label, line_map=[n for n, _ in kept])


def _scan_markdown(lines: list[tuple[int, str]], uses: list[Use]) -> str | None:
    """Record labels, references, citations and images of prose lines; return the last heading
    label seen (for "Defined in")."""
    last_heading_label = None
    in_fence = None
    prev_heading = False
    for lineno, text in lines:
        f = FENCE.match(text)
        if in_fence:
            if f and f.group("fence")[0] == in_fence[0] and len(f.group("fence")) >= len(in_fence) \
                    and not f.group("info").strip():
                in_fence = None
            continue
        if f:
            in_fence = f.group("fence")
            continue
        m = LABEL.match(text)
        if m:
            uses.append(Use("label", m.group("name"), lineno))
            if prev_heading:
                last_heading_label = m.group("name")
            prev_heading = False
            continue
        m = EQLABEL.match(text)
        if m:
            uses.append(Use("eqlabel", m.group("name"), lineno))
            continue
        if text.strip():
            prev_heading = bool(HEADING.match(text))
        for r in ROLE.finditer(text):
            if r.group("role"):
                role, target = r.group("role"), r.group("target")
                if role in ("cite", "citet"):
                    for key in target.split(","):
                        uses.append(Use(role, key.strip(), lineno))
                else:
                    uses.append(Use(role, target.strip(), lineno))
        for im in INLINE_IMAGE.finditer(text):
            uses.append(Use("image", im.group("path"), lineno))
        tail = IMAGE_TAIL.match(text)
        if tail and not INLINE_IMAGE.search(text):
            uses.append(Use("image", tail.group("path"), lineno))
    return last_heading_label


def parse_page(path: str | Path, frameworks: list[str], default: str,
               text: str | None = None) -> ParsedPage:
    """Split a dialect page into cells. Errors are collected, never raised."""
    path = Path(path)
    errors: list[BookError] = []
    raw = path.read_text(encoding="utf-8") if text is None else text
    lines = raw.split("\n")
    meta, start = _front_matter(lines, path, errors)
    cells: list[Cell] = []
    uses: list[Use] = []
    md: list[tuple[int, str]] = []
    md_fws: tuple[str, ...] | None = None
    tab_open: int | None = None
    section_label: str | None = None

    def flush_md():
        nonlocal md, section_label
        if md and any(t.strip() for _, t in md):
            found = _scan_markdown(md, uses)
            section_label = found or section_label
            cells.append(Cell(kind="markdown", source="\n".join(t for _, t in md),
                              line=md[0][0], frameworks=md_fws, line_map=[n for n, _ in md]))
        md = []

    i = start
    while i < len(lines):
        lineno, text = i + 1, lines[i]
        f = FENCE.match(text)
        if f:
            fence, info = f.group("fence"), f.group("info")
            # find the closing fence
            j = i + 1
            while j < len(lines):
                c = FENCE.match(lines[j])
                if c and c.group("fence")[0] == fence[0] and len(c.group("fence")) >= len(fence) \
                        and not c.group("info").strip():
                    break
                j += 1
            if j == len(lines):
                errors.append(BookError(f"code fence {fence} is never closed",
                                        f"add a closing {fence} line", path, lineno))
            if ".input" in info:
                flush_md()
                body = [(k + 1, lines[k]) for k in range(i + 1, min(j, len(lines)))]
                if tab_open is not None:
                    errors.append(BookError("code cell inside :begin_tab:",
                                            "close the tab with :end_tab: before the code; "
                                            "code cells use #@tab", path, lineno))
                cells.append(_code_cell(body, path, frameworks, default, errors, section_label,
                                        lineno))
            else:
                md.extend((k + 1, lines[k]) for k in range(i, min(j + 1, len(lines))))
            i = j + 1
            continue
        m = BEGIN_TAB.match(text)
        if m:
            if tab_open is not None:
                errors.append(BookError(f":begin_tab: inside the tab opened on line {tab_open}",
                                        "tabs do not nest: add :end_tab: before this line",
                                        path, lineno))
            flush_md()
            md_fws = parse_tab_names(m.group("names"), frameworks, path, lineno, errors)
            tab_open = lineno
            i += 1
            continue
        if END_TAB.match(text):
            if tab_open is None:
                errors.append(BookError(":end_tab: without :begin_tab:",
                                        "remove it or add a :begin_tab:`name` above", path, lineno))
            flush_md()
            md_fws, tab_open = None, None
            i += 1
            continue
        md.append((lineno, text))
        i += 1
    if tab_open is not None:
        errors.append(BookError(":begin_tab: without :end_tab:",
                                "add an :end_tab: line after the framework's prose", path, tab_open))
    flush_md()
    return ParsedPage(path=path, meta=meta, cells=cells, uses=uses, errors=errors)


# --- code transforms shared by the notebook and library stages ------------------------------

SELECTED = re.compile(r"^(?P<indent>\s*)(?P<kw>if|elif)\s+tab\.selected\((?P<args>[^)]*)\)\s*:\s*$")
ELSE = re.compile(r"^(?P<indent>\s*)else\s*:\s*$")


def _selected_names(args: str) -> list[str]:
    return [a.strip().strip("'\"") for a in args.split(",") if a.strip()]


def resolve_tab_selected(source: str, framework: str) -> str:
    """Keep the branch of an ``if tab.selected(...)`` / ``elif tab.selected(...)`` / ``else``
    chain that matches ``framework``, dedented to the ``if``'s level; drop the others."""
    lines = source.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = SELECTED.match(lines[i])
        if not m or m.group("kw") != "if":
            out.append(lines[i])
            i += 1
            continue
        indent = m.group("indent")
        chosen: list[str] | None = None
        first, trailing_blank = True, False
        while i < len(lines):
            ms, me = SELECTED.match(lines[i]), ELSE.match(lines[i])
            if first:
                matches = framework in _selected_names(ms.group("args"))
            elif ms and ms.group("kw") == "elif" and ms.group("indent") == indent:
                matches = framework in _selected_names(ms.group("args"))
            elif me and me.group("indent") == indent:
                matches = True
            else:
                break
            first = False
            i += 1
            body = []
            while i < len(lines) and (not lines[i].strip() or
                                      len(lines[i]) - len(lines[i].lstrip()) > len(indent)):
                body.append(lines[i])
                i += 1
            trailing_blank = bool(body) and not body[-1].strip()
            while body and not body[-1].strip():
                body.pop()
            if matches and chosen is None:
                chosen = body
            if me:
                break
        if chosen:
            width = min(len(b) - len(b.lstrip()) for b in chosen if b.strip())
            out.extend(indent + b[width:] if b.strip() else "" for b in chosen)
        if trailing_blank:
            out.append("")
    return "\n".join(out)
