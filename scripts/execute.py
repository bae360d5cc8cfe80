"""Stage 4: execute each framework's notebooks once, cache the outputs with jupyter-cache.

``python -m scripts execute --framework FW [--workers N] [--shard i/n] [--keep-going]
[--export FILE]`` runs, N at a time and each in its framework's kernel, the notebooks that have no
valid entry in the framework's jupyter-cache.  The key is jupyter-cache's (code cells + kernelspec)
and includes the dependency fingerprint that the notebook stage stamps into the first code cell
(see :mod:`scripts.fingerprint`), so outputs are reused exactly while nothing they depend on has
changed.  Rendering never executes: it reads these entries.

The cache lives outside the work tree (``$D2L_CACHE_DIR``, else ``execute.cache_dir`` of
``_config.yml``, else ``~/.cache/d2l-book/jupyter-cache``), so fresh clones reuse it.  An entry
is written only after its notebook ran to the end; entries whose files are missing or unreadable
(a run killed mid-write) are dropped and re-run.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import fnmatch
import concurrent.futures as cf
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from scripts import check, envs, notebooks
from scripts.config import Book, Page, load_book
from scripts.errors import BookError, BookErrors, report

DEFAULT_UNKNOWN_SECONDS = 30.0
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
FRAMEWORK_PACKAGES = {"pytorch": ["torch"], "tensorflow": ["tensorflow-cpu", "tensorflow"],
                      "mxnet": ["mxnet"], "jax": ["jax"]}


# --- where things live ---------------------------------------------------------------------

def cache_root(book: Book) -> Path:
    env = os.environ.get("D2L_CACHE_DIR")
    if env:
        return Path(env)
    configured = (book.config.get("execute") or {}).get("cache_dir")
    if configured:
        return (book.root / os.path.expanduser(configured)).resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "d2l-book" / "jupyter-cache"


def cache_path(book: Book, fw: str) -> Path:
    return cache_root(book) / fw


def records_path(book: Book, fw: str) -> Path:
    return book.build_dir / "execution" / f"{fw}.json"


def durations_path(book: Book, fw: str) -> Path:
    return cache_path(book, fw) / "durations.json"


def open_cache(book: Book, fw: str):
    from jupyter_cache import get_cache
    path = cache_path(book, fw)
    path.mkdir(parents=True, exist_ok=True)
    return get_cache(str(path))


# --- records ---------------------------------------------------------------------------------

@dataclass
class Record:
    page: str                 # docname, e.g. book/basics/tensors
    source: str               # book/basics/tensors.md
    framework: str
    status: str               # ok | failed | timeout
    cache: str                # hit | miss
    seconds: float            # execution time of the notebook (for a hit: of the cached run)
    device: str = ""
    framework_version: str = ""
    python_version: str = ""
    executed_at: str = ""
    error: str = ""
    note: str = ""
    cell_seconds: float = 0.0     # time spent inside cells (the rest is kernel start-up etc.)


def load_json(path: Path, default):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return default


@contextlib.contextmanager
def locked(path: Path):
    """An exclusive lock on ``path``'s lock file while the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def save_json(path: Path, data) -> None:
    from scripts.files import write_if_changed
    write_if_changed(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gpus() -> list[tuple[str, str]]:
    """(index, name) of the visible NVIDIA GPUs; empty without ``nvidia-smi`` or a GPU."""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=index,name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if out.returncode != 0:
        return []
    return [tuple(x.strip() for x in ln.split(",", 1)) for ln in out.stdout.splitlines() if "," in ln]


def kernel_versions(python: str, fw: str) -> tuple[str, str]:
    """(framework version, Python version) of the interpreter that runs ``fw``'s kernel."""
    pkgs = FRAMEWORK_PACKAGES.get(fw, [fw])
    code = ("import importlib.metadata as m, sys\nv=''\nfor p in %r:\n try:\n  v=m.version(p); break\n"
            " except m.PackageNotFoundError: pass\nprint(v); print(sys.version.split()[0])" % pkgs)
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
        lines = out.stdout.split()
        return (lines[0], lines[1]) if len(lines) == 2 else ("", lines[0] if lines else "")
    except (OSError, subprocess.TimeoutExpired):
        return "", ""


# --- planning --------------------------------------------------------------------------------

@dataclass
class Task:
    docname: str
    source: str
    path: Path
    nb_json: str
    gpu: str                 # "" | "yes" | "required"
    timeout: int
    expected: float
    lines: list = field(default_factory=list)


def _gpu_need(meta: dict) -> str:
    value = meta.get("gpu", False)
    if value in ("required", "must"):
        return "required"
    return "yes" if value else ""


def valid_entry(cache, nb) -> bool:
    """True when the cache holds a complete entry for ``nb``; a broken one is removed."""
    try:
        record = cache.match_cache_notebook(nb)
    except KeyError:
        return False
    try:
        bundle = cache.get_cache_bundle(record.pk)
        if not bundle.nb.cells:
            raise ValueError("empty notebook")
        return True
    except Exception:   # noqa: BLE001 - a record whose files were never (fully) written
        cache.remove_cache_record(record.pk)
        return False


def executed_notebook(book: Book, fw: str, page: Page, cache=None):
    """``page``'s notebook for ``fw`` with the outputs of its cached execution (``None`` when
    it has no valid entry); a page without code comes back as written. Pass ``cache`` (from
    :func:`open_cache`) when reading many pages."""
    import nbformat
    nb = nbformat.read(notebooks.src_dir(book, fw) / f"{page.outname}.ipynb", as_version=4)
    if not nb.metadata.get("d2l", {}).get("has_code"):
        return nb
    cache = cache or open_cache(book, fw)
    if not valid_entry(cache, nb):
        return None
    _, merged = cache.merge_match_into_notebook(nb)
    return merged


def shard_of(tasks: list[Task], index: int, count: int) -> list[Task]:
    """Deterministic split, balanced by expected duration: longest first to the lightest shard."""
    loads = [0.0] * count
    mine = []
    for t in sorted(tasks, key=lambda t: (-t.expected, t.docname)):
        k = min(range(count), key=lambda i: (loads[i], i))
        loads[k] += t.expected
        if k == index:
            mine.append(t)
    return mine


def plan(book: Book, fw: str, cache) -> tuple[list[Task], list[Task]]:
    """(tasks to run, tasks already cached) for framework ``fw``."""
    import nbformat
    durations = load_json(durations_path(book, fw), {})
    default_timeout = int((book.config.get("execute") or {}).get("timeout", 600))
    todo, cached = [], []
    for page in book.ordered_pages():
        path = notebooks.src_dir(book, fw) / f"{page.outname}.ipynb"
        text = path.read_text()
        nb = nbformat.reads(text, as_version=4)
        meta = nb.metadata.get("d2l", {})
        if not meta.get("has_code"):
            continue
        front = meta.get("front_matter") or {}
        task = Task(page.docname, meta.get("source", ""), path, text, _gpu_need(front),
                    int(front.get("timeout", default_timeout)),
                    float(durations.get(page.docname, DEFAULT_UNKNOWN_SECONDS)),
                    meta.get("cell_lines", []))
        (cached if valid_entry(cache, nb) else todo).append(task)
    return todo, cached


# --- running one notebook (in a worker process) ----------------------------------------------

def thread_caps(threads: int) -> dict[str, str]:
    """Environment that limits a kernel's thread pools to ``threads`` cores."""
    n = str(max(1, threads))
    return {"OMP_NUM_THREADS": n, "MKL_NUM_THREADS": n, "OPENBLAS_NUM_THREADS": n,
            "NUMEXPR_NUM_THREADS": n, "TF_NUM_INTRAOP_THREADS": n, "TF_NUM_INTEROP_THREADS": "1",
            "MXNET_CPU_WORKER_NTHREADS": n, "MXNET_OMP_MAX_THREADS": n,
            "XLA_FLAGS": f"--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads={n}"}


#: In a worker process: a kernel launched ahead of time for the worker's next notebook, so that
#: its start-up (a Python process importing IPython) overlaps the current notebook's cells.
_SPARE: dict = {}


def _launch_kernel(kernel: str, env: dict, cwd: str):
    """Start kernel ``kernel``; it talks over Unix sockets named after its connection file, so
    kernels started side by side never race for the same TCP port."""
    import uuid
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    runtime = jupyter_runtime_dir()
    os.makedirs(runtime, exist_ok=True)
    km = AsyncKernelManager(kernel_name=kernel, transport="ipc")
    km.connection_file = os.path.join(runtime, f"d2l-kernel-{uuid.uuid4().hex[:16]}.json")
    km.ip = km.connection_file[:-len(".json")] + "-ipc"
    asyncio.run(km.start_kernel(env={**os.environ, **env}, cwd=cwd))
    return km


def _stop_kernel(km) -> None:
    try:
        asyncio.run(km.shutdown_kernel(now=True))
    except Exception:   # noqa: BLE001 - already gone
        pass


def _stop_spare() -> None:
    spare = _SPARE.pop("spare", None)
    if spare:
        _stop_kernel(spare[1])


def _take_spare(key):
    """The kernel launched ahead for ``key`` (kernel, environment), if there is one."""
    spare = _SPARE.pop("spare", None)
    if spare is None:
        return None
    if spare[0] == key and spare[1].has_kernel:
        return spare[1]
    _stop_kernel(spare[1])
    return None


def run_notebook(nb_json: str, kernel: str, cwd: str, timeout: int, env: dict,
                 lines: list) -> dict:
    """Execute one notebook; return {ok, nb, seconds, cell, error} (plain data, picklable).

    The kernel for the next notebook of this worker is launched before this one runs (most notebooks of a run share kernel and environment); it is used only when those
    match, is moved into the notebook's folder before the first cell, and is shut down when the
    worker exits.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    if not _SPARE.get("finalizer"):
        import multiprocessing.util
        _SPARE["finalizer"] = multiprocessing.util.Finalize(None, _stop_spare, exitpriority=10)
    nb = nbformat.reads(nb_json, as_version=4)
    current = {"index": None, "t": 0.0, "cells": 0.0}

    def on_start(cell, cell_index):
        current["index"], current["t"] = cell_index, time.time()

    def on_done(cell, cell_index, execute_reply):
        current["cells"] += time.time() - current["t"]

    t0 = time.time()
    key = (kernel, tuple(sorted(env.items())))
    km = _take_spare(key)
    status, error = "ok", ""
    try:
        if km is None:
            km = _launch_kernel(kernel, env, cwd)
    except Exception as e:   # noqa: BLE001 - no such kernel, broken venv, ...
        return {"status": "failed", "nb": "", "seconds": time.time() - t0, "cell_seconds": 0.0,
                "line": None, "error": "the kernel could not start: " + "".join(
                    traceback.format_exception_only(type(e), e)).strip()}
    try:
        _SPARE["spare"] = (key, _launch_kernel(kernel, env, cwd))
    except Exception:   # noqa: BLE001 - the next notebook's own start reports the problem
        pass

    async def enter_folder(notebook):
        # a kernel launched ahead started in another notebook's folder: move it to this one
        msg_id = client.kc.execute(f"import os as _os; _os.chdir({cwd!r}); del _os",
                                   silent=True, store_history=False)
        await client.async_wait_for_reply(msg_id)

    client = NotebookClient(nb, km=km, timeout=timeout, kernel_name=kernel, allow_errors=False,
                            record_timing=False, resources={"metadata": {"path": cwd}},
                            shutdown_kernel="immediate", on_notebook_start=enter_folder,
                            on_cell_start=on_start, on_cell_executed=on_done)
    try:
        client.execute(env={**os.environ, **env}, cwd=cwd)
    except CellTimeoutError:
        status, error = "timeout", f"cell timed out after {timeout} s"
    except (CellExecutionError, DeadKernelError) as e:
        status = "failed"
        error = ANSI.sub("", str(e))
    except Exception as e:   # noqa: BLE001 - kernel failed to start, etc.
        status, error = "failed", "".join(traceback.format_exception_only(type(e), e))
    finally:                        # a kernel we launched: nbclient leaves it to us
        if client.kc is not None:
            client.kc.stop_channels()
        _stop_kernel(km)
    seconds = time.time() - t0
    idx = current["index"]
    line = lines[idx] if idx is not None and idx < len(lines) else None
    tail = "\n".join([ln for ln in error.strip().splitlines() if ln.strip()][-6:])
    return {"status": status, "nb": nbformat.writes(nb) if status == "ok" else "",
            "seconds": seconds, "cell_seconds": current["cells"], "line": line, "error": tail}


# --- the command -----------------------------------------------------------------------------

@dataclass
class Outcome:
    records: list[Record]
    failures: list[str]
    executed: int


def execute(book: Book, fw: str, workers: int | None = None, shard: tuple[int, int] | None = None,
            export: Path | None = None, progress: bool = True,
            pages: list[str] | None = None) -> Outcome:
    """Run the notebooks of ``fw`` without a valid cache entry; record every notebook.

    ``pages`` (shell patterns such as ``preliminaries/*``) restricts the run to matching pages.
    """
    return execute_all(book, [fw], workers, shard, export, progress, pages)[fw]


def execute_all(book: Book, frameworks: list[str], workers: int | None = None,
                shard: tuple[int, int] | None = None, export: Path | None = None,
                progress: bool = True, pages: list[str] | None = None) -> dict[str, Outcome]:
    """:func:`execute` for several frameworks through one pool of workers: every framework's
    notebooks are queued first, so a worker that has finished one framework's share goes on
    with the next framework's instead of idling while the last notebook of the first runs."""
    workers = max(1, workers or os.cpu_count() or 1)
    ctx = __import__("multiprocessing").get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        runs = {fw: _execution(book, fw, workers, shard, export, progress, pages, pool, i)
                for i, fw in enumerate(frameworks)}
        for run in runs.values():
            next(run)                   # plan and queue every framework's notebooks
        outcomes = {}
        for fw, run in runs.items():    # then collect them, framework by framework
            try:
                next(run)
            except StopIteration as done:
                outcomes[fw] = done.value
    return outcomes


def _execution(book: Book, fw: str, workers: int, shard, export, progress, pages, pool,
               position: int = 0):
    """Plan and queue ``fw``'s notebooks on ``pool``, yield, then collect and record them."""
    import nbformat
    from jupyter_cache.base import CacheBundleIn as NbBundleIn

    cache = open_cache(book, fw)
    todo, cached = plan(book, fw, cache)
    if shard:
        everything = {t.docname for t in shard_of(todo + cached, *shard)}
        todo = [t for t in todo if t.docname in everything]
        cached = [t for t in cached if t.docname in everything]
    if pages:
        keep = lambda t: any(fnmatch.fnmatch(t.docname.removeprefix("book/"), pat)  # noqa: E731
                             or fnmatch.fnmatch(t.docname, pat) for pat in pages)
        todo, cached = [t for t in todo if keep(t)], [t for t in cached if keep(t)]
    python = envs.kernel_python(envs.REPO, fw)
    fw_version, py_version = kernel_versions(python, fw)
    cpu = cpu_model()
    gpu_list = gpus()
    now = lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")  # noqa: E731
    records: dict[str, Record] = {}
    old = {r["page"]: r for r in load_json(records_path(book, fw), [])}
    for t in cached:
        prev = old.get(t.docname, {})
        records[t.docname] = Record(
            t.docname, t.source, fw, "ok", "hit", float(prev.get("seconds", 0.0)),
            prev.get("device", ""), prev.get("framework_version", fw_version),
            prev.get("python_version", py_version), prev.get("executed_at", ""))
    failures: list[str] = []
    measured: dict[str, float] = {}     # seconds of the notebooks run now
    kernel = book.frameworks[fw].kernel
    per_worker = max(1, (os.cpu_count() or 1) // workers)
    exported = []

    def job_env(t: Task, slot: int) -> tuple[dict, str, str]:
        env = thread_caps(per_worker)
        if t.gpu and gpu_list:
            idx, name = gpu_list[slot % len(gpu_list)]
            env["CUDA_VISIBLE_DEVICES"] = idx
            return env, f"GPU {name}", ""
        env["CUDA_VISIBLE_DEVICES"] = ""
        note = "declares a GPU; none available, ran on CPU" if t.gpu else ""
        return env, f"CPU {cpu}", note

    bar = None
    if progress and todo:
        from tqdm import tqdm
        bar = tqdm(total=round(sum(t.expected for t in todo)), unit="s", desc=f"execute {fw}",
                   dynamic_ncols=True, position=position, leave=True,
                   bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}]")
    runnable = []
    for t in todo:
        if t.gpu == "required" and not gpu_list:
            msg = f"{fw}: {t.source}: needs a GPU (front matter `gpu: required`) and none is visible"
            failures.append(msg)
            records[t.docname] = Record(t.docname, t.source, fw, "failed", "miss", 0.0,
                                        f"CPU {cpu}", fw_version, py_version, now(), msg)
            continue
        runnable.append(t)
    futures = {}
    for slot, t in enumerate(runnable):
        env, device, note = job_env(t, slot)
        fut = pool.submit(run_notebook, t.nb_json, kernel, str(t.path.parent), t.timeout,
                          env, t.lines)
        futures[fut] = (t, device, note)
    yield
    for fut in cf.as_completed(futures):
        t, device, note = futures[fut]
        res = fut.result()
        rec = Record(t.docname, t.source, fw, res["status"], "miss", round(res["seconds"], 2),
                     device, fw_version, py_version, now(), res["error"], note,
                     round(res["cell_seconds"], 3))
        records[t.docname] = rec
        if res["status"] == "ok":
            nb = nbformat.reads(res["nb"], as_version=4)
            cache.cache_notebook_bundle(
                NbBundleIn(nb, str(t.path), data={"execution_seconds": res["seconds"]}),
                check_validity=False, overwrite=True)
            measured[t.docname] = round(res["seconds"], 2)
            exported.append({"page": t.docname, "notebook": res["nb"], "record": asdict(rec)})
        else:
            where = f"{t.source}:{res['line']}" if res["line"] else t.source
            failures.append(f"{fw}: {where}: {res['status']}\n" +
                            "\n".join("    " + ln for ln in res["error"].splitlines()))
        if bar:
            bar.update(round(min(t.expected, bar.total - bar.n)))
            bar.set_postfix_str(Path(t.source).name)
    if bar:
        bar.update(bar.total - bar.n)
        bar.close()
    ordered = [records[p.docname] for p in book.ordered_pages() if p.docname in records]
    # several `execute` runs may share the records (e.g. --pages runs side by side): merge
    # under a lock instead of overwriting what another run recorded meanwhile
    with locked(records_path(book, fw)):
        durations = load_json(durations_path(book, fw), {})
        durations.update(measured)
        save_json(durations_path(book, fw), durations)
        if shard or pages:
            previous = {r["page"]: r for r in load_json(records_path(book, fw), [])}
            previous.update({r.page: asdict(r) for r in ordered})
            merged = [previous[p.docname] for p in book.ordered_pages() if p.docname in previous]
            save_json(records_path(book, fw), merged)
        else:
            save_json(records_path(book, fw), [asdict(r) for r in ordered])
    if export:
        export.parent.mkdir(parents=True, exist_ok=True)
        export.write_text(json.dumps({"framework": fw, "entries": exported}) + "\n")
    return Outcome(ordered, failures, len(runnable))


def import_entries(book: Book, files: list[Path]) -> int:
    """Merge exported entries into the caches; idempotent. Returns how many were new."""
    import nbformat
    from jupyter_cache.base import CacheBundleIn as NbBundleIn
    added = 0
    for f in files:
        data = json.loads(Path(f).read_text())
        fw = data["framework"]
        cache = open_cache(book, fw)
        recs = {r["page"]: r for r in load_json(records_path(book, fw), [])}
        durations = load_json(durations_path(book, fw), {})
        for e in data["entries"]:
            nb = nbformat.reads(e["notebook"], as_version=4)
            if not valid_entry(cache, nb):
                cache.cache_notebook_bundle(NbBundleIn(nb, e["page"], data={
                    "execution_seconds": e["record"]["seconds"]}), check_validity=False,
                    overwrite=True)
                added += 1
            recs[e["page"]] = e["record"]
            durations[e["page"]] = e["record"]["seconds"]
        order = [p.docname for p in book.ordered_pages()]
        save_json(records_path(book, fw),
                  [recs[d] for d in order if d in recs])
        save_json(durations_path(book, fw), durations)
    return added


def prepare(book: Book, frameworks: list[str]) -> None:
    """Check the book and write its notebooks (what every execution starts from)."""
    errors, parsed = check.check_book(book)
    if errors:
        raise BookErrors(errors)
    notebooks.generate(book, frameworks, parsed)


def _parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    m = re.fullmatch(r"(\d+)/(\d+)", text)
    if not m or not (1 <= int(m.group(1)) <= int(m.group(2))):
        raise BookError(f"bad --shard '{text}'", "use i/n with 1 <= i <= n, e.g. 1/2")
    return int(m.group(1)) - 1, int(m.group(2))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts execute", description=__doc__.split("\n")[0])
    p.add_argument("--root", default=".", type=Path)
    p.add_argument("--framework", "--frameworks", dest="frameworks",
                   default=os.environ.get("FRAMEWORKS", ""),
                   help="framework(s), comma-separated (default: all)")
    p.add_argument("--workers", type=int, default=None, help="notebooks at a time (default: CPUs)")
    p.add_argument("--shard", help="run only shard i of n (i/n), balanced by recorded durations")
    p.add_argument("--keep-going", action="store_true",
                   help="exit 0 despite failures; `html --keep-going` shows them with a banner")
    p.add_argument("--export", type=Path, help="write this run's entries to FILE (one framework)")
    p.add_argument("--pages", default="",
                   help="only these pages: comma-separated shell patterns, e.g. 'linear/*,preface'")
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    root = Path(args.root).resolve()
    try:
        book = load_book(root)
        fws = book.select(args.frameworks)
        shard = _parse_shard(args.shard)
        if args.export and len(fws) != 1:
            raise BookError("--export takes one framework", "add --framework NAME")
        prepare(book, fws)
        envs.book_kernels(book.root, book.build_dir, fws)
        failures, total_run = [], 0
        t0 = time.time()
        outcomes = execute_all(book, fws, args.workers, shard, args.export, not args.no_progress,
                               [x.strip() for x in args.pages.split(",") if x.strip()])
        for fw, out in outcomes.items():
            hits = sum(r.cache == "hit" for r in out.records)
            print(f"[execute] {fw}: {out.executed} executed, {hits} cached, "
                  f"{len(out.failures)} failed", flush=True)
            failures += out.failures
            total_run += out.executed
        print(f"[execute] {time.time() - t0:.1f} s for {', '.join(fws)}", flush=True)
    except (BookError, BookErrors) as e:
        return report(e, root)
    if failures:
        print(f"[execute] {len(failures)} notebook(s) failed:")
        for f in failures:
            print("  " + f.replace("\n", "\n  "))
        return 0 if args.keep_going else 1
    return 0


def import_main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts cache-import",
                                description="merge exported execution entries into the cache")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--root", default=".", type=Path)
    args = p.parse_args(argv)
    book = load_book(Path(args.root).resolve())
    added = import_entries(book, args.files)
    print(f"[cache-import] {added} new entr{'y' if added == 1 else 'ies'} from {len(args.files)} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
