"""``python -m scripts import-d2lbook SRC DEST [--force]``: convert a d2lbook project into this
layout.

A d2lbook project has a ``config.ini`` (``[project]`` title and author, ``[build] tabs`` — the
frameworks, the first one the default — and a ``bibfile``), an ``index.md`` whose ```` ```toc ````
blocks list the chapters, chapter ``index.md`` files whose own ```` ```toc ```` blocks list their
sections, and images in ``img/``.  The import writes:

- ``book/<same path>.md`` for every page reached from the toc, copied byte for byte except that the
  ```` ```toc ```` blocks are removed (``_toc.yml`` carries the structure now);
- ``book/img/`` (all of ``img/``) and ``references.bib`` (the project's bib file);
- ``_toc.yml`` (Jupyter Book schema: one part per toc block of the root ``index.md``) and
  ``_config.yml`` (title, author, bibliography, execution and our ``frameworks:`` section).

Everything is read and checked first, then written into a temporary folder next to DEST that is
renamed into place at the end, so a failure leaves nothing half-written.
"""
from __future__ import annotations

import configparser
import posixpath
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from scripts.errors import BookError, BookErrors

# name -> (display, module, extra) for the frameworks we know; others get (name, name, name)
KNOWN_FRAMEWORKS = {
    "pytorch": ("PyTorch", "torch", "torch"),
    "tensorflow": ("TensorFlow", "tensorflow", "tensorflow"),
    "mxnet": ("MXNet", "mxnet", "mxnet"),
    "jax": ("JAX", "jax", "jax"),
}

FENCE = re.compile(r"^\s{0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*?)\s*$")
TOC_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
TITLED_ENTRY = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$")


# --- config.ini ---------------------------------------------------------------------------------

