"""The layout of ``_build/``, in one place: every stage asks here where its inputs and outputs
live, so no module computes a path inside ``_build/`` on its own.

::

    _build/
      src/<fw>/            notebooks, conf.py, assets (notebooks stage; Sphinx's source folder)
      execution/<fw>.json  execution records (execute stage)
      jupyter/kernels/     this book's kernelspecs (execute and render stages)
      sphinx/<fw>/         Sphinx's incremental work folder (doctrees, html, latex)
      html/<fw>/           the finished sites (replaced only after a successful build)
      pdf/<slug>-<fw>.pdf  the PDFs
      colab/<version>/<fw>/  Colab notebooks
      site/                the versioned site that is published
      stamps/<step>.json   what each step's last successful run read (scripts/stamps.py)
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildLayout:
    root: Path                     # <book>/_build

    def src(self, fw: str) -> Path:
        return self.root / "src" / fw

    def notebook(self, fw: str, outname: str) -> Path:
        return self.src(fw) / f"{outname}.ipynb"

    def records(self, fw: str) -> Path:
        return self.root / "execution" / f"{fw}.json"

    @property
    def jupyter(self) -> Path:
        return self.root / "jupyter"

    def sphinx(self, fw: str) -> Path:
        return self.root / "sphinx" / fw

    def html(self, fw: str) -> Path:
        return self.root / "html" / fw

    def pdf(self, slug: str, fw: str) -> Path:
        return self.root / "pdf" / f"{slug}-{fw}.pdf"

    def colab(self, version: str) -> Path:
        return self.root / "colab" / version

    @property
    def site(self) -> Path:
        return self.root / "site"

    def stamp(self, step: str) -> Path:
        """The stamp of ``step`` (e.g. ``html-pytorch``): see :mod:`scripts.stamps`."""
        return self.root / "stamps" / f"{step}.json"

    def staging(self, name: str) -> Path:
        """A private folder beside the outputs, for building something before it replaces the
        real one."""
        return self.root / f".{name}-{os.getpid()}"


def replace_dir(src: Path, dest: Path, copy: bool = True, ignore=None) -> None:
    """Replace folder ``dest`` by ``src`` (a copy of it, or ``src`` itself when ``copy`` is
    false) in nearly one step: the new tree is built beside ``dest`` and swapped in with
    renames, so a reader never sees a half-written folder and a failure leaves ``dest`` as it
    was."""
    tmp = dest.with_name(f".{dest.name}.new")
    old = dest.with_name(f".{dest.name}.old")
    for p in (tmp, old):
        if p.exists():
            shutil.rmtree(p)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if copy:
        shutil.copytree(src, tmp, ignore=ignore)
    else:
        os.replace(src, tmp)
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old.exists():
        shutil.rmtree(old)


def sync_dir(src: Path, dest: Path, ignore=None) -> int:
    """Make folder ``dest`` a copy of ``src`` by copying only the files whose size or time
    differ and removing those ``src`` no longer has; return how many files and folders changed.

    Each file is replaced in one step (a copy beside it, then a rename), so a reader never sees a
    half-written file. A ``dest`` that does not exist yet is created with :func:`replace_dir`."""
    if not dest.is_dir():
        replace_dir(src, dest, ignore=ignore)
        return -1
    changed = 0
    wanted: set[Path] = set()
    for folder, subfolders, names in os.walk(src):
        folder = Path(folder)
        rel = folder.relative_to(src)
        skip = set(ignore(str(folder), subfolders + names)) if ignore else set()
        subfolders[:] = [d for d in subfolders if d not in skip]
        (dest / rel).mkdir(parents=True, exist_ok=True)
        wanted.add(dest / rel)
        for name in names:
            if name in skip:
                continue
            a, b = folder / name, dest / rel / name
            wanted.add(b)
            sa = a.stat()
            try:
                sb = b.stat()
                if sb.st_size == sa.st_size and sb.st_mtime_ns == sa.st_mtime_ns:
                    continue
            except FileNotFoundError:
                pass
            tmp = b.with_name(f".{name}.sync{os.getpid()}")
            shutil.copy2(a, tmp)
            os.replace(tmp, b)
            changed += 1
    for folder, subfolders, names in os.walk(dest, topdown=False):
        folder = Path(folder)
        for name in names:
            if folder / name not in wanted:
                (folder / name).unlink()
                changed += 1
        if folder not in wanted and folder != dest:
            folder.rmdir()
            changed += 1
    return changed

