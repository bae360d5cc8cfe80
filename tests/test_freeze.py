"""Frozen outputs: committed with the sources, keyed by the dependency fingerprint, explained by
`status`, never stale and never trusted when damaged. Each test starts from a fresh clone of the
fixture book executed once per session (sources + `_freeze/`, empty execution cache)."""
import json
import os
import re

import pytest

from conftest import REPO, run_scripts

pytestmark = pytest.mark.slow


@pytest.fixture
def env(tmp_path):
    """An empty, private execution cache: a new machine."""
    return {**os.environ, "D2L_CACHE_DIR": str(tmp_path / "empty-cache")}


def counts(r) -> dict[str, tuple[int, int]]:
    """framework -> (notebooks executed, pages whose outputs came from the freeze)."""
    return {m.group(1): (int(m.group(2)), int(m.group(3))) for m in re.finditer(
        r"\[execute\] (\w+): (\d+) executed, \d+ cached, (\d+) frozen", r.stdout)}


def status(book, env, *args):
    return run_scripts("status", "--root", book, *args, env=env)


def tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_fresh_clone_renders_with_zero_executions(frozen_book, env):
    r = status(frozen_book, env, "--check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "pytorch: 3 fresh, 0 stale, 0 missing, 0 corrupt" in r.stdout
    r = run_scripts("execute", "--no-progress", "--root", frozen_book, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert counts(r) == {"pytorch": (0, 3), "tensorflow": (0, 2), "mxnet": (0, 2), "jax": (0, 3)}
    assert "0 frozen entries written" in r.stdout
    h = run_scripts("html", "-q", "--root", frozen_book, "--frameworks", "jax", env=env)
    assert h.returncode == 0, h.stdout + h.stderr
    html = (frozen_book / "_build" / "html" / "jax" / "basics" / "tensors.html").read_text()
    assert "tensor of jaxlib with shape (2, 3)" in html
    report = (frozen_book / "_build" / "html" / "jax" / "execution-report.html").read_text()
    assert "frozen" in report and "CPU " in report      # the frozen record: device and seconds


def test_render_alone_takes_outputs_from_the_freeze(frozen_book, env):
    """`html` on a fresh clone, with no `execute` before it, renders every page."""
    h = run_scripts("html", "-q", "--root", frozen_book, "--frameworks", "mxnet", env=env)
    assert h.returncode == 0, h.stdout + h.stderr
    html = (frozen_book / "_build" / "html" / "mxnet" / "basics" / "tensors.html").read_text()
    assert "tensor of mxnet with shape (2, 3)" in html


def test_preview_without_executing_shows_frozen_outputs_and_marks_the_rest(frozen_book, env):
    """`html --no-execute` (`make preview`) runs nothing: a page whose code changed since its
    freeze shows its code under a "Not executed" note, the others their frozen outputs."""
    page = frozen_book / "book" / "basics" / "library.md"
    page.write_text(page.read_text().replace("```{.python .input}\n",
                                             "```{.python .input}\npreview_edit = 1\n", 1))
    h = run_scripts("html", "-q", "--no-execute", "--root", frozen_book, "--frameworks", "jax",
                    env=env)
    assert h.returncode == 0, h.stdout + h.stderr
    site = frozen_book / "_build" / "html" / "jax" / "basics"
    edited, other = (site / "library.html").read_text(), (site / "tensors.html").read_text()
    assert "Not executed" in edited and "preview_edit" in edited and "cell_output" not in edited
    assert "Not executed" not in other and "tensor of jaxlib with shape (2, 3)" in other
    assert not (frozen_book / "_build" / "execution" / "jax.json").exists()   # nothing ran


def test_save_edit_makes_exactly_its_dependent_pages_stale(frozen_book, env):
    lib = frozen_book / "book" / "basics" / "library.md"
    lib.write_text(lib.read_text().replace('"""A vector of `n` ones."""',
                                           '"""A vector of `n` ones (edited)."""'))
    run_scripts("lib", "--root", frozen_book, check=True)
    r = status(frozen_book, env, "--frameworks", "pytorch")
    assert "pytorch: 2 fresh, 1 stale, 0 missing" in r.stdout, r.stdout
    # the page that defines `ones` changed a code cell too; the others use nothing that changed
    assert re.search(r"stale +book/basics/library\.md +\(\d+\.\d s\): code cell \d+ \(line \d+\) "
                     r"changed; d2l definition\(s\) changed: ones\n", r.stdout), r.stdout
    r = status(frozen_book, env, "--check", "--frameworks", "pytorch")
    assert r.returncode == 1
    err = r.stderr.splitlines()
    assert len(err) == 1 and err[0].startswith("book/basics/library.md: pytorch: stale frozen "
                                               "outputs (code cell")
    assert "d2l definition(s) changed: ones) — run `make freeze` or `python -m scripts execute " \
           "--frameworks pytorch --pages basics/library` and commit _freeze/" in err[0]
    r = run_scripts("execute", "--no-progress", "--root", frozen_book, "--frameworks", "pytorch",
                    env=env)
    assert counts(r) == {"pytorch": (1, 2)} and "1 frozen entry written" in r.stdout
    assert status(frozen_book, env, "--check", "--frameworks", "pytorch").returncode == 0


def test_pin_change_makes_one_framework_stale(frozen_book, env):
    pins = frozen_book / "requirements-mxnet.txt"
    text = (REPO / "requirements-mxnet.txt").read_text()
    line = next(ln for ln in text.splitlines() if ln.startswith("numpy=="))
    pins.write_text(text.replace(line, "numpy==1.23.4"))
    r = status(frozen_book, env)
    assert "mxnet: 0 fresh, 2 stale" in r.stdout, r.stdout
    assert f"requirements-mxnet.txt: {line} -> numpy==1.23.4" in r.stdout
    for fw, n in (("pytorch", 3), ("tensorflow", 2), ("jax", 3)):
        assert f"{fw}: {n} fresh, 0 stale, 0 missing, 0 corrupt" in r.stdout
    r = run_scripts("status", "--root", frozen_book, "--stale-frameworks", env=env)
    assert r.stdout.strip() == "mxnet"


def test_prose_edit_leaves_everything_fresh(frozen_book, env):
    page = frozen_book / "book" / "basics" / "tensors.md"
    page.write_text(page.read_text().replace("A line has slope", "New prose.\n\nA line has slope"))
    r = status(frozen_book, env, "--check")
    assert r.returncode == 0, r.stdout + r.stderr


def test_status_explains_a_page_and_its_code_cell(frozen_book, env):
    page = frozen_book / "book" / "basics" / "partial.md"
    page.write_text(page.read_text().replace("print('partial page runs')\n",
                                             "print('partial page runs')\nextra = 1\n"))
    line = page.read_text().splitlines().index("print('partial page runs')") + 1
    r = status(frozen_book, env, "basics/partial")
    for fw in ("pytorch", "jax"):
        assert re.search(rf"{fw}: 0 fresh, 1 stale.*\n +stale +book/basics/partial\.md +"
                         rf"\(\d+\.\d s\): code cell 1 \(line {line}\) changed\n", r.stdout), r.stdout
    assert "tensorflow: 0 fresh, 0 stale, 0 missing, 0 corrupt\n" in r.stdout
    r = status(frozen_book, env, "basics/tensors", "--frameworks", "mxnet")
    assert re.search(r"mxnet: 1 fresh.*\n +fresh +book/basics/tensors\.md +\(\d+\.\d s\)\n",
                     r.stdout), r.stdout


def test_corrupt_or_hand_edited_entry_is_rerun_never_rendered(frozen_book, env):
    entry = frozen_book / "_freeze" / "pytorch" / "basics" / "tensors.json"
    entry.write_text(entry.read_text().replace("tensor of torch", "tensor of TORCH"))
    r = status(frozen_book, env, "--frameworks", "pytorch")
    assert "corrupt  book/basics/tensors.md" in r.stdout and "checksum does not match" in r.stdout
    h = run_scripts("html", "-q", "--root", frozen_book, "--frameworks", "pytorch", env=env)
    assert h.returncode == 1 and "no successful execution for pytorch" in h.stderr
    r = run_scripts("execute", "--no-progress", "--root", frozen_book, "--frameworks", "pytorch",
                    env=env)
    assert counts(r)["pytorch"][0] == 1       # the other two were thawed by `html` already
    assert "tensor of TORCH" not in entry.read_text() and "tensor of torch" in entry.read_text()
    (frozen_book / "_freeze" / "jax" / "basics" / "library.json").write_text("{ not json")
    r = status(frozen_book, env, "--frameworks", "jax")
    assert "corrupt  book/basics/library.md" in r.stdout and "unreadable" in r.stdout


def test_rerunning_unchanged_code_leaves_the_files_byte_identical(frozen_book, env, tmp_path):
    before = tree(frozen_book / "_freeze")
    for entry in (frozen_book / "_freeze").rglob("*.json"):
        data = json.loads(entry.read_text())
        assert data["key"] and data["record"]["seconds"] > 0 and data["record"]["device"]
        assert len(entry.read_bytes()) < 200_000
    # an empty cache and the frozen entries ignored: every page really runs again
    shadow = tmp_path / "shadow"
    (frozen_book / "_freeze").rename(shadow)
    r = run_scripts("execute", "--no-progress", "--root", frozen_book, env=env)
    assert counts(r)["jax"] == (3, 0)
    again = tree(frozen_book / "_freeze")
    strip = lambda b: re.sub(rb"\n +\"(cell_seconds|checksum|executed_at|seconds)\": [^\n]*", b"", b)  # noqa: E731
    assert {k: strip(v) for k, v in again.items()} == {k: strip(v) for k, v in before.items()}
    # with the first entries in place, freezing the re-run's outputs (same key, same outputs,
    # another record) rewrites nothing at all
    (frozen_book / "_freeze").rename(tmp_path / "second")
    shadow.rename(frozen_book / "_freeze")
    from scripts import config
    from scripts.contracts import load_records
    from scripts.execute import executed_notebook, freeze, open_cache
    os.environ["D2L_CACHE_DIR"] = env["D2L_CACHE_DIR"]
    try:
        book = config.load_book(frozen_book)
        records = {r.page: r for r in load_records(book.build.records("jax"))}
        cache = open_cache(book, "jax")
        for page in book.ordered_pages():
            nb = executed_notebook(book, "jax", page, cache)
            if page.docname in records:
                assert not freeze.write(book, "jax", page, nb, records[page.docname])
    finally:
        del os.environ["D2L_CACHE_DIR"]
    assert tree(frozen_book / "_freeze") == before


def test_entry_frozen_with_a_wider_closure_is_rekeyed_without_running(frozen_book, env):
    """An entry that ran with every dependency its page has now, and more (as under a coarser
    reading of the library), is fresh: `execute` runs nothing and stores it under the new key."""
    from scripts.execute import freeze
    path = frozen_book / "_freeze" / "pytorch" / "basics" / "library.json"
    before = json.loads(path.read_text())
    wider = json.loads(path.read_text())
    wider["deps"]["library"]["defs"]["a_helper_no_longer_counted"] = "0123456789abcdef"
    wider["key"] = "0" * 32
    files = {}          # library.json's outputs are text only
    wider["checksum"] = freeze._checksum(wider, files)
    path.write_text(json.dumps(wider, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    assert status(frozen_book, env, "--check", "--frameworks", "pytorch").returncode == 0
    r = run_scripts("execute", "--no-progress", "--root", frozen_book, "--frameworks", "pytorch",
                    env=env)
    assert counts(r) == {"pytorch": (0, 3)} and "1 frozen entry written" in r.stdout, r.stdout
    assert json.loads(path.read_text()) == before
