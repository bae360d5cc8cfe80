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
from scripts.config import Book, parse_front_matter
from scripts.errors import BookError, BookErrors, report

BIB_KEY = re.compile(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", re.M)


def bib_keys(book: Book) -> set[str]:
    keys = set()
    for name in book.config.bibtex_bibfiles:
        path = book.root / name
        if path.is_file():
            keys |= set(BIB_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def front_matter_errors(path: Path) -> list[BookError]:
    """Unknown keys and wrong values in the front matter of page ``path`` (its YAML syntax is
    checked by the parser)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if not lines or lines[0].strip() != "---":
        return []
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return []
    _, errors = parse_front_matter("\n".join(lines[1:end]), path, first_line=2)
    return [e for e in errors if not e.message.startswith(("invalid YAML", "front matter is not"))]


def check_book(book: Book) -> tuple[list[BookError], dict[str, dialect.ParsedPage]]:
    """All problems of the book, and the pages that parsed."""
    fws = list(book.frameworks)
    parsed, errors = dialect.parse_pages(book)
    for p in parsed.values():
        errors += front_matter_errors(p.path)
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
