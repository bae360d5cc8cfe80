"""Stage 0: the environments.

Builds one virtual environment for the toolchain (``tools``) and one per framework from the pinned
``requirements-<name>.txt`` files, registers a Jupyter kernel ``d2l-<framework>`` for each
framework and installs the Debian packages the build needs. With the framework venvs it fetches
the data files the book's library names in ``DATA_HUB`` from the package registries
(``scripts/data.py``).

The framework venvs are big (torch alone is about 5.6 GB), so they live in a per-user cache folder
shared by every clone on the machine, keyed by the hash of the pinned requirements and the Python
version; ``.venvs/<name>`` in the checkout is a symbolic link to it.  A venv is only used once a
marker file says its installation finished, so an interrupted build is redone rather than trusted.

This module uses the standard library only: it runs before any venv exists.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

#: Debian packages the build and the tests need.  ``dataset-fashion-mnist`` is the real
#: Fashion-MNIST data the book trains on; the TeX packages render the PDFs; chromium drives
#: the browser tests.
APT_PACKAGES = [
    "dataset-fashion-mnist",
    # PDF: a minimal TeX for xelatex + latexmk, fonts, SVG -> PDF, and pdftotext for the tests
    "latexmk", "texlive-latex-recommended", "texlive-fonts-recommended", "texlive-latex-extra",
    "texlive-xetex", "tex-gyre", "fonts-freefont-otf", "xindy", "librsvg2-bin", "poppler-utils",
    # browser tests (Playwright drives Debian's Chromium; no browser download)
    "chromium",
]

MARKER = ".d2l-complete"
#: What every kernel's environment holds besides the book's path (part of the execution
#: fingerprint, since it can change outputs). TensorFlow's start-up log lines (the oneDNN notice,
#: absl's warning) would otherwise land in every page's output.
#: ``SOURCE_DATE_EPOCH`` keeps the date out of matplotlib's SVG files, so frozen outputs are
#: byte-identical when a deterministic page runs again.
KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", "SOURCE_DATE_EPOCH": "0"}
#: Run by every kernel before the notebook, so that outputs are deterministic (and the frozen
#: outputs' diffs readable): matplotlib's SVG ids come from a fixed salt instead of a random one,
#: and the file names ipykernel gives cells (shown in warnings and tracebacks) do not hold the
#: kernel's process id.
KERNEL_STARTUP = ("import matplotlib as _mpl; _mpl.rcParams['svg.hashsalt'] = 'd2l'; "
                  "import ipykernel.compiler as _ikc; "
                  "_ikc.get_tmp_directory = lambda: '/tmp/ipykernel'; del _mpl, _ikc")


def kernel_identity() -> dict:
    """What a kernel gets besides the book's path that can change outputs (part of every
    notebook's dependency fingerprint)."""
    return {**KERNEL_ENV, "startup": KERNEL_STARTUP}
#: The checkout of the toolchain: its ``.venvs/<framework>`` run the kernels of any book.
REPO = Path(__file__).resolve().parent.parent


