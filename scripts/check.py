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


def page_problems(p: dialect.ParsedPage, frameworks: list[str]) -> list[BookError]:
    """What the parser accepts but would lose silently: a page without a title, a label or
    equation label that nothing takes, a misspelled framework in ``tab.selected(...)``."""
    errors = []
    blocks = [b for c in p.cells if c.kind == "markdown" for b in c.blocks]
    if p.cells and not any(isinstance(b, dialect.Heading) and b.level == 1 for b in blocks):
        first = next((c.line for c in p.cells), 1)
        errors.append(BookError("the page has no title", "start it with a `# Title` heading",
                                p.path, first))
    for b in blocks:
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
                if name not in frameworks:
                    where = c.line_map[i] if i < len(c.line_map) else c.line
                    errors.append(BookError(f"tab.selected: unknown framework '{name}'",
                                            f"use one of: {', '.join(frameworks)}", p.path, where))
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
    """All problems of the book, and the pages that parsed."""
    fws = list(book.frameworks)
    parsed, errors = dialect.parse_pages(book)
    for p in parsed.values():
        errors += page_problems(p, fws)
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
    keys = bib_keys(book)
    bibs = ", ".join(book.config.bibtex_bibfiles or ["references.bib"])
    for p in parsed.values():
        for u in p.uses:
            if u.kind in ("numref", "ref", "eqref") and u.target not in labels:
                errors.append(BookError(f":{u.kind}: to missing label '{u.target}'",
                                        "define it with :label:/:eqlabel: or fix the name",
                                        p.path, u.line))
            elif u.kind in ("cite", "citet") and u.target not in keys:
                errors.append(BookError(f"citation key '{u.target}' is not in {bibs}",
                                        f"add a BibTeX entry for it to {bibs} or fix the key",
                                        p.path, u.line))
            elif u.kind == "image" and "://" not in u.target and \
                    not (p.path.parent / u.target).is_file():
                errors.append(BookError(f"image '{u.target}' not found",
                                        "add the file under book/img/ or fix the path",
                                        p.path, u.line))
    errors += results_problems(book, parsed)
    try:
        library.build_all(book, fws, parsed)
    except BookErrors as e:
        errors += e.errors
    return errors, parsed


def _run(args, book: Book, fws: list[str]) -> int:
    errors, parsed = check_book(book)
    if errors:
        report(BookErrors(errors), book.root)
        count = len({e.format(book.root) for e in errors})
        print(f"[check] {count} problem(s) found", file=sys.stderr)
        return 1
    print(f"[check] {len(parsed)} page(s), {len(book.frameworks)} frameworks: no problems")
    return 0


main = cli.command("check", __doc__, _run, frameworks=False)
