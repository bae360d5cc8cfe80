"""Stage 6: the versioned site, publishing into an existing tree, Colab notebooks, PDFs."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import FRAMEWORKS, run_scripts

pytestmark = pytest.mark.slow


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_site_layout(published_fixture):
    site = published_fixture / "_build" / "site"
    for v in ("0.0.1", "0.0.2"):
        meta = json.loads((site / v / "version.json").read_text())
        assert meta["version"] == v and meta["frameworks"] == FRAMEWORKS
        for fw in FRAMEWORKS:
            assert (site / v / fw / "basics" / "tensors.html").is_file()
            assert (site / v / "pdf" / f"fixture-{fw}.pdf").read_bytes()[:5] == b"%PDF-"
            with zipfile.ZipFile(site / v / "notebooks" / f"fixture-{fw}.zip") as z:
                names = z.namelist()
            assert f"fixture-{fw}/basics/tensors.ipynb" in names and len(names) == len(set(names))
    switcher = json.loads((site / "switcher.json").read_text())
    assert [e["version"] for e in switcher] == ["0.0.2", "0.0.1"]
    assert switcher[0]["preferred"] and switcher[0]["url"] == "0.0.2/"
    assert json.loads((site / "latest" / "version.json").read_text())["version"] == "0.0.2"
    assert 'url=latest/pytorch/index.html' in (site / "index.html").read_text()
    # the header links to this framework's PDF and notebooks, relative to the version folder
    html = (site / "0.0.1" / "jax" / "basics" / "tensors.html").read_text()
    assert 'href="../../pdf/fixture-jax.pdf"' in html
    assert 'href="../../notebooks/fixture-jax.zip"' in html
    assert 'data-current="0.0.1"' in html


def test_colab_notebooks(published_fixture):
    colab = published_fixture / "_build" / "colab" / "0.0.2" / "tensorflow"
    nb = json.loads((colab / "basics" / "tensors.ipynb").read_text())
    first = "".join(nb["cells"][0]["source"])
    # Colab's own TensorFlow is kept: the library without its extra, and only what is missing
    assert "LIBRARY = 'd2l @ git+https://github.com/d2l-book/d2l-book@v0.0.2'" in first
    assert "WANTED = [['tensorflow', 'tensorflow']]" in first and "d2l[" not in first
    compile(first, "install cell", "exec")                 # plain Python, no shell magic
    mx = json.loads((colab.parent / "mxnet" / "basics" / "tensors.ipynb").read_text())
    assert '!pip install "d2l[mxnet] @ git+https://github.com/d2l-book/d2l-book@v0.0.2"' in "".join(
        mx["cells"][0]["source"])                          # MXNet runs locally only
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert any("tensor of tensorflow" in "".join(o.get("text", "")) for o in outputs)
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "](https://example.org/fixture/0.0.2/tensorflow/_images/dot.svg)" in md
    assert "{figure}" not in md and "{numref}" not in md
    assert "accelerator" not in nb["metadata"]          # this page declares gpu: false


def test_every_colab_link_has_its_notebook(published_fixture):
    """Lint: each page's "Open in Colab" URL maps to a generated notebook of the same version
    and framework (the colab repository's layout is _build/colab/)."""
    site = published_fixture / "_build" / "site"
    colab = published_fixture / "_build" / "colab"
    checked = 0
    for v in ("0.0.1", "0.0.2"):
        for fw in FRAMEWORKS:
            for page in (site / v / fw).rglob("*.html"):
                rel = page.relative_to(site / v / fw).with_suffix("").as_posix()
                if rel.startswith("_") or rel in ("genindex", "search", "bibliography",
                                                  "execution-report"):
                    continue
                links = re.findall(r'class="d2l-colab" href="([^"]+)"', page.read_text())
                if fw == "mxnet":                  # MXNet cannot run on Colab's Python
                    assert links == [], f"{page}: a Colab button that cannot work"
                    continue
                assert len(links) == 1, f"{page}: {len(links)} Colab links"
                m = re.fullmatch(r"https://colab\.research\.google\.com/github/d2l-book/"
                                 r"fixture-colab/blob/main/(.+)", links[0])
                assert m, links[0]
                assert m.group(1) == f"{v}/{fw}/{rel}.ipynb"
                assert (colab / m.group(1)).is_file(), m.group(1)
                checked += 1
    assert checked >= 2 * 3 * 5           # two versions, three Colab frameworks, five pages


def test_publish_into_keeps_other_versions(published_fixture, tmp_path):
    root, into = published_fixture, tmp_path / "gh-pages"
    into.mkdir()
    (into / "CNAME").write_text("book.example.org\n")
    for v in ("0.0.1", "0.0.2"):
        r = run_scripts("publish", "--root", root, "--into", into, "--version", v, check=True)
        assert f"[publish] {v}" in r.stdout
    assert sorted(p.name for p in into.iterdir() if p.is_dir()) == ["0.0.1", "0.0.2", "latest"]
    (into / "0.0.1" / "stale.txt").write_text("from an old publish")
    before_002 = tree_digest(into / "0.0.2")
    r = run_scripts("publish", "--root", root, "--into", into, "--version", "0.0.1", check=True)
    assert not (into / "0.0.1" / "stale.txt").exists()            # this version replaced
    assert tree_digest(into / "0.0.2") == before_002                # the other one untouched
    assert json.loads((into / "latest" / "version.json").read_text())["version"] == "0.0.2"
    assert (into / "CNAME").read_text() == "book.example.org\n"
    assert [e["version"] for e in json.loads((into / "switcher.json").read_text())] == \
        ["0.0.2", "0.0.1"]
    assert not [p for p in into.iterdir() if p.name.startswith(".d2l-publish")]


def test_publish_failure_leaves_tree_as_it_was(published_fixture, tmp_path):
    from scripts import publish
    into = tmp_path / "gh-pages"
    run_scripts("publish", "--root", published_fixture, "--into", into, "--version", "0.0.1",
                check=True)
    before = tree_digest(into)
    broken = tmp_path / "0.0.3"
    (broken).mkdir()
    (broken / "version.json").write_text(json.dumps({"version": "0.0.3", "default": "pytorch"}))
    os.symlink(tmp_path / "missing-target", broken / "dangling")    # copying it fails
    with pytest.raises(Exception):
        publish.merge_version(broken, into)
    assert tree_digest(into) == before
    assert sorted(p.name for p in into.iterdir()) == sorted(
        ["0.0.1", "latest", "switcher.json", "index.html", ".nojekyll"])


def test_publish_unknown_version_is_a_clear_error(published_fixture, tmp_path):
    r = run_scripts("publish", "--root", published_fixture, "--into", tmp_path / "x",
                    "--version", "9.9.9")
    assert r.returncode == 1
    assert "version 9.9.9 is not in" in r.stdout + r.stderr and "scripts site" in r.stdout + r.stderr
    assert not (tmp_path / "x").exists()


def test_pdf_content(published_fixture):
    pdf = published_fixture / "_build" / "pdf" / "fixture-pytorch.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for expected in ("Fixture Book (PyTorch)", "Preface", "Basics", "Tensors", "The Library",
                     "Equation (1.1)", "Fig. 1.1: A dot drawn for the fixture.",
                     "tensor of torch with shape (2, 3)", "The perceptron: a probabilistic model"):
        assert expected in text, expected
    # numbered as on the site: front and back matter without chapter numbers, Basics is 1
    assert re.search(r"^1 Basics", text, re.M) and not re.search(r"^\d+ Preface", text, re.M)
    assert not re.search(r"^\d+ References", text, re.M)
    assert "tensor of jax" in subprocess.run(
        ["pdftotext", str(published_fixture / "_build" / "pdf" / "fixture-jax.pdf"), "-"],
        capture_output=True, text=True, check=True).stdout


