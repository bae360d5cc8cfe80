"""Stage 4: execute each framework's notebooks once, cache the outputs with jupyter-cache.

``python -m scripts execute [--frameworks FW,...] [--workers N] [--shard i/n] [--pages PATTERNS]
[--keep-going] [--export FILE]`` runs, N at a time and each in its framework's kernel, the
notebooks that have no valid entry in the framework's jupyter-cache. The key is jupyter-cache's
(code cells + kernelspec) and includes the dependency fingerprint that the notebook stage stamps
into the first code cell (see :mod:`scripts.fingerprint`), so outputs are reused exactly while
nothing they depend on has changed. Rendering never executes: it reads these entries.

The stage has three parts: :mod:`~scripts.execute.plan` (what to run), :mod:`~scripts.execute.
kernels` (running one notebook in a worker) and :mod:`~scripts.execute.store` (cache, records,
export/import). A run has two explicit phases per framework: :meth:`Run.submit` queues its
notebooks on the shared worker pool, :meth:`Run.collect` stores the results as they arrive.
"""
from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from scripts import check, cli, envs, notebooks
from scripts.config import Book
from scripts.contracts import Failure, Record, load_records
from scripts.errors import BookError, BookErrors
from scripts.execute import freeze
from scripts.execute.kernels import cpu_model, gpus, kernel_versions, run_notebook, thread_caps
from scripts.execute.plan import Task, plan, select, shard_of
from scripts.execute.store import (cache_path, cache_root, durations_path, executed_notebook,
                                   import_entries, load_json, merge_records, open_cache, store,
                                   valid_entry, write_export)

__all__ = ["Outcome", "Run", "Task", "cache_path", "cache_root", "durations_path", "execute",
           "execute_all", "executed_notebook", "import_entries", "load_json", "open_cache",
           "plan", "prepare", "shard_of", "valid_entry"]


