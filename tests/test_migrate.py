"""``python -m scripts import-d2lbook``: convert the d2lbook project in tests/d2lbook_project and
check the result with ``python -m scripts check``; each error names file:line."""
from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
PROJECT = REPO / "tests" / "d2lbook_project"
#: what d2lbook 1.0.3 itself extracts from PROJECT (tests/d2lbook_expected/make.py)
EXPECTED = REPO / "tests" / "d2lbook_expected"


def run(*args: str | Path) -> subprocess.CompletedProcess:
    from conftest import call
    return call(*args)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("migrate") / "out"
    r = run("import-d2lbook", PROJECT, dest)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "6 page(s), 1 image(s), 4 framework(s)" in r.stdout
    assert f"13 change(s) made, 0 error(s) and 3 warning(s) left: every one with its " \
           f"file:line in {dest / 'IMPORT.md'}" in r.stdout
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
                          {"file": "book/chapter_intro/linear"},
                          {"file": "book/chapter_intro/notes"}]}]},
    ]                   # the references page is left out: the toolchain writes its own


def test_config(out):
    cfg = yaml.safe_load((out / "_config.yml").read_text())
    assert cfg["title"] == "Tiny Dive into Deep Learning"
    assert cfg["author"] == "The d2l book authors"
    assert cfg["bibtex_bibfiles"] == ["references.bib"]
    assert cfg["execute"] == {"execute_notebooks": "cache", "timeout": 600}
    assert cfg["check"] == {"strict": False}          # an imported book is lenient
    fws = cfg["frameworks"]
    assert fws["default"] == "mxnet"
    assert fws["unmarked"] == "mxnet"
    assert fws["sources"] == ["mxnet", "pytorch", "tensorflow", "jax"]
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
                     "book/chapter_intro/notes.md", "book/chapter_intro/tensors.md",
                     "book/chapter_preface/index.md", "book/index.md"]
    # README.md and chapter_extra/ are not in the toc, the references page is replaced
    assert (out / "book/img/x.svg").read_bytes() == (PROJECT / "img/x.svg").read_bytes()
    assert (out / "references.bib").read_bytes() == (PROJECT / "d2l.bib").read_bytes()
    assert not list(out.parent.glob(".out.*")), "temporary folders were left behind"


def test_toc_blocks_removed(out):
    root = (out / "book/index.md").read_text()
    chapter = (out / "book/chapter_intro/index.md").read_text()
    for text in (root, chapter):
        assert "```toc" not in text and ":maxdepth:" not in text and "\n\n\n" not in text
    assert root == ("Tiny Dive into Deep Learning\n============================\n\n"
                    "A two-chapter book in the d2lbook dialect.\n\n```{eval-rst}\n"
                    ".. raw:: html\n   :file: frontpage.html\n```\n")
    assert (out / "book/frontpage.html").read_text() == \
        (PROJECT / "frontpage.html").read_text()
    assert chapter == ((PROJECT / "chapter_intro/index.md").read_text()
                       .replace("```toc\n:maxdepth: 2\n\ntensors\nlinear\nnotes\n```\n\n", ""))


