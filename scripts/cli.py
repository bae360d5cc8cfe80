"""The skeleton every command shares: ``python -m scripts <command> [--root DIR]
[--frameworks A,B] [options]``.

:func:`command` declares the shared options once, loads and validates the book, and gives every
command the same error path: problems are printed to stderr as ``file:line: what — what to do``.

Exit codes: 0 success; 1 the book has a problem or a step failed (the message says which and
what to do); 2 the command line is wrong (argparse's usage message).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable

from scripts.errors import BookError, BookErrors, report

#: ``run(args, book, frameworks) -> exit status`` of a command.
Runner = Callable[[argparse.Namespace, "object", list[str]], int | None]


def parser(name: str, doc: str | None, frameworks: bool = True) -> argparse.ArgumentParser:
    """An argument parser with the shared options: ``--root`` and (unless ``frameworks`` is
    false) ``--frameworks``/``--framework``, whose default is ``$FRAMEWORKS``."""
    p = argparse.ArgumentParser(prog=f"python -m scripts {name}",
                                description=(doc or "").strip().split("\n")[0])
    p.add_argument("--root", default=".", type=Path, help="the book's folder (default: .)")
    if frameworks:
        p.add_argument("--frameworks", "--framework", dest="frameworks",
                       default=os.environ.get("FRAMEWORKS", ""),
                       help="comma-separated subset of the book's frameworks (default: all; "
                            "env FRAMEWORKS)")
    return p


def command(name: str, doc: str | None, run: Runner,
            options: Callable[[argparse.ArgumentParser], None] | None = None,
            frameworks: bool = True, failed: str = "") -> Callable[[list[str] | None], int]:
    """The ``main(argv)`` of command ``name``: parse the options, load the book at ``--root``,
    select the frameworks and call ``run``; a :class:`BookError` is reported on stderr, followed
    by ``failed`` (what was left undone), and exits 1."""
    def main(argv: list[str] | None = None) -> int:
        from scripts.config import load_book
        p = parser(name, doc, frameworks)
        if options:
            options(p)
        args = p.parse_args(argv)
        root = Path(args.root).resolve()
        try:
            book = load_book(root)
            fws = book.select(args.frameworks) if frameworks else list(book.frameworks)
            return run(args, book, fws) or 0
        except (BookError, BookErrors) as e:
            report(e, root)
            if failed:
                print(failed, file=sys.stderr)
            return 1
    main.__doc__ = doc
    return main
