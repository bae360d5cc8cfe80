"""Live preview: `python -m scripts serve` (make serve) serves one framework's site, rebuilds
after an edit (re-executing a page only when its code changed) and keeps serving."""
import os
import signal
import socket
import http.client
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, text: str, timeout: float, server, log) -> float:
    """Seconds until the page at ``url`` contains ``text``. sphinx-autobuild serves the build
    folder that Sphinx rewrites in place, so a read during a rebuild can come back short: that
    is retried like a refused connection."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        assert server.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if text in r.read().decode():
                    return time.time() - t0
        except (OSError, http.client.HTTPException):
            pass        # not up yet, or the page was being rewritten while it was read
        time.sleep(0.2)
    raise AssertionError(f"{url} did not show {text!r} within {timeout} s")


def test_serve_rebuilds_prose_and_code_edits(frozen_book, tmp_path):
    port = free_port()
    env = {**os.environ, "D2L_CACHE_DIR": str(tmp_path / "cache")}
    log_path = tmp_path / "serve.log"
    log = open(log_path, "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "scripts", "serve", "--root", str(frozen_book), "--framework",
         "jax", "--port", str(port)], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/basics/tensors.html"
        wait_for(url, "tensor of jaxlib with shape (2, 3)", 180, server, log_path)       # from the freeze
        page = frozen_book / "book" / "basics" / "tensors.md"
        text = page.read_text()
        page.write_text(text.replace("MXNet calls it an ndarray.",
                                     "MXNet calls it an ndarray.\n\nA sentence added live."))
        page.write_text(page.read_text().replace("A line has slope", "A line, edited live, has slope"))
        prose = wait_for(url, "edited live", 60, server, log_path)
        page.write_text(page.read_text().replace("print('tensor of',", "print('live tensor of',"))
        code = wait_for(url, "live tensor of jaxlib", 120, server, log_path)
        print(f"edit to page: prose {prose:.1f} s, code {code:.1f} s")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    out = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in out, out[-3000:]
