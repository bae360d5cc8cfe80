"""The dependency fingerprint of a notebook: what its outputs depend on besides its own code.

jupyter-cache keys an entry on the code cells (source and metadata) and the kernelspec only, so a
change in the ``d2l`` code a notebook calls, in the framework's pinned environment or in a data
set it loads would leave stale outputs.  The fingerprint hashes exactly those dependencies and is
stored in the metadata of the notebook's first code cell, which is part of jupyter-cache's key:
the key changes when, and only when, a dependency does.

* library: the ``d2l`` definitions the notebook uses (``d2l.<name>``), followed transitively
  through the library (a definition's own ``d2l.<name>`` uses and the bare names it refers to,
  read from its syntax tree: ``nn.GRU`` or a word in a docstring is not a use of the library's
  ``GRU``), plus the library's import header;
* requirements: the framework's pinned requirements file;
* data: the ``DATA_HUB`` entries (url, sha1) whose names appear in the notebook or in the
  definitions it uses;
* files: the files a section declares in its front matter (``depends: [path, ...]``), and the
  front matter itself (``gpu``, ``timeout``, ...).
"""
from __future__ import annotations

import ast
import functools
import hashlib
import json
import re
from pathlib import Path

D2L_USE = re.compile(r"\bd2l\.([A-Za-z_]\w*)")
STRING = re.compile(r"""['"]([A-Za-z0-9_.\-]+)['"]""")
METADATA_KEY = "d2l_deps"


def _sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def _references(node: ast.AST) -> set[str]:
    """The names a top-level definition refers to: every bare name it reads or binds (``Module``
    as a base class, ``relu(x)``, a default argument) and every ``d2l.<name>`` attribute. An
    attribute of anything else (``nn.GRU``, ``self.Module``) and words in strings are not
    references."""
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "d2l":
            names.add(n.attr)
    return names


class Library:
    """The top-level definitions of one generated ``d2l/<module>.py`` text."""

    def __init__(self, text: str):
        tree = ast.parse(text)
        lines = text.split("\n")
        self.defs: dict[str, str] = {}
        self.data_hub: dict[str, str] = {}
        self._refs: dict[str, set[str]] = {}
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
                self._refs[name] = _references(node)
        self.header = "\n".join(header)

    def closure(self, code: str) -> list[str]:
        """Library names used by ``code``, followed transitively, sorted."""
        todo = [n for n in D2L_USE.findall(code) if n in self.defs]
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo += [r for r in self._refs[name] if r in self.defs and r not in seen]
        return sorted(seen)


@functools.lru_cache(maxsize=16)
def _requirements(path: str, mtime_ns: int) -> tuple[str, dict[str, str]]:
    """(hash, pins) of a requirements file, read once per version of it."""
    data = Path(path).read_bytes()
    return _sha(data), _pins(data.decode())


def requirements_of(requirements: Path) -> tuple[str, dict[str, str]]:
    """(hash, ``{package: requirement line}``) of a pinned requirements file; ``("missing",
    {})`` when there is none."""
    if not requirements.is_file():
        return "missing", {}
    return _requirements(str(requirements), requirements.stat().st_mtime_ns)


def _pins(text: str) -> dict[str, str]:
    """``{package: requirement line}`` of a pinned requirements file (comments dropped)."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name = re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower().replace("_", "-")
            pins[name] = line
    return pins


def manifest(code: str, library: Library, requirements: Path, front_matter: dict,
             book_root: Path, kernel_env: dict | None = None) -> dict:
    """Every dependency of a notebook whose code cells are ``code``, one hash per item, so that
    a change can be named: the ``d2l`` definitions it uses (by name), the pins of its
    requirements file (by package), the data sets it reads, its declared files, its front
    matter and what its kernel's environment holds (``kernel_env``; it can change outputs)."""
    used = library.closure(code)
    text = code + "\n".join(library.defs[n] for n in used)
    data_names = sorted({s for s in STRING.findall(text) if s in library.data_hub})
    files = {}
    for rel in front_matter.get("depends") or []:
        p = book_root / rel
        files[rel] = _sha(p.read_bytes())[:16] if p.is_file() else "missing"
    return {
        "library": {"header": _sha(library.header)[:16],
                    "defs": {n: _sha(library.defs[n])[:16] for n in used}},
        "requirements": {"file": requirements.name, "pins": requirements_of(requirements)[1]},
        "data": {n: _sha(library.data_hub[n])[:16] for n in data_names},
        "files": files,
        "front_matter": _sha(json.dumps(front_matter, sort_keys=True, default=str))[:16],
        "kernel_env": _sha(json.dumps(kernel_env or {}, sort_keys=True))[:16],
    }


def compute(code: str, library: Library, requirements: Path, front_matter: dict,
            book_root: Path, kernel_env: dict | None = None) -> dict:
    """The fingerprint of a notebook whose code cells are ``code``: a short hash of each kind
    of dependency of its :func:`manifest` and one of them all."""
    m = manifest(code, library, requirements, front_matter, book_root, kernel_env)
    return from_manifest(m, library, requirements, bool(kernel_env))


def from_manifest(m: dict, library: Library, requirements: Path, kernel_env: bool = True) -> dict:
    """:func:`compute` from a :func:`manifest` already made."""
    used = list(m["library"]["defs"])
    lib_hash = _sha(library.header + "\0" + "\0".join(f"{n}\0{library.defs[n]}" for n in used))
    data_hash = _sha("\0".join(library.data_hub[n] for n in m["data"]))
    req_hash = requirements_of(requirements)[0]
    files_hash = _sha("\0".join(f"{rel}\0{h}" for rel, h in m["files"].items()))
    parts = {"library": lib_hash[:16], "requirements": req_hash[:16], "data": data_hash[:16],
             "files": files_hash[:16], "front_matter": m["front_matter"]}
    if kernel_env:
        parts["kernel_env"] = m["kernel_env"]
    return {"fingerprint": _sha("\0".join(parts.values()))[:16], **parts,
            "uses": used, "datasets": list(m["data"])}


def stamp(nb: dict, fp: dict) -> None:
    """Store ``fp`` in the metadata of the first code cell (part of jupyter-cache's key)."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["metadata"][METADATA_KEY] = fp
            return
