"""Regenerate the d2lbook 1.0.3 libraries of tests/d2lbook_project (the reference that
tests/test_migrate.py compares the imported book's `lib` with).

Run with an interpreter that has d2lbook 1.0.3 installed (not a dependency of the toolchain):

    python3 -m venv /tmp/d2lbook-venv && /tmp/d2lbook-venv/bin/pip install d2lbook==1.0.3
    /tmp/d2lbook-venv/bin/python tests/d2lbook_expected/make.py

It calls d2lbook's own `library.save_tab` on the project's pages in its toc order
(`notebook.get_toc`), once per tab, with the project's default tab, exactly as
`d2lbook build lib` does, and writes `<tab>.py` here.
"""
import os
import sys
from pathlib import Path

from d2lbook import library, notebook

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent / "d2lbook_project"
TABS = ["mxnet", "pytorch", "tensorflow", "jax"]

os.chdir(PROJECT)
pages = notebook.get_toc("index.md")
for tab in TABS:
    out = HERE / f"{tab}.py"
    if out.exists():
        out.unlink()
    library.save_tab(pages, str(out), tab, TABS[0])
    print(f"{out.relative_to(HERE.parent.parent)}: {len(out.read_text().splitlines())} lines",
          file=sys.stderr)