def _line_of_key(text: str, key: str) -> int | None:
    """1-based line of the first ``key = ...`` / ``key: ...`` in an INI text."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*[=:]", re.I)
    for i, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return i
    return None


def _split_names(value: str) -> list[str]:
    return [n.strip() for n in re.split(r"[,\s]+", value) if n.strip()]


def read_config(src: Path) -> dict:
    """Read ``src/config.ini`` into plain data: ``title``, ``author``, ``copyright``, ``version``,
    ``tabs`` (list), ``default`` (framework) and ``bibfile`` (a path relative to ``src`` or None).
    """
    path = src / "config.ini"
    if not path.is_file():
        raise BookError("config.ini is missing, so this is not a d2lbook project",
                        "pass the folder that holds the d2lbook project's config.ini", path=path)
    text = path.read_text(encoding="utf-8")
    parser = configparser.ConfigParser(interpolation=None, strict=False,
                                       inline_comment_prefixes=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as e:
        raise BookError(f"cannot read config.ini: {str(e).splitlines()[0]}", "fix the INI syntax",
                        path=path, line=getattr(e, "lineno", None))

    def get(key: str, *sections: str) -> str | None:
        for section in sections or parser.sections():
            if parser.has_option(section, key):
                value = parser.get(section, key).strip()
                if value:
                    return value
        return None

    tabs = _split_names(get("tabs", "build") or "")
    if not tabs:
        raise BookError("config.ini has no `tabs` in [build], so the book's frameworks are unknown",
                        "add e.g. `tabs = pytorch, jax` to [build] (the first one is the default)",
                        path=path, line=_line_of_key(text, "[build]"))
    if len(set(tabs)) != len(tabs):
        raise BookError(f"`tabs` names a framework twice: {', '.join(tabs)}",
                        "list each framework once", path=path, line=_line_of_key(text, "tabs"))
    default = get("default_tab") or tabs[0]
    if default not in tabs:
        raise BookError(f"default_tab '{default}' is not one of the tabs ({', '.join(tabs)})",
                        "fix default_tab or add it to tabs", path=path,
                        line=_line_of_key(text, "default_tab"))

    bibfile, bib_missing = get("bibfile"), None
    if bibfile is not None:
        if not (src / bibfile).is_file():   # imported anyway: the citations are then reported
            bib_missing, bibfile = (bibfile, _line_of_key(text, "bibfile")), None
    else:
        bibs = sorted(p.name for p in src.glob("*.bib") if p.is_file())
        bibfile = bibs[0] if len(bibs) == 1 else None

    return {
        "title": get("title", "project") or get("name", "project") or src.resolve().name,
        "author": get("author", "project") or "",
        "copyright": get("copyright", "project"),
        "version": get("release", "project") or get("version", "project"),
        "tabs": tabs,
        "default": default,
        "bibfile": bibfile,
        "bib_missing": bib_missing,
    }


# --- toc blocks ---------------------------------------------------------------------------------

def find_toc_blocks(text: str) -> list[dict]:
    """The ```` ```toc ```` blocks of a page, outside other code fences.

    Each block is ``{"start": line, "end": line, "options": {key: value}, "entries": [(line,
    entry)]}`` with 1-based line numbers; ``end`` is the closing fence (or the last line when the
    block is never closed).
    """
    blocks = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").strip()
        start = i
        j = i + 1
        while j < len(lines):
            close = FENCE.match(lines[j])
            if close and close.group("fence")[0] == fence[0] and \
                    len(close.group("fence")) >= len(fence) and not close.group("info").strip():
                break
            j += 1
        name = info.strip("{}").strip()
        rst = name == "eval_rst" and rst_toctree(lines[start + 1:j])
        if name == "toc" or rst:
            options, entries, in_options = {}, [], True
            for k in range(start + 1, min(j, len(lines))):
                line = lines[k].strip()
                if rst and line.startswith(".. toctree::"):
                    continue
                if not line:
                    continue
                opt = TOC_OPTION.match(line) if in_options else None
                if opt:
                    options[opt.group("key")] = opt.group("value")
                    continue
                in_options = False
                entries.append((k + 1, line))
            blocks.append({"start": start + 1, "end": min(j, len(lines) - 1) + 1,
                           "options": options, "entries": entries})
        i = j + 1
    return blocks


def rst_toctree(body: list[str]) -> bool:
    """Whether an ```` ```eval_rst ```` block's ``body`` is only a ``.. toctree::`` (older
    d2lbook books list sections that way): it is read as a toc block."""
    text = [ln for ln in body if ln.strip()]
    return bool(text) and text[0].strip().startswith(".. toctree::") and \
        all(ln.startswith((" ", "\t")) for ln in text[1:])


def strip_toc_blocks(text: str, blocks: list[dict]) -> str:
    """``text`` without the lines of ``blocks``; a blank line that would double up is dropped too.
    Line endings of the kept lines are unchanged."""
    lines = text.split("\n")
    drop = set()
    for b in blocks:
        drop.update(range(b["start"] - 1, b["end"]))
        before, after = b["start"] - 2, b["end"]
        while before in drop:
            before -= 1
        if after < len(lines) and not lines[after].strip() and \
                (before < 0 or not lines[before].strip()):
            drop.add(after)
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


def resolve_entry(src: Path, page: str, entry: str, line: int) -> str:
    """The page (``chapter_intro/tensors.md``, relative to ``src``) that toc ``entry`` of ``page``
    names; raises :class:`BookError` at ``page:line`` when it does not exist."""
    m = TITLED_ENTRY.match(entry)
    target = (m.group("target") if m else entry).strip()
    where = src / page
    if target.startswith("/"):
        rel = posixpath.normpath(target.lstrip("/"))
    else:
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(page), target))
    if rel.endswith(".md"):
        rel = rel[:-3]
    if rel.startswith("../") or rel == "..":
        raise BookError(f"toc entry '{entry}' points outside the project",
                        "keep every page inside the project folder", path=where, line=line)
    if not (src / f"{rel}.md").is_file():
        raise BookError(f"toc entry '{entry}' names a missing page: {rel}.md does not exist",
                        f"create {rel}.md or remove the entry", path=where, line=line)
    return f"{rel}.md"


def _check_options(options: dict, page_path: Path, line: int) -> None:
    if "glob" in options:
        raise BookError("`:glob:` toc blocks are not supported by the import",
                        "list the pages one per line", path=page_path, line=line)


def walk_page(src: Path, page: str, seen: dict[str, tuple[str, int]], pages: list[str]) -> list[dict]:
    """The ``sections:`` of ``page`` (``[{"file": "book/…", "sections": […]}]``), following the toc
    blocks recursively; appends every page reached to ``pages`` in reading order."""
    blocks = find_toc_blocks((src / page).read_text(encoding="utf-8"))
    sections = []
    for block in blocks:
        _check_options(block["options"], src / page, block["start"])
        for line, entry in block["entries"]:
            item = _chapter(src, page, entry, line, seen, pages)
            if item is not None:
                sections.append(item)
    return sections


#: toc entries naming a page that does not exist, skipped as d2lbook skips them: (page, line, entry)
SKIPPED: list[tuple[str, int, str]] = []


def _chapter(src: Path, page: str, entry: str, line: int, seen: dict,
             pages: list[str]) -> dict | None:
    try:
        child = resolve_entry(src, page, entry, line)
    except BookError as e:
        if "names a missing page" not in e.message:
            raise
        SKIPPED.append((page, line, e.message))    # d2lbook's get_toc skips it too
        return None
    if child in seen:
        first_page, first_line = seen[child]
        raise BookError(f"toc entry '{entry}' lists {child} a second time (first in "
                        f"{first_page}:{first_line})",
                        "list each page once", path=src / page, line=line)
    seen[child] = (page, line)
    pages.append(child)
    item: dict = {"file": "book/" + child[:-3]}
    m = TITLED_ENTRY.match(entry)
    if m and m.group("title"):
        item["title"] = m.group("title")
    sections = walk_page(src, child, seen, pages)
    if sections:
        item["sections"] = sections
    return item


def build_toc(src: Path) -> tuple[dict, list[str]]:
    """``_toc.yml`` as plain data, and every page reached (``index.md`` first), in reading order."""
    root = "index.md"
    if not (src / root).is_file():
        raise BookError("index.md not found", "add the project's root page index.md with its "
                        "```toc blocks", path=src / root)
    blocks = find_toc_blocks((src / root).read_text(encoding="utf-8"))
    if not blocks:
        raise BookError("index.md has no ```toc block, so the chapters are unknown",
                        "list the chapters in a ```toc block", path=src / root, line=1)
    seen: dict[str, tuple[str, int]] = {root: (root, 0)}
    pages = [root]
    parts = []
    for block in blocks:
        _check_options(block["options"], src / root, block["start"])
        part: dict = {}
        if block["options"].get("caption"):
            part["caption"] = block["options"]["caption"]
        part["numbered"] = "numbered" in block["options"]
        part["chapters"] = [c for c in (_chapter(src, root, entry, line, seen, pages)
                                        for line, entry in block["entries"]) if c is not None]
        parts.append(part)
    return {"format": "jb-book", "root": "book/index", "parts": parts}, pages


# --- _config.yml --------------------------------------------------------------------------------

def frameworks_config(tabs: list[str], default: str) -> dict:
    """The ``frameworks:`` section of ``_config.yml`` for d2lbook ``tabs``."""
    available = {}
    for name in tabs:
        display, module, extra = KNOWN_FRAMEWORKS.get(name, (name, name, name))
        available[name] = {"display": display, "module": module, "extra": extra,
                           "kernel": f"d2l-{name}", "requirements": f"requirements-{name}.txt"}
    # `unmarked` and `sources` keep the sources' meaning when `available` is cut to a subset:
    # a cell without #@tab stays d2lbook's default tab's, the other tabs' cells are dropped
    return {"default": default, "unmarked": default, "sources": list(tabs), "available": available}


def book_config(cfg: dict) -> dict:
    """``_config.yml`` as plain data, from :func:`read_config`'s result."""
    out: dict = {"title": cfg["title"], "author": cfg["author"]}
    if cfg.get("copyright"):
        out["copyright"] = cfg["copyright"]
    if cfg.get("version"):
        out["version"] = cfg["version"]
    out["bibtex_bibfiles"] = ["references.bib"]
    out["execute"] = {"execute_notebooks": "cache", "timeout": 600}
    # an imported book is lenient: a broken reference is a warning and a marker (IMPORT.md)
    out["check"] = {"strict": False}
    out["frameworks"] = frameworks_config(cfg["tabs"], cfg["default"])
    return out


