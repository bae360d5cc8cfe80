"""Stage 3: the ``d2l`` library.

Collects the ``#@save`` code of every page, in ``_toc.yml`` order, into ``d2l/<module>.py`` for
each framework: imports become the header, ``@d2l.add_to_class(C)`` methods are spliced into class
``C``, a later definition of a name replaces the earlier one, and each definition says where the
book defines it.  ``--check`` compares the committed files with what the book says and names the
first definition that differs.
"""
from __future__ import annotations

import ast
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from scripts import cli, dialect
from scripts.config import Book
from scripts.errors import BookError, BookErrors
from scripts.files import write_if_changed

LONE_SAVE = re.compile(r"^\s*#\s*@save\s*$")
ADD_TO_CLASS = re.compile(r"^\s*@(?:d2l\.)?add_to_class\((?P<cls>[\w.]+)\)")
MAGIC = re.compile(r"^\s*[%!]")


@dataclass
class Entry:
    key: str          # name of the definition, or its text for other statements
    source: str       # dedented source, no trailing newline
    where: str        # "Defined in ..." text
    methods: dict     # for classes: name -> (source, where) spliced later
    path: Path | None = None    # the page and line that define it (for errors)
    line: int | None = None


@dataclass
class Saved:
    """One exported statement of a cell."""
    source: str
    line: int                 # line in the book source file
    kind: Literal["import", "def", "method"]
    name: str | None
    target_class: str | None = None


def _parse_cell(source: str) -> ast.Module:
    # IPython magics and shell escapes are not Python: blank them out, keep the line numbers
    clean = "\n".join("" if MAGIC.match(ln) else ln for ln in source.split("\n"))
    return ast.parse(clean)


def _span(stmt: ast.stmt) -> tuple[int, int]:
    start = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
    return start, stmt.end_lineno