def cache_home() -> Path:
    """Where shared venvs live: ``$D2L_VENV_CACHE`` or ``~/.cache/d2l-book/venvs``."""
    env = os.environ.get("D2L_VENV_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "d2l-book" / "venvs"


def python_tag() -> str:
    return f"py{sys.version_info.major}{sys.version_info.minor}"


def venv_key(requirements: Path) -> str:
    """Hash of the pinned requirements and the Python version: the identity of a venv."""
    h = hashlib.sha256()
    h.update(requirements.read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()[:12]


def shared_venv_dir(name: str, requirements: Path) -> Path:
    return cache_home() / f"{name}-{python_tag()}-{venv_key(requirements)}"


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_venv(root: Path, name: str, requirements: Path) -> Path:
    """Make ``.venvs/<name>`` point at a complete shared venv built from ``requirements``."""
    if not requirements.is_file():
        raise SystemExit(f"{requirements}: missing requirements file for environment '{name}' — "
                         f"create it or fix the 'requirements' entry in _config.yml")
    target = shared_venv_dir(name, requirements)
    with _locked(target.with_name(target.name + ".lock")):
        if not (target / MARKER).exists():
            print(f"[envs] building {name} venv in {target} (from {requirements.name}) …", flush=True)
            if target.exists():
                shutil.rmtree(target)
            pip = [str(target / "bin" / "python"), "-m", "pip"]
            try:
                subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
                subprocess.run(pip + ["install", "--upgrade", "--quiet", "pip==25.3"], check=True)
                subprocess.run(pip + ["install", "--progress-bar", "on", "-r", str(requirements)],
                               check=True)
            except subprocess.CalledProcessError as e:
                raise SystemExit(f"[envs] building the {name} venv from {requirements.name} failed "
                                 f"(exit {e.returncode}) — read the error above; nothing was "
                                 "marked complete, so the next `make envs` starts that venv again")
            (target / MARKER).write_text(requirements.read_text())
        else:
            print(f"[envs] {name}: up to date ({target.name})", flush=True)
    link = root / ".venvs" / name
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        if link.is_symlink() and os.readlink(link) == str(target):
            return link
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        else:
            link.unlink()
    link.symlink_to(target)
    return link


def kernel_python(root: Path, framework: str) -> str:
    """The interpreter that runs a framework's kernel.

    ``D2L_PYTHON_<FRAMEWORK>`` (e.g. ``D2L_PYTHON_PYTORCH=/usr/bin/python3``) overrides the venv,
    so a GPU runner can point a kernel at its own Python.
    """
    override = os.environ.get(f"D2L_PYTHON_{framework.upper()}")
    if override:
        return override
    return str(root / ".venvs" / framework / "bin" / "python")


def venv_root(book_root: Path, framework: str) -> Path:
    """Whose ``.venvs/<framework>`` runs a book's kernel: the book's own, once ``envs --root
    BOOK`` made it (its pins may differ), else the toolchain checkout's."""
    own = Path(book_root) / ".venvs" / framework / "bin" / "python"
    return Path(book_root) if own.exists() else REPO


def requirements_path(root: Path, name: str) -> Path:
    """A requirements file of the book at ``root``, else the toolchain checkout's (a book
    folder may hold only its sources)."""
    own = root / name
    return own if own.is_file() or not (REPO / name).is_file() else REPO / name


def write_kernelspec(kernels_dir: Path, framework: str, python: str, book_root: Path,
                     kernel: str | None = None) -> Path:
    """Write ``kernels_dir/<kernel>/kernel.json`` (``kernel`` defaults to ``d2l-<framework>``,
    the name ``_config.yml`` gives the framework's kernel).

    The kernel runs ``python`` and sees ``book_root`` on its ``PYTHONPATH``, so ``import d2l`` is
    the library of that book (the checkout's, or a fixture book's) rather than an installed copy.
    """
    spec_dir = kernels_dir / (kernel or f"d2l-{framework}")
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        # log_level: ipykernel warns on every start that its local TCP channels are not
        # encrypted; keep the build's log to errors
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.log_level=ERROR", f"--IPKernelApp.exec_lines={KERNEL_STARTUP}"],
        "display_name": f"d2l ({framework})",
        "language": "python",
        "env": {"PYTHONPATH": str(book_root.resolve()), **KERNEL_ENV},
        "metadata": {"debugger": False},
    }
    text = json.dumps(spec, indent=1) + "\n"
    path = spec_dir / "kernel.json"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


def book_kernels(book, frameworks: list[str]) -> dict[str, str]:
    """Register the kernels of ``book`` (a :class:`scripts.config.Book`) under
    ``_build/jupyter`` and point this process (and its children) at them.

    Each kernel runs this checkout's framework venv (or ``$D2L_PYTHON_<FW>``) with the book's own
    ``d2l`` on its path. Returns the environment changes that were made.
    """
    jupyter = book.build.jupyter
    for fw in frameworks:
        write_kernelspec(jupyter / "kernels", fw, kernel_python(venv_root(book.root, fw), fw),
                         book.root, book.frameworks[fw].kernel)
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    changes = {"JUPYTER_PATH": str(jupyter),
               "PYTHONPATH": os.pathsep.join([str(REPO)] + [p for p in paths if p != str(REPO)])}
    os.environ.update(changes)
    return changes


def missing_apt_packages(packages: list[str]) -> list[str]:
    missing = []
    for pkg in packages:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg],
                           capture_output=True, text=True)
        if "install ok installed" not in r.stdout:
            missing.append(pkg)
    return missing


