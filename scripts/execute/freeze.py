"""Frozen outputs: every successful execution of a page × framework, committed with the sources.

``_freeze/<fw>/<page>.json`` holds a page's outputs, the key they belong to, the dependency
manifest behind that key and the execution record (seconds, device, versions, date). Images go
beside it, content-addressed (``_freeze/<fw>/<page>.files/<sha>.svg``), so ``git diff`` of the
JSON shows which text outputs changed, line by line, and which image changed, by name.

* The **key** is the hash of the notebook's code cells (source and metadata, which hold the
  dependency fingerprint) and kernel name: computed from the generated notebook alone, so no
  framework environment is needed to tell whether an entry is fresh.
* A **fresh** entry (key equal to the current notebook's, or an entry that ran with every
  dependency the notebook has now, unchanged: :func:`covers`; execution then stores it under the
  current key) is put into the local jupyter-cache
  before anything reads it (:func:`thaw`), so execution skips the page and rendering, PDFs and
  Colab notebooks take its outputs. A **stale** one is explained (:func:`reasons`): which code
  cell, which ``d2l`` definition, which pin, which data set, the kernel's environment.
* A **corrupt** entry (unreadable, or its checksum does not match what it holds, e.g. a hand
  edit) is never used: the page runs again and its entry is rewritten.

Entries are written only after a successful run, through a temporary file, and only when their
outputs or key changed, so re-running unchanged deterministic code leaves the files as they were.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from scripts.config import Book, Page
from scripts.contracts import Record, notebook_meta
from scripts.files import write_if_changed

FORMAT = 1
FOLDER = "_freeze"
#: Outputs stored in files beside the entry, by MIME type: (extension, binary).
FILES = {"image/svg+xml": ("svg", False), "image/png": ("png", True), "image/jpeg": ("jpg", True)}

State = Literal["fresh", "stale", "missing", "corrupt"]


def _sha(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _canonical(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def notebook_key(nb) -> str:
    """The key of a notebook's outputs: its kernel and its code cells (source and metadata)."""
    cells = [[c["source"], c.get("metadata", {})] for c in nb["cells"] if c["cell_type"] == "code"]
    return _sha(_canonical({"kernel": nb["metadata"].get("kernelspec", {}).get("name", ""),
                            "cells": cells}))[:32]


def freeze_root(book: Book) -> Path:
    return book.root / FOLDER


def entry_path(book: Book, fw: str, page: Page) -> Path:
    return freeze_root(book) / fw / f"{page.outname}.json"


def files_dir(path: Path) -> Path:
    return path.with_name(path.stem + ".files")


# --- writing -----------------------------------------------------------------------------

def _lines(text) -> list[str]:
    text = "".join(text) if isinstance(text, list) else str(text)
    return text.splitlines(keepends=True)


def _freeze_output(out: dict, files: dict[str, bytes]) -> dict:
    """One output as stored: text as lines, images as references to files."""
    out = {k: v for k, v in out.items() if k != "transient"}
    if "text" in out:
        out["text"] = _lines(out["text"])
    if "data" in out:
        data = {}
        for mime, value in out["data"].items():
            if mime in FILES:
                ext, binary = FILES[mime]
                raw = base64.b64decode(value) if binary else "".join(value).encode() \
                    if isinstance(value, list) else str(value).encode()
                name = f"{_sha(raw)[:20]}.{ext}"
                files[name] = raw
                data[mime] = {"file": name}
            elif isinstance(value, (str, list)) and not mime.endswith("json"):
                data[mime] = _lines(value)
            else:
                data[mime] = value
        out["data"] = data
    return out


