"""The dependency fingerprint of a notebook: what its outputs depend on besides its own code.

jupyter-cache keys an entry on the code cells (source and metadata) and the kernelspec only, so a
change in the ``d2l`` code a notebook calls, in the framework's pinned environment or in a data
set it loads would leave stale outputs.  The fingerprint hashes exactly those dependencies and is
stored in the metadata of the notebook's first code cell, which is part of jupyter-cache's key:
the key changes when, and only when, a dependency does.

* library: the ``d2l`` definitions the notebook uses (``d2l.<name>``), followed transitively
  through the library (a definition's own ``d2l.<name>`` uses and bare references to other
  library names), plus the library's import header;
* requirements: the framework's pinned requirements file;
* data: the ``DATA_HUB`` entries (url, sha1) whose names appear in the notebook or in the
  definitions it uses;
* files: the files a section declares in its front matter (``depends: [path, ...]``), and the
  front matter itself (``gpu``, ``timeout``, ...).
"""
from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path

D2L_USE = re.compile(r"\bd2l\.([A-Za-z_]\w*)")
STRING = re.compile(r"""['"]([A-Za-z0-9_.\-]+)['"]""")
METADATA_KEY = "d2l_deps"


def _sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


class Library:
    """The top-level definitions of one generated ``d2l/<module>.py`` text."""

    def __init__(self, text: str):
        tree = ast.parse(text)
        lines = text.split("\n")
        self.defs: dict[str, str] = {}
        self.data_hub: dict[str, str] = {}
        header = []
        for node in tree.body:
            src = "\n".join(lines[node.lineno - 1:node.end_lineno])
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                header.append(src)
                continue
            name = None
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = node.name
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                t = node.targets[0]
                if isinstance(t, ast.Name):
                    name = t.id
                elif (isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)
                      and t.value.id == "DATA_HUB" and isinstance(t.slice, ast.Constant)):
                    self.data_hub[str(t.slice.value)] = src
                    continue
            if name:
                self.defs[name] = src
        self.header = "\n".join(header)
        self._names = re.compile(r"\b(" + "|".join(map(re.escape, self.defs)) + r")\b") \
            if self.defs else None

    def closure(self, code: str) -> list[str]:
        """Library names used by ``code``, followed transitively, sorted."""
        todo = [n for n in D2L_USE.findall(code) if n in self.defs]
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            src = self.defs[name]
            refs = set(D2L_USE.findall(src)) | (set(self._names.findall(src)) if self._names else set())
            todo += [r for r in refs if r in self.defs and r not in seen]
        return sorted(seen)


def compute(code: str, library: Library, requirements: Path, front_matter: dict,
            book_root: Path, kernel_env: dict | None = None) -> dict:
    """The fingerprint of a notebook whose code cells are ``code``; ``kernel_env`` is the
    environment the kernel gets besides the book's path (it can change outputs)."""
    used = library.closure(code)
    lib_hash = _sha(library.header + "\0" + "\0".join(f"{n}\0{library.defs[n]}" for n in used))
    text = code + "\n".join(library.defs[n] for n in used)
    data_names = sorted({s for s in STRING.findall(text) if s in library.data_hub})
    data_hash = _sha("\0".join(library.data_hub[n] for n in data_names))
    req_hash = _sha(requirements.read_bytes()) if requirements.is_file() else "missing"
    files = []
    for rel in front_matter.get("depends") or []:
        p = book_root / rel
        files.append(f"{rel}\0{_sha(p.read_bytes()) if p.is_file() else 'missing'}")
    files_hash = _sha("\0".join(files))
    front_hash = _sha(json.dumps(front_matter, sort_keys=True, default=str))
    parts = {"library": lib_hash[:16], "requirements": req_hash[:16], "data": data_hash[:16],
             "files": files_hash[:16], "front_matter": front_hash[:16]}
    if kernel_env:
        parts["kernel_env"] = _sha(json.dumps(kernel_env, sort_keys=True))[:16]
    return {"fingerprint": _sha("\0".join(parts.values()))[:16], **parts,
            "uses": used, "datasets": data_names}


def stamp(nb: dict, fp: dict) -> None:
    """Store ``fp`` in the metadata of the first code cell (part of jupyter-cache's key)."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["metadata"][METADATA_KEY] = fp
            return
