"""``python -m scripts import-d2lbook SRC DEST [--force]``: convert a d2lbook project into this
layout.

A d2lbook project has a ``config.ini`` (``[project]`` title and author, ``[build] tabs`` — the
frameworks, the first one the default — and a ``bibfile``), an ``index.md`` whose ```` ```toc ````
blocks list the chapters, chapter ``index.md`` files whose own ```` ```toc ```` blocks list their
sections, and images in ``img/``.  The import writes:

- ``book/<same path>.md`` for every page reached from the toc, copied byte for byte except that the
  ```` ```toc ```` blocks are removed (``_toc.yml`` carries the structure now);
- ``book/img/`` (all of ``img/``) and ``references.bib`` (the project's bib file);
- ``_toc.yml`` (Jupyter Book schema: one part per toc block of the root ``index.md``) and
  ``_config.yml`` (title, author, bibliography, execution and our ``frameworks:`` section).

Everything is read and checked first, then written into a temporary folder next to DEST that is
renamed into place at the end, so a failure leaves nothing half-written.
"""
from __future__ import annotations

import configparser
import posixpath
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

from scripts.errors import BookError

# name -> (display, module, extra) for the frameworks we know; others get (name, name, name)
KNOWN_FRAMEWORKS = {
    "pytorch": ("PyTorch", "torch", "torch"),
    "tensorflow": ("TensorFlow", "tensorflow", "tensorflow"),
    "mxnet": ("MXNet", "mxnet", "mxnet"),
    "jax": ("JAX", "jax", "jax"),
}

FENCE = re.compile(r"^\s{0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*?)\s*$")
TOC_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
TITLED_ENTRY = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$")


# --- config.ini ---------------------------------------------------------------------------------