def entry_of(nb, page: Page, fw: str, record: Record) -> tuple[dict, dict[str, bytes]]:
    """The frozen entry of executed notebook ``nb`` and the files it refers to."""
    files: dict[str, bytes] = {}
    cells = []
    for i, c in enumerate(x for x in nb["cells"] if x["cell_type"] == "code"):
        outs = [_freeze_output(dict(o), files) for o in c.get("outputs", [])]
        cells.append({"cell": i, "execution_count": c.get("execution_count"), "outputs": outs})
    meta = notebook_meta(nb)
    rec = {k: v for k, v in record.to_dict().items() if k not in ("cache", "note", "error")}
    entry = {"format": FORMAT, "page": page.docname, "framework": fw, "key": notebook_key(nb),
             "deps": with_cells(meta.get("deps", {}), nb), "record": rec, "cells": cells}
    entry["checksum"] = _checksum(entry, files)
    return entry, files


def _checksum(entry: dict, files: dict[str, bytes], record: bool = True) -> str:
    """The hash of what ``entry`` holds (with or without its ``record``) and of its files."""
    skip = ("checksum",) if record else ("checksum", "record")
    body = {k: v for k, v in entry.items() if k not in skip}
    return _sha(_canonical(body) + "".join(f"{n}:{_sha(files[n])}" for n in sorted(files)))[:32]


def write(book: Book, fw: str, page: Page, nb, record: Record) -> bool:
    """Freeze executed notebook ``nb`` of ``page``; return whether a file changed. An entry whose
    key and outputs are unchanged is left as it is (its record included)."""
    path = entry_path(book, fw, page)
    entry, files = entry_of(nb, page, fw, record)
    try:
        old = read(book, fw, page)
    except Corrupt:
        old = None
    if old is not None and _checksum(old.entry, old.files, record=False) == \
            _checksum(entry, files, record=False):
        return False            # same key, same outputs: keep the file (and its first record)
    folder = files_dir(path)
    tmp = folder.with_name(folder.name + ".new")
    if tmp.exists():
        shutil.rmtree(tmp)
    if files:
        tmp.mkdir(parents=True)
        for name, raw in files.items():
            (tmp / name).write_bytes(raw)
    if folder.exists():
        shutil.rmtree(folder)
    if files:
        os.replace(tmp, folder)
    write_if_changed(path, _dump(entry))
    return True


