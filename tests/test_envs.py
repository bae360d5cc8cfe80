"""Stage 0: shared, hash-keyed venvs and kernelspecs."""
import json
import os
import subprocess
import sys
import time

import pytest

from conftest import REPO
from scripts import envs


@pytest.mark.slow
def test_venv_is_shared_keyed_and_idempotent(tmp_path, monkeypatch):
    monkeypatch.setenv("D2L_VENV_CACHE", str(tmp_path / "cache"))
    req = tmp_path / "requirements-tiny.txt"
    req.write_text("# nothing to install\n")
    clone_a, clone_b = tmp_path / "a", tmp_path / "b"
    link = envs.ensure_venv(clone_a, "tiny", req)
    target = link.resolve()
    assert link.is_symlink() and target.parent == tmp_path / "cache"
    assert target.name.startswith(f"tiny-{envs.python_tag()}-")
    assert (target / envs.MARKER).exists() and (target / "bin" / "python").exists()
    t0 = time.time()
    link_b = envs.ensure_venv(clone_b, "tiny", req)      # a second clone reuses it
    assert time.time() - t0 < 2 and link_b.resolve() == target
    req.write_text("# nothing to install, but a different pin file\n")
    assert envs.shared_venv_dir("tiny", req) != target   # new pins, new venv


@pytest.mark.slow
def test_interrupted_build_is_redone(tmp_path, monkeypatch):
    monkeypatch.setenv("D2L_VENV_CACHE", str(tmp_path / "cache"))
    req = tmp_path / "requirements-tiny.txt"
    req.write_text("\n")
    half = envs.shared_venv_dir("tiny", req)
    half.mkdir(parents=True)
    (half / "junk").write_text("left by a killed build")
    envs.ensure_venv(tmp_path / "clone", "tiny", req)
    assert not (half / "junk").exists() and (half / envs.MARKER).exists()


def test_kernelspec_runs_the_venv_with_the_books_library(tmp_path, monkeypatch):
    monkeypatch.delenv("D2L_PYTHON_JAX", raising=False)
    path = envs.write_kernelspec(tmp_path, "jax", envs.kernel_python(REPO, "jax"), REPO)
    spec = json.loads(path.read_text())
    assert path.parent.name == "d2l-jax"
    assert spec["argv"][0] == str(REPO / ".venvs" / "jax" / "bin" / "python")
    assert spec["env"]["PYTHONPATH"] == str(REPO)
    monkeypatch.setenv("D2L_PYTHON_JAX", "/usr/bin/python3")
    assert envs.kernel_python(REPO, "jax") == "/usr/bin/python3"


@pytest.mark.slow
def test_registered_kernels_import_their_framework():
    for fw, module in [("pytorch", "torch"), ("mxnet", "mxnet")]:
        spec = json.loads((REPO / ".venvs" / "share" / "jupyter" / "kernels" / f"d2l-{fw}" /
                           "kernel.json").read_text())
        r = subprocess.run([spec["argv"][0], "-c", f"import {module}, d2l; print(d2l.__file__)"],
                           env={**os.environ, **spec["env"]}, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == str(REPO / "d2l" / "__init__.py")
    assert sys.version_info[:2] == (3, 11)


def test_a_book_folder_with_only_sources_uses_the_toolchains_files(tmp_path):
    """`envs --root BOOK` and the kernels of `execute --root BOOK` work on a folder that holds
    only the book's sources: the toolchain's requirements, the book's venvs once it has them."""
    assert envs.requirements_path(tmp_path, "requirements-pytorch.txt") == \
        REPO / "requirements-pytorch.txt"
    (tmp_path / "requirements-pytorch.txt").write_text("torch==0\n")
    assert envs.requirements_path(tmp_path, "requirements-pytorch.txt") == \
        tmp_path / "requirements-pytorch.txt"
    assert envs.venv_root(tmp_path, "pytorch") == envs.REPO
    python = tmp_path / ".venvs" / "pytorch" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    assert envs.venv_root(tmp_path, "pytorch") == tmp_path
