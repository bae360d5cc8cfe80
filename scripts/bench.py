"""Benchmark of the execute stage (not a test: it prints ratios measured in one run).

``python -m scripts bench [--roots tests/fixture .] [--frameworks ...]`` copies each book to a
temporary folder with an empty execution cache and measures, per book:

* overhead: wall time of a cold ``execute`` with 1 worker / the time spent inside cells;
* 2 workers vs 1: cold wall time with 1 worker / with 2 workers;
* no-op rebuild: wall time of ``execute`` when everything is cached;
* one code edit: wall time after editing one code cell, and how many notebooks ran per framework
  (it must be exactly one per framework the cell belongs to).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from scripts import envs, execute
from scripts.config import load_book

COPY = ["book", "d2l", "_config.yml", "_toc.yml", "references.bib"]


def _copy_book(src: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in COPY:
        p = src / name
        if p.is_dir():
            shutil.copytree(p, dest / name, ignore=shutil.ignore_patterns("_build", "__pycache__"))
        elif p.exists():
            shutil.copy2(p, dest / name)
    return dest


def _run(root: Path, fws: list[str], workers: int) -> tuple[float, dict]:
    book = load_book(root)
    t0 = time.time()
    execute.prepare(book, fws)
    envs.book_kernels(book, fws)
    outs = execute.execute_all(book, fws, workers, progress=False)
    return time.time() - t0, outs


def _edit_first_code_cell(root: Path) -> str:
    for page in load_book(root).ordered_pages():
        text = page.path.read_text()
        i = text.find("```{.python .input}")
        if i >= 0:
            j = text.index("\n", i) + 1
            page.path.write_text(text[:j] + "_bench_edit = 1\n" + text[j:])
            return str(page.path.relative_to(root))
    raise SystemExit(f"{root}: no code cell to edit")


def bench(src: Path, fws: list[str], tmp: Path) -> dict:
    result = {}
    os.environ["D2L_CACHE_DIR"] = str(tmp / "cache1")
    root = _copy_book(src, tmp / "w1")
    wall1, outs = _run(root, fws, 1)
    cells = sum(r.cell_seconds for o in outs.values() for r in o.records)
    notebooks = sum(o.executed for o in outs.values())
    os.environ["D2L_CACHE_DIR"] = str(tmp / "cache2")
    wall2, _ = _run(_copy_book(src, tmp / "w2"), fws, 2)
    os.environ["D2L_CACHE_DIR"] = str(tmp / "cache1")
    noop, _ = _run(root, fws, 2)
    edited = _edit_first_code_cell(root)
    edit, outs = _run(root, fws, 2)
    result.update(notebooks=notebooks, wall1=wall1, cells=cells, overhead=wall1 / cells - 1,
                  wall2=wall2, speedup=wall1 / wall2, noop=noop, noop_per_fw=noop / len(fws),
                  edit=edit, edited=edited, edit_runs={fw: o.executed for fw, o in outs.items()})
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts bench", description=__doc__.split("\n")[0])
    p.add_argument("--roots", nargs="+", type=Path, default=[Path("tests/fixture"), Path(".")])
    p.add_argument("--frameworks", default=os.environ.get("FRAMEWORKS", ""))
    args = p.parse_args(argv)
    from scripts.execute.kernels import cpu_model
    print(f"machine: {platform.node()} · {os.cpu_count()} CPUs · {cpu_model()} · "
          f"Python {platform.python_version()}")
    for src in args.roots:
        src = src.resolve()
        fws = load_book(src).select(args.frameworks)
        with tempfile.TemporaryDirectory(prefix="d2l-bench-") as tmp:
            r = bench(src, fws, Path(tmp))
        print(f"\n{src.name or src} ({', '.join(fws)}; {r['notebooks']} notebooks)")
        print(f"  cold, 1 worker          {r['wall1']:7.1f} s wall, {r['cells']:.1f} s inside cells"
              f" -> overhead {100 * r['overhead']:.0f}% of cell time")
        print(f"  cold, 2 workers         {r['wall2']:7.1f} s -> 2 workers vs 1: {r['speedup']:.2f}x")
        print(f"  no-op rebuild           {r['noop']:7.1f} s ({r['noop_per_fw']:.2f} s per framework)")
        print(f"  one code edit           {r['edit']:7.1f} s, notebooks run: {r['edit_runs']} "
              f"(edited {r['edited']})")
    return 0
