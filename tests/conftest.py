"""Shared helpers: run the toolchain as a user would, on copies of the fixture book.

Two layers: :func:`call` runs a pure command (check, lib, notebooks, import-d2lbook) inside the
test process, so the fast tests (``pytest -m "not slow"``) take seconds; :func:`run_scripts` runs
any command in a subprocess, as a user would, for the end-to-end tests marked ``slow`` (kernels,
Sphinx, LaTeX, a browser).
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixture"
FRAMEWORKS = ["pytorch", "tensorflow", "mxnet", "jax"]


def run_scripts(*args, check=False, env=None, **kw) -> subprocess.CompletedProcess:
    """``python -m scripts <args>`` from the repo, capturing text output."""
    r = subprocess.run([sys.executable, "-m", "scripts", *map(str, args)], cwd=REPO,
                       capture_output=True, text=True,
                       env={**os.environ, **env} if env else None, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"scripts {args} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


#: Commands that neither start kernels nor change the process (safe to run in-process).
PURE = {"check", "lib", "notebooks", "import-d2lbook"}


def call(*args, check=False, env=None) -> subprocess.CompletedProcess:
    """``python -m scripts <args>`` of a pure command, run inside this process."""
    from scripts.__main__ import main
    args = [str(a) for a in args]
    assert args[0] in PURE, f"{args[0]} is not pure: use run_scripts"
    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as e:          # argparse's usage errors
                code = e.code if isinstance(e.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    r = subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())
    if check and code != 0:
        raise AssertionError(f"scripts {args} failed ({code}):\n{r.stdout}\n{r.stderr}")
    return r


def copy_fixture(dest: Path) -> Path:
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("_build", "__pycache__"))
    return dest


@pytest.fixture
def book(tmp_path) -> Path:
    """A fresh copy of the fixture book to modify."""
    return copy_fixture(tmp_path / "book")


@pytest.fixture(scope="session")
def executed_fixture(tmp_path_factory) -> tuple[Path, Path]:
    """The fixture book executed once per session in all frameworks: (its folder, with the
    frozen outputs in ``_freeze/``; the execution cache that run filled)."""
    cache = tmp_path_factory.mktemp("fixture-cache")
    root = copy_fixture(tmp_path_factory.mktemp("executed") / "fixture")
    run_scripts("execute", "--no-progress", "--root", root, check=True,
                env={"D2L_CACHE_DIR": str(cache)})
    return root, cache


@pytest.fixture(scope="session")
def fixture_cache(executed_fixture) -> Path:
    """The execution cache of :func:`executed_fixture`; tests that need executed pages start
    from a copy of it (:func:`warm_cache`)."""
    return executed_fixture[1]


@pytest.fixture
def frozen_book(executed_fixture, tmp_path) -> Path:
    """A fresh clone of the executed fixture: its sources and frozen outputs, no ``_build``."""
    dest = tmp_path / "clone"
    shutil.copytree(executed_fixture[0], dest, ignore=shutil.ignore_patterns("_build"))
    return dest


@pytest.fixture
def warm_cache(fixture_cache, tmp_path) -> dict:
    """The environment of a private copy of the session's executed fixture cache."""
    cache = tmp_path / "cache"
    shutil.copytree(fixture_cache, cache)
    return {**os.environ, "D2L_CACHE_DIR": str(cache)}


@pytest.fixture(scope="session")
def built_fixture(tmp_path_factory, fixture_cache) -> Path:
    """The fixture book, copied and built end to end in all frameworks, rendered from the
    session's execution cache (executing nothing more)."""
    root = copy_fixture(tmp_path_factory.mktemp("built") / "fixture")
    env = {"D2L_CACHE_DIR": str(fixture_cache)}
    r = run_scripts("execute", "--no-progress", "--root", root, check=True, env=env)
    assert re.findall(r"\] \w+: (\d+) executed", r.stdout) == ["0"] * len(FRAMEWORKS), r.stdout
    run_scripts("html", "-q", "--root", root, check=True, env=env)
    return root


@pytest.fixture(scope="session")
def published_fixture(built_fixture, fixture_cache) -> Path:
    """The built fixture with PDFs and a versioned site holding two versions, 0.0.1 and 0.0.2
    (the second built with ``D2L_VERSION``, as a release tag would)."""
    root = built_fixture
    env = {"D2L_CACHE_DIR": str(fixture_cache)}
    run_scripts("pdf", "--root", root, check=True, env=env)
    run_scripts("site", "--root", root, check=True, env=env)
    env2 = {**env, "D2L_VERSION": "0.0.2"}
    run_scripts("html", "-q", "--root", root, check=True, env=env2)
    run_scripts("site", "--root", root, check=True, env=env2)
    return root
