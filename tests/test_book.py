"""The book itself: clean, drift-free, and executed in all four frameworks."""
import re

from conftest import FRAMEWORKS, REPO, run_scripts


def test_book_checks_clean():
    r = run_scripts("check")
    assert r.returncode == 0, r.stdout


def test_book_library_is_current():
    r = run_scripts("lib", "--check")
    assert r.returncode == 0, r.stdout


def test_book_builds_in_every_framework():
    """Executes every page of book/ in each framework's kernel and renders the four sites."""
    r = run_scripts("execute", "--no-progress")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    r = run_scripts("html", "-q")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    versions = {"pytorch": r"2\.14\.1", "tensorflow": r"2\.21\.0", "mxnet": r"1\.9\.1",
                "jax": r"0\.10\.2"}
    for fw in FRAMEWORKS:
        html = (REPO / "_build" / "html" / fw / "preface.html").read_text()
        assert re.search(versions[fw], html), f"{fw}: the preface shows no output of its kernel"
        assert (REPO / "_build" / "html" / fw / "index.html").is_file()