def _line_of_key(text: str, key: str) -> int | None:
    """1-based line of the first ``key = ...`` / ``key: ...`` in an INI text."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*[=:]", re.I)
    for i, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return i
    return None


def _split_names(value: str) -> list[str]:
    return [n.strip() for n in re.split(r"[,\s]+", value) if n.strip()]


def read_config(src: Path) -> dict:
    """Read ``src/config.ini`` into plain data: ``title``, ``author``, ``copyright``, ``version``,
    ``tabs`` (list), ``default`` (framework) and ``bibfile`` (a path relative to ``src`` or None).
    """
    path = src / "config.ini"
    if not path.is_file():
        raise BookError("config.ini is missing, so this is not a d2lbook project",
                        "pass the folder that holds the d2lbook project's config.ini", path=path)
    text = path.read_text(encoding="utf-8")
    parser = configparser.ConfigParser(interpolation=None, strict=False,
                                       inline_comment_prefixes=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as e:
        raise BookError(f"cannot read config.ini: {str(e).splitlines()[0]}", "fix the INI syntax",
                        path=path, line=getattr(e, "lineno", None))

    def get(key: str, *sections: str) -> str | None:
        for section in sections or parser.sections():
            if parser.has_option(section, key):
                value = parser.get(section, key).strip()
                if value:
                    return value
        return None

    tabs = _split_names(get("tabs", "build") or "")
    if not tabs:
        raise BookError("config.ini has no `tabs` in [build], so the book's frameworks are unknown",
                        "add e.g. `tabs = pytorch, jax` to [build] (the first one is the default)",
                        path=path, line=_line_of_key(text, "[build]"))
    if len(set(tabs)) != len(tabs):
        raise BookError(f"`tabs` names a framework twice: {', '.join(tabs)}",
                        "list each framework once", path=path, line=_line_of_key(text, "tabs"))
    default = get("default_tab") or tabs[0]
    if default not in tabs:
        raise BookError(f"default_tab '{default}' is not one of the tabs ({', '.join(tabs)})",
                        "fix default_tab or add it to tabs", path=path,
                        line=_line_of_key(text, "default_tab"))

    bibfile = get("bibfile")
    if bibfile is not None:
        if not (src / bibfile).is_file():
            raise BookError(f"bibfile '{bibfile}' named in config.ini does not exist",
                            f"add {bibfile} to the project or fix the name", path=path,
                            line=_line_of_key(text, "bibfile"))
    else:
        bibs = sorted(p.name for p in src.glob("*.bib") if p.is_file())
        bibfile = bibs[0] if len(bibs) == 1 else None

    return {
        "title": get("title", "project") or get("name", "project") or src.resolve().name,
        "author": get("author", "project") or "",
        "copyright": get("copyright", "project"),
        "version": get("release", "project") or get("version", "project"),
        "tabs": tabs,
        "default": default,
        "bibfile": bibfile,
    }


# --- toc blocks ---------------------------------------------------------------------------------

def find_toc_blocks(text: str) -> list[dict]:
    """The ```` ```toc ```` blocks of a page, outside other code fences.

    Each block is ``{"start": line, "end": line, "options": {key: value}, "entries": [(line,
    entry)]}`` with 1-based line numbers; ``end`` is the closing fence (or the last line when the
    block is never closed).
    """
    blocks = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").strip()
        start = i
        j = i + 1
        while j < len(lines):
            close = FENCE.match(lines[j])
            if close and close.group("fence")[0] == fence[0] and \
                    len(close.group("fence")) >= len(fence) and not close.group("info").strip():
                break
            j += 1
        if info.strip("{}").strip() == "toc":
            options, entries, in_options = {}, [], True
            for k in range(start + 1, min(j, len(lines))):
                line = lines[k].strip()
                if not line:
                    continue
                opt = TOC_OPTION.match(line) if in_options else None
                if opt:
                    options[opt.group("key")] = opt.group("value")
                    continue
                in_options = False
                entries.append((k + 1, line))
            blocks.append({"start": start + 1, "end": min(j, len(lines) - 1) + 1,
                           "options": options, "entries": entries})
        i = j + 1
    return blocks


def strip_toc_blocks(text: str, blocks: list[dict]) -> str:
    """``text`` without the lines of ``blocks``; a blank line that would double up is dropped too.
    Line endings of the kept lines are unchanged."""
    lines = text.split("\n")
    drop = set()
    for b in blocks:
        drop.update(range(b["start"] - 1, b["end"]))
        before, after = b["start"] - 2, b["end"]
        while before in drop:
            before -= 1
        if after < len(lines) and not lines[after].strip() and \
                (before < 0 or not lines[before].strip()):
            drop.add(after)
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


def resolve_entry(src: Path, page: str, entry: str, line: int) -> str:
    """The page (``chapter_intro/tensors.md``, relative to ``src``) that toc ``entry`` of ``page``
    names; raises :class:`BookError` at ``page:line`` when it does not exist."""
    m = TITLED_ENTRY.match(entry)
    target = (m.group("target") if m else entry).strip()
    where = src / page
    if target.startswith("/"):
        rel = posixpath.normpath(target.lstrip("/"))
    else:
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(page), target))
    if rel.endswith(".md"):
        rel = rel[:-3]
    if rel.startswith("../") or rel == "..":
        raise BookError(f"toc entry '{entry}' points outside the project",
                        "keep every page inside the project folder", path=where, line=line)
    if not (src / f"{rel}.md").is_file():
        raise BookError(f"toc entry '{entry}' names a missing page: {rel}.md does not exist",
                        f"create {rel}.md or remove the entry", path=where, line=line)
    return f"{rel}.md"


def _check_options(options: dict, page_path: Path, line: int) -> None:
    if "glob" in options:
        raise BookError("`:glob:` toc blocks are not supported by the import",
                        "list the pages one per line", path=page_path, line=line)


def walk_page(src: Path, page: str, seen: dict[str, tuple[str, int]], pages: list[str]) -> list[dict]:
    """The ``sections:`` of ``page`` (``[{"file": "book/…", "sections": […]}]``), following the toc
    blocks recursively; appends every page reached to ``pages`` in reading order."""
    blocks = find_toc_blocks((src / page).read_text(encoding="utf-8"))
    sections = []
    for block in blocks:
        _check_options(block["options"], src / page, block["start"])
        for line, entry in block["entries"]:
            sections.append(_chapter(src, page, entry, line, seen, pages))
    return sections


def _chapter(src: Path, page: str, entry: str, line: int, seen: dict, pages: list[str]) -> dict:
    child = resolve_entry(src, page, entry, line)
    if child in seen:
        first_page, first_line = seen[child]
        raise BookError(f"toc entry '{entry}' lists {child} a second time (first in "
                        f"{first_page}:{first_line})",
                        "list each page once", path=src / page, line=line)
    seen[child] = (page, line)
    pages.append(child)
    item: dict = {"file": "book/" + child[:-3]}
    m = TITLED_ENTRY.match(entry)
    if m and m.group("title"):
        item["title"] = m.group("title")
    sections = walk_page(src, child, seen, pages)
    if sections:
        item["sections"] = sections
    return item


def build_toc(src: Path) -> tuple[dict, list[str]]:
    """``_toc.yml`` as plain data, and every page reached (``index.md`` first), in reading order."""
    root = "index.md"
    if not (src / root).is_file():
        raise BookError("index.md not found", "add the project's root page index.md with its "
                        "```toc blocks", path=src / root)
    blocks = find_toc_blocks((src / root).read_text(encoding="utf-8"))
    if not blocks:
        raise BookError("index.md has no ```toc block, so the chapters are unknown",
                        "list the chapters in a ```toc block", path=src / root, line=1)
    seen: dict[str, tuple[str, int]] = {root: (root, 0)}
    pages = [root]
    parts = []
    for block in blocks:
        _check_options(block["options"], src / root, block["start"])
        part: dict = {}
        if block["options"].get("caption"):
            part["caption"] = block["options"]["caption"]
        part["numbered"] = "numbered" in block["options"]
        part["chapters"] = [_chapter(src, root, entry, line, seen, pages)
                            for line, entry in block["entries"]]
        parts.append(part)
    return {"format": "jb-book", "root": "book/index", "parts": parts}, pages


# --- _config.yml --------------------------------------------------------------------------------

