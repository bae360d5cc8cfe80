"""What crosses a stage boundary, declared once.

* :class:`NotebookMeta` — the ``metadata["d2l"]`` the notebooks stage writes into every notebook
  and the execute, render and publish stages read (always through :func:`notebook_meta`);
* :class:`RunResult` — what running one notebook returns from a worker process;
* :class:`Record` — one execution record of ``_build/execution/<fw>.json``, with one load and
  one dump;
* :class:`Failure` — a notebook that did not run, formatted only when it is shown.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypedDict

from scripts.files import write_if_changed

#: The key of the toolchain's metadata in a notebook's metadata.
NOTEBOOK_META_KEY = "d2l"
#: The file of each framework's Sphinx sources that holds the final metrics of every training
#: run (``render.results_data``), read by the ``{results}`` directive and the Colab notebooks.
RESULTS_FILE = "_d2l_results.json"

Status = Literal["ok", "failed", "timeout"]
CacheUse = Literal["hit", "frozen", "miss"]     # local cache, frozen entry, executed now
GpuNeed = Literal["", "preferred"]


class NotebookMeta(TypedDict, total=False):
    """``metadata["d2l"]`` of a generated notebook."""
    framework: str            # pytorch
    source: str               # book/basics/tensors.md, relative to the book root
    has_code: bool            # the page has code cells for this framework
    page_has_code: bool       # the page has code cells for some framework
    cell_lines: list[int]     # source line of each cell of the notebook (for error messages)
    front_matter: dict        # the page's validated front matter (only when it has one)
    deps: dict                # fingerprint.manifest(): every dependency, one hash per item


def notebook_meta(nb) -> NotebookMeta:
    """The toolchain's metadata of notebook ``nb`` (an nbformat node or a plain dict)."""
    return nb["metadata"].get(NOTEBOOK_META_KEY, {})


class RunResult(TypedDict):
    """What :func:`scripts.execute.kernels.run_notebook` returns (plain data, picklable)."""
    status: Status
    nb: str                   # the executed notebook as JSON ("" unless status is "ok")
    seconds: float            # wall time, kernel start-up included
    cell_seconds: float       # time spent inside cells
    line: int | None          # source line of the cell that failed or was running
    error: str                # the last lines of the error ("" when ok)


@dataclass
class Record:
    """How one page ran (or was found in the cache) for one framework."""
    page: str                 # docname, e.g. book/basics/tensors
    source: str               # book/basics/tensors.md
    framework: str
    status: Status
    cache: CacheUse
    seconds: float            # execution time of the notebook (for a hit: of the cached run)
    device: str = ""
    framework_version: str = ""
    python_version: str = ""
    executed_at: str = ""
    error: str = ""
    note: str = ""
    cell_seconds: float = 0.0     # time spent inside cells (the rest is kernel start-up etc.)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Record":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def load_records(path: Path) -> list[Record]:
    """The records in ``path`` (none when it is missing or unreadable)."""
    try:
        return [Record.from_dict(r) for r in json.loads(path.read_text())]
    except (OSError, ValueError, TypeError):
        return []


def save_records(path: Path, records: list[Record]) -> None:
    write_if_changed(path, json.dumps([r.to_dict() for r in records], indent=1, sort_keys=True)
                     + "\n")


@dataclass(frozen=True)
class Failure:
    """A notebook that failed, timed out or could not start."""
    framework: str
    source: str               # book/basics/tensors.md
    status: Status
    error: str
    line: int | None = None

    def format(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        head = f"{self.framework}: {where}: {self.status}"
        return head + "".join("\n    " + ln for ln in self.error.splitlines())
