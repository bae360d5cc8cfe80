"""Where executed outputs are kept: the per-framework jupyter-cache, the recorded durations,
the execution records, and the export/import of entries between machines.

The cache lives outside the work tree (``$D2L_CACHE_DIR``, else ``execute.cache_dir`` of
``_config.yml``, else ``~/.cache/d2l-book/jupyter-cache``), so fresh clones reuse it. An entry
is written only after its notebook ran to the end; an entry whose files are missing or
unreadable (a run killed mid-write) is dropped, so the page runs again.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path

from scripts.config import Book, Page
from scripts.contracts import Record, load_records, notebook_meta, save_records
from scripts.execute import freeze
from scripts.files import write_if_changed


def cache_root(book: Book) -> Path:
    env = os.environ.get("D2L_CACHE_DIR")
    if env:
        return Path(env)
    configured = book.config.execute.cache_dir
    if configured:
        return (book.root / os.path.expanduser(configured)).resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "d2l-book" / "jupyter-cache"


def cache_path(book: Book, fw: str) -> Path:
    return cache_root(book) / fw


def durations_path(book: Book, fw: str) -> Path:
    return cache_path(book, fw) / "durations.json"


def open_cache(book: Book, fw: str):
    from jupyter_cache import get_cache
    path = cache_path(book, fw)
    path.mkdir(parents=True, exist_ok=True)
    return get_cache(str(path))


def load_json(path: Path, default):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return default


def save_json(path: Path, data) -> None:
    write_if_changed(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


@contextlib.contextmanager
def locked(path: Path):
    """An exclusive lock on ``path``'s lock file while the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def valid_entry(cache, nb) -> bool:
    """True when the cache holds a complete entry for ``nb``; a broken one is removed."""
    try:
        record = cache.match_cache_notebook(nb)
    except KeyError:
        return False
    try:
        bundle = cache.get_cache_bundle(record.pk)
        if not bundle.nb.cells:
            raise ValueError("empty notebook")
        return True
    except Exception:   # noqa: BLE001 - a record whose files were never (fully) written
        cache.remove_cache_record(record.pk)
        return False


def store(cache, nb, name: str, seconds: float) -> None:
    """Cache executed notebook ``nb`` (``name``: where it came from, for jupyter-cache)."""
    from jupyter_cache.base import CacheBundleIn
    cache.cache_notebook_bundle(CacheBundleIn(nb, name, data={"execution_seconds": seconds}),
                                check_validity=False, overwrite=True)


def executed_notebook(book: Book, fw: str, page: Page, cache=None):
    """``page``'s notebook for ``fw`` with the outputs of its cached execution (``None`` when
    it has no valid entry); a page without code comes back as written. Pass ``cache`` (from
    :func:`open_cache`) when reading many pages."""
    import nbformat
    nb = nbformat.read(book.build.notebook(fw, page.outname), as_version=4)
    if not notebook_meta(nb).get("has_code"):
        return nb
    cache = cache or open_cache(book, fw)
    if not valid_entry(cache, nb):
        return None
    _, merged = cache.merge_match_into_notebook(nb)
    return merged


def merge_records(book: Book, fw: str, records: list[Record], measured: dict[str, float],
                  partial: bool) -> None:
    """Write this run's records and durations of ``fw``. Several ``execute`` runs may share
    them (``--pages`` or shards side by side): a ``partial`` run merges, under a lock, into
    what the others recorded meanwhile instead of overwriting it."""
    path = book.build.records(fw)
    order = [p.docname for p in book.ordered_pages()]
    with locked(path):
        durations = load_json(durations_path(book, fw), {})
        durations.update(measured)
        save_json(durations_path(book, fw), durations)
        by_page = {r.page: r for r in load_records(path)} if partial else {}
        by_page.update({r.page: r for r in records})
        save_records(path, [by_page[d] for d in order if d in by_page])


def write_export(path: Path, fw: str, entries: list[tuple[str, str, Record]]) -> None:
    """Write executed notebooks ``(page, notebook JSON, record)`` for :func:`import_entries`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"framework": fw, "entries": [{"page": page, "notebook": nb, "record": rec.to_dict()}
                                         for page, nb, rec in entries]}
    path.write_text(json.dumps(data) + "\n")


def import_entries(book: Book, files: list[Path]) -> int:
    """Merge exported entries into the caches and freeze them; idempotent. Returns how many were
    new to the cache."""
    import nbformat
    added = 0
    for f in files:
        data = json.loads(Path(f).read_text())
        fw = data["framework"]
        cache = open_cache(book, fw)
        records, measured = [], {}
        for e in data["entries"]:
            nb = nbformat.reads(e["notebook"], as_version=4)
            record = Record.from_dict(e["record"])
            if not valid_entry(cache, nb):
                store(cache, nb, e["page"], record.seconds)
                added += 1
            if e["page"] in book.pages:
                freeze.write(book, fw, book.pages[e["page"]], nb, record)
            records.append(record)
            measured[e["page"]] = record.seconds
        merge_records(book, fw, records, measured, partial=True)
    return added