# --- normalising what d2lbook tolerates ---------------------------------------------------------

#: ``(source line, text)``: a page's lines, each with the line of the d2lbook file it comes from
Lines = list[tuple[int, str]]

MACHINERY_CELL = re.compile(r"^\s*%load_ext\s+d2lbook\.tab\b", re.M)
MACHINERY_LINE = re.compile(r"^\s*(?:tab\.(?:interact_select|select_tab)\s*\(.*|from\s+d2lbook\s+"
                            r"import\s+tab\s*|import\s+d2lbook(?:\.tab)?\s*)$")
D2LBOOK_TAB = re.compile(r"#\s*@tab\s+[\w, ]+")          # d2lbook's source_tab_pattern
D2LBOOK_TAB2 = re.compile(r"%%tab\s+[\w, ]+")
D2LBOOK_SAVE = re.compile(r"#\s*@save")
BEGIN_TAB = re.compile(r"^\s*:begin_tab:`[^`]*`\s*$")
END_TAB = re.compile(r"^\s*:end_tab:\s*$")
LABEL_LINE = re.compile(r"^\s*:label:`[^`]+`\s*$")
#: d2lbook's table caption: ``:Caption text`` (no space needed), not a ``:mark:`` line
D2LBOOK_CAPTION = re.compile(r"^:(?![\w-]+:)(?P<text>\S.*?)\s*$")
TABLE_LINE = re.compile(r"^\s*\|")
ATX_TITLE = re.compile(r"^\s{0,3}#\s+\S")
SETEXT_TITLE = re.compile(r"^\s{0,3}=+\s*$")
BIBLIOGRAPHY = re.compile(r"^\s*(?:\.\.\s+bibliography::|:bibliography:`)", re.M)


@dataclass
class Change:
    """One change the import made, at ``line`` of the d2lbook file ``page``."""
    page: str
    line: int
    what: str


