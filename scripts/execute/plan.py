"""Planning a run: which notebooks of a framework have no valid cache entry, how long each is
expected to take, and how the work splits into shards and page selections."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from scripts.config import Book, FrontMatter
from scripts.contracts import GpuNeed, notebook_meta
from scripts.execute.store import durations_path, load_json, valid_entry

#: Expected seconds of a notebook that has never run here (for shard balance and progress).
DEFAULT_UNKNOWN_SECONDS = 30.0


@dataclass
class Task:
    """One notebook to run (or found in the cache)."""
    docname: str
    source: str              # book/basics/tensors.md
    path: Path               # the notebook
    nb_json: str
    gpu: GpuNeed
    timeout: int             # seconds per cell
    expected: float          # seconds, from the recorded durations
    lines: list[int] = field(default_factory=list)   # source line of each cell


def plan(book: Book, fw: str, cache) -> tuple[list[Task], list[Task]]:
    """(tasks to run, tasks already cached) for framework ``fw``; pages without code for
    ``fw`` are in neither."""
    import nbformat
    durations = load_json(durations_path(book, fw), {})
    todo, cached = [], []
    for page in book.ordered_pages():
        path = book.build.notebook(fw, page.outname)
        text = path.read_text()
        nb = nbformat.reads(text, as_version=4)
        meta = notebook_meta(nb)
        if not meta.get("has_code"):
            continue
        front = FrontMatter.model_validate(meta.get("front_matter") or {})
        task = Task(page.docname, meta.get("source", ""), path, text, front.gpu_need,
                    front.timeout or book.timeout,
                    float(durations.get(page.docname, DEFAULT_UNKNOWN_SECONDS)),
                    meta.get("cell_lines", []))
        (cached if valid_entry(cache, nb) else todo).append(task)
    return todo, cached


def shard_of(tasks: list[Task], index: int, count: int) -> list[Task]:
    """Deterministic split, balanced by expected duration: longest first to the lightest shard."""
    loads = [0.0] * count
    mine = []
    for t in sorted(tasks, key=lambda t: (-t.expected, t.docname)):
        k = min(range(count), key=lambda i: (loads[i], i))
        loads[k] += t.expected
        if k == index:
            mine.append(t)
    return mine


def matches(task: Task, patterns: list[str]) -> bool:
    """Whether ``task``'s page matches one of the shell ``patterns`` (with or without
    ``book/``)."""
    return any(fnmatch.fnmatch(task.docname.removeprefix("book/"), pat)
               or fnmatch.fnmatch(task.docname, pat) for pat in patterns)


def select(todo: list[Task], cached: list[Task], shard: tuple[int, int] | None,
           pages: list[str] | None) -> tuple[list[Task], list[Task]]:
    """Keep the tasks of shard ``(index, count)`` and of the ``pages`` patterns."""
    if shard:
        mine = {t.docname for t in shard_of(todo + cached, *shard)}
        todo = [t for t in todo if t.docname in mine]
        cached = [t for t in cached if t.docname in mine]
    if pages:
        todo = [t for t in todo if matches(t, pages)]
        cached = [t for t in cached if matches(t, pages)]
    return todo, cached
