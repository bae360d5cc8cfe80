"""The book's settings, read and validated once: ``_config.yml`` (Jupyter Book's schema plus our
``frameworks:`` section), ``_toc.yml`` (Jupyter Book's schema) and the front matter of a page.

Every stage reads the typed :class:`Book` built here instead of raw dictionaries. The schema is a
set of pydantic models that forbid unknown keys, so a typo (``gpuu: true``) or a wrong value
(``gpu: maybe``, ``timeout: soon``) is a ``file:line`` error that says what is allowed, instead of
being silently ignored.
"""
from __future__ import annotations

import functools
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scripts.errors import BookError, BookErrors
from scripts.paths import BuildLayout


# --- the schema ------------------------------------------------------------------------------

class _Strict(BaseModel):
    """A section of a settings file: unknown keys are errors."""
    model_config = ConfigDict(extra="forbid", frozen=True)


#: Defaults by framework name, for a ``frameworks.available`` entry that leaves them out:
#: (display name, library module, pip extra, distributions whose version is the framework's,
#: whether it can run on an NVIDIA GPU here).
KNOWN_FRAMEWORKS = {
    "pytorch": ("PyTorch", "torch", "torch", ("torch",), True),
    "tensorflow": ("TensorFlow", "tensorflow", "tensorflow", ("tensorflow-cpu", "tensorflow"), True),
    "mxnet": ("MXNet", "mxnet", "mxnet", ("mxnet",), False),
    "jax": ("JAX", "jax", "jax", ("jax",), True),
}
#: The frameworks that run on Google Colab, with the (module, pip package) pairs their pages
#: need: Colab's install cell keeps the runtime's own versions and installs only what is missing.
#: MXNet does not run on Colab's Python, so its pages have no Colab button.
COLAB_MODULES = {"pytorch": (("torch", "torch"),), "tensorflow": (("tensorflow", "tensorflow"),),
                 "jax": (("jax", "jax"), ("flax", "flax"), ("optax", "optax"))}


class FrameworkSpec(_Strict):
    """One entry of ``frameworks.available`` (every key optional; defaults by framework name)."""
    display: str | None = None
    module: str | None = None
    extra: str | None = None
    kernel: str | None = None
    requirements: str | None = None
    gpu: bool | None = None


class FrameworksSection(_Strict):
    """``frameworks:``. ``available`` are the frameworks the book builds; ``sources`` may name
    more frameworks the sources are written for (an imported book built for a subset): their
    cells, tabs and ``tab.selected`` branches are dropped instead of being "unknown framework"
    errors. ``unmarked`` is the framework of a code cell without ``#@tab`` (default:
    ``default``; an imported d2lbook book keeps its first tab, even when it is not built)."""
    default: str | None = None
    unmarked: str | None = None
    sources: list[str] = []
    available: dict[str, FrameworkSpec | None]


class CheckSection(_Strict):
    """``check:``. ``strict: false`` (written by ``import-d2lbook``) makes broken references,
    missing citation keys and images, and labels nothing takes into warnings with a visible
    marker in the pages, instead of errors that stop the build. Strict is the default."""
    strict: bool = True


class ExecuteSection(_Strict):
    execute_notebooks: Literal["cache", "off"] = "cache"
    timeout: int = Field(600, gt=0)           # seconds per cell
    budget: int = Field(180, gt=0)            # seconds per page and framework on a laptop CPU
    cache_dir: str | None = None


class RepositorySection(_Strict):
    url: str = ""
    branch: str = "main"
    path_to_book: str = "."


class LaunchButtonsSection(_Strict):
    colab_url: str = ""
    notebook_interface: Literal["classic", "jupyterlab"] = "classic"


class HtmlSection(_Strict):
    use_repository_button: bool = False
    baseurl: str = ""
    # a "Discuss" link on every page: a URL with {framework} and {page} (e.g. GitHub Discussions)
    discuss_url: str = ""
    favicon: str = ""
    extra_footer: str = ""
    announcement: str = ""


class ColabSection(_Strict):
    repository: str = ""
    branch: str = "main"
    path: str = "{version}/{framework}"


class LatexDocuments(_Strict):
    targetname: str | None = None


class LatexSection(_Strict):
    latex_documents: LatexDocuments = LatexDocuments()


class SphinxSection(_Strict):
    config: dict[str, Any] = {}