def test_report(out):
    """IMPORT.md lists every change (d2lbook file:line) and every problem left (imported
    file:line, with the d2lbook line)."""
    report = (out / "IMPORT.md").read_text()
    changes = re.findall(r"^- (\S+:\d+): (.*)$", report.split("## Problems")[0], re.M)
    assert changes == [
        ("chapter_references/zreferences.md:1", "references page left out: the toolchain "
         "writes its own References page from references.bib"),
        ("index.md:6", "```eval_rst block rendered as MyST's ```{eval-rst} (raw "
         "reStructuredText)"),
        ("index.md:8", "copied frontpage.html (included by `:file:`) into book/"),
        ("chapter_preface/index.md:6", "removed d2lbook's machinery cell "
         "(`%load_ext d2lbook.tab`)"),
        ("chapter_preface/index.md:15", "#@save marks moved so that the library saves what "
         "d2lbook saves: a mark on each statement it takes"),
        ("chapter_intro/tensors.md:33", "removed a second tab line `#@tab jax` (d2lbook reads "
         "only the first one as the cell's mark)"),
        ("chapter_intro/tensors.md:42", ":begin_tab: left open when the next one starts "
         "(line 45): :end_tab: added"),
        ("chapter_intro/tensors.md:49", "d2lbook table caption written as `: Caption` with its "
         ":label: after the table"),
        ("chapter_intro/tensors.md:59", "```eval_rst block rendered as MyST's ```{eval-rst} "
         "(raw reStructuredText)"),
        ("chapter_intro/linear.md:11", "d2lbook table caption written as `: Caption`"),
        ("chapter_intro/linear.md:41", "#@save marks moved so that the library saves what "
         "d2lbook saves: a mark on each statement it takes"),
        ("chapter_intro/linear.md:50", "#@save marks moved so that the library saves what "
         "d2lbook saves: a mark on each statement it takes"),
        ("chapter_intro/notes.md:1", "the page had no title heading: `# Notes` added"),
    ]
    assert "- changes made: 13" in report and \
        "- problems left: 0 error(s), 3 warning(s)" in report
    problems = re.findall(r"^- (book/\S+:\d+): (.*)$", report.split("## Problems")[1], re.M)
    assert problems == [
        ("book/chapter_intro/tensors.md:65", "warning: image '../img/missing.svg' not found — "
         "add the file under book/img/ or fix the path (d2lbook source "
         "chapter_intro/tensors.md:65)"),
        ("book/chapter_intro/linear.md:9", "warning: :eqref: to missing label 'eq_nowhere' — "
         "define it with :label:/:eqlabel: or fix the name (d2lbook source "
         "chapter_intro/linear.md:9)"),
        ("book/chapter_intro/linear.md:9", "warning: :numref: to missing label 'sec_outside': "
         "it is defined in chapter_extra/outside.md, outside the import (shown as a marker) "
         "(d2lbook source chapter_intro/linear.md:9)"),
    ]


def test_normalised_output(out):
    """What the import changed in the pages, as this toolchain's dialect reads them."""
    preface = (out / "book/chapter_preface/index.md").read_text()
    assert "load_ext" not in preface and "interact_select" not in preface
    assert "#@tab all\nimport collections  #@save\nimport math  #@save\n\n" \
           "d2l = sys.modules[__name__]\n```" in preface
    tensors = (out / "book/chapter_intro/tensors.md").read_text()
    assert "x = jnp.arange(12)\ny = x + 1\n```" in tensors          # the second #@tab went
    assert "PyTorch calls this a *tensor*.\n\n:end_tab:\n:begin_tab:`tensorflow`" in tensors
    assert (": Dataset vs. memory\n\n|Decade|Dataset|Memory|\n|:--|:-|:-|\n"
            "|1970|100 (Iris)|1 KB|\n|2020|1 T (social network)|100 GB|\n"
            ":label:`tab_sizes_by_decade`\n") in tensors
    assert "```{eval-rst}\n.. note::" in tensors and "eval_rst" not in tensors
    linear = (out / "book/chapter_intro/linear.md").read_text()
    assert ": Sizes of the models\n" in linear
    assert "def line(x, w, b):  #@save\n" in linear and "#@save\ndef line" not in linear
    assert "SCALE = 2  #@save\nOFFSET = 1  #@save\n" in linear
    assert (out / "book/chapter_intro/notes.md").read_text().startswith("# Notes\n\nA page")


