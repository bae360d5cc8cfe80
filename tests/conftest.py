"""Shared helpers: run the toolchain as a user would, on copies of the fixture book."""
from __future__ import annotations

import os
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


def copy_fixture(dest: Path) -> Path:
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("_build", "__pycache__"))
    return dest


@pytest.fixture
def book(tmp_path) -> Path:
    """A fresh copy of the fixture book to modify."""
    return copy_fixture(tmp_path / "book")


@pytest.fixture(scope="session")
def built_fixture(tmp_path_factory) -> Path:
    """The fixture book, copied and built end to end (execution included) in all frameworks."""
    root = copy_fixture(tmp_path_factory.mktemp("built") / "fixture")
    run_scripts("execute", "--no-progress", "--root", root, check=True)
    run_scripts("html", "-q", "--root", root, check=True)
    return root


@pytest.fixture(scope="session")
def published_fixture(built_fixture) -> Path:
    """The built fixture with PDFs and a versioned site holding two versions, 0.0.1 and 0.0.2
    (the second built with ``D2L_VERSION``, as a release tag would)."""
    root = built_fixture
    run_scripts("pdf", "--root", root, check=True)
    run_scripts("site", "--root", root, check=True)
    run_scripts("html", "-q", "--root", root, check=True, env={"D2L_VERSION": "0.0.2"})
    run_scripts("site", "--root", root, check=True, env={"D2L_VERSION": "0.0.2"})
    return root