class BookConfig(_Strict):
    """``_config.yml``: the keys of Jupyter Book's schema this toolchain uses, and ours."""
    title: str = "Book"
    author: str = ""
    copyright: str = ""
    version: str = "0.0.0"
    logo: str = ""
    exclude_patterns: list[str] = []
    bibtex_bibfiles: list[str] = []
    execute: ExecuteSection = ExecuteSection()
    repository: RepositorySection = RepositorySection()
    launch_buttons: LaunchButtonsSection = LaunchButtonsSection()
    html: HtmlSection = HtmlSection()
    colab: ColabSection = ColabSection()
    latex: LatexSection = LatexSection()
    sphinx: SphinxSection = SphinxSection()
    check: CheckSection = CheckSection()
    frameworks: FrameworksSection

    @field_validator("copyright", "version", mode="before")
    @classmethod
    def _as_text(cls, value):
        """YAML reads ``2026`` and ``1.0`` as numbers; these keys are text."""
        return str(value) if isinstance(value, (int, float)) else value


class FrontMatter(_Strict):
    """The YAML block at the top of a page, between ``---`` lines.

    ``gpu``: ``preferred`` (or ``true``): the page is faster on a GPU, and still runs within the
    CPU budget — no page may need a GPU; ``timeout``: seconds per cell; ``depends``: files
    (relative to the book root) whose content the page's outputs depend on; ``packages``: pip
    requirements (``name==version``) the page needs besides the library, installed by its
    Colab notebook and its download (the book's own environment must hold them too).
    """
    gpu: Union[bool, Literal["preferred"]] = False
    timeout: int | None = Field(None, gt=0)
    depends: list[str] = []
    packages: list[str] = []   # pip requirements the page needs besides the library

    @property
    def gpu_need(self) -> Literal["", "preferred"]:
        return "preferred" if self.gpu else ""


# --- validation errors with file:line ----------------------------------------------------------

def _yaml_error(e: yaml.YAMLError, path: Path, first_line: int = 1) -> BookError:
    mark = getattr(e, "problem_mark", None)
    return BookError(f"invalid YAML: {getattr(e, 'problem', None) or e}", "fix the syntax",
                     path, (mark.line + first_line) if mark else first_line)


def load_yaml(text: str, path: Path, first_line: int = 1):
    """``(data, node)`` of a YAML text; a syntax error is a :class:`BookError` at its line
    (``first_line`` is the file line of the text's first line)."""
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        raise _yaml_error(e, path, first_line) from None


def _node_line(node, loc: tuple, first_line: int) -> int:
    """The file line of the key or item at ``loc`` (a pydantic error location) in ``node``."""
    line = node.start_mark.line if node is not None else 0
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(key):
                    line, node = k.start_mark.line, v
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line
        else:
            break
    return line + first_line


def _submodel(annotation) -> type[BaseModel] | None:
    """The model inside a field's annotation (``X``, ``X | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _submodel(arg)
        if found:
            return found
    return None


def _allowed(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys allowed in the mapping that holds ``loc[-1]`` (for "unknown key" messages)."""
    keys = list(loc[:-1])
    while keys:
        info = model.model_fields.get(str(keys.pop(0)))
        if info is None:
            break
        annotation = info.annotation
        if getattr(annotation, "__origin__", None) is dict:   # name -> model: skip the name
            annotation = annotation.__args__[1]
            if keys:
                keys.pop(0)
        sub = _submodel(annotation)
        if sub is None:
            break
        model = sub
    return list(model.model_fields)


def _in_data(data, loc: tuple) -> tuple:
    """The part of ``loc`` that names keys present in ``data`` (pydantic adds the names of a
    union's members to the location of a wrong value)."""
    out = []
    for key in loc:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            if isinstance(data, dict):
                out.append(key)       # a missing key is named; a union member's name is not
            break
        out.append(key)
    return tuple(out)


