"""One error type for every stage: a message that names ``file:line``, says what is wrong and
what to do, printed on one line."""
from __future__ import annotations

import sys
from pathlib import Path


class BookError(Exception):
    """``file:line: what is wrong — what to do``."""

    def __init__(self, message: str, fix: str = "", path: str | Path | None = None,
                 line: int | None = None):
        self.message, self.fix, self.path, self.line = message, fix, path, line
        super().__init__(str(self))

    def location(self, relative_to: Path | None = None) -> str:
        if self.path is None:
            return ""
        path = Path(self.path)
        if relative_to is not None:
            try:
                path = path.resolve().relative_to(relative_to.resolve())
            except ValueError:
                pass
        return f"{path}:{self.line}" if self.line else f"{path}"

    def format(self, relative_to: Path | None = None) -> str:
        loc = self.location(relative_to)
        text = f"{loc}: {self.message}" if loc else self.message
        return f"{text} — {self.fix}" if self.fix else text

    def __str__(self) -> str:
        return self.format()


class BookErrors(Exception):
    """Several :class:`BookError` at once (the check stage reports all of them)."""

    def __init__(self, errors: list[BookError]):
        self.errors = errors
        super().__init__("\n".join(map(str, errors)))


def report(error: BookError | BookErrors, root: Path | None = None) -> int:
    """Print each problem on its own line of stderr (paths relative to ``root``, each problem
    once); return exit status 1."""
    seen = set()
    for err in error.errors if isinstance(error, BookErrors) else [error]:
        line = err.format(root)
        if line not in seen:
            seen.add(line)
            print(line, file=sys.stderr)
    return 1
