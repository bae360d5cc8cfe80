"""Build stamps: a step is skipped when the files it reads are those of its last successful run.

A stamp is a small JSON file beside the step's output. It records the size and modification
time (in nanoseconds) of every input file, and any other values the output depends on (the
frameworks, a setting). Comparing a stamp costs one ``stat`` per file; nothing is read. The
stages write files only when their content changes (``files.write_if_changed``), so an
unchanged input keeps its time. A stamp is written only after its step succeeded and is removed
before the step starts, so an interrupted build is never mistaken for a finished one.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable

SKIPPED_FOLDERS = {"__pycache__", ".ipynb_checkpoints", ".git"}


def _entry(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size]


def signature(paths: Iterable[Path], base: Path, **values) -> dict:
    """The stamp's content for ``paths`` (files or folders, walked recursively; a missing path is
    recorded as missing) and ``values``; file names are relative to ``base`` where possible."""
    files: dict[str, list[int] | None] = {}

    def name(p: Path) -> str:
        try:
            return p.relative_to(base).as_posix()
        except ValueError:
            return p.as_posix()

    for path in paths:
        path = Path(path)
        if path.is_dir():
            for folder, subfolders, names in os.walk(path):
                subfolders[:] = sorted(d for d in subfolders if d not in SKIPPED_FOLDERS)
                for n in sorted(names):
                    p = Path(folder) / n
                    files[name(p)] = _entry(p)
        else:
            files[name(path)] = _entry(path)
    return {"files": files, "values": json.loads(json.dumps(values, sort_keys=True))}


class Stamp:
    """The stamp file at ``path``."""

    def __init__(self, path: Path):
        self.path = path

    def matches(self, sig: dict) -> bool:
        try:
            return json.loads(self.path.read_text()) == sig
        except (OSError, ValueError):
            return False

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def save(self, sig: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".part")
        tmp.write_text(json.dumps(sig, sort_keys=True))
        os.replace(tmp, self.path)


TOOLCHAIN = Path(__file__).resolve().parent


def book_sources(root: Path) -> list[Path]:
    """What every stage reads from the book's folder: the sources, the library, the frozen
    outputs, the configuration, the bibliography and the pins."""
    return ([root / p for p in ("book", "d2l", "_freeze", "_config.yml", "_toc.yml",
                                "pyproject.toml")]
            + sorted(root.glob("*.bib")) + sorted(root.glob("requirements-*.txt")))


def toolchain_files() -> list[Path]:
    """The toolchain's own code, templates and static files, and the tools' pinned versions:
    a change to any of them may change every output."""
    return [TOOLCHAIN, TOOLCHAIN.parent / "requirements-tools.txt"]
