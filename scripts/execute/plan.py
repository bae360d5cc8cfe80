"""Planning a run: which notebooks of a framework have no valid cache entry, how long each is
expected to take, and how the work splits into shards and page selections."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from scripts.config import Book, FrontMatter, Page
from scripts.contracts import CacheUse, GpuNeed, notebook_meta
from scripts.execute import freeze
from scripts.execute.store import durations_path, load_json, store, valid_entry

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
    page: Page | None = None
    found: CacheUse = "miss"                # where its outputs are: local cache, freeze, none
    frozen: freeze.Status | None = None     # its frozen entry's state


def thaw(book: Book, cache, page: Page, fw: str, nb) -> tuple[CacheUse, freeze.Status]:
    """Where ``nb``'s outputs are: the local cache (``hit``), a fresh frozen entry, which is
    put into the local cache (``frozen``), or nowhere (``miss``); and its frozen entry's state."""
    state = freeze.status(book, fw, page, nb)
    if valid_entry(cache, nb):
        return "hit", state
    if state.state == "fresh":
        store(cache, freeze.executed(nb, state.frozen), str(state.frozen.path),
              float(state.seconds or 0.0))
        return "frozen", state
    return "miss", state


def plan(book: Book, fw: str, cache) -> tuple[list[Task], list[Task]]:
    """(tasks to run, tasks whose outputs exist) for framework ``fw``; pages without code for
    ``fw`` are in neither. Fresh frozen entries are thawed into ``cache`` on the way."""
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
        found, state = thaw(book, cache, page, fw, nb)
        expected = durations.get(page.docname, state.seconds or DEFAULT_UNKNOWN_SECONDS)
        task = Task(page.docname, meta.get("source", ""), path, text, front.gpu_need,
                    front.timeout or book.timeout, float(expected), meta.get("cell_lines", []),
                    page, found, state)
        (todo if found == "miss" else cached).append(task)
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
