"""The whole build in one process: ``python -m scripts book`` (what ``make book`` runs).

Environments for the frameworks that have pages to execute, then ``lib``, ``execute``, ``html``,
``pdf`` (when TeX is installed) and ``site``, each skipping what is already up to date. When
nothing the build reads has changed since its last success, it stops after comparing one stamp
(:mod:`scripts.stamps`): one ``stat`` per input file, before any stage is even imported.
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import sys
import time
from pathlib import Path

from scripts import stamps

#: What it produces: if one of these goes away, the build runs again.
OUTPUT_PATTERNS = ["_build/html/*/index.html", "_build/pdf/*.pdf", "_build/site/index.html",
                   "_build/site/*/version.json"]
#: Settings from the environment that change what is built.
SETTINGS = ["FRAMEWORKS", "D2L_VERSION", "D2L_CACHE_DIR", "D2L_DATA_DIR"]


def _signature(root: Path, frameworks: str) -> dict:
    paths = stamps.book_sources(root) + [root / "_build" / "execution"]
    for pattern in OUTPUT_PATTERNS:
        paths += sorted(Path(p) for p in glob.glob(str(root / pattern)))
    paths += [root / ".git" / "HEAD", root / ".git" / "refs" / "tags"]  # the version's tag
    values = {k: v for k, v in os.environ.items()
              if k in SETTINGS or k.startswith("D2L_PYTHON_")}
    return stamps.signature(paths + stamps.toolchain_files(), root, frameworks=frameworks,
                            settings=values, tex=bool(shutil.which("xelatex")
                                                      and shutil.which("latexmk")))


def _steps(root: Path, frameworks: str, times: dict[str, float]) -> int:
    """Run every stage in turn, putting each one's seconds into ``times``; stop at the first that
    fails. Returns the exit status."""
    from scripts import envs, execute, library, publish, render, status
    from scripts.config import load_book

    common = ["--root", str(root)] + (["--frameworks", frameworks] if frameworks else [])
    book = load_book(root)
    fws = book.select(frameworks)
    execute.prepare(book, fws)
    stale = [fw for fw, s in status.book_status(book, fws).items() if s.todo]
    if stale:
        code = envs.main(["--root", str(root), "--no-apt", "--frameworks", ",".join(stale)])
        if code:
            return code
    else:
        print("[envs] every page has fresh frozen outputs: no framework environment needed")
    steps = [("lib", library.main), ("execute", execute.main), ("html", render.main)]
    if shutil.which("xelatex") and shutil.which("latexmk"):
        steps.append(("pdf", render.pdf_main))
    else:
        print("[pdf] skipped: no TeX here (make envs as root installs it)")
    steps.append(("site", publish.site_main))
    for name, main in steps:
        t0 = time.time()
        code = main(common)
        times[name] = time.time() - t0
        if code:
            print(f"[book] stopped: `{name}` failed", file=sys.stderr)
            return code
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts book", description=__doc__.split("\n")[0])
    p.add_argument("--root", default=".", help="the book's folder (default: .)")
    p.add_argument("--frameworks", "--framework", default=os.environ.get("FRAMEWORKS", ""),
                   help="comma-separated subset of the book's frameworks (default: all; "
                        "env FRAMEWORKS)")
    args = p.parse_args(argv)
    t0 = time.time()
    root = Path(args.root).resolve()
    stamp = stamps.Stamp(root / "_build" / "stamps" / "book.json")
    if stamp.matches(_signature(root, args.frameworks)):
        print(f"[book] nothing changed since the last build ({time.time() - t0:.2f} s): "
              f"sites in {root / '_build' / 'html'}, versioned site in {root / '_build' / 'site'}")
        return 0
    stamp.clear()
    times: dict[str, float] = {}
    from scripts.errors import BookError, BookErrors, report
    try:
        code = _steps(root, args.frameworks, times)
    except (BookError, BookErrors) as e:
        report(e, root)
        print("[book] stopped: nothing after the failing step was built", file=sys.stderr)
        return 1
    if code == 0:
        stamp.save(_signature(root, args.frameworks))
        print(f"[book] done in {time.time() - t0:.1f} s ("
              + ", ".join(f"{name} {s:.1f} s" for name, s in times.items()) + ")")
    return code
