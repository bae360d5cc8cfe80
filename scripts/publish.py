"""Stage 6: what readers receive.

``python -m scripts site`` assembles this version of the book into ``_build/site/``::

    _build/site/<version>/<fw>/...              the HTML site of each framework
    _build/site/<version>/pdf/<slug>-<fw>.pdf   its PDF (when ``make pdf`` made one)
    _build/site/<version>/notebooks/<slug>-<fw>.zip   its notebooks, with outputs
    _build/site/latest/                         a copy of the newest version
    _build/site/switcher.json                   every version (pydata-sphinx-theme's format)
    _build/site/index.html                      sends readers to latest/<default framework>/

and writes the Colab notebooks ``_build/colab/<version>/<fw>/<page>.ipynb``: outputs included, a
first cell installing this exact version of the library, GPU pages asking Colab for a GPU, and
images loaded from the published site.

``python -m scripts publish --into DIR`` merges ``_build/site/<version>`` into an existing
published tree (e.g. a gh-pages checkout): it replaces this version (and ``latest`` when this is
the newest version), keeps every other version, regenerates ``switcher.json`` and the root page,
and changes nothing in DIR when any step fails.
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

from scripts import cli, dialect, stamps
from scripts.config import Book
from scripts.contracts import NOTEBOOK_META_KEY, RESULTS_FILE, notebook_meta
from scripts.errors import BookError, BookErrors
from scripts.execute import executed_notebook, open_cache
from scripts.paths import replace_dir
from scripts.render import results_data

MARKER = "version.json"
IMAGE = re.compile(r"(!\[[^\]]*\]\(|<img[^>]*src=\")((?:\.\./)*img/[^)\s\"]+)")
ROLE = dialect.MYST_ROLE
TARGET = re.compile(r"^\([\w\-:.]+\)=$")      # a MyST target line: (label)=


def version_key(v: str):
    """Sort key: numeric parts compare as numbers (0.10.0 > 0.9.1); others come first."""
    parts = re.findall(r"\d+|[A-Za-z]+", v)
    return [(1, int(p)) if p.isdigit() else (0, p) for p in parts]


# --- Colab notebooks ------------------------------------------------------------------------

def colab_notebook(book: Book, fw: str, page, nb, version: str, results: dict | None = None):
    """A copy of executed notebook ``nb`` made for Colab (``results``: the data of the
    ``{results}`` tables, ``render.results_data``)."""
    nb = copy.deepcopy(nb)
    base = book.site_url
    prefix = f"{base}{version}/{fw}/_images/" if base else ""
    results = (results if results is not None else results_data(book),
               [(n, f.display) for n, f in book.frameworks.items()])
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = colab_markdown(cell.source, prefix, results)
    import nbformat
    packages = (notebook_meta(nb).get("front_matter") or {}).get("packages") or []
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        book.install_cell(fw, version, packages), id="d2l-install",
        metadata={NOTEBOOK_META_KEY: {"install": True}}))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    front = notebook_meta(nb).get("front_matter") or {}
    colab = {"provenance": [], "name": f"{page.outname}.ipynb"}
    if front.get("gpu"):
        nb.metadata["accelerator"] = "GPU"
        colab["gpuType"] = "T4"
    nb.metadata["colab"] = colab
    return nb


def colab_markdown(text: str, image_prefix: str, results: tuple | None = None) -> str:
    """MyST markdown made readable in Colab's plain Markdown: figures become images from the
    published site (``image_prefix``), maths directives ``$$`` blocks, ``{results}`` tables
    plain tables (``results``: the data and the frameworks, see ``dialect.results_table``),
    raw LaTeX and target lines go, and references become plain text."""
    def image(src: str) -> str:
        if image_prefix and not re.match(r"[a-z]+:", src):
            return image_prefix + src.split("/")[-1]
        return src

    def role(m: re.Match) -> str:
        text = m.group("text")
        if m.group("role").startswith("cite"):
            return "[" + text + "]"
        return "(" + text + ")" if m.group("role") == "eq" else text

    blocks = dialect.parse_blocks(text)
    out: list[str] = []
    drop_blank = False          # blank lines after dropped raw LaTeX go with it
    for b in blocks:
        if drop_blank and b.kind == "blank":
            continue
        drop_blank = False
        if isinstance(b, dialect.Fence) and b.fence == "```" and b.info == "{raw} latex":
            drop_blank = True
            continue
        if dialect.is_results(b) and results:
            options, rows, _ = dialect.parse_results(b.body)
            out += dialect.results_table(rows, options.get("metric") or "val_acc", *results,
                                         links=False)
            continue
        out += _colab_lines(b, image, last=b is blocks[-1])
    if drop_blank:              # raw LaTeX at the very end: the text still ends with a newline
        out.append("")
    text = "\n".join(out)
    text = IMAGE.sub(lambda m: m.group(1) + image(m.group(2)), text)
    return ROLE.sub(role, text)


def _colab_lines(b: dialect.Block, image, last: bool) -> list[str]:
    """One MyST block for Colab: a ``{figure}`` or ``{math}`` directive rewritten, target lines
    dropped, anything else as it is."""
    if isinstance(b, dialect.Fence):
        directive, _, arg = b.info.partition(" ")
        if b.fence != "```" or directive not in ("{figure}", "{math}") or not b.closed:
            return b.lines
        body = b.body
        while body and body[0].startswith(":"):       # the directive's options
            body = body[1:]
        if body and not body[0]:
            body = body[1:]
        inner = "\n".join(body).strip()
        if directive == "{math}":
            return ["$$", *inner.split("\n"), "$$"]
        src = arg.strip()
        return f"![{inner}]({image(src)})\n\n*{inner}*".split("\n")
    return [ln for k, ln in enumerate(b.lines)
            if not (TARGET.match(ln) and not (last and k == len(b.lines) - 1))]


def build_colab(book: Book, frameworks: list[str], version: str) -> dict[str, list[Path]]:
    """Write the Colab notebooks of every page; a page without an execution is an error."""
    import nbformat
    out: dict[str, list[Path]] = {}
    errors = []
    pages = list({p.outname: p for p in [book.root_page] + book.ordered_pages()}.values())
    for fw in frameworks:
        dest = book.build.colab(version) / fw
        sig = stamps.signature([book.build.src(fw), *stamps.toolchain_files()], book.root,
                               version=version)
        stamp = stamps.Stamp(book.build.stamp(f"colab-{fw}-{version}"))
        if stamp.matches(sig) and dest.is_dir():      # the same notebooks as last time
            out[fw] = [dest / f"{p.outname}.ipynb" for p in pages]
            continue
        stamp.clear()
        tmp = dest.with_name(f".{fw}.build")
        if tmp.exists():
            shutil.rmtree(tmp)
        written = []
        cache = open_cache(book, fw)
        results_file = book.build.src(fw) / RESULTS_FILE   # written by the render stage
        results = (json.loads(results_file.read_text(encoding="utf-8"))
                   if results_file.is_file() else results_data(book))
        for page in pages:
            nb = executed_notebook(book, fw, page, cache)
            if nb is None:
                errors.append(BookError(f"{fw}: no successful execution, so no Colab notebook",
                                        f"run `python -m scripts execute --frameworks {fw}`",
                                        page.path))
                continue
            path = tmp / f"{page.outname}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(colab_notebook(book, fw, page, nb, version, results), path)
            written.append(dest / f"{page.outname}.ipynb")
        if errors:
            shutil.rmtree(tmp, ignore_errors=True)
            continue
        replace_dir(tmp, dest, copy=False)
        stamp.save(sig)
        out[fw] = written
    if errors:
        raise BookErrors(errors)
    return out


# --- assembling and merging sites ----------------------------------------------------------

def stage_version(book: Book, frameworks: list[str], version: str, staging: Path) -> Path:
    """Put everything of this version under ``staging/<version>/``."""
    missing = [fw for fw in frameworks if not (book.build.html(fw) / "index.html").is_file()]
    if missing:
        raise BookError(f"no HTML site for {', '.join(missing)}",
                        "run `make html` (or `python -m scripts html`) first",
                        book.build.html(missing[0]).parent)
    colab = build_colab(book, frameworks, version)
    root = staging / version
    for fw in frameworks:
        shutil.copytree(book.build.html(fw), root / fw, copy_function=link_or_copy,
                        ignore=shutil.ignore_patterns(".buildinfo*", ".doctrees"))
        pdf = book.build.pdf(book.slug, fw)
        if pdf.is_file():
            (root / "pdf").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(pdf, root / "pdf" / pdf.name)
        zdir = root / "notebooks"
        zdir.mkdir(parents=True, exist_ok=True)
        base = book.build.colab(version) / fw
        with zipfile.ZipFile(zdir / f"{book.slug}-{fw}.zip", "w", zipfile.ZIP_DEFLATED) as z:
            for path in colab[fw]:
                z.write(path, f"{book.slug}-{fw}/{path.relative_to(base).as_posix()}")
    (root / MARKER).write_text(json.dumps({
        "version": version, "frameworks": frameworks, "default": book.default_framework,
        "title": book.title}, indent=1) + "\n")
    return root


def link_or_copy(src: str, dst: str) -> None:
    """A hard link to ``src`` (no data copied), else a copy. Safe for the local site: the files
    it links to are only ever replaced (a new file renamed over the old), never rewritten."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def versions_in(tree: Path) -> list[str]:
    """The versions published in ``tree`` (folders holding a version marker), newest first."""
    found = [p.name for p in tree.iterdir() if p.is_dir() and p.name != "latest"
             and (p / MARKER).is_file()] if tree.is_dir() else []
    return sorted(found, key=version_key, reverse=True)