def _fences(lines: Lines) -> list[tuple[int, int, str, str]]:
    """``(open index, close index, fence, info)`` of every fenced block of ``lines`` (the close
    index is the last line when the block is never closed)."""
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i][1])
        if not m:
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").strip()
        j = i + 1
        while j < len(lines):
            close = FENCE.match(lines[j][1])
            if close and close.group("fence")[0] == fence[0] and \
                    len(close.group("fence")) >= len(fence) and not close.group("info").strip():
                break
            j += 1
        out.append((i, min(j, len(lines) - 1), fence, info))
        i = j + 1
    return out


def _drop_blank_after(lines: Lines, keep: list[bool], i: int) -> None:
    """After dropping line(s) ending before ``i``: drop a blank line ``i`` that would double up."""
    before = i - 1
    while before >= 0 and not keep[before]:
        before -= 1
    if i < len(lines) and not lines[i][1].strip() and (before < 0 or not lines[before][1].strip()):
        keep[i] = False


def d2lbook_saved_lines(body: list[str]) -> set[int]:
    """The indices of the lines of a cell (its tab marks removed) that d2lbook 1.0.3's
    ``library._save_block`` puts into the library: the line of each ``#@save`` mark, the
    unindented lines right after it, then the indented (or blank) lines after those."""
    saved: set[int] = set()
    for i, line in enumerate(body):
        m = D2LBOOK_SAVE.search(line)
        if not m:
            continue
        if line[:m.start()].rstrip():
            saved.add(i)
        for j in range(i + 1, len(body)):
            if not body[j].startswith(" ") and body[j]:
                saved.add(j)
                continue
            for k in range(j, len(body)):
                if body[k].startswith(" ") or not body[k]:
                    saved.add(k)
                else:
                    break
            break
    return saved


def _statements(body: list[str]) -> list[tuple[int, int]] | None:
    """``(first, last)`` 0-based line spans of the top-level statements of a cell (decorators
    included); None when it is not Python."""
    import ast
    clean = "\n".join("" if re.match(r"^\s*[%!]", ln) else ln for ln in body)
    try:
        tree = ast.parse(clean)
    except SyntaxError:
        return None
    spans = []
    for s in tree.body:
        first = min([s.lineno] + [d.lineno for d in getattr(s, "decorator_list", [])])
        spans.append((first - 1, s.end_lineno - 1))
    return spans


def _our_saved(body: list[str], spans: list[tuple[int, int]]) -> set[int] | None:
    """The first lines of the statements this toolchain's library saves from a cell."""
    from scripts import library
    saved, errors = library.extract_saved("\n".join(body), list(range(1, len(body) + 1)),
                                          Path("cell.md"))
    if errors:
        return None
    firsts = {a for a, _ in spans}
    return {s.line - 1 for s in saved if s.line - 1 in firsts}


def save_marks_like_d2lbook(body: list[str]) -> list[str | None] | None:
    """The cell's lines with its ``#@save`` marks moved so that this toolchain's library saves
    the statements d2lbook saves (a trailing ``  #@save`` on each one's first line; a line that
    held only a mark is None: dropped). None when both already agree, or when the cell cannot be
    rewritten safely (it is not Python)."""
    if not any(D2LBOOK_SAVE.search(ln) for ln in body):
        return None
    spans = _statements(body)
    if spans is None:
        return None
    d2l_lines = d2lbook_saved_lines(body)
    want = {a: b for a, b in spans if a in d2l_lines}
    ours = _our_saved(body, spans)
    if ours is None or ours == set(want):
        return None
    out: list[str | None] = list(body)
    for i, ln in enumerate(body):
        m = D2LBOOK_SAVE.search(ln)
        if m:
            kept = ln[:m.start()].rstrip()
            out[i] = kept if kept.strip() else None
    for a, b in want.items():
        first = out[a] or ""
        target = b if first.endswith("\\") or '"""' in first or "'''" in first else a
        out[target] = (out[target] or "").rstrip() + "  #@save"
    compact = [ln for ln in out if ln is not None]
    position = {}
    for i, ln in enumerate(out):
        if ln is not None:
            position[i] = len(position)
    new_spans = _statements(compact)
    if new_spans is None or _our_saved(compact, new_spans) != {position[a] for a in want}:
        return None
    return out


def normalise_code_cell(page: str, cell: Lines, changes: list[Change]) -> Lines:
    """A ``.input`` cell's lines (fences included), normalised to what d2lbook reads: its
    machinery lines and every tab line after the first removed, its ``#@save`` marks where this
    toolchain's library saves what d2lbook's saves."""
    opening, body, closing = cell[0], cell[1:-1], cell[-1:]
    kept: Lines = []
    marked = False
    tab_at: set[int] = set()
    for n, text in body:
        if MACHINERY_LINE.match(text):
            changes.append(Change(page, n, f"removed d2lbook's machinery line `{text.strip()}`"))
            continue
        stripped = text.strip()
        if stripped.startswith("#") and D2LBOOK_TAB.search(text) or \
                (stripped.startswith("%%tab") and not kept):
            if marked:
                changes.append(Change(page, n, f"removed a second tab line `{stripped}` (d2lbook "
                                               "reads only the first one as the cell's mark)"))
                continue
            marked = True
            tab_at.add(len(kept))
        kept.append((n, text))
    texts = ["" if i in tab_at else t for i, (_, t) in enumerate(kept)]
    rewritten = save_marks_like_d2lbook(texts)
    if rewritten is not None:
        first = next((n for n, t in kept if D2LBOOK_SAVE.search(t)), opening[0])
        kept = [(n, t if i in tab_at else rewritten[i]) for i, (n, t) in enumerate(kept)
                if i in tab_at or rewritten[i] is not None]
        changes.append(Change(page, first, "#@save marks moved so that the library saves what "
                                           "d2lbook saves: a mark on each statement it takes"))
    return [opening, *kept, *closing]


