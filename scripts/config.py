"""Reading the book's settings: ``_config.yml`` (Jupyter Book schema + ``frameworks:``) and
``_toc.yml`` (Jupyter Book schema), as plain dataclasses every stage shares."""
from __future__ import annotations

import functools
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from scripts.errors import BookError


@dataclass(frozen=True)
class Framework:
    name: str            # pytorch
    display: str         # PyTorch
    module: str          # torch  -> d2l/torch.py
    extra: str           # torch  -> pip install "d2l[torch]"
    kernel: str          # d2l-pytorch
    requirements: str    # requirements-pytorch.txt


@dataclass(frozen=True)
class Page:
    """One entry of ``_toc.yml``: ``docname`` is the path without suffix relative to the book root
    (``book/intro/index``); ``outname`` is its path inside a framework's tree (``intro/index``)."""
    docname: str
    outname: str
    path: Path           # the source file
    children: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    caption: str | None
    numbered: bool
    chapters: tuple[str, ...]   # docnames


@dataclass
class Book:
    root: Path
    config: dict
    frameworks: dict[str, Framework]
    default_framework: str
    root_page: Page
    parts: list[Part]
    pages: dict[str, Page] = field(default_factory=dict)   # docname -> Page, in toc order

    @property
    def title(self) -> str:
        return self.config.get("title", "Book")

    @property
    def slug(self) -> str:
        """File-name stem of the book's downloads: ``latex.latex_documents.targetname`` without
        ``.tex``, else the title in lower case with dashes (``<slug>-<fw>.pdf``)."""
        target = ((self.config.get("latex") or {}).get("latex_documents") or {}).get("targetname")
        if target:
            return Path(str(target)).stem
        return re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-") or "book"

    @functools.cached_property
    def version(self) -> str:
        """The version being built: ``$D2L_VERSION``, else an exact git tag ``vX.Y.Z`` of the
        checkout, else ``version`` in ``_config.yml`` (asked once: it may run git)."""
        env = os.environ.get("D2L_VERSION", "").strip()
        if env:
            return env.removeprefix("v")
        try:
            tag = subprocess.run(["git", "describe", "--tags", "--exact-match"], cwd=self.root,
                                 capture_output=True, text=True, timeout=10)
            if tag.returncode == 0 and re.fullmatch(r"v?\d+(\.\d+)*\S*", tag.stdout.strip()):
                return tag.stdout.strip().removeprefix("v")
        except (OSError, subprocess.SubprocessError):
            pass
        return str(self.config.get("version", "0.0.0"))

    @property
    def source_dir(self) -> Path:
        return self.root / "book"

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    def ordered_pages(self) -> list[Page]:
        return list(self.pages.values())

    def select(self, names: str | list[str] | None) -> list[str]:
        """Validate a comma-separated framework subset (``--frameworks``/``FRAMEWORKS``)."""
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",") if n.strip()]
        if not names:
            return list(self.frameworks)
        for n in names:
            if n not in self.frameworks:
                raise BookError(f"unknown framework '{n}'",
                                f"choose from {', '.join(self.frameworks)}",
                                path=self.root / "_config.yml")
        return list(names)


def _resolve_page(root: Path, docname: str, where: Path, line: int | None) -> Page:
    docname = docname.strip().removesuffix(".md").removesuffix(".ipynb")
    path = root / f"{docname}.md"
    outname = docname[len("book/"):] if docname.startswith("book/") else docname
    return Page(docname=docname, outname=outname, path=path)


def _line_of(text: str, needle: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return None


def load_book(root: str | Path) -> Book:
    """Read ``_config.yml`` and ``_toc.yml`` of the book at ``root``.

    Missing pages are not raised here but reported by the check stage, so that every problem is
    listed at once.
    """
    root = Path(root).resolve()
    cfg_path, toc_path = root / "_config.yml", root / "_toc.yml"
    for p in (cfg_path, toc_path):
        if not p.is_file():
            raise BookError(f"{p.name} not found", "run from the book's folder or pass --root DIR",
                            path=p)
    try:
        config = yaml.safe_load(cfg_path.read_text()) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise BookError(f"invalid YAML: {getattr(e, 'problem', e)}", "fix the syntax",
                        path=cfg_path, line=mark.line + 1 if mark else None)
    fw_cfg = config.get("frameworks") or {}
    available = fw_cfg.get("available") or {}
    if not available:
        raise BookError("no frameworks configured",
                        "add a `frameworks: available:` section", path=cfg_path)
    frameworks = {}
    for name, spec in available.items():
        spec = spec or {}
        module = spec.get("module", name)
        frameworks[name] = Framework(
            name=name, display=spec.get("display", name), module=module,
            extra=spec.get("extra", module), kernel=spec.get("kernel", f"d2l-{name}"),
            requirements=spec.get("requirements", f"requirements-{name}.txt"))
    default = fw_cfg.get("default", next(iter(frameworks)))
    if default not in frameworks:
        raise BookError(f"default framework '{default}' is not in frameworks.available",
                        "fix frameworks.default", path=cfg_path,
                        line=_line_of(cfg_path.read_text(), "default:"))

    toc_text = toc_path.read_text()
    try:
        toc = yaml.safe_load(toc_text) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise BookError(f"invalid YAML: {getattr(e, 'problem', e)}", "fix the syntax",
                        path=toc_path, line=mark.line + 1 if mark else None)
    if "root" not in toc:
        raise BookError("no `root:` page", "add `root: book/index`", path=toc_path)
    root_page = _resolve_page(root, toc["root"], toc_path, _line_of(toc_text, "root:"))
    # the root page is the site's index.html whatever its source is called
    root_page = Page(root_page.docname, "index", root_page.path)
    pages: dict[str, Page] = {root_page.docname: root_page}

    def add(entry: dict) -> str:
        doc = entry.get("file")
        if not doc:
            raise BookError(f"toc entry without `file:`: {entry}", "give each entry a file",
                            path=toc_path)
        kids = []
        page = _resolve_page(root, doc, toc_path, _line_of(toc_text, doc))
        pages[page.docname] = page   # reserve the toc position before the sections
        for sub in entry.get("sections") or []:
            kids.append(add(sub))
        pages[page.docname] = Page(page.docname, page.outname, page.path, tuple(kids))
        return page.docname

    parts = []
    raw_parts = toc.get("parts")
    if raw_parts is None:
        raw_parts = [{"caption": None, "chapters": toc.get("chapters") or []}]
    for part in raw_parts:
        chapters = tuple(add(ch) for ch in part.get("chapters") or [])
        parts.append(Part(caption=part.get("caption"), numbered=bool(part.get("numbered", True)),
                          chapters=chapters))
    return Book(root=root, config=config, frameworks=frameworks, default_framework=default,
                root_page=root_page, parts=parts, pages=pages)


def toc_line(book: Book, docname: str) -> int | None:
    return _line_of((book.root / "_toc.yml").read_text(), docname)