def test_check_passes(out):
    r = run("check", "--root", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "6 page(s), 4 frameworks: no errors, 3 warning(s)" in r.stdout
    assert "book/chapter_intro/linear.md:9: warning: :eqref: to missing label 'eq_nowhere'" \
        in r.stderr


def _definitions(text: str) -> tuple[list[str], list[str]]:
    """(imports, definitions) of a library module: each as the AST dump without docstrings;
    a name defined twice counts where it is last defined (Python keeps the last one)."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and body and \
                isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and \
                isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    imports, defs = [], {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports += [ast.dump(ast.Import(names=[a])) for a in node.names]
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue                       # the module docstring
        name = getattr(node, "name", None) or ast.unparse(getattr(node, "targets", [node])[0])
        if name in ("sys", "d2l") or ast.unparse(node) == "d2l = sys.modules[__name__]":
            continue                       # our header: import sys; d2l = sys.modules[...]
        defs.pop(name, None)
        defs[name] = ast.dump(node)
    return sorted(set(imports) - {ast.dump(ast.Import(names=[ast.alias("sys")]))}), \
        [f"{k}: {v}" for k, v in defs.items()]


@pytest.mark.parametrize("tab,module", [("mxnet", "mxnet"), ("pytorch", "torch"),
                                        ("tensorflow", "tensorflow"), ("jax", "jax")])
def test_lib_matches_d2lbook(out, tab, module):
    """`lib` on the imported book extracts what d2lbook 1.0.3 extracts from the project: the
    same imports, the same definitions (docstrings aside: d2lbook writes "Defined in" there, we
    write it as a comment) in the same order."""
    r = run("lib", "--root", out)
    assert r.returncode == 0, r.stdout + r.stderr
    ours = _definitions((out / "d2l" / f"{module}.py").read_text())
    theirs = _definitions((EXPECTED / f"{tab}.py").read_text())
    assert [d.split(":")[0] for d in ours[1]] == [d.split(":")[0] for d in theirs[1]]
    assert ours == theirs
    assert [d.split(":")[0] for d in ours[1]] == ["Model", "line", "SCALE", "OFFSET", "ones",
                                                 "Board"]


def test_expected_libraries_are_d2lbooks(tmp_path):
    """The reference in tests/d2lbook_expected is what d2lbook itself writes (when it is
    installed: it is not a dependency of the toolchain)."""
    pytest.importorskip("d2lbook.library")
    r = subprocess.run([sys.executable, str(EXPECTED / "make.py")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not subprocess.run(["git", "diff", "--quiet", "--", str(EXPECTED)], cwd=REPO).returncode


def test_lenient_marker_in_notebooks(out):
    """A broken reference becomes the marker role in the notebooks, not a failed build."""
    r = run("notebooks", "--root", out, "--frameworks", "pytorch")
    assert r.returncode == 0, r.stdout + r.stderr
    nb = json.loads((out / "_build/src/pytorch/chapter_intro/linear.ipynb").read_text())
    text = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "{eq}`eq_line`, and not by {d2l-missing}`eq_nowhere`; see also " \
           "{d2l-missing}`sec_outside`." in text
    assert "```{table} Sizes of the models\n:name: tab_sizes" in text
    tensors = json.loads((out / "_build/src/pytorch/chapter_intro/tensors.ipynb").read_text())
    text = "\n".join(c["source"] for c in tensors["cells"] if c["cell_type"] == "markdown")
    assert "```{table} Dataset vs. memory\n:name: tab_sizes_by_decade" in text
    assert "PyTorch calls this" in text and "TensorFlow calls it" not in text


def test_strict_mode_stops_on_broken_references(out, tmp_path):
    book = tmp_path / "book"
    shutil.copytree(out, book, ignore=shutil.ignore_patterns("_build"))
    cfg = book / "_config.yml"
    cfg.write_text(cfg.read_text().replace("check:\n  strict: false\n", ""))
    r = run("check", "--root", book)
    assert r.returncode == 1
    assert "book/chapter_intro/linear.md:9: :eqref: to missing label 'eq_nowhere'" in r.stderr
    assert "[check] 3 problem(s) found" in r.stderr


def test_subset_of_frameworks(out, tmp_path):
    """Keeping only pytorch in _config.yml drops the other frameworks' cells and tabs."""
    book = tmp_path / "book"
    shutil.copytree(out, book, ignore=shutil.ignore_patterns("_build", "d2l"))
    cfg_path = book / "_config.yml"
    cfg = yaml.safe_load(cfg_path.read_text())
    # only `available` is cut: the default (mxnet, a framework of the sources) falls back to
    # the first one built
    cfg["frameworks"]["available"] = {"pytorch": cfg["frameworks"]["available"]["pytorch"]}
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    r = run("check", "--root", book)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "6 page(s), 1 frameworks: no errors, 3 warning(s)" in r.stdout
    r = run("lib", "--root", book)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (book / "d2l").glob("*.py")) == ["__init__.py", "torch.py"]
    r = run("notebooks", "--root", book)
    assert r.returncode == 0, r.stderr
    nb = json.loads((book / "_build/src/pytorch/chapter_intro/tensors.ipynb").read_text())
    code = [c["source"] for c in nb["cells"] if c["cell_type"] == "code"]
    assert code == ["import torch\nx = torch.arange(12)", "x.shape"]   # no mxnet, tf, jax cell
    # a name in neither the config nor the sources' tabs is still an error
    page = book / "book/chapter_intro/tensors.md"
    page.write_text(page.read_text().replace("#@tab pytorch\n", "#@tab pytorh\n"))
    r = run("check", "--root", book)
    assert r.returncode == 1
    assert "tensors.md:18: unknown framework 'pytorh' — use one of: all, pytorch, jax, mxnet, " \
           "tensorflow" in r.stderr


