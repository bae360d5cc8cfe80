"""``python -m scripts status [PAGE ...]``: which frozen outputs are fresh, stale or missing, why,
and what re-running them will cost.

For every page × framework with code it compares the page's frozen entry (``_freeze/``) with
the notebook the sources make now and names what changed: a code cell (with its line), a ``d2l``
definition (by name), a pin of the requirements file, a data entry, the front matter, the
kernels' environment. The cost is the recorded time of the page's last run. Pages over the time
budget (``execute.budget`` in ``_config.yml``, 180 s) are flagged.

``status PAGE`` (shell patterns, like ``execute --pages``) explains those pages in every
framework; ``--check`` exits 1 unless everything is fresh (``make test`` uses it);
``--stale-frameworks`` prints only the frameworks that have something to execute (``make book``
builds just their environments).
"""
from __future__ import annotations

import fnmatch
import sys
from dataclasses import dataclass

from scripts import cli
from scripts.config import Book
from scripts.contracts import notebook_meta
from scripts.execute import prepare
from scripts.execute.freeze import Status, status
from scripts.execute.plan import DEFAULT_UNKNOWN_SECONDS
from scripts.execute.store import durations_path, load_json


@dataclass
class Summary:
    framework: str
    pages: list[Status]

    def count(self, state: str) -> int:
        return sum(p.state == state for p in self.pages)

    @property
    def todo(self) -> list[Status]:
        return [p for p in self.pages if p.state != "fresh"]

    def cost(self, durations: dict) -> float:
        return sum(expected_seconds(p, durations) for p in self.todo)


def expected_seconds(s: Status, durations: dict) -> float:
    return float(s.seconds or durations.get(s.page.docname, DEFAULT_UNKNOWN_SECONDS))


def book_status(book: Book, frameworks: list[str], patterns: list[str] | None = None
                ) -> dict[str, Summary]:
    """The state of every page with code, per framework (the notebooks must be written)."""
    import nbformat
    out = {}
    for fw in frameworks:
        pages = []
        for page in book.ordered_pages():
            if patterns and not any(fnmatch.fnmatch(page.outname, p) or
                                    fnmatch.fnmatch(page.docname, p) for p in patterns):
                continue
            nb = nbformat.read(book.build.notebook(fw, page.outname), as_version=4)
            if notebook_meta(nb).get("has_code"):
                pages.append(status(book, fw, page, nb))
        out[fw] = Summary(fw, pages)
    return out


def refresh_command(s: Status) -> str:
    return (f"python -m scripts execute --frameworks {s.framework} --pages "
            f"{s.page.outname}")


def _report(book: Book, summaries: dict[str, Summary], detail: bool) -> None:
    budget = book.config.execute.budget
    for fw, summary in summaries.items():
        durations = load_json(durations_path(book, fw), {})
        todo = summary.todo
        line = (f"{fw}: {summary.count('fresh')} fresh, {summary.count('stale')} stale, "
                f"{summary.count('missing')} missing, {summary.count('corrupt')} corrupt")
        if todo:
            line += f"; re-running them takes about {summary.cost(durations):.0f} s"
        print(line)
        for s in summary.pages if detail else todo:
            seconds = expected_seconds(s, durations)
            print(f"  {s.state:<8} {s.page.source}  ({seconds:.1f} s)"
                  + (": " + "; ".join(s.reasons) if s.reasons else ""))
        for s in summary.pages:
            if s.seconds and s.seconds > budget:
                print(f"  over budget: {s.page.source} ran {s.seconds:.0f} s "
                      f"(budget {budget} s per framework)")


def _options(p) -> None:
    p.add_argument("pages", nargs="*", help="only these pages (shell patterns), explained in full")
    p.add_argument("--check", action="store_true",
                   help="exit 1 unless every page × framework has a fresh frozen entry")
    p.add_argument("--stale-frameworks", action="store_true",
                   help="print the frameworks with pages to execute, comma-separated")


def _run(args, book: Book, fws: list[str]) -> int:
    prepare(book, fws)
    summaries = book_status(book, fws, args.pages or None)
    if args.stale_frameworks:
        print(",".join(fw for fw, s in summaries.items() if s.todo))
        return 0
    _report(book, summaries, detail=bool(args.pages))
    todo = [s for summary in summaries.values() for s in summary.todo]
    if args.check and todo:
        for s in todo:
            print(f"{s.page.source}: {s.framework}: {s.state} frozen outputs "
                  f"({'; '.join(s.reasons)}) — run `make freeze` or `{refresh_command(s)}` and "
                  "commit _freeze/", file=sys.stderr)
        return 1
    return 0


main = cli.command("status", __doc__, _run, _options)