def _dump(entry: dict) -> str:
    """The text of an entry file: indented, keys sorted, so diffs stay line by line."""
    return json.dumps(entry, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def prune(book: Book, fw: str) -> list[Path]:
    """Remove the entries of pages that are no longer in the book; return them."""
    root = freeze_root(book) / fw
    keep = {entry_path(book, fw, p) for p in book.ordered_pages()}
    gone = []
    for path in sorted(root.rglob("*.json")) if root.is_dir() else []:
        if path not in keep:
            path.unlink()
            shutil.rmtree(files_dir(path), ignore_errors=True)
            gone.append(path)
    return gone


# --- reading -----------------------------------------------------------------------------

@dataclass
class Frozen:
    """A frozen entry read back and verified."""
    path: Path
    entry: dict
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.entry["key"]

    @property
    def record(self) -> dict:
        return self.entry.get("record", {})


class Corrupt(Exception):
    """A frozen entry that cannot be trusted (unreadable, or not what its checksum says)."""


#: Entries already read and verified in this process, by path, with the file's stamp: planning,
#: status and the execution report all read the same entries.
_READ: dict[Path, tuple[tuple[int, int], Frozen]] = {}


def read(book: Book, fw: str, page: Page) -> Frozen | None:
    """The verified entry of ``page`` (``None`` when there is none); raises :class:`Corrupt`."""
    path = entry_path(book, fw, page)
    try:
        st = path.stat()
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    known = _READ.get(path)
    if known and known[0] == stamp:
        return known[1]
    frozen = _read(book, path)
    _READ[path] = (stamp, frozen)
    return frozen


def _read(book: Book, path: Path) -> Frozen:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        files = {}
        for c in entry["cells"]:
            for o in c["outputs"]:
                for value in (o.get("data") or {}).values():
                    if isinstance(value, dict) and "file" in value:
                        files[value["file"]] = (files_dir(path) / value["file"]).read_bytes()
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise Corrupt(f"{path.relative_to(book.root)}: unreadable ({e})") from None
    if entry.get("format") != FORMAT or entry.get("checksum") != _checksum(entry, files):
        raise Corrupt(f"{path.relative_to(book.root)}: its checksum does not match its content "
                      "(edited by hand or damaged)")
    return Frozen(path, entry, files)


def _thaw_output(out: dict, files: dict[str, bytes]) -> dict:
    out = dict(out)
    if "text" in out:
        out["text"] = "".join(out["text"])
    if "data" in out:
        data = {}
        for mime, value in out["data"].items():
            if isinstance(value, dict) and "file" in value and mime in FILES:
                raw = files[value["file"]]
                data[mime] = base64.b64encode(raw).decode() if FILES[mime][1] else raw.decode()
            elif isinstance(value, list):
                data[mime] = "".join(value)
            else:
                data[mime] = value
        out["data"] = data
    return out


def executed(nb, frozen: Frozen):
    """A copy of notebook ``nb`` with the outputs of ``frozen`` (whose key must match)."""
    import nbformat
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    code = [c for c in nb.cells if c.cell_type == "code"]
    for c, stored in zip(code, frozen.entry["cells"]):
        c.execution_count = stored.get("execution_count")
        c.outputs = [nbformat.from_dict(_thaw_output(o, frozen.files)) for o in stored["outputs"]]
    return nb


# --- state and reasons -------------------------------------------------------------------

@dataclass
class Status:
    """Where one page × framework stands."""
    page: Page
    framework: str
    state: State
    reasons: list[str] = field(default_factory=list)
    seconds: float | None = None          # the recorded time of its last run
    frozen: Frozen | None = None
    rekey: bool = False                   # fresh, but stored under an older key (see covers)


def status(book: Book, fw: str, page: Page, nb) -> Status:
    """Whether ``page``'s frozen entry for ``fw`` fits its current notebook ``nb``, and why not."""
    try:
        frozen = read(book, fw, page)
    except Corrupt as e:
        return Status(page, fw, "corrupt", [str(e)])
    if frozen is None:
        return Status(page, fw, "missing", ["never executed and frozen"])
    seconds = frozen.record.get("seconds")
    if frozen.key == notebook_key(nb):
        return Status(page, fw, "fresh", [], seconds, frozen)
    if covers(frozen.entry, nb):
        return Status(page, fw, "fresh", [], seconds, frozen, rekey=True)
    return Status(page, fw, "stale", reasons(frozen.entry, nb), seconds, frozen)


def covers(entry: dict, nb) -> bool:
    """Whether ``entry``'s outputs hold for ``nb`` although its key differs: the same kernel and
    code cells, and every dependency ``nb`` has now was there, unchanged, when the entry ran —
    each ``d2l`` definition it uses, the library's imports, the pins, the data, the declared
    files, the front matter and the kernels' environment. The entry may have depended on more
    (a definition it no longer uses, or one a finer reading of the library no longer counts):
    that cannot change its outputs."""
    old = entry.get("deps") or {}
    new = with_cells(notebook_meta(nb).get("deps") or {}, nb)
    if not old.get("cells") or any(old.get(k) != new.get(k) for k in
                                   ("cells", "kernel", "requirements", "files", "front_matter",
                                    "kernel_env")):
        return False
    lib_old, lib_new = old.get("library") or {}, new.get("library") or {}
    defs_old, data_old = lib_old.get("defs") or {}, old.get("data") or {}
    return (lib_old.get("header") == lib_new.get("header")
            and all(defs_old.get(n) == h for n, h in (lib_new.get("defs") or {}).items())
            and all(data_old.get(n) == h for n, h in (new.get("data") or {}).items()))


def rekey(book: Book, fw: str, page: Page, nb, frozen: Frozen) -> None:
    """Rewrite ``frozen``, which :func:`covers` ``nb``, under ``nb``'s key and dependencies; its
    outputs, files and record stay as they are."""
    entry = dict(frozen.entry, key=notebook_key(nb),
                 deps=with_cells(notebook_meta(nb).get("deps", {}), nb))
    entry["checksum"] = _checksum(entry, frozen.files)
    write_if_changed(frozen.path, _dump(entry))


def _changed(old: dict, new: dict) -> tuple[list[str], list[str], list[str]]:
    return ([k for k in new if k in old and old[k] != new[k]], [k for k in new if k not in old],
            [k for k in old if k not in new])


def reasons(entry: dict, nb) -> list[str]:
    """What changed between a frozen entry and the current notebook ``nb``, in words."""
    meta = notebook_meta(nb)
    old, new = entry.get("deps", {}), meta.get("deps", {})
    out = []
    kernel = nb["metadata"].get("kernelspec", {}).get("name", "")
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    lines = [ln for c, ln in zip(nb["cells"], meta.get("cell_lines", [])) if c["cell_type"] == "code"]
    old_cells, new_cells = old.get("cells", []), [_cell_hash(c) for c in code]
    if old_cells and old_cells != new_cells:
        for i, h in enumerate(new_cells):
            if i >= len(old_cells) or old_cells[i] != h:
                where = f" (line {lines[i]})" if i < len(lines) else ""
                out.append(f"code cell {i + 1}{where} changed" if i < len(old_cells)
                           else f"code cell {i + 1}{where} added")
        if len(old_cells) > len(new_cells):
            out.append(f"{len(old_cells) - len(new_cells)} code cell(s) removed")
    if old.get("kernel", kernel) != kernel:
        out.append(f"kernel {old.get('kernel')} -> {kernel}")
    lib_old, lib_new = old.get("library", {}), new.get("library", {})
    changed, added, removed = _changed(lib_old.get("defs", {}), lib_new.get("defs", {}))
    for label, names in (("changed", changed), ("newly used", added), ("no longer used", removed)):
        if names:
            out.append(f"d2l definition(s) {label}: {', '.join(names)}")
    if lib_old.get("header") != lib_new.get("header"):
        out.append("the d2l library's imports changed")
    pins_old = old.get("requirements", {}).get("pins", {})
    pins_new = new.get("requirements", {}).get("pins", {})
    changed, added, removed = _changed(pins_old, pins_new)
    file = new.get("requirements", {}).get("file", "requirements")
    out += [f"{file}: {pins_old[k]} -> {pins_new[k]}" for k in changed]
    out += [f"{file}: added {pins_new[k]}" for k in added]
    out += [f"{file}: removed {pins_old[k]}" for k in removed]
    changed, added, removed = _changed(old.get("data", {}), new.get("data", {}))
    if changed or added or removed:
        out.append(f"data entries changed: {', '.join(changed + added + removed)}")
    changed, added, removed = _changed(old.get("files", {}), new.get("files", {}))
    if changed or added or removed:
        out.append(f"declared files changed: {', '.join(changed + added + removed)}")
    if old.get("front_matter") != new.get("front_matter"):
        out.append("the front matter changed")
    if old.get("kernel_env") != new.get("kernel_env"):
        out.append("the kernels' environment changed")
    return out or ["the code cells' metadata changed"]


def _cell_hash(cell) -> str:
    meta = {k: v for k, v in cell.get("metadata", {}).items() if k != "d2l_deps"}
    return _sha(_canonical([cell["source"], meta]))[:16]


def with_cells(deps: dict, nb) -> dict:
    """``deps`` plus the hash of each code cell and the kernel name (what :func:`reasons`
    compares cell by cell)."""
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    return {**deps, "cells": [_cell_hash(c) for c in code],
            "kernel": nb["metadata"].get("kernelspec", {}).get("name", "")}