def _name_of(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return stmt.name
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id
    return None


def extract_saved(source: str, line_map: list[int], path: Path) -> tuple[list[Saved], list[BookError]]:
    """The statements a cell exports with ``#@save``."""
    lines = source.split("\n")
    marks = [i + 1 for i, ln in enumerate(lines) if dialect.SAVE_MARK.search(ln)]
    if not marks:
        return [], []

    def src_line(i: int) -> int:
        return line_map[i - 1] if 0 < i <= len(line_map) else (line_map[-1] if line_map else i)

    try:
        tree = _parse_cell(source)
    except SyntaxError as e:
        return [], [BookError(f"cannot parse the #@save cell: {e.msg}", "fix the Python syntax",
                              path, src_line(e.lineno or 1))]
    spans = [(_span(s), s) for s in tree.body]
    chosen: dict[int, ast.stmt] = {}
    errors = []
    first_code = next((i + 1 for i, ln in enumerate(lines)
                       if ln.strip() and not LONE_SAVE.match(ln)), None)
    for mark in marks:
        if LONE_SAVE.match(lines[mark - 1]):
            if first_code is not None and mark < first_code and all(
                    not ln.strip() or LONE_SAVE.match(ln) for ln in lines[:mark - 1]):
                targets = [s for _, s in spans]           # a lone #@save heading the cell
            else:
                targets = [s for (a, _), s in spans if a > mark][:1]
        else:
            targets = [s for (a, b), s in spans if a <= mark <= b]
        if not targets:
            errors.append(BookError("#@save with nothing to save",
                                    "put #@save at the end of a def/class/decorator line or alone "
                                    "on the line above a top-level statement", path, src_line(mark)))
        for t in targets:
            chosen[id(t)] = t
    saved = []
    for (a, b), stmt in spans:
        if id(stmt) not in chosen:
            continue
        text = "\n".join(lines[a - 1:b])
        text = "\n".join(ln for ln in text.split("\n") if not LONE_SAVE.match(ln))
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            saved.append(Saved(text, src_line(a), "import", None))
            continue
        m = None
        for d in getattr(stmt, "decorator_list", []):
            m = ADD_TO_CLASS.match(lines[d.lineno - 1])
            if m:
                break
        if m:
            body = "\n".join(ln for ln in text.split("\n") if not ADD_TO_CLASS.match(ln))
            saved.append(Saved(body, src_line(a), "method", _name_of(stmt),
                               m.group("cls").split(".")[-1]))
        else:
            saved.append(Saved(text, src_line(a), "def", _name_of(stmt)))
    return saved, errors


def _strip_save_marks(text: str) -> str:
    return "\n".join(dialect.SAVE_MARK.sub("", ln).rstrip() for ln in text.split("\n"))


def _splice_method(class_src: str, name: str, method_src: str, where: str) -> str:
    """Put ``method_src`` into the class body, replacing a method of the same name."""
    tree = ast.parse(class_src)
    cls = tree.body[0]
    lines = class_src.split("\n")
    method = textwrap.indent(f"# {where}\n{method_src}", "    ")
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            a, b = _span(node)
            # drop a "Defined in" comment right above a method we replace
            if a >= 2 and lines[a - 2].strip().startswith("# Defined in"):
                a -= 1
            return "\n".join(lines[:a - 1] + method.split("\n") + lines[b:])
    return class_src.rstrip() + "\n\n" + method


def collect(book: Book, fw: str, parsed: dict[str, dialect.ParsedPage]) -> tuple[list[str], list[Entry], list[BookError]]:
    """Header imports and definitions of framework ``fw``, in toc order."""
    imports: list[str] = []
    entries: dict[str, Entry] = {}
    errors: list[BookError] = []
    for page in book.ordered_pages():
        p = parsed.get(page.docname)
        if p is None:
            continue
        rel = page.path.relative_to(book.root)
        for cell in p.cells:
            if cell.kind != "code" or fw not in (cell.frameworks or ()):
                continue
            if not dialect.SAVE_MARK.search(cell.source):
                continue
            source = dialect.resolve_tab_selected(cell.source, fw)
            # resolve_tab_selected may drop lines: map by re-finding each kept line
            line_map = _remap_lines(cell, source)
            saved, errs = extract_saved(source, line_map, page.path)
            errors += errs
            where = (f"Defined in :numref:`{cell.section_label}`" if cell.section_label
                     else f"Defined in {rel}")
            for s in saved:
                text = _strip_save_marks(textwrap.dedent(s.source)).strip("\n")
                if s.kind == "import":
                    for ln in text.split("\n"):
                        if re.match(r"^\s*from\s+d2l\s+import\s", ln) or ln.strip() in ("import d2l",):
                            continue        # the library does not import itself
                        if ln.strip() and ln not in imports:
                            imports.append(ln)
                elif s.kind == "method":
                    cls = entries.get(s.target_class)
                    if cls is None:
                        errors.append(BookError(
                            f"add_to_class({s.target_class}): the {fw} library has no class "
                            f"'{s.target_class}'",
                            f"save class {s.target_class} with #@save for {fw} on an earlier page",
                            page.path, s.line))
                        continue
                    cls.source = _splice_method(cls.source, s.name, text, where)
                elif text.strip() == "d2l = sys.modules[__name__]":
                    continue                    # every module's header has it already
                else:
                    key = s.name or text
                    entries.pop(key, None)     # a later definition replaces the earlier one
                    entries[key] = Entry(key, text, where, {}, page.path, s.line)
    return imports, list(entries.values()), errors


def _remap_lines(cell: dialect.Cell, resolved: str) -> list[int]:
    orig = cell.source.split("\n")
    out, j = [], 0
    for ln in resolved.split("\n"):
        stripped = ln.strip()
        k = j
        while k < len(orig) and orig[k].strip() != stripped:
            k += 1
        if k < len(orig):
            out.append(cell.line_map[k] if k < len(cell.line_map) else cell.line + k)
            j = k + 1
        else:
            out.append(out[-1] if out else cell.line)
    return out


HEADER = '''# Generated from book/ by `python -m scripts lib`: do not edit by hand.
# Change the #@save code in the book and regenerate; `make test` fails when this file drifts.
"""The d2l library for {display}: the code the book saves with #@save, in reading order."""
'''


def render_library(book: Book, fw: str, imports: list[str], entries: list[Entry]) -> str:
    header = HEADER.format(display=book.frameworks[fw].display)
    imports = ["import sys"] + [i for i in imports if i.strip() != "import sys"]
    parts = [header + "\n".join(imports) + "\n\nd2l = sys.modules[__name__]\n"]
    for e in entries:
        parts.append(f"# {e.where}\n{e.source}\n")
    return "\n\n".join(parts)


def unbound_names(text: str) -> list[str]:
    """Names a module's code reads that nothing in it binds (no import, definition, assignment,
    argument or builtin): they would be a ``NameError`` when used. ``[]`` when the module has a
    star import (anything may come from it) or does not parse."""
    import builtins
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    bound = set(dir(builtins)) | {"__file__", "__name__", "__doc__", "__spec__", "__path__"}
    loaded: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                if a.name == "*":
                    return []
                bound.add(a.asname or a.name.split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loaded.setdefault(node.id)
            else:
                bound.add(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            pass
        elif hasattr(ast, "MatchAs") and isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
    return [n for n in loaded if n not in bound]


def _header_problem(book: Book, fw: str, imports: list[str], entries: list[Entry],
                    text: str) -> BookError | None:
    """An error when the library's definitions use names nothing imports (typically: the
    book's ``#@save`` imports live on a page that is not in ``_toc.yml``)."""
    missing = unbound_names(text)
    if not missing or not entries:
        return None
    first = next((e for e in entries if e.path and re.search(
        rf"\b(?:{'|'.join(map(re.escape, missing))})\b", e.source)), entries[0])
    shown = ", ".join(missing[:8]) + (", …" if len(missing) > 8 else "")
    header = ("has no imports at all" if not imports else
              "imports none of them")
    return BookError(f"d2l/{book.frameworks[fw].module}.py would use names that nothing defines "
                     f"or imports ({shown}); its header {header}",
                     "save the imports in a `#@save` cell (d2lbook books keep them in the preface "
                     "or the first chapter: add that page to _toc.yml) or fix the names",
                     first.path, first.line)


def build_all(book: Book, frameworks: list[str], parsed=None) -> dict[str, str]:
    """framework -> library text; raises :class:`BookErrors` on bad ``#@save`` code."""
    parsed = dialect.parse_book(book) if parsed is None else parsed
    out, errors = {}, []
    for fw in frameworks:
        imports, entries, errs = collect(book, fw, parsed)
        errors += errs
        out[fw] = render_library(book, fw, imports, entries)
        problem = None if errs else _header_problem(book, fw, imports, entries, out[fw])
        if problem:
            errors.append(problem)
    if errors:
        raise BookErrors(errors)
    return out


def library_path(book: Book, fw: str) -> Path:
    return book.root / "d2l" / f"{book.frameworks[fw].module}.py"


INIT = '''"""d2l: the library of the book, one module per framework.

Import the one you use, e.g. ``from d2l import torch as d2l``.
"""
__version__ = "{version}"
'''


def first_difference(expected: str, actual: str) -> str:
    """Name the definition where ``actual`` first departs from ``expected``."""
    e, a = expected.split("\n"), actual.split("\n")
    i = next((k for k in range(max(len(e), len(a)))
              if k >= len(e) or k >= len(a) or e[k] != a[k]), None)
    if i is None:
        return "nothing"
    top = re.compile(r"^(?:class|def|async def)\s+(\w+)|^(\w+)\s*=")
    for k in range(min(i, len(e) - 1), -1, -1):
        m = top.match(e[k])
        if m:
            return f"definition '{m.group(1) or m.group(2)}' (line {i + 1})"
    return f"the header (line {i + 1})"


def _options(p) -> None:
    p.add_argument("--check", action="store_true",
                   help="exit 1 if the committed d2l/ differs from what book/ says")


def _run(args, book: Book, fws: list[str]) -> int:
    libs = build_all(book, fws)
    stale = 0
    for fw, text in libs.items():
        path = library_path(book, fw)
        rel = path.relative_to(book.root)
        if args.check:
            current = path.read_text() if path.exists() else ""
            if current != text:
                what = first_difference(text, current) if current else "the whole file (missing)"
                print(f"{rel}: out of date with book/ at {what} — run `python -m scripts lib` "
                      "and commit the result", file=sys.stderr)
                stale += 1
        else:
            changed = write_if_changed(path, text)
            print(f"[lib] {rel}: {'written' if changed else 'unchanged'}")
    if not args.check:
        write_if_changed(book.root / "d2l" / "__init__.py",
                         INIT.format(version=book.config.version))
    elif not stale:
        print(f"[lib] d2l/ is up to date for {', '.join(fws)}")
    return 1 if stale else 0


main = cli.command("lib", __doc__, _run, _options)