def switcher(versions: list[str], base: str = "") -> list[dict]:
    """``switcher.json`` in pydata-sphinx-theme's format (newest first, marked preferred)."""
    return [{"name": f"{v} (latest)" if i == 0 else v, "version": v, "url": f"{base}{v}/",
             **({"preferred": True} if i == 0 else {})} for i, v in enumerate(versions)]


def root_page(default_fw: str, title: str, frameworks: list[str] | None = None) -> str:
    """The site's front door: the latest version in the framework the reader used last (which
    every page remembers), else in the default framework."""
    target = f"latest/{default_fw}/index.html"
    known = json.dumps(frameworks or [default_fw])
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{title}</title>"
            f"<script>try {{ var fw = localStorage.getItem('d2l-framework'); "
            f"if ({known}.indexOf(fw) >= 0) location.replace('latest/' + fw + '/index.html'); "
            f"}} catch (e) {{}}</script>"
            f'<meta http-equiv="refresh" content="0; url={target}">'
            f'<link rel="canonical" href="{target}"></head>'
            f'<body><p><a href="{target}">{title}</a></p></body></html>\n')


def merge_version(version_dir: Path, into: Path, link: bool = False) -> list[str]:
    """Merge one staged version folder into the published tree ``into``; return the versions
    now published. All new content is prepared beside the tree first and then moved in with
    renames; if a step fails, what was moved is put back, so ``into`` stays as it was.
    ``link``: hard-link the files instead of copying them (the local ``_build/site``)."""
    copy = link_or_copy if link else shutil.copy2
    meta = json.loads((version_dir / MARKER).read_text())
    version = meta["version"]
    into.mkdir(parents=True, exist_ok=True)
    work = into / f".d2l-publish-{os.getpid()}"
    if work.exists():
        shutil.rmtree(work)
    new, old = work / "new", work / "old"
    new.mkdir(parents=True)
    old.mkdir()
    try:
        shutil.copytree(version_dir, new / version, copy_function=copy)
        versions = sorted(set(versions_in(into)) | {version}, key=version_key, reverse=True)
        if versions[0] == version:
            shutil.copytree(version_dir, new / "latest", copy_function=copy)
        (new / "switcher.json").write_text(json.dumps(switcher(versions), indent=1) + "\n")
        newest = json.loads(((new if versions[0] == version else into) / versions[0] / MARKER)
                            .read_text())
        (new / "index.html").write_text(root_page(newest["default"], newest.get("title", ""),
                                                  newest.get("frameworks")))
        (new / ".nojekyll").write_text("")
        moved: list[str] = []
        try:
            for name in sorted(p.name for p in new.iterdir()):
                if (into / name).exists():
                    os.replace(into / name, old / name)
                os.replace(new / name, into / name)
                moved.append(name)
        except OSError:
            for name in reversed(moved):           # put the previous tree back
                os.replace(into / name, new / name)
                if (old / name).exists():
                    os.replace(old / name, into / name)
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return versions


