"""``python -m scripts import-d2lbook``: convert the d2lbook project in tests/d2lbook_project and
check the result with ``python -m scripts check``; each error names file:line."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
PROJECT = REPO / "tests" / "d2lbook_project"


def run(*args: str | Path) -> subprocess.CompletedProcess:
    from conftest import call
    return call(*args)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("migrate") / "out"
    r = run("import-d2lbook", PROJECT, dest)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "5 page(s), 1 image(s), 4 framework(s)" in r.stdout
    return dest


def test_toc(out):
    toc = yaml.safe_load((out / "_toc.yml").read_text())
    assert toc["format"] == "jb-book"
    assert toc["root"] == "book/index"
    assert toc["parts"] == [
        {"numbered": False, "chapters": [{"file": "book/chapter_preface/index"}]},
        {"numbered": True, "chapters": [
            {"file": "book/chapter_intro/index",
             "sections": [{"file": "book/chapter_intro/tensors"},
                          {"file": "book/chapter_intro/linear"}]}]},
    ]


def test_config(out):
    cfg = yaml.safe_load((out / "_config.yml").read_text())
    assert cfg["title"] == "Tiny Dive into Deep Learning"
    assert cfg["author"] == "The d2l book authors"
    assert cfg["bibtex_bibfiles"] == ["references.bib"]
    assert cfg["execute"] == {"execute_notebooks": "cache", "timeout": 600}
    fws = cfg["frameworks"]
    assert fws["default"] == "mxnet"
    assert list(fws["available"]) == ["mxnet", "pytorch", "tensorflow", "jax"]
    assert fws["available"]["pytorch"] == {
        "display": "PyTorch", "module": "torch", "extra": "torch", "kernel": "d2l-pytorch",
        "requirements": "requirements-pytorch.txt"}
    assert [f["kernel"] for f in fws["available"].values()] == [
        "d2l-mxnet", "d2l-pytorch", "d2l-tensorflow", "d2l-jax"]
    assert fws["available"]["jax"]["display"] == "JAX"
    assert fws["available"]["mxnet"]["module"] == "mxnet"


def test_files(out):
    pages = sorted(p.relative_to(out).as_posix() for p in (out / "book").rglob("*.md"))
    assert pages == ["book/chapter_intro/index.md", "book/chapter_intro/linear.md",
                     "book/chapter_intro/tensors.md", "book/chapter_preface/index.md",
                     "book/index.md"]          # README.md is not in the toc: not copied
    for page in ("chapter_intro/tensors.md", "chapter_intro/linear.md",
                 "chapter_preface/index.md"):
        assert (out / "book" / page).read_bytes() == (PROJECT / page).read_bytes()
    assert (out / "book/img/x.svg").read_bytes() == (PROJECT / "img/x.svg").read_bytes()
    assert (out / "references.bib").read_bytes() == (PROJECT / "d2l.bib").read_bytes()
    assert not list(out.parent.glob(".out.*")), "temporary folders were left behind"


def test_toc_blocks_removed(out):
    root = (out / "book/index.md").read_text()
    chapter = (out / "book/chapter_intro/index.md").read_text()
    for text in (root, chapter):
        assert "```toc" not in text and ":maxdepth:" not in text and "\n\n\n" not in text
    assert root == ("Tiny Dive into Deep Learning\n============================\n\n"
                    "A two-chapter book in the d2lbook dialect.\n")
    assert chapter == ((PROJECT / "chapter_intro/index.md").read_text()
                       .replace("```toc\n:maxdepth: 2\n\ntensors\nlinear\n```\n\n", ""))


def test_check_passes(out):
    r = run("check", "--root", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "5 page(s), 4 frameworks: no problems" in r.stdout


def test_missing_config(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text("# Book\n")
    r = run("import-d2lbook", src, tmp_path / "out")
    assert r.returncode == 1
    assert "config.ini:" in r.stderr and "config.ini is missing" in r.stderr
    assert "—" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_missing_toc_entry(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(PROJECT, src)
    index = src / "chapter_intro" / "index.md"
    text = index.read_text()
    index.write_text(text.replace("\nlinear\n", "\nlinaer\n"))
    line = text.splitlines().index("linear") + 1
    r = run("import-d2lbook", src, tmp_path / "out")
    assert r.returncode == 1
    assert f"chapter_intro/index.md:{line}: toc entry 'linaer' names a missing page" in r.stderr
    assert "create chapter_intro/linaer.md or remove the entry" in r.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["src"]     # nothing half-written


def test_nonempty_dest_needs_force(tmp_path):
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine\n")
    r = run("import-d2lbook", PROJECT, dest)
    assert r.returncode == 1
    assert f"{dest}: DEST is not empty" in r.stderr
    assert "--force" in r.stderr
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]
    r = run("import-d2lbook", PROJECT, dest, "--force")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not (dest / "keep.txt").exists() and (dest / "_toc.yml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