@dataclass
class Outcome:
    records: list[Record]
    failures: list[Failure]
    executed: int
    frozen: int = 0           # frozen entries written
    thawed: int = 0           # pages whose outputs came from their frozen entry in this run


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Run:
    """The execution of one framework's notebooks within a run of several."""

    def __init__(self, book: Book, fw: str, workers: int, shard=None, export: Path | None = None,
                 pages: list[str] | None = None):
        self.book, self.fw, self.export = book, fw, export
        self.partial = bool(shard or pages)
        self.cache = open_cache(book, fw)
        todo, cached = plan(book, fw, self.cache)
        self.todo, self.cached = select(todo, cached, shard, pages)
        framework = book.frameworks[fw]
        self.kernel = framework.kernel
        python = envs.kernel_python(envs.venv_root(book.root, fw), fw)
        self.fw_version, self.py_version = kernel_versions(python, framework.packages)
        self.cpu, self.gpus = cpu_model(), gpus() if framework.gpu else []
        self.per_worker = max(1, (os.cpu_count() or 1) // workers)
        self.records: dict[str, Record] = {}
        self.failures: list[Failure] = []
        self.futures: dict = {}
        self.frozen = 0           # frozen entries written by this run
        self._record_hits()

    def _record_hits(self) -> None:
        """Records of the pages whose outputs exist: the last local record of the page, else the
        record of its frozen entry."""
        old = {r.page: r for r in load_records(self.book.build.records(self.fw))}
        for t in self.cached:
            prev = old.get(t.docname)
            if prev is None or t.found == "frozen":
                frozen = t.frozen.frozen.record if t.frozen and t.frozen.frozen else {}
                prev = Record.from_dict({"page": t.docname, "source": t.source,
                                         "framework": self.fw, "status": "ok", "cache": "hit",
                                         "seconds": 0.0, **frozen}) if frozen else None
            # a page found in the local cache keeps where its outputs came from (the freeze, or
            # an execution here), so records and the execution report stay the same from one
            # rebuild to the next
            origin = (prev.cache if t.found == "hit" and prev and prev.cache in ("frozen", "miss")
                      else t.found)
            self.records[t.docname] = Record(
                t.docname, t.source, self.fw, "ok", origin, prev.seconds if prev else 0.0,
                prev.device if prev else "", (prev and prev.framework_version) or self.fw_version,
                (prev and prev.python_version) or self.py_version, prev.executed_at if prev else "",
                cell_seconds=prev.cell_seconds if prev else 0.0)

    def freeze_cached(self) -> int:
        """Freeze the pages whose outputs are in the local cache but whose frozen entry is
        missing, stale or corrupt, and store the fresh entries kept under an older key under the
        current one (:func:`freeze.covers`); return how many entries were written."""
        import nbformat
        written = 0
        for t in self.cached:
            if t.frozen is not None and t.frozen.rekey:
                freeze.rekey(self.book, self.fw, t.page, nbformat.reads(t.nb_json, as_version=4),
                             t.frozen.frozen)
                written += 1
                continue
            if t.frozen is None or t.frozen.state == "fresh":
                continue
            nb = executed_notebook(self.book, self.fw, t.page, self.cache)
            if nb is not None:
                written += freeze.write(self.book, self.fw, t.page, nb, self.records[t.docname])
        return written

    def _placement(self, t: Task, slot: int) -> tuple[dict, str, str]:
        """(kernel environment, device, note) of task ``t`` run in worker slot ``slot``."""
        env = thread_caps(self.per_worker)
        if t.gpu and self.gpus:
            idx, name = self.gpus[slot % len(self.gpus)]
            env["CUDA_VISIBLE_DEVICES"] = idx
            # JAX preallocates most of a GPU's memory per process: two kernels on one GPU crash
            env["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
            return env, f"GPU {name}", ""
        env["CUDA_VISIBLE_DEVICES"] = ""
        note = "declares a GPU; none available, ran on CPU" if t.gpu else ""
        return env, f"CPU {self.cpu}", note

    def _fail(self, t: Task, status, error: str, device: str, line=None, seconds=0.0, note=""):
        self.failures.append(Failure(self.fw, t.source, status, error, line))
        self.records[t.docname] = Record(t.docname, t.source, self.fw, status, "miss",
                                         round(seconds, 2), device, self.fw_version,
                                         self.py_version, _now(), error, note)

    def submit(self, pool) -> None:
        """Phase 1: queue every notebook to run on ``pool``."""
        for slot, t in enumerate(self.todo):
            env, device, note = self._placement(t, slot)
            fut = pool.submit(run_notebook, t.nb_json, self.kernel, str(t.path.parent), t.timeout,
                              env, t.lines)
            self.futures[fut] = (t, device, note)

    @property
    def expected_seconds(self) -> float:
        return sum(t.expected for t, _, _ in self.futures.values())

    def collect(self, progress=None) -> Outcome:
        """Phase 2: store each result as it arrives, then write records, durations, export."""
        import nbformat
        measured: dict[str, float] = {}
        exported = []
        for fut in cf.as_completed(self.futures):
            t, device, note = self.futures[fut]
            res = fut.result()
            if res["status"] != "ok":
                self._fail(t, res["status"], res["error"], device, res["line"], res["seconds"], note)
            else:
                rec = Record(t.docname, t.source, self.fw, "ok", "miss", round(res["seconds"], 2),
                             device, self.fw_version, self.py_version, _now(), "", note,
                             round(res["cell_seconds"], 3))
                self.records[t.docname] = rec
                nb = nbformat.reads(res["nb"], as_version=4)
                store(self.cache, nb, str(t.path), res["seconds"])
                self.frozen += freeze.write(self.book, self.fw, t.page, nb, rec)
                measured[t.docname] = rec.seconds
                exported.append((t.docname, res["nb"], rec))
            if progress:
                progress(t)
        ordered = [self.records[p.docname] for p in self.book.ordered_pages()
                   if p.docname in self.records]
        merge_records(self.book, self.fw, ordered, measured, self.partial)
        self.frozen += self.freeze_cached()
        if not self.partial:
            freeze.prune(self.book, self.fw)
        if self.export:
            write_export(self.export, self.fw, exported)
        return Outcome(ordered, self.failures, len(self.futures), self.frozen,
                       sum(t.found == "frozen" for t in self.cached))


def _progress(runs: dict[str, Run]):
    """One progress display for the whole run: seconds of recorded work done out of the total
    (so the time left is estimated from recorded durations), pages done out of the total, and the
    notebooks the workers are running now. Returns (bar, step)."""
    from tqdm import tqdm
    total = sum(run.expected_seconds for run in runs.values())
    pages = sum(len(run.futures) for run in runs.values())
    bar = tqdm(total=max(1, round(total)), unit="s", desc=f"execute 0/{pages} pages",
               dynamic_ncols=True,
               bar_format="{desc} {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]{postfix}")
    done = [0]

    def step(t: Task):
        done[0] += 1
        bar.update(round(min(t.expected, bar.total - bar.n)))
        running = [f"{fw} {Path(task.source).stem}" for fw, run in runs.items()
                   for fut, (task, _, _) in run.futures.items() if fut.running()]
        bar.set_description_str(f"execute {done[0]}/{pages} pages", refresh=False)
        bar.set_postfix_str(f"running {', '.join(running)}" if running else "")
    return bar, step


def execute_all(book: Book, frameworks: list[str], workers: int | None = None,
                shard: tuple[int, int] | None = None, export: Path | None = None,
                progress: bool = True, pages: list[str] | None = None) -> dict[str, Outcome]:
    """Run the notebooks of ``frameworks`` without a valid cache entry through one pool of
    workers; record every notebook. Every framework's notebooks are queued first, so a worker
    that has finished one framework's share goes on with the next framework's instead of idling
    while the last notebook of the first runs. ``pages`` (shell patterns such as
    ``preliminaries/*``) restricts the run to matching pages."""
    workers = max(1, workers or os.cpu_count() or 1)
    ctx = __import__("multiprocessing").get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        runs = {fw: Run(book, fw, workers, shard, export, pages) for fw in frameworks}
        for run in runs.values():
            run.submit(pool)
        bar, step = (None, None)
        if progress and any(run.futures for run in runs.values()):
            bar, step = _progress(runs)
        outcomes = {fw: run.collect(step) for fw, run in runs.items()}
        if bar:
            bar.update(bar.total - bar.n)
            bar.close()
    return outcomes


def execute(book: Book, fw: str, **kw) -> Outcome:
    """:func:`execute_all` for one framework."""
    return execute_all(book, [fw], **kw)[fw]


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


def _options(p) -> None:
    p.add_argument("--workers", type=int, default=None, help="notebooks at a time (default: CPUs)")
    p.add_argument("--shard", help="run only shard i of n (i/n), balanced by recorded durations")
    p.add_argument("--keep-going", action="store_true",
                   help="exit 0 despite failures; `html --keep-going` shows them with a banner")
    p.add_argument("--export", type=Path, help="write this run's entries to FILE (one framework)")
    p.add_argument("--pages", default="",
                   help="only these pages: comma-separated shell patterns, e.g. 'linear/*,preface'")
    p.add_argument("--no-progress", action="store_true")


def _run(args, book: Book, fws: list[str]) -> int:
    shard = _parse_shard(args.shard)
    if args.export and len(fws) != 1:
        raise BookError("--export takes one framework", "add --frameworks NAME")
    prepare(book, fws)
    envs.book_kernels(book, fws)
    t0 = time.time()
    outcomes = execute_all(book, fws, args.workers, shard, args.export, not args.no_progress,
                           [x.strip() for x in args.pages.split(",") if x.strip()])
    failures = []
    for fw, out in outcomes.items():
        hits = len(out.records) - out.executed - out.thawed
        print(f"[execute] {fw}: {out.executed} executed, {hits} cached, {out.thawed} frozen, "
              f"{len(out.failures)} failed; {out.frozen} frozen entr"
              f"{'y' if out.frozen == 1 else 'ies'} written", flush=True)
        failures += out.failures
    print(f"[execute] {time.time() - t0:.1f} s for {', '.join(fws)}", flush=True)
    if failures:
        print(f"[execute] {len(failures)} notebook(s) failed:", file=sys.stderr)
        for f in failures:
            print("  " + f.format().replace("\n", "\n  "), file=sys.stderr)
        return 0 if args.keep_going else 1
    return 0


main = cli.command("execute", __doc__, _run, _options)


def _import(args, book: Book, fws: list[str]) -> int:
    added = import_entries(book, args.files)
    print(f"[cache-import] {added} new entr{'y' if added == 1 else 'ies'} from "
          f"{len(args.files)} file(s)")
    return 0


import_main = cli.command("cache-import", "merge entries exported by `execute --export`",
                          _import, lambda p: p.add_argument("files", nargs="+", type=Path),
                          frameworks=False)


if __name__ == "__main__":
    sys.exit(main())