def normalise_page(page: str, text: str, title: str | None = None
                   ) -> tuple[str, Lines, list[Change]]:
    """A d2lbook page as this toolchain's dialect reads it, ```` ```toc ```` blocks removed:
    (text, its lines with the source line of each, the changes made)."""
    changes: list[Change] = []
    lines: Lines = list(enumerate(text.split("\n"), 1))
    # 1. fenced blocks: toc blocks go, machinery cells go, eval_rst renders, cells are normalised
    keep = [True] * len(lines)
    replaced: dict[int, Lines] = {}
    fences = _fences(lines)
    for a, b, fence, info in fences:
        name = info.strip("{}").strip()
        if name == "toc" or (name == "eval_rst" and rst_toctree([t for _, t in lines[a + 1:b]])):
            for k in range(a, b + 1):
                keep[k] = False
            _drop_blank_after(lines, keep, b + 1)
        elif ".input" in info:
            body = "\n".join(t for _, t in lines[a + 1:b])
            if MACHINERY_CELL.search(body):
                for k in range(a, b + 1):
                    keep[k] = False
                _drop_blank_after(lines, keep, b + 1)
                changes.append(Change(page, lines[a][0], "removed d2lbook's machinery cell "
                                                         "(`%load_ext d2lbook.tab`)"))
            else:
                new = normalise_code_cell(page, lines[a:b + 1], changes)
                if new != lines[a:b + 1]:
                    replaced[a] = new
                    for k in range(a + 1, b + 1):
                        keep[k] = False
        elif name == "eval_rst":
            replaced[a] = [(lines[a][0], lines[a][1].replace(info, "{eval-rst}"))]
            changes.append(Change(page, lines[a][0], "```eval_rst block rendered as MyST's "
                                                     "```{eval-rst} (raw reStructuredText)"))
    out: Lines = []
    for k, item in enumerate(lines):
        if k in replaced:
            out += replaced[k]
        elif keep[k]:
            out.append(item)
    lines = out
    # 2. prose: tabs, table captions (outside fences)
    in_fence = set()
    for a, b, _, _ in _fences(lines):
        in_fence.update(range(a, b + 1))
    code_starts = {a for a, _, _, info in _fences(lines) if ".input" in info}
    out, open_at = [], None
    i = 0
    while i < len(lines):
        n, t = lines[i]
        if i in code_starts and open_at is not None:
            out.append((n, ":end_tab:"))
            changes.append(Change(page, open_at, ":begin_tab: left open before a code cell: "
                                                 ":end_tab: added"))
            open_at = None
        if i in in_fence:
            out.append((n, t))
            i += 1
            continue
        if BEGIN_TAB.match(t):
            if open_at is not None:
                out.append((n, ":end_tab:"))
                changes.append(Change(page, open_at, ":begin_tab: left open when the next one "
                                                     f"starts (line {n}): :end_tab: added"))
            open_at = n
        elif END_TAB.match(t):
            if open_at is None:
                changes.append(Change(page, n, ":end_tab: without :begin_tab: removed"))
                i += 1
                continue
            open_at = None
        cap = D2LBOOK_CAPTION.match(t)
        if cap:
            j = i + 1
            while j < len(lines) and not lines[j][1].strip() and j not in in_fence:
                j += 1
            label = None
            if j < len(lines) and LABEL_LINE.match(lines[j][1]):
                label, j = lines[j], j + 1
                while j < len(lines) and not lines[j][1].strip():
                    j += 1
            if j < len(lines) and TABLE_LINE.match(lines[j][1]) and j not in in_fence:
                if not re.match(r"^:\s", t) or label:
                    changes.append(Change(page, n, "d2lbook table caption written as `: Caption`"
                                                   + (" with its :label: after the table"
                                                      if label else "")))
                out.append((n, ": " + cap.group("text")))
                if label:
                    out.append((n, ""))
                    k = j
                    while k < len(lines) and TABLE_LINE.match(lines[k][1]):
                        out.append(lines[k])
                        k += 1
                    out.append(label)
                    i = k
                    continue
                i += 1
                continue
        out.append((n, t))
        i += 1
    if open_at is not None:
        while out and not out[-1][1].strip():
            out.pop()
        out.append((open_at, ":end_tab:"))
        changes.append(Change(page, open_at, ":begin_tab: never closed: :end_tab: added at the "
                                             "end of the page"))
    lines = out
    # 3. a title
    fenced = set()
    for a, b, _, _ in _fences(lines):
        fenced.update(range(a, b + 1))
    has_title = any(k not in fenced and (ATX_TITLE.match(t) or (
        SETEXT_TITLE.match(t) and k > 0 and lines[k - 1][1].strip()))
        for k, (_, t) in enumerate(lines))
    if not has_title:
        heading = title or Path(page).stem.replace("_", " ").replace("-", " ").title()
        lines = [(1, f"# {heading}"), (1, ""), *lines]
        changes.append(Change(page, 1, f"the page had no title heading: `# {heading}` added"))
    return "\n".join(t for _, t in lines), lines, changes