def validation_errors(e: ValidationError, model: type[BaseModel], data, node, path: Path,
                      first_line: int = 1, what: str = "") -> list[BookError]:
    """One ``file:line`` :class:`BookError` per wrong key or value that pydantic found."""
    problems: dict[tuple, list[dict]] = {}
    for err in e.errors():
        problems.setdefault(_in_data(data, tuple(err["loc"])), []).append(err)
    errors = []
    for loc, errs in problems.items():
        dotted = ".".join(map(str, loc)) or "(top level)"
        line = _node_line(node, loc, first_line)
        if any(err["type"] == "extra_forbidden" for err in errs):
            errors.append(BookError(f"unknown key '{dotted}'{what}",
                                    f"use one of: {', '.join(_allowed(model, loc))} "
                                    "(or fix the spelling)", path, line))
            continue
        value = errs[0].get("input")
        shown = "" if isinstance(value, (dict, list)) else f" {value!r}"
        expected = " or ".join(dict.fromkeys(err["msg"].removeprefix("Input should be ")
                                             for err in errs))
        errors.append(BookError(f"invalid value{shown} for '{dotted}'{what}",
                                f"it should be {expected}", path, line))
    return errors


def parse_front_matter(text: str, path: Path, first_line: int = 2) -> tuple[FrontMatter, list[BookError]]:
    """Validate a page's front matter (the YAML between the ``---`` lines; ``first_line`` is the
    file line of its first line)."""
    try:
        data, node = load_yaml(text, path, first_line)
    except BookError as e:
        return FrontMatter(), [e]
    if data is None:
        return FrontMatter(), []
    if not isinstance(data, dict):
        return FrontMatter(), [BookError("front matter is not a mapping", "write `key: value` lines",
                                         path, first_line - 1)]
    try:
        return FrontMatter.model_validate(data), []
    except ValidationError as e:
        return FrontMatter(), validation_errors(e, FrontMatter, data, node, path, first_line,
                                                " in the front matter")


# --- the book --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Framework:
    """Everything about one framework of the book."""
    name: str                    # pytorch
    display: str                 # PyTorch
    module: str                  # torch  -> d2l/torch.py
    extra: str                   # torch  -> pip install "d2l[torch]"
    kernel: str                  # d2l-pytorch (the Jupyter kernel's name)
    requirements: str            # requirements-pytorch.txt
    gpu: bool = True             # can run on an NVIDIA GPU here
    packages: tuple[str, ...] = ()   # distributions whose version is the framework's version
    colab: tuple[tuple[str, str], ...] = ()   # (module, package) on Colab; () = no Colab


@dataclass(frozen=True)
class Page:
    """One entry of ``_toc.yml``: ``docname`` is the path without suffix relative to the book root
    (``book/intro/index``); ``outname`` is its path inside a framework's tree (``intro/index``)."""
    docname: str
    outname: str
    path: Path           # the source file
    children: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """The source file relative to the book root, e.g. ``book/intro/index.md``."""
        return self.docname + ".md"


@dataclass(frozen=True)
class Part:
    caption: str | None
    numbered: bool
    chapters: tuple[str, ...]   # docnames


