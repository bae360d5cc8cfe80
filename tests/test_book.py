"""The book itself: clean, drift-free, and executed in all four frameworks."""
import re

from conftest import FRAMEWORKS, REPO, run_scripts

import pytest

pytestmark = pytest.mark.slow


def test_book_checks_clean():
    r = run_scripts("check")
    assert r.returncode == 0, r.stdout


def test_book_library_is_current():
    r = run_scripts("lib", "--check")
    assert r.returncode == 0, r.stdout


def test_book_frozen_outputs_are_fresh():
    """Every page × framework of book/ has frozen outputs that fit its current sources; otherwise
    this names page, framework, reason and the command that refreshes them."""
    r = run_scripts("status", "--check")
    assert r.returncode == 0, r.stderr[-5000:]
    assert " 0 stale, 0 missing, 0 corrupt" in r.stdout


def test_book_renders_from_the_freeze_in_every_framework():
    """Renders the four sites from the frozen outputs (`html` never executes)."""
    r = run_scripts("html", "-q")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    versions = {"pytorch": r"2\.14\.1", "tensorflow": r"2\.21\.0", "mxnet": r"1\.9\.1",
                "jax": r"0\.10\.2"}
    for fw in FRAMEWORKS:
        html = (REPO / "_build" / "html" / fw / "preface.html").read_text()
        assert re.search(versions[fw], html), f"{fw}: the preface shows no output of its kernel"
        assert (REPO / "_build" / "html" / fw / "index.html").is_file()


def _frozen_runs(fw, page):
    """The final metrics of each training run of ``page``, read straight from its frozen entry."""
    import json
    entry = json.loads((REPO / "_freeze" / fw / f"{page}.json").read_text())
    mime = "application/vnd.d2l.metrics+json"
    return [o["data"][mime] for c in entry["cells"] for o in c.get("outputs", [])
            if mime in (o.get("data") or {})]


def test_book_results_tables_show_the_frozen_metrics():
    """Each ```{results}``` table of the book (after the html test above) shows, for every row
    and framework, the metric that run reported in its frozen outputs."""
    fence = re.compile(r"^```\{results\}\n(.*?)^```", re.M | re.S)
    tables = [(md, body) for md in sorted((REPO / "book").rglob("*.md"))
              for body in fence.findall(md.read_text())]
    assert tables, "the book has no {results} table (modern-cnns/cnn-design.md should end with one)"
    for md, body in tables:
        metric = (re.search(r"^:metric:\s*(\S+)", body, re.M) or ["", "val_acc"])[1]
        rows = re.findall(r"^(.+?)\s*=\s*([\w./-]+?)(?:#(\d+))?\s*$", body, re.M)
        page = md.relative_to(REPO / "book").with_suffix("").as_posix()
        for label, target, run in rows:
            values = []
            for fw in FRAMEWORKS:
                runs = _frozen_runs(fw, target)
                values.append(f"{runs[int(run) - 1 if run else -1][metric]:.3f}")
            row = " ".join([label.strip(), *values])
            for fw in FRAMEWORKS:  # every framework's site shows the whole table
                html = (REPO / "_build" / "html" / fw / f"{page}.html").read_text()
                text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
                assert row in text, f"{fw}: {page}: no row {row!r}"


def test_book_pdfs_and_site():
    """The real book as readers get it: a PDF per framework (LaTeX must accept every page) and
    the versioned site with the four sites, PDFs, notebook zips and switcher.json."""
    import json
    import subprocess
    import zipfile
    r = run_scripts("pdf")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    r = run_scripts("site")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    site = REPO / "_build" / "site"
    version = json.loads((site / "switcher.json").read_text())[0]["version"]
    for fw in FRAMEWORKS:
        pdf = site / version / "pdf" / f"d2l-book-{fw}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
        assert pages > 100, f"{fw}: only {pages} pages"
        text = subprocess.run(["pdftotext", "-f", "1", "-l", "40", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert "Linear Neural Networks for Classification" in text
        with zipfile.ZipFile(site / version / "notebooks" / f"d2l-book-{fw}.zip") as z:
            assert f"d2l-book-{fw}/multilayer-perceptrons/kaggle-house-price.ipynb" in z.namelist()
        assert (site / "latest" / fw / "linear-classification" / "softmax-regression-concise.html"
                ).is_file()


def test_book_site_links_resolve():
    """After `site` (the test above), every internal link and anchor of the real book's site
    resolves (external links are listed in _build/linkcheck.md, not checked)."""
    r = run_scripts("linkcheck")
    assert r.returncode == 0, r.stderr[-5000:]
