"""Small file helpers shared by the stages."""
from __future__ import annotations

import os
from pathlib import Path


def write_if_changed(path: Path, data: str | bytes) -> bool:
    """Write ``data`` unless the file already holds it; return whether it was written.

    The new content goes to a temporary file that then replaces the old one, so a reader never
    sees a half-written file and an unchanged file keeps its time stamp (Sphinx stays incremental).
    """
    data_b = data.encode() if isinstance(data, str) else data
    if path.exists() and path.read_bytes() == data_b:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data_b)
    os.replace(tmp, path)
    return True