@dataclass
class Book:
    root: Path
    config: BookConfig
    frameworks: dict[str, Framework]
    default_framework: str
    root_page: Page
    parts: list[Part]
    pages: dict[str, Page] = field(default_factory=dict)   # docname -> Page, in toc order

    @property
    def title(self) -> str:
        return self.config.title

    @property
    def slug(self) -> str:
        """File-name stem of the book's downloads: ``latex.latex_documents.targetname`` without
        ``.tex``, else the title in lower case with dashes (``<slug>-<fw>.pdf``)."""
        target = self.config.latex.latex_documents.targetname
        if target:
            return Path(target).stem
        return re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-") or "book"

    @functools.cached_property
    def version(self) -> str:
        """The version being built — the one every stage shows: ``$D2L_VERSION``, else an exact
        git tag ``vX.Y.Z`` of the checkout, else ``version`` in ``_config.yml`` (asked once: it
        may run git)."""
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
        return self.config.version

    @property
    def strict(self) -> bool:
        """Whether broken references stop the build (``check.strict``, default true)."""
        return self.config.check.strict

    @property
    def unmarked_framework(self) -> str:
        """The framework of a code cell without ``#@tab`` (``frameworks.unmarked``, else the
        default); it may be a framework of the sources that this book does not build."""
        return self.config.frameworks.unmarked or self.default_framework

    @property
    def dropped_frameworks(self) -> frozenset[str]:
        """Frameworks the sources name that this book does not build (``frameworks.sources``
        minus ``available``): their cells and tabs are left out, silently."""
        names = set(self.config.frameworks.sources)
        if self.config.frameworks.unmarked:
            names.add(self.config.frameworks.unmarked)
        return frozenset(names - set(self.frameworks))

    @property
    def source_dir(self) -> Path:
        return self.root / "book"

    @functools.cached_property
    def build(self) -> BuildLayout:
        """Where every output lives under ``_build/``."""
        return BuildLayout(self.root / "_build")

    @property
    def build_dir(self) -> Path:
        return self.build.root

    @property
    def timeout(self) -> int:
        return self.config.execute.timeout

    def ordered_pages(self) -> list[Page]:
        return list(self.pages.values())

    @property
    def site_url(self) -> str:
        """The published site's base URL (``html.baseurl``), ending in ``/`` (or empty)."""
        url = self.config.html.baseurl.strip()
        return url if not url or url.endswith("/") else url + "/"

    def colab_url(self, fw: str, outname: str, version: str | None = None) -> str:
        """The "Open in Colab" address of page ``outname`` of framework ``fw`` in ``version``
        (default: this build's; empty when ``colab.repository`` is not set)."""
        c = self.config.colab
        if not c.repository or not self.frameworks[fw].colab:
            return ""
        path = c.path.format(version=version or self.version, framework=fw).strip("/")
        return (f"https://colab.research.google.com/github/{c.repository}/blob/{c.branch}/"
                f"{path}/{outname}.ipynb")

    def library_requirement(self, version: str | None = None, extra: str = "") -> str:
        """The pip requirement of ``version`` (default: this build's) of the library, from the
        book's repository, with ``extra`` (a framework's extra) if given."""
        repo = self.config.repository.url.rstrip("/")
        return f"d2l{f'[{extra}]' if extra else ''} @ git+{repo}@v{version or self.version}"

    def install_command(self, fw: str, version: str | None = None) -> str:
        """The pip command that installs ``version`` (default: this build's) of the library for
        ``fw`` together with the framework versions its extra declares (for a local machine)."""
        return f'pip install "{self.library_requirement(version, self.frameworks[fw].extra)}"'

    def install_cell(self, fw: str, version: str | None = None,
                     packages: list[str] | tuple = ()) -> str:
        """The first cell of a Colab notebook of ``fw``. On Colab it keeps the runtime's own
        framework and installs only the library and what the runtime lacks (plus the page's
        ``packages``); for a framework without Colab it installs the library with its extra."""
        f = self.frameworks[fw]
        v = version or self.version
        if not f.colab:
            cmd = self.install_command(fw, v) + "".join(f' "{p}"' for p in packages)
            return (f"# The library of this book, version {v}, with the {f.display} version its "
                    f"extra declares\n!{cmd}")
        return "\n".join([
            f"# The library of this book, version {v}, for {f.display}. The runtime's own",
            f"# {f.display} is kept: only the library and what the runtime lacks are installed.",
            "import importlib.util, subprocess, sys",
            f"LIBRARY = {self.library_requirement(v)!r}",
            f"PACKAGES = {list(packages)!r}  # what this page needs besides the library",
            f"WANTED = {[list(m) for m in f.colab]!r}  # (module, pip package)",
            "missing = [pkg for mod, pkg in WANTED if importlib.util.find_spec(mod) is None]",
            "subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', LIBRARY, *missing,",
            "                *PACKAGES], check=True)",
        ])

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


def _framework(name: str, spec: FrameworkSpec | None) -> Framework:
    spec = spec or FrameworkSpec()
    display, module, extra, packages, gpu = KNOWN_FRAMEWORKS.get(
        name, (name, spec.module or name, spec.module or name, (name,), True))
    module = spec.module or module
    return Framework(name=name, display=spec.display or display, module=module,
                     extra=spec.extra or (extra if spec.module is None else module),
                     kernel=spec.kernel or f"d2l-{name}",
                     requirements=spec.requirements or f"requirements-{name}.txt",
                     gpu=gpu if spec.gpu is None else spec.gpu, packages=packages,
                     colab=COLAB_MODULES.get(name, ()))