def is_bibliography_page(text: str) -> bool:
    """A d2lbook references page: a bibliography directive and nothing else of substance (this
    toolchain writes its own References page)."""
    if not BIBLIOGRAPHY.search(text):
        return False
    rest = [ln for ln in text.split("\n") if ln.strip() and not ln.strip().startswith(("```", "..",
                                                                                   ":bibliography:"))
            and not ln.startswith((" ", "\t")) and not re.match(r"^\s*[=#-]+\s*$", ln)
            and not re.match(r"^\s*#+\s", ln) and not re.match(r"^\s*:\w+:", ln)]
    return len(rest) <= 1


# --- writing ------------------------------------------------------------------------------------

def _dump(data: dict, comment: str) -> str:
    return f"# {comment}\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
                                              default_flow_style=False)


def write_book(src: Path, out: Path, pages: list[str], toc: dict, config: dict,
               bibfile: str | None, titles: dict[str, str] | None = None
               ) -> tuple[dict, list[Change], dict[str, Lines]]:
    """Write the converted book into the (empty) folder ``out``: (counts for the summary, the
    changes made, each page's lines with their source lines)."""
    book = out / "book"
    changes: list[Change] = []
    origins: dict[str, Lines] = {}
    for page in pages:
        source, target = src / page, book / page
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            text = source.read_bytes().decode("utf-8")
        except UnicodeDecodeError as e:
            raise BookError(f"not UTF-8 (byte at offset {e.start})", "save the file as UTF-8",
                            path=source) from None
        new, lines, page_changes = normalise_page(page, text, (titles or {}).get(page))
        page_changes += copy_rst_files(src, book, page, lines)   # what `:file:` includes
        changes += sorted(page_changes, key=lambda c: c.line)
        origins[page] = lines
        if new == text:
            shutil.copyfile(source, target)
        else:
            target.write_bytes(new.encode("utf-8"))
    images = 0
    if (src / "img").is_dir():
        shutil.copytree(src / "img", book / "img")
        images = sum(1 for p in (book / "img").rglob("*") if p.is_file())
    if bibfile:
        shutil.copyfile(src / bibfile, out / "references.bib")
    else:
        (out / "references.bib").write_text("", encoding="utf-8")
    origin = "Converted from a d2lbook project by `python -m scripts import-d2lbook`."
    (out / "_toc.yml").write_text(_dump(toc, origin), encoding="utf-8")
    (out / "_config.yml").write_text(_dump(config, origin), encoding="utf-8")
    return {"pages": len(pages), "images": images}, changes, origins


RST_FILE = re.compile(r"^\s+:file:\s*(?P<path>\S+)\s*$")


def copy_rst_files(src: Path, book: Path, page: str, lines: Lines) -> list[Change]:
    """Copy the files an ```` ```{eval-rst} ```` block of ``page`` includes with ``:file:``
    (``.. raw:: html`` + ``:file: frontpage.html``) next to it in the book; say which are
    missing."""
    out = []
    fenced = set()
    for a, b, _, info in _fences(lines):
        if info.strip("{}").strip() in ("eval-rst", "eval_rst"):
            fenced.update(range(a + 1, b))
    for k in sorted(fenced):
        m = RST_FILE.match(lines[k][1])
        if not m:
            continue
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(page), m.group("path")))
        source, target = src / rel, book / rel
        if rel.startswith("../") or not source.is_file():
            out.append(Change(page, lines[k][0], f"`:file: {m.group('path')}` names a file that "
                              "does not exist: the raw reStructuredText will report it"))
        elif not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            out.append(Change(page, lines[k][0], f"copied {rel} (included by `:file:`) into book/"))
    return out


