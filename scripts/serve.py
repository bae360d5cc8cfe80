"""Live preview: ``python -m scripts serve`` (what ``make serve`` runs).

Serves one framework's site on 127.0.0.1 with sphinx-autobuild, which watches the book's sources
and reloads the browser after each rebuild. Before each rebuild the toolchain regenerates the
library and the notebooks (only changed files are written), executes the pages whose code or
dependencies changed (none after a prose edit) and writes the site's ``conf.py``; Sphinx then
re-reads only the edited pages. A page that fails to execute is shown under a banner instead of
stopping the server.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys

from scripts import cli
from scripts.config import Book
from scripts.errors import BookError


def serve_command(book: Book, fw: str, host: str, port: int) -> list[str]:
    """The sphinx-autobuild command line that serves ``fw``'s site of ``book``."""
    step = [sys.executable, "-m", "scripts"]
    where = ["--root", str(book.root)]
    pre = [shlex.join(step + ["lib"] + where),
           shlex.join(step + ["execute"] + where + ["--frameworks", fw, "--keep-going",
                                                    "--no-progress"]),
           shlex.join(step + ["html"] + where + ["--frameworks", fw, "--keep-going",
                                                 "--prepare-only"])]
    cmd = [sys.executable, "-m", "sphinx_autobuild", str(book.build.src(fw)),
           str(book.build.sphinx(fw) / "html"), "-d", str(book.build.sphinx(fw) / "doctrees"),
           "-q", "--host", host, "--port", str(port)]
    for path in ("book", "_config.yml", "_toc.yml", *book.config.bibtex_bibfiles):
        if (book.root / path).exists():
            cmd += ["--watch", str(book.root / path)]
    # what the toolchain itself writes must not trigger another rebuild
    cmd += ["--ignore", str(book.build.root / "*"), "--ignore", str(book.root / "d2l" / "*")]
    for c in pre:
        cmd += ["--pre-build", c]
    return cmd


def _options(p) -> None:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="0: any free port (default: 8000)")


def _serve(args, book: Book, fws: list[str]) -> int:
    if len(fws) != 1:
        fws = [book.default_framework if book.default_framework in fws else fws[0]]
    fw = fws[0]
    try:
        import sphinx_autobuild  # noqa: F401
    except ImportError as e:
        raise BookError("sphinx-autobuild is not installed in this environment",
                        "run `make envs` (it is pinned in requirements-tools.txt)") from e
    for folder in (book.build.src(fw), book.build.sphinx(fw) / "html"):
        folder.mkdir(parents=True, exist_ok=True)    # the first pre-build fills them
    print(f"[serve] {fw}: watching {book.root / 'book'}; open http://{args.host}:{args.port}/ "
          "(Ctrl+C stops)", flush=True)
    try:
        return subprocess.run(serve_command(book, fw, args.host, args.port),
                              env=dict(os.environ, FRAMEWORKS=fw)).returncode
    except KeyboardInterrupt:
        return 0


main = cli.command("serve", __doc__, _serve, _options, failed="[serve] stopped")