def read_config(path: Path) -> tuple[BookConfig, dict[str, Framework], str]:
    """Validate ``_config.yml``: (settings, frameworks by name, default framework)."""
    data, node = load_yaml(path.read_text(encoding="utf-8"), path)
    if not isinstance(data, dict):
        raise BookError("_config.yml is not a mapping", "write `key: value` lines", path, 1)
    if not (data.get("frameworks") or {}).get("available"):
        raise BookError("no frameworks configured", "add a `frameworks: available:` section",
                        path=path)
    try:
        cfg = BookConfig.model_validate(data)
    except ValidationError as e:
        raise BookErrors(validation_errors(e, BookConfig, data, node, path)) from None
    frameworks = {name: _framework(name, spec) for name, spec in cfg.frameworks.available.items()}
    default = cfg.frameworks.default or next(iter(frameworks))
    if default not in frameworks and default in cfg.frameworks.sources:
        default = next(iter(frameworks))   # a subset that leaves the sources' default out
    if default not in frameworks:
        raise BookError(f"default framework '{default}' is not in frameworks.available",
                        f"use one of: {', '.join(frameworks)}", path=path,
                        line=_node_line(node, ("frameworks", "default"), 1))
    unmarked = cfg.frameworks.unmarked
    if unmarked is not None and unmarked not in frameworks and unmarked not in cfg.frameworks.sources:
        raise BookError(f"frameworks.unmarked '{unmarked}' is neither in frameworks.available "
                        "nor in frameworks.sources",
                        f"use one of: {', '.join([*frameworks, *cfg.frameworks.sources])}",
                        path=path, line=_node_line(node, ("frameworks", "unmarked"), 1))
    return cfg, frameworks, default


def _line_of(text: str, needle: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return None


class _Toc:
    """Reads ``_toc.yml`` into pages and parts, with the line of each entry for errors."""

    def __init__(self, root: Path, path: Path):
        self.root, self.path = root, path
        self.text = path.read_text(encoding="utf-8")
        self.data, _ = load_yaml(self.text, path)
        if not isinstance(self.data, dict) or "root" not in self.data:
            raise BookError("no `root:` page", "add `root: book/index`", path=path)
        self.pages: dict[str, Page] = {}

    def page(self, docname: str) -> Page:
        docname = str(docname).strip().removesuffix(".md").removesuffix(".ipynb")
        outname = docname[len("book/"):] if docname.startswith("book/") else docname
        return Page(docname=docname, outname=outname, path=self.root / f"{docname}.md")

    def add(self, entry) -> str:
        if not isinstance(entry, dict) or not entry.get("file"):
            raise BookError(f"toc entry without `file:`: {entry}", "give each entry a file",
                            path=self.path, line=_line_of(self.text, str(entry)))
        page = self.page(entry["file"])
        self.pages[page.docname] = page   # reserve the toc position before the sections
        kids = tuple(self.add(sub) for sub in entry.get("sections") or [])
        self.pages[page.docname] = Page(page.docname, page.outname, page.path, kids)
        return page.docname

    def parts(self) -> list[Part]:
        raw_parts = self.data.get("parts")
        if raw_parts is None:
            raw_parts = [{"caption": None, "chapters": self.data.get("chapters") or []}]
        return [Part(caption=part.get("caption"), numbered=bool(part.get("numbered", True)),
                     chapters=tuple(self.add(ch) for ch in part.get("chapters") or []))
                for part in raw_parts]


def load_book(root: str | Path) -> Book:
    """Read and validate ``_config.yml`` and ``_toc.yml`` of the book at ``root``.

    Missing pages are not raised here but reported by the check stage, so that every problem is
    listed at once.
    """
    root = Path(root).resolve()
    cfg_path, toc_path = root / "_config.yml", root / "_toc.yml"
    for p in (cfg_path, toc_path):
        if not p.is_file():
            raise BookError(f"{p.name} not found", "run from the book's folder or pass --root DIR",
                            path=p)
    config, frameworks, default = read_config(cfg_path)
    toc = _Toc(root, toc_path)
    # the root page is the site's index.html whatever its source is called
    first = toc.page(toc.data["root"])
    root_page = Page(first.docname, "index", first.path)
    toc.pages[root_page.docname] = root_page
    parts = toc.parts()
    return Book(root=root, config=config, frameworks=frameworks, default_framework=default,
                root_page=root_page, parts=parts, pages=toc.pages)


def toc_line(book: Book, docname: str) -> int | None:
    return _line_of((book.root / "_toc.yml").read_text(), docname)