def drop_bibliography_pages(src: Path, toc: dict, pages: list[str]) -> list[Change]:
    """Leave d2lbook's references page out of the import (the toolchain writes a References page
    of its own, from ``references.bib``); the changes say which."""
    dropped = [p for p in pages if p != "index.md" and
               is_bibliography_page((src / p).read_text(encoding="utf-8", errors="replace"))]
    if not dropped:
        return []
    names = {"book/" + p[:-3] for p in dropped}

    def prune(entries: list[dict]) -> list[dict]:
        kept = []
        for e in entries:
            if e["file"] in names:
                continue
            if "sections" in e:
                e["sections"] = prune(e["sections"])
                if not e["sections"]:
                    del e["sections"]
            kept.append(e)
        return kept

    for part in toc["parts"]:
        part["chapters"] = prune(part["chapters"])
    toc["parts"] = [part for part in toc["parts"] if part["chapters"]]
    for p in dropped:
        pages.remove(p)
    return [Change(p, 1, "references page left out: the toolchain writes its own References page "
                         "from references.bib") for p in dropped]


def _titles(toc: dict) -> dict[str, str]:
    """page (``chapter/x.md``) -> the title its toc entry gives it."""
    out = {}

    def walk(entries):
        for e in entries:
            if e.get("title"):
                out[e["file"].removeprefix("book/") + ".md"] = e["title"]
            walk(e.get("sections") or [])
    for part in toc["parts"]:
        walk(part["chapters"])
    return out


# --- the import report --------------------------------------------------------------------------

REPORT = "IMPORT.md"
LABEL_DEF = re.compile(r":(?:eq)?label:`([^`]+)`")


def _labels_elsewhere(src: Path, pages: list[str]) -> dict[str, str]:
    """label -> the page of the d2lbook project, outside the import, that defines it."""
    imported = set(pages)
    out = {}
    for path in sorted(src.rglob("*.md")):
        rel = path.relative_to(src).as_posix()
        if rel in imported or any(part.startswith((".", "_")) for part in path.parts[-3:]):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for m in LABEL_DEF.finditer(text):
            out.setdefault(m.group(1), rel)
    return out


def _save_imports_elsewhere(src: Path, pages: list[str]) -> list[str]:
    """Pages of the d2lbook project, outside the import, with ``#@save`` imports (the library
    header of a d2lbook book)."""
    imported = set(pages)
    found = []
    for path in sorted(src.rglob("*.md")):
        rel = path.relative_to(src).as_posix()
        if rel in imported:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.search(r"#\s*@save\s*\n(?:#.*\n)*\s*(?:import|from)\s", text):
            found.append(rel)
    return found


def problems(dest: Path, src: Path, pages: list[str]) -> list[tuple[str, int | None, str, str]]:
    """What ``check`` still reports on the imported book: ``(file, line, severity, text)``,
    with references to labels defined outside the import said so."""
    from scripts import check, config
    try:
        book = config.load_book(dest)
        errors, warnings, _ = check.book_problems(book)
    except (BookError, BookErrors) as e:
        return [(str(getattr(err, "path", "") or ""), getattr(err, "line", None), "error",
                 err.format(dest)) for err in (e.errors if isinstance(e, BookErrors) else [e])]
    elsewhere = _labels_elsewhere(src, pages)
    headers = _save_imports_elsewhere(src, pages)
    out = []
    for severity, items in (("error", errors), ("warning", warnings)):
        for e in items:
            text = e.message + (f" — {e.fix}" if e.fix else "")
            m = re.search(r"missing label(?: \(it is not attached\))? '([^']+)'", e.message)
            if m and m.group(1) in elsewhere:
                text = (f"{e.message}: it is defined in {elsewhere[m.group(1)]}, outside the "
                        "import (shown as a marker)")
            if "would use names that nothing defines" in e.message and headers:
                text += f" (the d2lbook project saves imports in: {', '.join(headers[:3])})"
            out.append((e.location(dest).rsplit(":", 1)[0] if e.line else e.location(dest),
                        e.line, severity, text))
    return list(dict.fromkeys(out))


def _source_line(origins: dict[str, Lines], file: str, line: int | None) -> str:
    page = file.removeprefix("book/")
    if line and page in origins and 0 < line <= len(origins[page]):
        return f" (d2lbook source {page}:{origins[page][line - 1][0]})"
    return ""


