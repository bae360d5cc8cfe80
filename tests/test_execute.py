"""Stage 4: execution through jupyter-cache with a dependency-aware key."""
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import REPO, copy_fixture, run_scripts


@pytest.fixture
def env(tmp_path):
    """An empty, private execution cache."""
    return {**os.environ, "D2L_CACHE_DIR": str(tmp_path / "cache")}


def execute(book, env, *args, check=True):
    r = run_scripts("execute", "--no-progress", "--root", book, *args, env=env)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


def executed(r):
    """framework -> number of notebooks executed, from the summary lines."""
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"\[execute\] (\w+): (\d+) executed", r.stdout)}


@pytest.mark.slow
def test_cache_key_follows_dependencies(book, warm_cache):
    """Starts from the session's executed cache: the fixture as it is runs nothing."""
    env = warm_cache
    fws = ["--framework", "pytorch,mxnet"]
    assert executed(execute(book, env, *fws)) == {"pytorch": 0, "mxnet": 0}
    # an unchanged rebuild runs nothing
    assert executed(execute(book, env, *fws)) == {"pytorch": 0, "mxnet": 0}
    # a prose edit (shifting every line below it) runs nothing
    page = book / "book" / "basics" / "tensors.md"
    page.write_text(page.read_text().replace("A line has slope", "A new line.\n\nA line has slope"))
    assert executed(execute(book, env, *fws)) == {"pytorch": 0, "mxnet": 0}
    # editing a #@save function used by library.md (d2l.ones) but not by tensors.md or partial.md
    lib = book / "book" / "basics" / "library.md"
    lib.write_text(lib.read_text().replace('"""A vector of `n` ones."""',
                                           '"""A vector of `n` ones (edited)."""'))
    run_scripts("lib", "--root", book, check=True)
    r = execute(book, env, *fws)
    assert executed(r) == {"pytorch": 1, "mxnet": 1}
    records = json.loads((book / "_build" / "execution" / "pytorch.json").read_text())
    assert {r["page"]: r["cache"] for r in records} == {
        "book/basics/tensors": "hit", "book/basics/library": "miss", "book/basics/partial": "hit"}
    # changing one framework's pins re-runs that framework only
    pins = book / "requirements-mxnet.txt"
    pins.write_text((REPO / "requirements-mxnet.txt").read_text())   # same pins, same key
    assert executed(execute(book, env, *fws)) == {"pytorch": 0, "mxnet": 0}
    # a comment is not a pin: the frozen entries ran with the same pins and stay fresh
    pins.write_text(pins.read_text() + "# a comment in the pin file\n")
    assert executed(execute(book, env, *fws)) == {"pytorch": 0, "mxnet": 0}
    # a changed pin re-runs that framework only (its outputs would come from other packages)
    text = pins.read_text()
    numpy_pin = next(ln for ln in text.splitlines() if ln.startswith("numpy=="))
    pins.write_text(text.replace(numpy_pin, numpy_pin + ".0"))
    assert executed(execute(book, env, *fws)) == {"pytorch": 0, "mxnet": 2}


@pytest.mark.slow
def test_failure_names_framework_page_line_and_traceback(book, warm_cache):
    env = warm_cache
    page = book / "book" / "basics" / "partial.md"
    page.write_text(page.read_text() + "\n```{.python .input}\n#@tab jax\nx = 1\n"
                    "raise ValueError('broken on purpose')\n```\n")
    line = page.read_text().splitlines().index("#@tab jax") + 2
    r = execute(book, env, "--framework", "jax", check=False)
    assert r.returncode == 1
    assert f"jax: book/basics/partial.md:{line}: failed" in r.stderr
    assert "ValueError: broken on purpose" in r.stderr
    assert "1 notebook(s) failed" in r.stderr
    # strict rendering refuses; --keep-going previews the page under a banner
    h = run_scripts("html", "-q", "--root", book, "--frameworks", "jax", env=env)
    assert h.returncode == 1 and "book/basics/partial.md: no successful execution for jax" in h.stderr
    assert execute(book, env, "--framework", "jax", "--keep-going", check=False).returncode == 0
    h = run_scripts("html", "-q", "--keep-going", "--root", book, "--frameworks", "jax", env=env)
    assert h.returncode == 0, h.stdout + h.stderr
    html = (book / "_build" / "html" / "jax" / "basics" / "partial.html").read_text()
    assert "This page failed to execute" in html
    ok = (book / "_build" / "html" / "jax" / "basics" / "tensors.html").read_text()
    assert "This page failed to execute" not in ok


