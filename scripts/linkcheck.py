"""Link check of the built site: ``python -m scripts linkcheck [--site DIR]``.

Every internal link and anchor of every page must resolve: ``href``/``src`` of links, images,
scripts, style sheets and downloads point to files that exist in the tree, and a ``#fragment``
names an ``id`` (or ``name``) of the page it points to. External links cannot be checked here
(no network); they are listed, with the pages that use them, in the report
``_build/linkcheck.md``. Exit status 1 when an internal link is broken.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from scripts import cli
from scripts.config import Book
from scripts.errors import BookError
from scripts.files import write_if_changed

LINK_ATTRS = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src",
              "iframe": "src", "embed": "src", "object": "data"}
EXTERNAL = ("http", "https", "mailto", "ftp", "tel")
SKIPPED = ("data", "javascript", "blob", "about")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name") if tag in ("a", "span", "div", "section") else ("id",):
            if a.get(key):
                self.ids.add(a[key])
        if tag not in ("a", "link") and a.get("id"):
            self.ids.add(a["id"])
        attr = LINK_ATTRS.get(tag)
        if attr and a.get(attr) is not None:
            if tag == "link" and a.get("rel") in ("preconnect", "dns-prefetch"):
                return
            self.links.append((self.getpos()[0], a[attr]))

    handle_startendtag = handle_starttag


@dataclass
class Report:
    pages: int = 0
    links: int = 0
    broken: list[tuple[str, int, str, str]] = field(default_factory=list)  # page, line, link, why
    external: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _parse(path: Path, cache: dict) -> _Page:
    if path not in cache:
        p = _Page()
        p.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = p
    return cache[path]


def check_tree(tree: Path) -> Report:
    """Check every ``.html`` file under ``tree``; links may point anywhere inside ``tree``."""
    tree = tree.resolve()
    report, parsed = Report(), {}
    for page in sorted(tree.rglob("*.html")):
        rel = page.relative_to(tree).as_posix()
        if "_static" in page.relative_to(tree).parts:   # theme templates, not pages
            continue
        report.pages += 1
        for line, link in _parse(page, parsed).links:
            report.links += 1
            parts = urlsplit(link.strip())
            if parts.scheme in EXTERNAL or link.startswith("//"):
                report.external[link].add(rel)
                continue
            if parts.scheme in SKIPPED or (not parts.path and not parts.fragment):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(tree):
                report.broken.append((rel, line, link, "points outside the site"))
            elif not target.is_file():
                report.broken.append((rel, line, link, "no such file"))
            elif parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in _parse(target, parsed).ids:
                    report.broken.append((rel, line, link, f"no anchor #{parts.fragment} in "
                                          f"{target.relative_to(tree).as_posix()}"))
    return report


def write_report(report: Report, tree: Path, dest: Path) -> None:
    lines = [f"# Link check of {tree}", "",
             f"{report.pages} pages, {report.links} links; {len(report.broken)} broken internal "
             f"link(s); {len(report.external)} external link(s), not checked (no network).", ""]
    if report.broken:
        lines += ["## Broken internal links", "", "| page | line | link | problem |",
                  "|---|---:|---|---|"]
        lines += [f"| {p} | {n} | `{link}` | {why} |" for p, n, link, why in report.broken]
        lines.append("")
    if report.external:
        lines += ["## External links", "", "| link | pages |", "|---|---|"]
        for link, pages in sorted(report.external.items()):
            shown = ", ".join(sorted(pages)[:3]) + (f" and {len(pages) - 3} more"
                                                   if len(pages) > 3 else "")
            lines.append(f"| <{link}> | {shown} |")
        lines.append("")
    write_if_changed(dest, "\n".join(lines))


def _options(p) -> None:
    p.add_argument("--site", help="the tree to check (default: _build/site, else _build/html)")


def _run(args, book: Book, fws: list[str]) -> int:
    tree = Path(args.site) if args.site else (
        book.build.site if (book.build.site / "index.html").is_file() else book.build.root / "html")
    if not tree.is_dir():
        raise BookError(f"no built site in {tree}", "run `make book` (or `python -m scripts html`) "
                        "first, or pass --site DIR")
    report = check_tree(tree)
    dest = book.build.root / "linkcheck.md"
    write_report(report, tree, dest)
    for page, line, link, why in report.broken:
        print(f"{tree / page}:{line}: broken link {link!r} — {why}", file=sys.stderr)
    print(f"[linkcheck] {report.pages} pages, {report.links} links: {len(report.broken)} broken, "
          f"{len(report.external)} external (listed, not checked) -> {dest}")
    return 1 if report.broken else 0


main = cli.command("linkcheck", __doc__, _run, _options, frameworks=False,
                   failed="[linkcheck] nothing was checked")