def write_report(dest: Path, src: Path, changes: list[Change], found: list[tuple],
                 origins: dict[str, Lines], summary: dict) -> str:
    """``DEST/IMPORT.md``: every change the import made (``file:line`` of the d2lbook project)
    and every problem that remains (``file:line`` of the imported book); returns the text."""
    errors = [f for f in found if f[2] == "error"]
    warnings = [f for f in found if f[2] == "warning"]
    lines = ["# Import report", "",
             f"`python -m scripts import-d2lbook {src} {dest}`: {summary['pages']} page(s), "
             f"{summary['images']} image(s), frameworks {', '.join(summary['frameworks'])}.", "",
             f"- changes made: {len(changes)}",
             f"- problems left: {len(errors)} error(s), {len(warnings)} warning(s)", "",
             "`_config.yml` has `check: {strict: false}`: `check` and `html` report broken "
             "references, citations and images as warnings and show a marker in the page instead "
             "of stopping. Remove it (strict is the default) once the problems below are fixed.",
             "", f"## Changes ({len(changes)})", "",
             "Each line names the d2lbook file and line it comes from.", ""]
    lines += [f"- {c.page}:{c.line}: {c.what}" for c in changes] or ["None."]
    lines += ["", f"## Problems left ({len(errors)} error(s), {len(warnings)} warning(s))", "",
              "Each line names the imported file and line (and the d2lbook line it comes from); "
              "errors stop `check`, `lib` and `html` even in lenient mode.", ""]
    for file, line, severity, text in errors + warnings:
        where = f"{file}:{line}" if line else file
        lines.append(f"- {where}: {severity}: {text}{_source_line(origins, file, line)}")
    if not found:
        lines.append("None.")
    text = "\n".join(lines) + "\n"
    (dest / REPORT).write_text(text, encoding="utf-8")
    return text


def check_dest(src: Path, dest: Path, force: bool) -> None:
    """Refuse a DEST that is a file, holds SRC, or is non-empty without ``--force``."""
    if dest.exists() and not dest.is_dir():
        raise BookError("DEST exists and is not a folder", "pass a new or empty folder", path=dest)
    s, d = src.resolve(), dest.resolve()
    if d == s or d in s.parents:
        raise BookError("DEST is the d2lbook project or a folder above it",
                        "pass a DEST outside the project", path=dest)
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise BookError("DEST is not empty",
                        "pass a new or empty folder, or --force to replace its contents", path=dest)


def install(tmp: Path, dest: Path) -> None:
    """Rename the finished ``tmp`` to ``dest``, replacing what ``dest`` held."""
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        old.rmdir()
        dest.rename(old)
        tmp.rename(dest)
        shutil.rmtree(old)
    else:
        tmp.rename(dest)


def convert(src: Path, dest: Path, force: bool = False) -> dict:
    """Convert the d2lbook project ``src`` into the book ``dest``; returns the summary counts,
    the changes and the problems left (also written to ``DEST/IMPORT.md``)."""
    cfg = read_config(src)
    SKIPPED.clear()
    toc, pages = build_toc(src)
    check_dest(src, dest, force)
    changes = [Change(page, line, f"{what}: the entry is left out (d2lbook skips it too)")
               for page, line, what in SKIPPED]
    changes += drop_bibliography_pages(src, toc, pages)
    toc["parts"] = [part for part in toc["parts"] if part["chapters"]]
    if cfg.get("bib_missing"):
        name, line = cfg["bib_missing"]
        changes.insert(0, Change("config.ini", line or 1, f"bibfile '{name}' does not exist: "
                                 "references.bib is empty (add the entries to it)"))
    config = book_config(cfg)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        counts, page_changes, origins = write_book(src, tmp, pages, toc, config, cfg["bibfile"],
                                                   _titles(toc))
        changes += page_changes
        install(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    summary = {**counts, "frameworks": cfg["tabs"], "default": cfg["default"],
               "bibfile": cfg["bibfile"]}
    found = problems(dest, src, pages)
    write_report(dest, src, changes, found, origins, summary)
    return {**summary, "changes": changes, "problems": found}


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: ``import-d2lbook SRC DEST [--force]``; returns the exit code."""
    from scripts import cli
    p = cli.parser("import-d2lbook", __doc__.split("\n")[0].split(": ", 1)[-1], frameworks=False)
    p.add_argument("src", type=Path, help="the d2lbook project (the folder with config.ini)")
    p.add_argument("dest", type=Path, help="the new book's folder (new or empty)")
    p.add_argument("--force", action="store_true", help="replace a non-empty DEST")
    args = p.parse_args(argv)
    src, dest = args.root / args.src, args.root / args.dest
    try:
        s = convert(src, dest, args.force)
    except BookError as e:
        print(e.format(Path.cwd()), file=sys.stderr)
        return 1
    bib = f"references.bib from {s['bibfile']}" if s["bibfile"] else \
        "no bib file found (references.bib is empty)"
    print(f"[import-d2lbook] {dest}: {s['pages']} page(s), {s['images']} image(s), "
          f"{len(s['frameworks'])} framework(s) {', '.join(s['frameworks'])} "
          f"(default {s['default']}), {bib}")
    errors = sum(1 for f in s["problems"] if f[2] == "error")
    warnings = len(s["problems"]) - errors
    print(f"[import-d2lbook] {len(s['changes'])} change(s) made, {errors} error(s) and "
          f"{warnings} warning(s) left: every one with its file:line in {dest / REPORT}")
    print(f"[import-d2lbook] next: python -m scripts check --root {dest}, then lib and "
          f"html --no-execute (the toolchain's requirements-<framework>.txt are used unless the "
          "book has its own)")
    return 0