def build_site(book: Book, frameworks: list[str]) -> Path:
    """Assemble ``_build/site/`` with this version; return the version's folder."""
    version = book.version
    sig = stamps.signature([*(book.build.html(fw) for fw in frameworks),
                            *(book.build.pdf(book.slug, fw) for fw in frameworks),
                            *(book.build.src(fw) for fw in frameworks),
                            book.build.site / version / MARKER, *stamps.toolchain_files()],
                           book.root, version=version, frameworks=frameworks)
    stamp = stamps.Stamp(book.build.stamp("site"))
    if stamp.matches(sig):
        print(f"[site] version {version} ({', '.join(frameworks)}): up to date -> "
              f"{book.build.site / 'index.html'}")
        return book.build.site / version
    stamp.clear()
    staging = book.build.staging("site")
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staged = stage_version(book, frameworks, version, staging)
        versions = merge_version(staged, book.build.site, link=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    # the marker was just written: sign what the site was built from, with the new marker
    sig["files"].update(stamps.signature([book.build.site / version / MARKER], book.root)["files"])
    stamp.save(sig)
    print(f"[site] version {version} ({', '.join(frameworks)}); published versions: "
          f"{', '.join(versions)} -> {book.build.site / 'index.html'}")
    return book.build.site / version


site_main = cli.command(
    "site", "assemble the versioned site, Colab notebooks and zips in _build/site/",
    lambda args, book, fws: build_site(book, fws) and 0)


def _publish(args, book: Book, fws: list[str]) -> int:
    version = args.version or book.version
    src = book.build.site / version
    if not (src / MARKER).is_file():
        raise BookError(f"version {version} is not in {book.build.site}",
                        "run `python -m scripts site` (or `make book`) first")
    versions = merge_version(src, args.into.resolve())
    print(f"[publish] {version} -> {args.into}; versions there: {', '.join(versions)}")
    return 0


def _publish_options(p) -> None:
    p.add_argument("--into", required=True, type=Path, help="the published tree, e.g. gh-pages")
    p.add_argument("--version", help="which version of _build/site (default: this checkout's)")


publish_main = cli.command("publish", "merge this version of _build/site into DIR", _publish,
                           _publish_options, frameworks=False)