def test_library_header_from_another_chapter(tmp_path):
    """A partial import without the chapter that holds the #@save imports: lib says so at the
    first definition that needs them, and the report names the page that has them."""
    src = tmp_path / "src"
    shutil.copytree(PROJECT, src)
    index = src / "index.md"
    index.write_text(index.read_text().replace("chapter_preface/index\n", ""))
    dest = tmp_path / "out"
    r = run("import-d2lbook", src, dest)
    assert r.returncode == 0, r.stdout + r.stderr
    r = run("lib", "--root", dest)
    assert r.returncode == 1
    assert "book/chapter_intro/linear.md:54: d2l/mxnet.py would use names that nothing defines " \
           "or imports (np); its header has no imports at all — save the imports in a `#@save` " \
           "cell" in r.stderr
    report = (dest / "IMPORT.md").read_text()
    assert "(the d2lbook project saves imports in: chapter_preface/index.md)" in report
    assert not (dest / "d2l").exists()


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
    """A toc entry naming a page that does not exist is skipped, as d2lbook skips it, and
    reported (a partial copy of a book imports)."""
    src = tmp_path / "src"
    shutil.copytree(PROJECT, src)
    index = src / "chapter_intro" / "index.md"
    text = index.read_text()
    index.write_text(text.replace("\nlinear\n", "\nlinaer\n"))
    line = text.splitlines().index("linear") + 1
    r = run("import-d2lbook", src, tmp_path / "out")
    assert r.returncode == 0, r.stdout + r.stderr
    toc = yaml.safe_load((tmp_path / "out/_toc.yml").read_text())
    assert toc["parts"][1]["chapters"][0]["sections"] == [
        {"file": "book/chapter_intro/tensors"}, {"file": "book/chapter_intro/notes"}]
    report = (tmp_path / "out/IMPORT.md").read_text()
    assert f"- chapter_intro/index.md:{line}: toc entry 'linaer' names a missing page: " \
           "chapter_intro/linaer.md does not exist: the entry is left out (d2lbook skips it " \
           "too)" in report


def test_rst_toctree_is_a_toc(tmp_path):
    """Older d2lbook books list sections in an ```eval_rst toctree: it is read as a toc."""
    src = tmp_path / "src"
    shutil.copytree(PROJECT, src)
    index = src / "chapter_intro" / "index.md"
    index.write_text(index.read_text().replace(
        "```toc\n:maxdepth: 2\n\ntensors\nlinear\nnotes\n```",
        "```eval_rst\n\n.. toctree::\n   :maxdepth: 2\n\n   tensors\n   linear\n```"))
    r = run("import-d2lbook", src, tmp_path / "out")
    assert r.returncode == 0, r.stdout + r.stderr
    toc = yaml.safe_load((tmp_path / "out/_toc.yml").read_text())
    assert toc["parts"][1]["chapters"][0]["sections"] == [
        {"file": "book/chapter_intro/tensors"}, {"file": "book/chapter_intro/linear"}]
    assert "toctree" not in (tmp_path / "out/book/chapter_intro/index.md").read_text()


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


@pytest.mark.slow
def test_lenient_preview_renders_markers_and_numbers(out, tmp_path):
    """`html --no-execute` on the imported book: a broken reference is a visible marker, the
    d2lbook-captioned tables keep their label and number, eval_rst is rendered."""
    from conftest import run_scripts
    book = tmp_path / "book"
    shutil.copytree(out, book, ignore=shutil.ignore_patterns("_build"))
    r = run_scripts("html", "--no-execute", "--frameworks", "pytorch", "--root", book)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[html] 3 warning(s)" in r.stderr
    site = book / "_build/html/pytorch/chapter_intro"
    linear, tensors = (site / "linear.html").read_text(), (site / "tensors.html").read_text()
    assert 'd2l-missing-ref">[missing reference: eq_nowhere]<' in linear
    assert 'd2l-missing-ref">[missing reference: sec_outside]<' in linear
    assert "Table 1.2" in linear and "Table 1.1" in tensors
    assert "Raw reStructuredText, rendered" in tensors and "eval_rst" not in tensors
    index = (book / "_build/html/pytorch/index.html").read_text()
    assert '<p class="frontpage">The front page, raw HTML.</p>' in index