def frameworks_config(tabs: list[str], default: str) -> dict:
    """The ``frameworks:`` section of ``_config.yml`` for d2lbook ``tabs``."""
    available = {}
    for name in tabs:
        display, module, extra = KNOWN_FRAMEWORKS.get(name, (name, name, name))
        available[name] = {"display": display, "module": module, "extra": extra,
                           "kernel": f"d2l-{name}", "requirements": f"requirements-{name}.txt"}
    return {"default": default, "available": available}


def book_config(cfg: dict) -> dict:
    """``_config.yml`` as plain data, from :func:`read_config`'s result."""
    out: dict = {"title": cfg["title"], "author": cfg["author"]}
    if cfg.get("copyright"):
        out["copyright"] = cfg["copyright"]
    if cfg.get("version"):
        out["version"] = cfg["version"]
    out["bibtex_bibfiles"] = ["references.bib"]
    out["execute"] = {"execute_notebooks": "cache", "timeout": 600}
    out["frameworks"] = frameworks_config(cfg["tabs"], cfg["default"])
    return out


# --- writing ------------------------------------------------------------------------------------

def _dump(data: dict, comment: str) -> str:
    return f"# {comment}\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
                                              default_flow_style=False)


def write_book(src: Path, out: Path, pages: list[str], toc: dict, config: dict,
               bibfile: str | None) -> dict:
    """Write the converted book into the (empty) folder ``out``; returns counts for the summary."""
    book = out / "book"
    for page in pages:
        source, target = src / page, book / page
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_bytes().decode("utf-8")
        blocks = find_toc_blocks(text)
        if blocks:
            target.write_bytes(strip_toc_blocks(text, blocks).encode("utf-8"))
        else:
            shutil.copyfile(source, target)
    images = 0
    if (src / "img").is_dir():
        shutil.copytree(src / "img", book / "img")
        images = sum(1 for p in (book / "img").rglob("*") if p.is_file())
    if bibfile:
        shutil.copyfile(src / bibfile, out / "references.bib")
    else:
        (out / "references.bib").write_text("", encoding="utf-8")
    origin = "Converted from a d2lbook project by `python -m scripts import-d2lbook`."
    (out / "_toc.yml").write_text(_dump(toc, origin), encoding="utf-8")
    (out / "_config.yml").write_text(_dump(config, origin), encoding="utf-8")
    return {"pages": len(pages), "images": images}


def check_dest(src: Path, dest: Path, force: bool) -> None:
    """Refuse a DEST that is a file, holds SRC, or is non-empty without ``--force``."""
    if dest.exists() and not dest.is_dir():
        raise BookError("DEST exists and is not a folder", "pass a new or empty folder", path=dest)
    s, d = src.resolve(), dest.resolve()
    if d == s or d in s.parents:
        raise BookError("DEST is the d2lbook project or a folder above it",
                        "pass a DEST outside the project", path=dest)
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise BookError("DEST is not empty",
                        "pass a new or empty folder, or --force to replace its contents", path=dest)


def install(tmp: Path, dest: Path) -> None:
    """Rename the finished ``tmp`` to ``dest``, replacing what ``dest`` held."""
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        old.rmdir()
        dest.rename(old)
        tmp.rename(dest)
        shutil.rmtree(old)
    else:
        tmp.rename(dest)


def convert(src: Path, dest: Path, force: bool = False) -> dict:
    """Convert the d2lbook project ``src`` into the book ``dest``; returns the summary counts."""
    cfg = read_config(src)
    toc, pages = build_toc(src)
    check_dest(src, dest, force)
    config = book_config(cfg)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        counts = write_book(src, tmp, pages, toc, config, cfg["bibfile"])
        install(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return {**counts, "frameworks": cfg["tabs"], "default": cfg["default"],
            "bibfile": cfg["bibfile"]}


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: ``import-d2lbook SRC DEST [--force]``; returns the exit code."""
    from scripts import cli
    p = cli.parser("import-d2lbook", __doc__.split("\n")[0].split(": ", 1)[-1], frameworks=False)
    p.add_argument("src", type=Path, help="the d2lbook project (the folder with config.ini)")
    p.add_argument("dest", type=Path, help="the new book's folder (new or empty)")
    p.add_argument("--force", action="store_true", help="replace a non-empty DEST")
    args = p.parse_args(argv)
    src, dest = args.root / args.src, args.root / args.dest
    try:
        s = convert(src, dest, args.force)
    except BookError as e:
        print(e.format(Path.cwd()), file=sys.stderr)
        return 1
    bib = f"references.bib from {s['bibfile']}" if s["bibfile"] else \
        "no bib file found (references.bib is empty)"
    print(f"[import-d2lbook] {dest}: {s['pages']} page(s), {s['images']} image(s), "
          f"{len(s['frameworks'])} framework(s) {', '.join(s['frameworks'])} "
          f"(default {s['default']}), {bib}")
    print(f"[import-d2lbook] next: add requirements-<framework>.txt files, then "
          f"python -m scripts check --root {dest}")
    return 0