def test_latex_error_names_the_page(book):
    page = book / "book" / "preface.md"
    page.write_text(page.read_text() + "\n\n$$\\undefinedmacro{x}$$\n")
    run_scripts("execute", "--no-progress", "--root", book, "--frameworks", "pytorch", check=True)
    r = run_scripts("pdf", "--root", book, "--frameworks", "pytorch")
    out = r.stdout + r.stderr
    assert r.returncode == 1
    assert "book/preface.md" in out and "Undefined control sequence" in out
    assert "no PDF was written" in out
    assert not (book / "_build" / "pdf" / "fixture-pytorch.pdf").exists()
    assert not list((book / "_build").rglob("*.pdf.part"))


def test_link_check_of_the_published_site(published_fixture, tmp_path):
    """Every internal link and anchor of the versioned site resolves; external links are
    listed; a removed image and a wrong anchor are reported with page and line."""
    import shutil
    from scripts import linkcheck
    site = published_fixture / "_build" / "site"
    r = run_scripts("linkcheck", "--root", published_fixture)
    assert r.returncode == 0, r.stderr[-3000:]
    report = (published_fixture / "_build" / "linkcheck.md").read_text()
    assert " 0 broken internal link(s)" in report and "## External links" in report
    assert "github.com" in report                  # listed, not checked

    broken = tmp_path / "site"
    shutil.copytree(site, broken)
    page = broken / "0.0.2" / "jax" / "basics" / "tensors.html"
    svg = next((broken / "0.0.2" / "jax" / "_images").glob("*.svg"))
    svg.unlink()
    text, n = re.subn(r'href="library\.html(#[^"]*)?"', 'href="library.html#no-such-anchor"',
                      page.read_text(), count=1)
    assert n == 1
    page.write_text(text)
    result = linkcheck.check_tree(broken)
    problems = {(p, why.split(" in ")[0]) for p, _, _, why in result.broken}
    assert ("0.0.2/jax/basics/tensors.html", "no anchor #no-such-anchor") in problems
    assert any(why == "no such file" and svg.name in link
               for _, _, link, why in result.broken)
    assert all(line > 0 for _, line, _, _ in result.broken)
