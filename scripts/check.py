"""The checks of DIALECT.md, over the whole book, before anything is rendered.

Every problem is one line ``file:line: what is wrong — what to do``; ``python -m scripts check``
prints all of them and exits 1.  The render stage calls :func:`check_book` first, so a broken book
never reaches ``_build/html``.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from scripts import cli, dialect, library
from scripts.config import Book
from scripts.errors import BookError, BookErrors, report

BIB_KEY = re.compile(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", re.M)


def bib_keys(book: Book) -> set[str]:
    keys = set()
    for name in book.config.bibtex_bibfiles:
        path = book.root / name
        if path.is_file():
            keys |= set(BIB_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def bib_problems(book: Book) -> list[BookError]:
    """A bibliography that BibTeX (pybtex, as sphinxcontrib-bibtex reads it) cannot parse stops
    the render with a traceback; report it here as ``file:line`` instead."""
    from pybtex.database import parse_file
    from pybtex.scanner import PybtexSyntaxError
    errors = []
    for name in book.config.bibtex_bibfiles:
        path = book.root / name
        if not path.is_file():
            continue
        try:
            parse_file(str(path), bib_format="bibtex")
        except PybtexSyntaxError as e:
            line = getattr(e, "lineno", None) or 1
            errors.append(BookError(f"BibTeX cannot read it ({e})",
                                    "close the entry above with `}` or fix the field", path, line))
        except Exception as e:   # noqa: BLE001 - e.g. a duplicate entry
            errors.append(BookError(f"BibTeX: {e}", "fix the entry", path, 1))
    return errors


def page_problems(p: dialect.ParsedPage, frameworks: list[str],
                  dropped: frozenset[str] = frozenset()) -> list[BookError]:
    """What the parser accepts but would lose silently: a page without a title, a label or
    equation label that nothing takes, a misspelled framework in ``tab.selected(...)``."""
    errors = []
    blocks = [b for c in p.cells if c.kind == "markdown" for b in c.blocks]
    if p.cells and not any(isinstance(b, dialect.Heading) and b.level == 1 for b in blocks):
        first = next((c.line for c in p.cells), 1)
        errors.append(BookError("the page has no title", "start it with a `# Title` heading",
                                p.path, first))
    for b in blocks:
        if isinstance(b, dialect.Table) and b.caption and any(
                u.kind in ("cite", "citet") for u in dialect.inline_uses(b.caption, b.line)):
            errors.append(BookError("a citation in a table caption: LaTeX cannot build the PDF "
                                    "(a link inside \\caption)",
                                    "cite in the text next to the table and keep the caption "
                                    "plain", p.path, b.line))
        if isinstance(b, dialect.LineMark) and b.kind == "eqlabel":
            errors.append(BookError(f":eqlabel:`{b.value}` has no equation above it",
                                    "put it on the line right after a `$$ … $$` equation",
                                    p.path, b.line))
    for c in p.cells:
        if c.kind != "code":
            continue
        for i, line in enumerate(c.source.split("\n")):
            m = dialect.SELECTED.match(line)
            for name in dialect.selected_names(m.group("args")) if m else []:
                if name not in frameworks and name not in dropped:
                    where = c.line_map[i] if i < len(c.line_map) else c.line
                    errors.append(BookError(f"tab.selected: unknown framework '{name}'",
                                            f"use one of: {', '.join([*frameworks, *sorted(dropped)])}",
                                            p.path, where))
    return errors


def results_problems(book: Book, parsed: dict[str, dialect.ParsedPage]) -> list[BookError]:
    """Every ``{results}`` table must name pages of the book, with a well-formed row each."""
    outnames = {page.outname for page in book.ordered_pages()}
    errors = []
    for p in parsed.values():
        for b in (b for c in p.cells if c.kind == "markdown" for b in c.blocks):
            if not dialect.is_results(b):
                continue
            _, rows, problems = dialect.parse_results(b.body, b.line + 1)
            errors += [BookError(msg.split(" — ")[0], msg.split(" — ")[1], p.path, line)
                       for line, msg in problems]
            if not b.closed:
                errors.append(BookError("{results} fence is not closed",
                                        f"end it with {b.fence}", p.path, b.line))
            for r in rows:
                if r.page not in outnames:
                    errors.append(BookError(f"{{results}}: no page '{r.page}' in _toc.yml",
                                            "write the page's path without book/ and .md, e.g. "
                                            "`modern-cnns/alexnet`", p.path, r.line))
    return errors


def check_book(book: Book) -> tuple[list[BookError], dict[str, dialect.ParsedPage]]:
    """All problems of the book, and the pages that parsed (in lenient mode the problems that
    only break a reference, a citation or an image are left out: see :func:`book_problems`)."""
    errors, _, parsed = book_problems(book)
    return errors, parsed


def book_problems(book: Book) -> tuple[list[BookError], list[BookError],
                                       dict[str, dialect.ParsedPage]]:
    """(errors, warnings, pages that parsed). A broken reference, citation or image, and a
    label nothing takes, are errors in strict mode (the default) and warnings with
    ``check: {strict: false}``; everything else is always an error."""
    fws = list(book.frameworks)
    parsed, errors = dialect.parse_pages(book)
    soft: list[BookError] = []      # errors in strict mode, warnings in lenient mode
    for p in parsed.values():
        errors += page_problems(p, fws, book.dropped_frameworks)
        for b in dialect.stray_labels(p):
            soft.append(BookError(f":label:`{b.value}` is not attached to a heading, figure, "
                                  "table or equation, so nothing can refer to it",
                                  "put it on the line after a heading, a figure, a table "
                                  "(or its `: Caption`) or an equation", p.path, b.line))
    toc_paths = {page.path.resolve() for page in book.ordered_pages()}
    for path in sorted(book.source_dir.rglob("*.md")):
        if path.resolve() not in toc_paths and not any(part.startswith((".", "_"))
                                                       for part in path.relative_to(book.root).parts):
            errors.append(BookError("page is not in _toc.yml",
                                    "add it to _toc.yml or delete it", path, 1))

    labels: dict[str, tuple[Path, int]] = {}
    for p in parsed.values():
        for u in p.uses:
            if u.kind in ("label", "eqlabel"):
                if u.target in labels:
                    first = labels[u.target]
                    errors.append(BookError(
                        f"duplicate label '{u.target}' (first defined at "
                        f"{first[0].relative_to(book.root)}:{first[1]})",
                        "give one of them another name", p.path, u.line))
                else:
                    labels[u.target] = (p.path, u.line)
    errors += bib_problems(book)
    keys = bib_keys(book)
    bibs = ", ".join(book.config.bibtex_bibfiles or ["references.bib"])
    broken = dialect.broken_targets(parsed)
    for p in parsed.values():
        for u in p.uses:
            if u.kind in ("numref", "ref", "eqref") and u.target in broken:
                what = "label" if u.target not in labels else "label (it is not attached)"
                soft.append(BookError(f":{u.kind}: to missing {what} '{u.target}'",
                                      "define it with :label:/:eqlabel: or fix the name",
                                      p.path, u.line))
            elif u.kind in ("cite", "citet") and u.target not in keys:
                soft.append(BookError(f"citation key '{u.target}' is not in {bibs}",
                                      f"add a BibTeX entry for it to {bibs} or fix the key",
                                      p.path, u.line))
            elif u.kind == "image" and "://" not in u.target and \
                    not (p.path.parent / u.target).is_file():
                soft.append(BookError(f"image '{u.target}' not found",
                                      "add the file under book/img/ or fix the path",
                                      p.path, u.line))
    errors += results_problems(book, parsed)
    try:
        library.build_all(book, fws, parsed)
    except BookErrors as e:
        errors += e.errors
    if book.strict:
        return errors + soft, [], parsed
    return errors, soft, parsed


def print_warnings(warnings: list[BookError], root: Path, stage: str) -> None:
    """Each lenient-mode problem once on stderr, as ``file:line: warning: …``, and a count."""
    shown = list(dict.fromkeys(w.format(root) for w in warnings))
    for line in shown:
        loc, _, rest = line.partition(": ")
        print(f"{loc}: warning: {rest}" if rest else f"warning: {line}", file=sys.stderr)
    if shown:
        print(f"[{stage}] {len(shown)} warning(s) (check.strict is false in _config.yml: each "
              "broken reference, citation or image is shown as a marker in the pages)",
              file=sys.stderr)


def _run(args, book: Book, fws: list[str]) -> int:
    errors, warnings, parsed = book_problems(book)
    print_warnings(warnings, book.root, "check")
    if errors:
        report(BookErrors(errors), book.root)
        count = len({e.format(book.root) for e in errors})
        print(f"[check] {count} problem(s) found", file=sys.stderr)
        return 1
    if warnings:
        print(f"[check] {len(parsed)} page(s), {len(book.frameworks)} frameworks: no errors, "
              f"{len({w.format(book.root) for w in warnings})} warning(s)")
        return 0
    print(f"[check] {len(parsed)} page(s), {len(book.frameworks)} frameworks: no problems")
    return 0


main = cli.command("check", __doc__, _run, frameworks=False)
