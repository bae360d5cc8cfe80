"""Benchmarks of the build (not tests: they print figures measured in one run).

``python -m scripts bench --build`` measures the whole ``make book`` path (``python -m scripts
book``: notebooks, execute, html, pdf, site) on a copy of the book with its frozen outputs and an
empty execution cache, once on one chapter in one framework and once on the whole book in every
framework, and prints one table: a cold build, a build with nothing changed, one prose edit and
one code edit. Without ``--build`` it measures the execute stage:

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
BUILD_COPY = COPY + ["_freeze", "pyproject.toml"]


def _copy_book(src: Path, dest: Path, names=COPY) -> Path:
    dest.mkdir(parents=True)
    for name in names + [p.name for p in src.glob("requirements-*.txt")]:
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


# --- the whole build -------------------------------------------------------------------------

def _book(root: Path, fws: list[str]) -> dict:
    """One ``python -m scripts book`` as ``make book`` runs it: wall seconds, each step's
    seconds, the pages Sphinx re-read, the notebooks executed and their seconds."""
    import re
    import subprocess
    import sys
    env = dict(os.environ, FRAMEWORKS=",".join(fws))
    t0 = time.time()
    r = subprocess.run([sys.executable, "-m", "scripts", "book", "--root", str(root)], env=env,
                       cwd=str(Path(__file__).resolve().parent.parent), capture_output=True,
                       text=True)
    wall = time.time() - t0
    if r.returncode != 0:
        raise SystemExit(f"[bench] the build failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    steps = {}
    m = re.search(r"\[book\] done in [\d.]+ s \((.*)\)", r.stdout)
    if m:
        steps = {name: float(sec) for name, sec in re.findall(r"(\w+) ([\d.]+) s", m.group(1))}
    reread = max([int(n) for n in re.findall(r"\[html\] \w+: done in [\d.]+ s, (\d+) page",
                                             r.stdout)] or [0])
    executed = sum(int(n) for n in re.findall(r"\] \w+: (\d+) executed", r.stdout))
    from scripts.contracts import load_records
    from scripts.config import load_book
    book = load_book(root)
    ran = [rec.seconds for fw in fws for rec in load_records(book.build.records(fw))
           if rec.cache == "miss"]
    return {"wall": wall, "steps": steps, "reread": reread, "executed": executed,
            "exec_seconds": max(ran) if ran else 0.0, "out": r.stdout}


def _edit(root: Path, page: str, code: bool) -> None:
    """Change one line of ``page``: its first prose paragraph, or its first code cell."""
    path = root / f"{page}.md"
    lines = path.read_text().split("\n")
    if code:
        i = next(k for k, ln in enumerate(lines) if ln.startswith("```{.python .input}"))
        lines.insert(i + 1, "_bench_edit = 1")
    else:
        in_code = False
        for k, ln in enumerate(lines):
            in_code = in_code != ln.startswith("```")
            if not in_code and ln and ln[0].isalpha() and k > 2:
                lines[k] = ln + " (edited)"
                break
    path.write_text("\n".join(lines))


def bench_build(src: Path, fws: list[str], tmp: Path, page: str) -> dict:
    os.environ["D2L_CACHE_DIR"] = str(tmp / "cache")
    root = _copy_book(src, tmp / "book", BUILD_COPY)
    from scripts.config import load_book
    n_pages = len(load_book(root).ordered_pages()) + 1
    cold = _book(root, fws)
    noop = _book(root, fws)
    _edit(root, page, code=False)
    prose = _book(root, fws)
    _edit(root, page, code=True)
    code = _book(root, fws)
    return {"pages": n_pages, "cold": cold, "noop": noop, "prose": prose,
            "code": code}


def print_build(rows: list[tuple[str, list[str], dict]]) -> None:
    def step(r, name):
        return r["steps"].get(name, 0.0)
    print("\n| measure | " + " | ".join(f"{label} ({len(fws)} fw)" for label, fws, _ in rows)
          + " | target |")
    print("|---|" + "---:|" * len(rows) + "---|")
    lines = [
        ("nothing changed: `make book` per framework",
         lambda fws, r: f"{r['noop']['wall'] / len(fws):.2f} s", "< 1 s"),
        ("one prose edit: html (pages re-read)",
         lambda fws, r: f"{step(r['prose'], 'html'):.1f} s ({r['prose']['reread']})", "< 1.5 s"),
        ("one prose edit: whole `make book`",
         lambda fws, r: f"{r['prose']['wall']:.1f} s (pdf {step(r['prose'], 'pdf'):.1f} s)", ""),
        ("one code edit: execution + html",
         lambda fws, r: f"{step(r['code'], 'execute') + step(r['code'], 'html'):.1f} s "
                        f"({r['code']['executed']} run, longest {r['code']['exec_seconds']:.1f} s)",
         "page's time + 1.5 s"),
        ("one code edit: whole `make book`",
         lambda fws, r: f"{r['code']['wall']:.1f} s", ""),
        ("cold html per page and framework",
         lambda fws, r: f"{step(r['cold'], 'html') / (r['pages'] * len(fws)):.2f} s "
                        f"({step(r['cold'], 'html'):.1f} s, {r['pages']} pages)", "< 0.3 s"),
        ("cold `make book` (from the frozen outputs)",
         lambda fws, r: f"{r['cold']['wall']:.1f} s (pdf {step(r['cold'], 'pdf'):.1f} s, "
                        f"site {step(r['cold'], 'site'):.1f} s)", ""),
    ]
    for label, cell, target in lines:
        print(f"| {label} | " + " | ".join(cell(fws, r) for _, fws, r in rows) + f" | {target} |")


# --- cold execution against Jupyter Book ----------------------------------------------------

def _timed(cmd: list[str], env: dict, cwd: Path) -> float:
    import subprocess
    t0 = time.time()
    r = subprocess.run(cmd, env=env, cwd=str(cwd), capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"[bench] {' '.join(cmd)} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return time.time() - t0


def bench_execution(src: Path, fw: str, tmp: Path, chapter: str, jupyter_book: str | None) -> dict:
    """Cold execution of one chapter's notebooks in one framework (empty caches, nothing
    frozen): ours with 1 and 2 workers, and, given its ``jupyter-book`` command, Jupyter Book 1
    on the same notebooks and kernel (its cold build minus its build from a warm cache, so that
    both sides count execution only)."""
    import sys
    import yaml
    repo = Path(__file__).resolve().parent.parent
    root = _copy_book(src, tmp / "book", COPY + ["pyproject.toml"])   # no _freeze: all run
    out = {}
    for workers in (1, 2):
        shutil.rmtree(root / "_freeze", ignore_errors=True)   # the first run froze its results
        env = dict(os.environ, D2L_CACHE_DIR=str(tmp / f"cache{workers}"))
        out[f"ours{workers}"] = _timed(
            [sys.executable, "-m", "scripts", "execute", "--root", str(root), "--frameworks", fw,
             "--pages", f"{chapter}/*", "--workers", str(workers), "--no-progress"], env, repo)
    if jupyter_book:
        book = load_book(root)
        jb = tmp / "jb"
        pages = [p for p in book.ordered_pages() if p.outname.startswith(f"{chapter}/")]
        for p in pages:
            (jb / p.outname).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(book.build.notebook(fw, p.outname), jb / f"{p.outname}.ipynb")
        (jb / "_config.yml").write_text(yaml.safe_dump({
            "title": "bench", "only_build_toc_files": True,
            "execute": {"execute_notebooks": "cache", "timeout": 600},
            "sphinx": {"config": {"suppress_warnings": ["myst.xref_missing", "myst.header"]}}}))
        (jb / "_toc.yml").write_text(yaml.safe_dump({
            "format": "jb-book", "root": pages[0].outname,
            "chapters": [{"file": p.outname} for p in pages[1:]]}))
        env = dict(os.environ, JUPYTER_PATH=str(book.build.jupyter),
                   PYTHONPATH=str(root))
        out["jb_cold"] = _timed([jupyter_book, "build", str(jb)], env, jb)
        out["jb_warm"] = _timed([jupyter_book, "build", "--all", str(jb)], env, jb)
        out["jb"] = out["jb_cold"] - out["jb_warm"]
    out["notebooks"] = sum(1 for p in load_book(root).ordered_pages()
                           if p.outname.startswith(f"{chapter}/"))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts bench", description=__doc__.split("\n")[0])
    p.add_argument("--roots", nargs="+", type=Path, default=[Path("tests/fixture"), Path(".")])
    p.add_argument("--frameworks", default=os.environ.get("FRAMEWORKS", ""))
    p.add_argument("--build", action="store_true",
                   help="measure the whole `make book` path instead of the execute stage")
    p.add_argument("--page", default="book/preliminaries/calculus",
                   help="with --build: the page whose prose and code are edited")
    p.add_argument("--chapter", default="preliminaries",
                   help="with --build: the chapter whose cold execution is measured")
    p.add_argument("--jupyter-book", metavar="COMMAND",
                   help="with --build: Jupyter Book 1's `jupyter-book` command, to compare the "
                        "cold execution of --chapter with it")
    args = p.parse_args(argv)
    from scripts.execute.kernels import cpu_model
    print(f"machine: {platform.node()} · {os.cpu_count()} CPUs · {cpu_model()} · "
          f"Python {platform.python_version()}")
    if args.build:
        src = Path(".").resolve()
        fws = load_book(src).select(args.frameworks)
        rows = []
        for selected in ([fws[0]], fws) if len(fws) > 1 else ([fws[0]],):
            with tempfile.TemporaryDirectory(prefix="d2l-bench-") as tmp:
                print(f"[bench] whole book, {', '.join(selected)} …", flush=True)
                rows.append((", ".join(selected), selected,
                             bench_build(src, selected, Path(tmp), args.page)))
        print_build(rows)
        with tempfile.TemporaryDirectory(prefix="d2l-bench-") as tmp:
            print(f"\n[bench] cold execution of {args.chapter}/, {fws[0]} …", flush=True)
            e = bench_execution(src, fws[0], Path(tmp), args.chapter, args.jupyter_book)
        print(f"\n| cold execution of {args.chapter}/ ({e['notebooks']} notebooks, {fws[0]}) "
              "| seconds | against Jupyter Book | target |")
        print("|---|---:|---:|---|")
        jb = e.get("jb")
        for label, key, target in (("ours, 1 worker", "ours1", "< 1.0×"),
                                   ("ours, 2 workers", "ours2", "≤ 0.6×")):
            ratio = f"{e[key] / jb:.2f}×" if jb else "—"
            print(f"| {label} | {e[key]:.1f} | {ratio} | {target} |")
        if jb:
            print(f"| Jupyter Book 1 (cold {e['jb_cold']:.1f} s − warm {e['jb_warm']:.1f} s) "
                  f"| {jb:.1f} | 1.00× | |")
        return 0
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
