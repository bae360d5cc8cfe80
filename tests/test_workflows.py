"""The GitHub workflows: valid for actionlint, and safe with self-hosted runners."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = Path(sys.executable).parent / "actionlint"


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))      # YAML 1.1 reads the key `on` as True
    return data


def test_actionlint_is_clean():
    assert ACTIONLINT.exists(), "actionlint missing: `make envs` installs it (requirements-tools)"
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} == {"ci.yml", "book.yml"}
    r = subprocess.run([str(ACTIONLINT), "-no-color", *map(str, files)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n"
                   "      - run: echo ${{ github.evnt.name }}\n")
    r = subprocess.run([str(ACTIONLINT), "-no-color", str(bad)], capture_output=True, text=True)
    assert r.returncode != 0 and "evnt" in r.stdout


def test_ci_runs_make_test_read_only():
    ci = load("ci.yml")
    assert "pull_request" in ci["on"]
    assert ci["permissions"] == {"contents": "read"}
    text = (WORKFLOWS / "ci.yml").read_text()
    assert "secrets." not in text and "self-hosted" not in text
    steps = [s.get("run", "") for s in ci["jobs"]["test"]["steps"]]
    assert "make test" in steps


def test_book_never_runs_for_pull_requests():
    book = load("book.yml")
    assert set(book["on"]) <= {"push", "workflow_dispatch"}          # no pull_request(_target)
    assert book["on"]["push"]["branches"] == ["main"] and book["on"]["push"]["tags"] == ["v*"]
    for name, job in book["jobs"].items():
        assert "github.repository == 'd2l-book/d2l-book'" in job["if"], name
    matrix = book["jobs"]["execute"]["strategy"]["matrix"]
    assert "needs.plan.outputs.stale" in matrix["framework"]       # only what is stale runs
    assert "self-hosted" in book["jobs"]["execute"]["runs-on"]


def test_gpu_jobs_install_the_gpu_extras_and_fail_without_a_gpu():
    steps = load("book.yml")["jobs"]["execute"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "pip install -r requirements-gpu.txt" in runs
    assert "torch.cuda.is_available()" in runs and "jax.default_backend() == 'gpu'" in runs
    assert any(s.get("env", {}).get("XLA_PYTHON_CLIENT_PREALLOCATE") == "false" for s in steps)


def test_freeze_is_proposed_and_publishing_renders_from_it():
    jobs = load("book.yml")["jobs"]
    propose = "\n".join(s.get("run", "") for s in jobs["propose"]["steps"])
    assert "cache-import" in propose and "gh pr create" in propose and "git add _freeze" in propose
    runs = "\n".join(s.get("run", "") for s in jobs["publish"]["steps"])
    assert "status --check" in runs and "cache-import" not in runs and "execute" not in runs
    assert "publish --into gh-pages" in runs and "scripts pdf" in runs
    assert "needs.plan.outputs.stale == '[]'" in jobs["publish"]["if"]