def ensure_apt(packages: list[str]) -> bool:
    """Install missing Debian packages as root; otherwise print the command. True when all present."""
    if not shutil.which("dpkg-query"):
        print("[envs] not a Debian system: install these packages yourself: " + " ".join(packages))
        return False
    missing = missing_apt_packages(packages)
    if not missing:
        return True
    cmd = "apt-get update && apt-get install -y --no-install-recommends " + " ".join(missing)
    if os.geteuid() != 0:
        print(f"[envs] missing Debian packages; run as root:\n    sudo sh -c '{cmd}'")
        return False
    print(f"[envs] installing Debian packages: {' '.join(missing)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                   check=True, env=env)
    return True


def _frameworks_from_config(root: Path) -> dict[str, tuple[str, str]]:
    """framework -> (requirements file, kernel name), read from ``_config.yml`` with PyYAML
    alone (this runs before the toolchain's venv exists; the toolchain validates the file)."""
    try:
        import yaml  # noqa: PLC0415
    except ImportError:  # pragma: no cover - system Python without PyYAML
        raise SystemExit("[envs] PyYAML is needed to read _config.yml: pip install PyYAML")
    cfg = yaml.safe_load((root / "_config.yml").read_text()) or {}
    fws = (cfg.get("frameworks") or {}).get("available") or {}
    return {name: ((spec or {}).get("requirements", f"requirements-{name}.txt"),
                   (spec or {}).get("kernel", f"d2l-{name}")) for name, spec in fws.items()}


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m scripts envs", description=__doc__.split("\n")[0])
    p.add_argument("--root", default=".", type=Path)
    p.add_argument("--frameworks", default=os.environ.get("FRAMEWORKS", ""),
                   help="comma-separated subset (default: all in _config.yml; env FRAMEWORKS)")
    p.add_argument("--tools-only", action="store_true", help="only the toolchain venv")
    p.add_argument("--no-apt", action="store_true", help="skip the Debian packages")
    p.add_argument("--apt-only", action="store_true", help="only the Debian packages (as root)")
    p.add_argument("--no-data", action="store_true",
                   help="do not fetch the data files DATA_HUB names (d2l.download does it later)")
    args = p.parse_args(argv)
    root = args.root.resolve()

    apt_ok = True if args.no_apt else ensure_apt(APT_PACKAGES)
    if args.apt_only:
        return 0 if apt_ok else 1
    ensure_venv(root, "tools", REPO / "requirements-tools.txt")   # the toolchain's own pins
    if args.tools_only:
        return 0
    available = _frameworks_from_config(root)
    wanted = [f.strip() for f in args.frameworks.split(",") if f.strip()] or list(available)
    for fw in wanted:
        if fw not in available:
            raise SystemExit(f"[envs] unknown framework '{fw}' — choose from {', '.join(available)}")
    kernels = root / ".venvs" / "share" / "jupyter" / "kernels"
    for fw in wanted:
        requirements, kernel = available[fw]
        ensure_venv(root, fw, requirements_path(root, requirements))
        write_kernelspec(kernels, fw, kernel_python(root, fw), root, kernel)
    data_ok = True
    if not args.no_data:
        from scripts import data  # noqa: PLC0415
        data_ok = data.main(root)
    print(f"[envs] ready: tools + {', '.join(wanted)}; kernels in {kernels}"
          + ("" if apt_ok else " (Debian packages missing, see above)")
          + ("" if data_ok else " (data files missing, see above)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
