"""Incremental builds: `python -m scripts book` (what `make book` runs) on a fresh clone of the
executed fixture skips every step that is up to date, re-reads only an edited page, and gives
Sphinx the same configuration on every run."""
import os
import re

import pytest

from conftest import run_scripts

pytestmark = pytest.mark.slow
FWS = "pytorch,jax"


def book(root, env):
    return run_scripts("book", "--root", root, check=True, env=env)


def reread(r) -> list[str]:
    """The pages Sphinx read again, as the html step reports them."""
    return [name for found in re.findall(r"\[html\] \w+: done in [\d.]+ s, \d+ page\(s\) read"
                                          r" \(([^)]*)\)", r.stdout) for name in found.split(", ")]


def test_rebuilds_do_only_what_changed(frozen_book, tmp_path):
    env = {**os.environ, "D2L_CACHE_DIR": str(tmp_path / "cache"), "FRAMEWORKS": FWS}
    cold = book(frozen_book, env)
    assert "[html] rendering pytorch, jax" in cold.stdout          # side by side
    assert "MdParserConfig" not in cold.stdout and "reading sources" not in cold.stdout  # quiet
    sites = {fw: frozen_book / "_build" / "html" / fw for fw in FWS.split(",")}
    times = {p: p.stat().st_mtime_ns for s in sites.values() for p in s.rglob("*.html")}
    assert len(times) > 10

    noop = book(frozen_book, env)
    assert "[book] nothing changed since the last build" in noop.stdout
    assert "[html]" not in noop.stdout and "[pdf]" not in noop.stdout
    assert {p: p.stat().st_mtime_ns for p in times} == times      # nothing copied

    page = frozen_book / "book" / "preface.md"
    page.write_text(page.read_text().replace("\n\n", "\n\nAn edited sentence.\n\n", 1))
    prose = book(frozen_book, env)
    assert "0 executed" in prose.stdout
    assert sorted(set(reread(prose))) == ["preface"], prose.stdout
    assert "The configuration has changed" not in prose.stdout
    changed = sorted(p.relative_to(frozen_book).as_posix() for p, t in times.items()
                     if p.stat().st_mtime_ns != t)
    assert "_build/html/jax/preface.html" in changed
    assert "_build/html/jax/basics/tensors.html" not in changed, changed
    for fw in FWS.split(","):
        preface = (sites[fw] / "preface.html").read_text()
        assert "An edited sentence." in preface
        # citations formatted in an earlier build (kept in the environment) still resolve
        assert "Rosenblatt, 1958" in preface and 'href="bibliography.html#' in preface

    # the configuration Sphinx pickled is the one it reads next time: a second edit neither
    # reports a changed configuration nor re-reads more than the page
    page.write_text(page.read_text().replace("An edited sentence.", "Edited again."))
    again = book(frozen_book, env)
    assert "The configuration has changed" not in again.stdout
    assert sorted(set(reread(again))) == ["preface"], again.stdout

    # an output that went away is built again, the others are not
    (sites["jax"] / "index.html").unlink()
    back = book(frozen_book, env)
    assert "[html] jax: done" in back.stdout and "[html] pytorch: up to date" in back.stdout
    assert (sites["jax"] / "index.html").is_file()