@pytest.mark.slow
def test_timeout_from_front_matter(book, warm_cache):
    env = warm_cache
    page = book / "book" / "basics" / "partial.md"
    page.write_text("---\ntimeout: 2\n---\n" + page.read_text() +
                    "\n```{.python .input}\n#@tab pytorch\nimport time\ntime.sleep(30)\n```\n")
    r = execute(book, env, "--framework", "pytorch", check=False)
    assert r.returncode == 1 and "pytorch: book/basics/partial.md:" in r.stderr
    assert "timeout" in r.stderr and "cell timed out after 2 s" in r.stderr


@pytest.mark.slow
def test_sigkill_leaves_no_corrupt_entry_and_resumes(book, env):
    slow = book / "book" / "basics" / "partial.md"
    slow.write_text(slow.read_text() + "\n```{.python .input}\n#@tab pytorch\nimport time\n"
                    "time.sleep(6)\n```\n")
    p = subprocess.Popen([sys.executable, "-m", "scripts", "execute", "--no-progress", "--root",
                          str(book), "--framework", "pytorch", "--workers", "1"], cwd=REPO,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    cache = book.parent / "cache" / "pytorch"
    deadline = time.time() + 120
    # wait until at least one entry is stored, then kill the whole process group mid-run
    while time.time() < deadline and not list(cache.glob("executed/*/base.ipynb")):
        time.sleep(0.2)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    done_before = len(list(cache.glob("executed/*/base.ipynb")))
    assert 1 <= done_before < 3
    r = execute(book, env, "--framework", "pytorch", "--workers", "1")
    assert executed(r)["pytorch"] == 3 - done_before       # resumes: only what was missing
    assert executed(execute(book, env, "--framework", "pytorch"))["pytorch"] == 0


@pytest.mark.slow
def test_shards_export_and_import_render_without_execution(tmp_path, env):
    files = []
    names = set()
    for i in (1, 2):          # two runners: each its own clone and cache
        book = copy_fixture(tmp_path / f"runner{i}")
        f = tmp_path / f"shard{i}.json"
        r = execute(book, {**env, "D2L_CACHE_DIR": str(tmp_path / f"cache{i}")},
                    "--framework", "pytorch", "--shard", f"{i}/2", "--export", f)
        data = json.loads(f.read_text())
        names |= {e["page"] for e in data["entries"]}
        files.append(f)
        assert executed(r)["pytorch"] == len(data["entries"]) >= 1
    assert names == {"book/basics/tensors", "book/basics/library", "book/basics/partial"}
    # a second machine: empty cache, import both shards, render with no execution
    other = copy_fixture(tmp_path / "renderer")
    final = {**env, "D2L_CACHE_DIR": str(tmp_path / "final")}
    r = run_scripts("cache-import", "--root", other, *files, env=final)
    assert r.returncode == 0 and "3 new entries" in r.stdout
    r = run_scripts("cache-import", "--root", other, *files, env=final)
    assert "0 new entries" in r.stdout                       # idempotent
    assert executed(execute(other, final, "--framework", "pytorch"))["pytorch"] == 0
    h = run_scripts("html", "-q", "--root", other, "--frameworks", "pytorch", env=final)
    assert h.returncode == 0, h.stdout + h.stderr
    html = (other / "_build" / "html" / "pytorch" / "basics" / "tensors.html").read_text()
    assert "tensor of torch with shape (2, 3)" in html


def test_shard_split_is_deterministic_and_balanced():
    from scripts.execute import Task, shard_of
    tasks = [Task(f"p{i}", "", None, "", "", 10, d) for i, d in enumerate([50, 40, 30, 20, 10])]
    a = [t.docname for t in shard_of(tasks, 0, 2)]
    b = [t.docname for t in shard_of(tasks, 1, 2)]
    assert sorted(a + b) == [f"p{i}" for i in range(5)] and not set(a) & set(b)
    assert a == [t.docname for t in shard_of(list(reversed(tasks)), 0, 2)]
    load = lambda names: sum(t.expected for t in tasks if t.docname in names)  # noqa: E731
    assert abs(load(a) - load(b)) <= 10


@pytest.mark.slow
def test_gpu_declared_without_gpu_runs_on_cpu_and_report_says_so(book, warm_cache):
    env = warm_cache
    page = book / "book" / "basics" / "partial.md"
    page.write_text("---\ngpu: true\n---\n" + page.read_text())
    execute(book, env, "--framework", "pytorch")
    recs = {r["page"]: r for r in json.loads((book / "_build" / "execution" / "pytorch.json").read_text())}
    assert recs["book/basics/partial"]["note"] == "declares a GPU; none available, ran on CPU"
    assert recs["book/basics/partial"]["device"].startswith("CPU ")
    assert recs["book/basics/partial"]["framework_version"] == "2.14.1"
    # no page may need a GPU: every section runs on a laptop CPU
    page.write_text(page.read_text().replace("gpu: true", "gpu: required"))
    r = execute(book, env, "--framework", "pytorch", check=False)
    assert r.returncode == 1 and "book/basics/partial.md:2: invalid value 'required' for 'gpu'" \
        in r.stderr


def test_kernel_environment_is_part_of_the_key(tmp_path):
    """A change to what the kernels' environment holds (it can change outputs) re-runs pages;
    the book's own path, which differs between clones, does not."""
    from scripts import envs, fingerprint
    req = tmp_path / "requirements.txt"
    req.write_text("numpy==2.0\n")
    lib = fingerprint.Library("import sys\n")
    base = fingerprint.compute("x = 1", lib, req, {}, tmp_path, envs.KERNEL_ENV)
    again = fingerprint.compute("x = 1", lib, req, {}, tmp_path / "other-clone", envs.KERNEL_ENV)
    changed = fingerprint.compute("x = 1", lib, req, {}, tmp_path,
                                  {**envs.KERNEL_ENV, "TF_ENABLE_ONEDNN_OPTS": "1"})
    assert base["fingerprint"] == again["fingerprint"]
    assert base["fingerprint"] != changed["fingerprint"]
    envs.write_kernelspec(tmp_path / "k", "tensorflow", sys.executable, tmp_path)
    spec = json.loads((tmp_path / "k" / "d2l-tensorflow" / "kernel.json").read_text())
    # a kernel named in _config.yml gets a kernelspec folder of that name
    envs.write_kernelspec(tmp_path / "k", "tensorflow", sys.executable, tmp_path, "my-tf")
    assert (tmp_path / "k" / "my-tf" / "kernel.json").is_file()
    assert spec["env"] == {"PYTHONPATH": str(tmp_path.resolve()), **envs.KERNEL_ENV}


@pytest.mark.slow
def test_kernels_launched_ahead_run_in_each_notebook_folder(book, env, monkeypatch):
    """With one worker, each notebook's kernel is launched while the previous one runs, from
    that notebook's folder; every page must still see its own folder as the working directory."""
    cell = "\n```{.python .input}\n#@tab pytorch\nimport os\nprint('cwd', os.getcwd())\n```\n"
    for rel in ("book/preface.md", "book/basics/tensors.md", "book/basics/library.md"):
        with open(book / rel, "a") as f:
            f.write(cell)
    r = execute(book, env, "--frameworks", "pytorch", "--workers", "1")
    assert executed(r) == {"pytorch": 4}     # the three pages and basics/partial
    from scripts import config, execute as ex
    monkeypatch.setenv("D2L_CACHE_DIR", env["D2L_CACHE_DIR"])
    b = config.load_book(book)
    src = book / "_build" / "src" / "pytorch"
    for page in b.ordered_pages():
        nb = ex.executed_notebook(b, "pytorch", page)
        text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        if page.outname in ("preface", "basics/tensors", "basics/library"):
            assert f"cwd {(src / page.outname).parent}" in text, (page.outname, text)


@pytest.mark.slow
def test_one_progress_display_for_the_whole_run(book, env):
    """Several frameworks run under one progress display that counts pages over all of them."""
    r = run_scripts("execute", "--root", book, "--frameworks", "pytorch,jax", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert executed(r) == {"pytorch": 3, "jax": 3}
    shown = r.stderr.replace("\r", "\n")
    assert "execute 6/6 pages" in shown, shown[-2000:]
    assert "execute pytorch" not in shown and "execute jax" not in shown   # no bar per framework
