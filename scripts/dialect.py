"""Stage 1: parse a source page of ``book/`` (the dialect of DIALECT.md) into blocks and cells.

A page is parsed once, by markdown-it (CommonMark, tables, front matter, and a ``$$`` rule for
display maths), into typed :class:`Block` objects that keep their source lines; the dialect's own
lines (``:label:``, ``:width:``, ``: Caption``, ``:begin_tab:`` …) are recognised inside
paragraphs.  Blocks are then grouped (a heading with its label, a figure with its options, a table
with its caption and label, an equation with its label) and cut into :class:`Cell` objects
(markdown or code) that know which frameworks they belong to and the line they start on.  The
page also records its front matter and the labels, references, citations and images it uses.
Nothing here depends on Sphinx or Jupyter.  Problems are collected as
:class:`~scripts.errors.BookError` with ``file:line`` so that ``check`` can list every one of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from scripts.config import Book, parse_front_matter, toc_line
from scripts.errors import BookError, BookErrors

TAB_MARK = re.compile(r"^\s*#\s*@tab\s+(?P<names>.+?)\s*$")
CELL_MAGIC_TAB = re.compile(r"^%%tab\s+(?P<names>.+?)\s*$")
HIDE_MARKS = {"#@hide_code": "remove-input", "#@hide_output": "remove-output", "#@hide": "remove-cell"}
HIDE_MARK = re.compile(r"\s*#\s*@(hide_code|hide_output|hide)\s*$")
SAVE_MARK = re.compile(r"#\s*@save\s*$", re.M)

#: the dialect's own lines, recognised inside paragraphs: kind -> pattern (``value`` group)
LINE_MARKS = {
    "label": re.compile(r"^\s*:label:`(?P<value>[^`]+)`\s*$"),
    "eqlabel": re.compile(r"^\s*:eqlabel:`(?P<value>[^`]+)`\s*$"),
    "tab_open": re.compile(r"^\s*:begin_tab:`(?P<value>[^`]*)`\s*$"),
    "tab_close": re.compile(r"^\s*:end_tab:\s*(?P<value>)$"),
    "width": re.compile(r"^\s*:width:`(?P<value>[^`]+)`\s*$"),
    "height": re.compile(r"^\s*:height:`(?P<value>[^`]+)`\s*$"),
    "caption": re.compile(r"^:\s+(?P<value>\S.*)$"),
}
IMAGE = re.compile(r"^\s*!\[(?P<caption>.*)\]\((?P<path>[^)\s]+)\)\s*$")
INLINE_IMAGE = re.compile(r"!\[[^\]]*\]\((?P<path>[^)\s]+)\)")
#: the end of an image whose caption was wrapped onto several lines: ``… caption.](../img/x.svg)``
IMAGE_TAIL = re.compile(r"^[^\[]*\]\((?P<path>[^)\s]+\.(?:svg|png|jpe?g|gif|pdf))\)\s*$")
TABLE_ROW = re.compile(r"^\s*\|")

#: dialect role -> the MyST role it becomes
ROLES = {"numref": "numref", "ref": "ref", "eqref": "eq", "cite": "cite:p", "citet": "cite:t"}
#: a dialect role in inline text (or inline code, which keeps its roles as they are)
ROLE = re.compile(r"(?P<code>``.+?``)|:(?P<role>%s):`(?P<target>[^`]+)`" % "|".join(ROLES))
#: a MyST role, as the notebooks write them (``{doc}`` comes from the toctrees)
MYST_ROLE = re.compile(r"\{(?P<role>%s)\}`(?P<text>[^`]*)`"
                       % "|".join(re.escape(r) for r in [*ROLES.values(), "doc"]))

CellKind = Literal["markdown", "code"]
UseKind = Literal["label", "eqlabel", "numref", "ref", "eqref", "cite", "citet", "image"]
ProseKind = Literal["paragraph", "list", "quote", "html", "rule", "code_block", "blank", "other"]
MarkKind = Literal["label", "eqlabel", "tab_open", "tab_close", "width", "height", "caption"]
BlockKind = Literal[ProseKind, MarkKind, "front_matter", "heading", "fence", "code_cell", "math",
                    "figure", "table"]


# --- blocks ----------------------------------------------------------------------------------

@dataclass(kw_only=True)
class Block:
    """A piece of a page: its ``kind`` and the source lines it was parsed from, ``lines[0]``
    being line ``line`` (1-based) of the file. Every line of a page is in exactly one block."""
    kind: BlockKind
    line: int
    lines: list[str]

    @property
    def end(self) -> int:
        """The last source line of the block."""
        return self.line + len(self.lines) - 1


@dataclass(kw_only=True)
class Prose(Block):
    """Text readers see as written (apart from its roles and slide marks): a paragraph, a list,
    a block quote, raw HTML, a thematic break, an indented code block, a run of blank lines, or
    ``other`` lines markdown-it keeps no token for (link reference definitions)."""
    kind: ProseKind


@dataclass(kw_only=True)
class LineMark(Block):
    """One dialect line: ``:label:`x```, ``:eqlabel:`x```, ``:begin_tab:`a, b```, ``:end_tab:``,
    ``:width:`400px``` / ``:height:`…``` (figure options) or ``: Caption`` (a table's caption).
    ``value`` is the text between the backticks (the caption's text). A label or option that no
    heading, figure, table or equation takes is left alone as a stray mark."""
    kind: MarkKind
    value: str = ""


@dataclass(kw_only=True)
class FrontMatter(Block):
    """The YAML between ``---`` lines at the very top of the page (``text`` without them)."""
    kind: Literal["front_matter"] = "front_matter"
    text: str = ""


@dataclass(kw_only=True)
class Heading(Block):
    """An ATX (``## Title``) or setext (``Title`` over ``===``/``---``) heading. ``label`` is the
    ``:label:`` on the next non-blank line, whose lines then belong to the block too; ``size`` is
    how many of ``lines`` are the heading itself."""
    kind: Literal["heading"] = "heading"
    level: int
    setext: bool = False
    size: int = 1
    label: str | None = None


@dataclass(kw_only=True)
class Fence(Block):
    """A fenced block, fences included in ``lines``: ``code_cell`` when its info string holds
    ``.input`` (executed code), else ``fence`` (code shown, never run, or a directive)."""
    kind: Literal["fence", "code_cell"]
    fence: str          # the opening fence: ``` or ~~~ (or longer)
    info: str
    closed: bool = True

    @property
    def body(self) -> list[str]:
        return self.lines[1:-1] if self.closed else self.lines[1:]


@dataclass(kw_only=True)
class Math(Block):
    """A display equation ``$$ … $$`` (``size`` lines) and the ``:eqlabel:`` that may follow it
    after at most one blank line."""
    kind: Literal["math"] = "math"
    size: int
    label: str | None = None

    @property
    def body(self) -> list[str]:
        return self.lines[:self.size]


@dataclass(kw_only=True)
class Figure(Block):
    """An image alone in its lines (its caption may be wrapped), then its ``:width:`` /
    ``:height:`` / ``:label:`` lines; ``options`` are (``width``|``height``|``label``, value)."""
    kind: Literal["figure"] = "figure"
    path: str
    caption: str
    options: list[tuple[str, str]] = field(default_factory=list)


@dataclass(kw_only=True)
class Table(Block):
    """A table (``rows``, the lines starting with ``|``), the ``: Caption`` line before it and
    the ``:label:`` after it (after at most one blank line), when there are any."""
    kind: Literal["table"] = "table"
    rows: list[str]
    caption: str | None = None
    label: str | None = None


@dataclass
class Cell:
    """A piece of a page. ``frameworks`` is ``None`` for prose shared by all frameworks."""
    kind: CellKind
    source: str                    # marker lines removed (code) / raw dialect (markdown)
    line: int                      # 1-based line in the source file of the first source line
    frameworks: tuple[str, ...] | None = None
    tags: tuple[str, ...] = ()     # remove-input / remove-output / remove-cell
    section_label: str | None = None   # nearest heading label before the cell ("Defined in")
    line_map: list[int] = field(default_factory=list)  # source line of each line of `source`
    blocks: list[Block] = field(default_factory=list)  # markdown: the blocks of `source`


@dataclass
class Use:
    """A label defined (``label``, ``eqlabel``) or a target used (a role, an image) on a line."""
    kind: UseKind
    target: str
    line: int


@dataclass
class ParsedPage:
    """A parsed page: its front matter (``meta``), cells, uses and the problems found."""
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


# --- markdown-it: the block structure -----------------------------------------------------

def _state_line(state, k: int) -> str:
    return state.src[state.bMarks[k]:state.eMarks[k]]


def _math_rule(state, start: int, end: int, silent: bool) -> bool:
    """``$$`` display maths: ``$$ … $$`` on one line, else up to the next line ending in ``$$``
    (blank lines included). It may interrupt a paragraph."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    first = _state_line(state, start).strip()
    if not first.startswith("$$"):
        return False
    if silent:
        return True
    last = start
    if first == "$$" or not first.endswith("$$"):
        last += 1
        while last < end and not _state_line(state, last).strip().endswith("$$"):
            last += 1
    last = min(last, end - 1)
    token = state.push("math_block", "math", 0)
    token.block, token.map, token.markup = True, [start, last + 1], "$$"
    state.line = last + 1
    return True


def _parser(front_matter: bool) -> MarkdownIt:
    """CommonMark with tables, ``$$`` maths and (for pages) front matter; block structure only:
    nothing reads inline tokens, so they are not made."""
    md = MarkdownIt("commonmark").enable("table").disable("inline")
    md.block.ruler.before("fence", "dialect_math", _math_rule,
                          {"alt": ["paragraph", "reference", "blockquote"]})
    return md.use(front_matter_plugin) if front_matter else md


PAGE_PARSER = _parser(front_matter=True)
FRAGMENT_PARSER = _parser(front_matter=False)
PROSE_TOKENS = {"paragraph_open": "paragraph", "bullet_list_open": "list",
                "ordered_list_open": "list", "blockquote_open": "quote", "html_block": "html",
                "hr": "rule", "code_block": "code_block"}


def fence_closes(line: str, fence: str) -> bool:
    """Whether ``line`` closes a block opened by ``fence`` (CommonMark: the same character, at
    least as many, nothing after them, at most 3 spaces before)."""
    text = line.strip()
    return (len(line) - len(line.lstrip()) <= 3 and len(text) >= len(fence)
            and set(text) == {fence[0]})


def _filler(lines: list[str], a: int, b: int) -> list[Block]:
    """Lines ``a..b-1`` (0-based) that no token covers: runs of blank and of ``other`` lines."""
    out: list[Block] = []
    for k in range(a, b):
        kind = "blank" if not lines[k].strip() else "other"
        if out and out[-1].kind == kind:
            out[-1].lines.append(lines[k])
        else:
            out.append(Prose(kind=kind, line=k + 1, lines=[lines[k]]))
    return out


def _line_mark(lines: list[str], k: int) -> LineMark | None:
    for kind, rx in LINE_MARKS.items():
        m = rx.match(lines[k])
        if m:
            return LineMark(kind=kind, line=k + 1, lines=[lines[k]], value=m.group("value"))
    return None


def _figure_at(lines: list[str], k: int, b: int) -> Figure | None:
    """The image on line ``k`` alone in its line(s): its caption may be wrapped over up to 10
    more lines of the paragraph (which ends before line ``b``)."""
    im, last = IMAGE.match(lines[k]), k
    if not im and lines[k].lstrip().startswith("!["):
        joined, j = lines[k].strip(), k
        while not im and j + 1 < b and j - k < 10 and lines[j + 1].strip():
            j += 1
            joined += " " + lines[j].strip()
            im = IMAGE.match(joined)
        last = j if im else k
    if not im:
        return None
    return Figure(line=k + 1, lines=lines[k:last + 1], path=im.group("path"),
                  caption=im.group("caption"))


def _split_paragraph(lines: list[str], a: int, b: int) -> list[Block]:
    """A paragraph's lines ``a..b-1``: dialect lines and figures apart, the text between them
    as paragraphs."""
    out: list[Block] = []
    text_from, k = None, a
    while k < b:
        found = _line_mark(lines, k) or _figure_at(lines, k, b)
        if found is None:
            text_from = k if text_from is None else text_from
            k += 1
            continue
        if text_from is not None:
            out.append(Prose(kind="paragraph", line=text_from + 1, lines=lines[text_from:k]))
            text_from = None
        out.append(found)
        k = found.end
    if text_from is not None:
        out.append(Prose(kind="paragraph", line=text_from + 1, lines=lines[text_from:b]))
    return out


def _token_blocks(t: Token, lines: list[str]) -> list[Block]:
    """The blocks of one top-level token covering lines ``t.map``."""
    a, b = t.map
    span = dict(line=a + 1, lines=lines[a:b])
    if t.type == "front_matter":
        return [FrontMatter(**span, text=t.content)]
    if t.type == "fence":
        return [Fence(**span, kind="code_cell" if ".input" in t.info else "fence", fence=t.markup,
                      info=t.info, closed=b - a >= 2 and fence_closes(lines[b - 1], t.markup))]
    if t.type == "heading_open":
        return [Heading(**span, level=int(t.tag[1:]), setext=t.markup in ("=", "-"), size=b - a)]
    if t.type == "math_block":
        return [Math(**span, size=b - a)]
    if t.type == "table_open":   # GFM lets any line extend a table: rows are the lines with |
        k = next((k for k in range(a, b) if "|" not in lines[k]), b)
        return [Table(line=a + 1, lines=lines[a:k], rows=lines[a:k])] + \
            _split_paragraph(lines, k, b)
    if t.type == "paragraph_open":
        return _split_paragraph(lines, a, b)
    return [Prose(**span, kind=PROSE_TOKENS.get(t.type, "other"))]


def _blocks(tokens: list[Token], lines: list[str]) -> list[Block]:
    """Every line in one block, in order (not grouped yet), from markdown-it's ``tokens``."""
    out: list[Block] = []
    pos = 0
    for t in tokens:
        if t.level != 0 or t.map is None or t.nesting == -1 or t.map[0] < pos:
            continue
        out += _filler(lines, pos, t.map[0]) + _token_blocks(t, lines)
        pos = t.map[1]
    return out + _filler(lines, pos, len(lines))


# --- grouping: a heading, figure, table or equation takes its dialect lines ---------------

def _next(blocks: list[Block], i: int) -> tuple[int, int]:
    """The index of the first non-blank block after ``i`` and the blank lines before it."""
    j, gap = i + 1, 0
    while j < len(blocks) and blocks[j].kind == "blank":
        gap += len(blocks[j].lines)
        j += 1
    return j, gap


def _mark_after(blocks: list[Block], i: int, kind: MarkKind, max_gap: int | None) -> int | None:
    """The index of the next block if it is a ``kind`` mark at most ``max_gap`` blank lines on."""
    j, gap = _next(blocks, i)
    if j < len(blocks) and blocks[j].kind == kind and (max_gap is None or gap <= max_gap):
        return j
    return None


def _group_at(blocks: list[Block], i: int, lines: list[str]) -> tuple[Block, int]:
    """The block starting at ``blocks[i]`` with the marks it takes, and the next index."""
    b = blocks[i]

    def span(last: Block) -> list[str]:
        return lines[b.line - 1:last.end]

    if isinstance(b, Heading) and (j := _mark_after(blocks, i, "label", None)) is not None:
        return replace(b, lines=span(blocks[j]), label=blocks[j].value), j + 1
    if isinstance(b, Math) and (j := _mark_after(blocks, i, "eqlabel", 1)) is not None:
        return replace(b, lines=span(blocks[j]), label=blocks[j].value), j + 1
    if isinstance(b, Figure):        # options follow the image on the very next lines
        j = i + 1
        while j < len(blocks) and blocks[j].kind in ("width", "height", "label"):
            j += 1
        options = [(m.kind, m.value) for m in blocks[i + 1:j]]
        return replace(b, lines=span(blocks[j - 1]), options=options), j
    caption = None
    if b.kind == "caption":          # a caption belongs to the table after it, if there is one
        j, _ = _next(blocks, i)
        if j >= len(blocks) or not isinstance(blocks[j], Table):
            return b, i + 1
        caption, i = b.value, j
    if isinstance(blocks[i], Table):
        table, last, label = blocks[i], blocks[i], None
        if (j := _mark_after(blocks, i, "label", 1)) is not None:
            last, label, i = blocks[j], blocks[j].value, j
        return replace(table, line=b.line, lines=span(last), caption=caption, label=label), i + 1
    return b, i + 1


def _group(blocks: list[Block], lines: list[str]) -> list[Block]:
    """The blocks with the dialect marks taken by the heading, figure, table or equation they
    belong to (see :func:`_group_at`); the marks left over stay as they are."""
    out, i = [], 0
    while i < len(blocks):
        block, i = _group_at(blocks, i, lines)
        out.append(block)
    return out


def parse_blocks(text: str) -> list[Block]:
    """The blocks of a piece of markdown (no front matter), its first line being line 1."""
    lines = text.split("\n")
    return _group(_blocks(FRAGMENT_PARSER.parse(text), lines), lines)


# --- uses: labels, references, citations, images ------------------------------------------

def inline_uses(text: str, line: int) -> list[Use]:
    """The roles and images of one line of prose."""
    uses = []
    for r in ROLE.finditer(text):
        if r.group("role"):
            role, target = r.group("role"), r.group("target")
            keys = target.split(",") if role in ("cite", "citet") else [target]
            uses += [Use(role, key.strip(), line) for key in keys]
    images = list(INLINE_IMAGE.finditer(text))
    uses += [Use("image", im.group("path"), line) for im in images]
    tail = IMAGE_TAIL.match(text)
    if tail and not images:
        uses.append(Use("image", tail.group("path"), line))
    return uses


def block_uses(block: Block) -> list[Use]:
    """What an ungrouped block defines or uses: a label line, or the roles of its text."""
    if block.kind in ("label", "eqlabel"):
        return [Use(block.kind, block.value, block.line)]
    if block.kind in ("fence", "code_cell", "front_matter", "tab_open", "tab_close", "blank"):
        return []
    return [u for k, text in enumerate(block.lines) for u in inline_uses(text, block.line + k)]


# --- pages: front matter, cells ------------------------------------------------------------

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


def _front_matter(blocks: list[Block], lines: list[str], path: Path,
                  errors: list[BookError]) -> dict:
    """The YAML of the page's :class:`FrontMatter` block, ``{}`` when there is none."""
    fm = next((b for b in blocks if isinstance(b, FrontMatter)), None)
    if fm is None:
        if lines and lines[0].strip() == "---":
            errors.append(BookError("front matter `---` is never closed",
                                    "add a closing `---` line", path, 1))
        return {}
    try:
        meta = yaml.safe_load(fm.text) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        errors.append(BookError(f"invalid front matter: {getattr(e, 'problem', e)}",
                                "fix the YAML between the `---` lines", path,
                                (mark.line + 2) if mark else 1))
        return {}
    if not isinstance(meta, dict):
        errors.append(BookError("front matter is not a mapping", "write `key: value` lines",
                                path, 1))
        return {}
    _, problems = parse_front_matter(fm.text, path, first_line=fm.line + 1)
    errors += problems          # unknown keys, wrong values: config.FrontMatter says what is allowed
    return meta


def _code_cell(block: Fence, path: Path, frameworks: list[str], default: str,
               errors: list[BookError], section_label: str | None) -> Cell:
    """The code cell of a ``.input`` fence: its ``#@tab`` frameworks and ``#@hide`` tags."""
    fws: tuple[str, ...] | None = None
    tags: list[str] = []
    kept: list[tuple[int, str]] = []
    for idx, text in enumerate(block.body):
        lineno = block.line + 1 + idx
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
    first = kept[0][0] if kept else block.line + 1
    return Cell(kind="code", source="\n".join(t for _, t in kept), line=first,
                frameworks=fws if fws is not None else (default,), tags=tuple(dict.fromkeys(tags)),
                section_label=section_label, line_map=[n for n, _ in kept])


def _markdown_cell(blocks: list[Block], frameworks: tuple[str, ...] | None) -> Cell:
    lines = [ln for b in blocks for ln in b.lines]
    return Cell(kind="markdown", source="\n".join(lines), line=blocks[0].line,
                frameworks=frameworks, line_map=list(range(blocks[0].line, blocks[-1].end + 1)),
                blocks=blocks)


@dataclass
class _Cutter:
    """Cuts a page's blocks into cells at code cells and ``:begin_tab:``/``:end_tab:`` lines."""
    path: Path
    frameworks: list[str]
    default: str
    errors: list[BookError]
    cells: list[Cell] = field(default_factory=list)
    prose: list[Block] = field(default_factory=list)
    prose_fws: tuple[str, ...] | None = None
    tab_open: int | None = None       # line of the open :begin_tab:
    section_label: str | None = None

    def error(self, what: str, fix: str, line: int) -> None:
        self.errors.append(BookError(what, fix, self.path, line))

    def flush(self) -> None:
        if any(b.kind != "blank" for b in self.prose):
            self.cells.append(_markdown_cell(self.prose, self.prose_fws))
        self.prose = []

    def add(self, b: Block) -> None:
        if isinstance(b, Fence) and not b.closed:
            self.error(f"code fence {b.fence} is never closed", f"add a closing {b.fence} line",
                       b.line)
        if b.kind == "code_cell":
            self.flush()
            if self.tab_open is not None:
                self.error("code cell inside :begin_tab:", "close the tab with :end_tab: before "
                           "the code; code cells use #@tab", b.line)
            self.cells.append(_code_cell(b, self.path, self.frameworks, self.default, self.errors,
                                         self.section_label))
        elif b.kind == "tab_open":
            if self.tab_open is not None:
                self.error(f":begin_tab: inside the tab opened on line {self.tab_open}",
                           "tabs do not nest: add :end_tab: before this line", b.line)
            self.flush()
            self.prose_fws = parse_tab_names(b.value, self.frameworks, self.path, b.line,
                                             self.errors)
            self.tab_open = b.line
        elif b.kind == "tab_close":
            if self.tab_open is None:
                self.error(":end_tab: without :begin_tab:",
                           "remove it or add a :begin_tab:`name` above", b.line)
            self.flush()
            self.prose_fws, self.tab_open = None, None
        elif b.kind != "front_matter":
            self.prose.append(b)
            if isinstance(b, Heading) and b.label:
                self.section_label = b.label

    def finish(self) -> list[Cell]:
        if self.tab_open is not None:
            self.error(":begin_tab: without :end_tab:",
                       "add an :end_tab: line after the framework's prose", self.tab_open)
        self.flush()
        return self.cells


def parse_page(path: str | Path, frameworks: list[str], default: str,
               text: str | None = None) -> ParsedPage:
    """Parse a dialect page into blocks, then cells. Errors are collected, never raised."""
    path = Path(path)
    errors: list[BookError] = []
    if text is None:
        data = path.read_bytes()
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data[:e.start].count(b"\n") + 1
            column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
            return ParsedPage(path=path, meta={}, cells=[], uses=[], errors=[BookError(
                f"not UTF-8: byte 0x{data[e.start]:02x} at column {column}",
                "save the file as UTF-8", path, line)])
    else:
        raw = text
    lines = raw.split("\n")
    tokens = PAGE_PARSER.parse(raw)
    blocks = _blocks(tokens, lines)
    meta = _front_matter(blocks, lines, path, errors)
    for t in tokens:        # a cell inside a list or quote would silently stop being run
        if t.type == "fence" and t.level > 0 and ".input" in t.info:
            errors.append(BookError("code cell inside a list or block quote",
                                    "move the ```{.python .input} fence out of it, unindented",
                                    path, t.map[0] + 1))
    uses = [u for b in blocks for u in block_uses(b)]
    cutter = _Cutter(path, frameworks, default, errors)
    for b in _group(blocks, lines):
        cutter.add(b)
    return ParsedPage(path=path, meta=meta, cells=cutter.finish(), uses=uses, errors=errors)


def parse_pages(book: Book) -> tuple[dict[str, ParsedPage], list[BookError]]:
    """Parse every page of the toc: (pages that parsed, problems found)."""
    parsed, errors = {}, []
    fws = list(book.frameworks)
    for page in book.ordered_pages():
        if not page.path.is_file():
            errors.append(BookError(f"page '{page.docname}' listed in _toc.yml does not exist",
                                    f"create {page.path.relative_to(book.root)} or remove the entry",
                                    book.root / "_toc.yml", toc_line(book, page.docname)))
            continue
        p = parse_page(page.path, fws, book.default_framework)
        errors += p.errors
        parsed[page.docname] = p
    return parsed, errors


def parse_book(book: Book) -> dict[str, ParsedPage]:
    """Parse every page of the toc; raise :class:`BookErrors` if any is missing or malformed."""
    parsed, errors = parse_pages(book)
    if errors:
        raise BookErrors(errors)
    return parsed


# --- the results table ----------------------------------------------------------------------

#: A fence ```` ```{results} ```` is a table of what training runs of the book reported, one row
#: per ``Label = page[#n]`` (page as in ``_toc.yml`` without ``book/``; ``#n`` the n-th run printed
#: on that page, from 1; default the last), one column per framework, after an optional
#: ``:metric: name`` line (default ``val_acc``). The render stage fills it in from the frozen
#: outputs, so no number a run produced is typed into the page.
RESULTS_INFO = "{results}"
RESULTS_OPTION = re.compile(r"^\s*:(?P<name>[\w-]+):\s*(?P<value>.*?)\s*$")
RESULTS_ROW = re.compile(r"^\s*(?P<label>[^=]+?)\s*=\s*(?P<page>[\w./-]+?)(?:#(?P<run>[1-9]\d*))?\s*$")
RESULTS_OPTIONS = {"metric"}


@dataclass
class ResultsRow:
    label: str
    page: str          # outname: ``modern-cnns/alexnet``
    run: int | None    # 1-based; None: the last run of the page
    line: int


def is_results(block: Block) -> bool:
    return isinstance(block, Fence) and block.kind == "fence" and block.info.strip() == RESULTS_INFO


def parse_results(lines: list[str], first_line: int = 1
                  ) -> tuple[dict[str, str], list[ResultsRow], list[tuple[int, str]]]:
    """The options, rows and problems (line, message) of the body of a ``{results}`` fence."""
    options, rows, problems = {}, [], []
    for k, text in enumerate(lines):
        line = first_line + k
        if not text.strip():
            continue
        opt = RESULTS_OPTION.match(text)
        if opt and not rows:
            if opt["name"] not in RESULTS_OPTIONS:
                problems.append((line, f"unknown option ':{opt['name']}:' of {{results}} — use "
                                       + ", ".join(f":{o}:" for o in sorted(RESULTS_OPTIONS))))
            options[opt["name"]] = opt["value"]
            continue
        m = RESULTS_ROW.match(text)
        if not m:
            problems.append((line, f"{{results}} row {text.strip()!r} is not `Label = page` or "
                                   "`Label = page#n` — write e.g. `LeNet = convolutional-neural-"
                                   "networks/lenet`"))
            continue
        rows.append(ResultsRow(m["label"], m["page"], int(m["run"]) if m["run"] else None, line))
    return options, rows, problems


def results_table(rows: list[ResultsRow], metric: str, data: dict,
                  frameworks: list[tuple[str, str]], links: bool = True) -> list[str]:
    """The Markdown lines of a ``{results}`` table: ``data`` is ``{page: {framework: [final
    metrics of each run]}}``, ``frameworks`` (name, display name) pairs; a run that is missing
    shows a dash. ``links``: each label is a ``{doc}`` link to its page (MyST), else plain."""
    lines = ["| Model | " + " | ".join(display for _, display in frameworks) + " |",
             "|---|" + "---:|" * len(frameworks)]
    for r in rows:
        cells = []
        for name, _ in frameworks:
            runs = data.get(r.page, {}).get(name, [])
            k = (r.run - 1) if r.run else len(runs) - 1
            value = runs[k].get(metric) if 0 <= k < len(runs) else None
            cells.append(f"{value:.3f}" if isinstance(value, (int, float)) else "—")
        label = f"{{doc}}`{r.label} </{r.page}>`" if links else r.label
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


# --- code transforms shared by the notebook and library stages ------------------------------

SELECTED = re.compile(r"^(?P<indent>\s*)(?P<kw>if|elif)\s+tab\.selected\((?P<args>[^)]*)\)\s*:\s*$")
ELSE = re.compile(r"^(?P<indent>\s*)else\s*:\s*$")


def selected_names(args: str) -> list[str]:
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
                matches = framework in selected_names(ms.group("args"))
            elif ms and ms.group("kw") == "elif" and ms.group("indent") == indent:
                matches = framework in selected_names(ms.group("args"))
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
