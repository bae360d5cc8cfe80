"""Running one notebook in a worker process, and what the machine running it is.

Each worker of the execute stage's process pool calls :func:`run_notebook`. A worker launches
the kernel of its *next* notebook while the current one runs (most notebooks of a run share
kernel and environment), so a kernel's start-up overlaps the previous notebook's cells.
Kernels talk over Unix sockets named after their connection files, so kernels started side by
side never race for the same TCP port.
"""
from __future__ import annotations

import asyncio
import os
import platform
import re
import subprocess
import time
import traceback
from pathlib import Path

from scripts.contracts import RunResult

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --- the machine ---------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gpus() -> list[tuple[str, str]]:
    """(index, name) of the visible NVIDIA GPUs; empty without ``nvidia-smi`` or a GPU."""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=index,name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if out.returncode != 0:
        return []
    return [tuple(x.strip() for x in ln.split(",", 1)) for ln in out.stdout.splitlines() if "," in ln]


def kernel_versions(python: str, packages: tuple[str, ...]) -> tuple[str, str]:
    """(framework version, Python version) of the interpreter that runs a framework's kernel;
    the framework's version is that of the first of its ``packages`` installed there."""
    code = ("import importlib.metadata as m, sys\nv=''\nfor p in %r:\n try:\n  v=m.version(p); break\n"
            " except m.PackageNotFoundError: pass\nprint(v); print(sys.version.split()[0])"
            % list(packages))
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
        lines = out.stdout.split()
        return (lines[0], lines[1]) if len(lines) == 2 else ("", lines[0] if lines else "")
    except (OSError, subprocess.TimeoutExpired):
        return "", ""


def thread_caps(threads: int) -> dict[str, str]:
    """Environment that limits a kernel's thread pools to ``threads`` cores.

    MXNet's engine gets one worker thread, each operator using up to ``threads`` OpenMP threads:
    with as many engine workers as OpenMP threads, small matrix products (a recurrent cell's
    step) were 20-100x slower on a 2-core machine, and a scratch LSTM's epoch took minutes
    instead of seconds (its worker threads and their OpenMP teams wait on one another)."""
    n = str(max(1, threads))
    return {"OMP_NUM_THREADS": n, "MKL_NUM_THREADS": n, "OPENBLAS_NUM_THREADS": n,
            "NUMEXPR_NUM_THREADS": n, "TF_NUM_INTRAOP_THREADS": n, "TF_NUM_INTEROP_THREADS": "1",
            "MXNET_CPU_WORKER_NTHREADS": "1", "MXNET_OMP_MAX_THREADS": n,
            "XLA_FLAGS": f"--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads={n}"}


# --- kernels launched ahead ------------------------------------------------------------------

class SpareKernel:
    """In a worker process: at most one kernel launched ahead of time for the next notebook."""

    def __init__(self):
        self.key = None
        self.km = None
        import multiprocessing.util
        multiprocessing.util.Finalize(self, self.stop, exitpriority=10)

    def take(self, key):
        """The kernel launched ahead for ``key`` (kernel, environment), if there is one."""
        km, same = self.km, self.key == key
        self.km = self.key = None
        if km is None:
            return None
        if same and km.has_kernel:
            return km
        stop_kernel(km)
        return None

    def launch(self, key, kernel: str, env: dict, cwd: str) -> None:
        try:
            self.km, self.key = launch_kernel(kernel, env, cwd), key
        except Exception:   # noqa: BLE001 - the next notebook's own start reports the problem
            self.km = self.key = None

    def stop(self) -> None:
        if self.km is not None:
            stop_kernel(self.km)
        self.km = self.key = None


_SPARE: SpareKernel | None = None


def launch_kernel(kernel: str, env: dict, cwd: str):
    """Start kernel ``kernel`` on Unix sockets named after its connection file."""
    import uuid
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    runtime = jupyter_runtime_dir()
    os.makedirs(runtime, exist_ok=True)
    km = AsyncKernelManager(kernel_name=kernel, transport="ipc")
    km.connection_file = os.path.join(runtime, f"d2l-kernel-{uuid.uuid4().hex[:16]}.json")
    km.ip = km.connection_file[:-len(".json")] + "-ipc"
    asyncio.run(km.start_kernel(env={**os.environ, **env}, cwd=cwd))
    return km


def stop_kernel(km) -> None:
    try:
        asyncio.run(km.shutdown_kernel(now=True))
    except Exception:   # noqa: BLE001 - already gone
        pass


# --- one notebook ----------------------------------------------------------------------------

def _failed(t0: float, e: Exception) -> RunResult:
    return {"status": "failed", "nb": "", "seconds": time.time() - t0, "cell_seconds": 0.0,
            "line": None, "error": "the kernel could not start: " + "".join(
                traceback.format_exception_only(type(e), e)).strip()}


def run_notebook(nb_json: str, kernel: str, cwd: str, timeout: int, env: dict,
                 lines: list[int]) -> RunResult:
    """Execute one notebook in kernel ``kernel`` from folder ``cwd`` (each cell at most
    ``timeout`` seconds); ``lines`` are the source lines of its cells, to say where it failed.

    The kernel for this worker's next notebook is launched before this one runs; it is used only
    when kernel and environment match, is moved into the notebook's folder before the first
    cell, and is shut down when the worker exits.
    """
    global _SPARE
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    _SPARE = _SPARE or SpareKernel()
    nb = nbformat.reads(nb_json, as_version=4)
    current = {"index": None, "t": 0.0, "cells": 0.0}

    def on_start(cell, cell_index):
        current["index"], current["t"] = cell_index, time.time()

    def on_done(cell, cell_index, execute_reply):
        current["cells"] += time.time() - current["t"]

    t0 = time.time()
    key = (kernel, tuple(sorted(env.items())))
    km = _SPARE.take(key)
    try:
        km = km or launch_kernel(kernel, env, cwd)
    except Exception as e:   # noqa: BLE001 - no such kernel, broken venv, ...
        return _failed(t0, e)
    _SPARE.launch(key, kernel, env, cwd)

    async def enter_folder(notebook):
        # a kernel launched ahead started in another notebook's folder: move it to this one
        msg_id = client.kc.execute(f"import os as _os; _os.chdir({cwd!r}); del _os",
                                   silent=True, store_history=False)
        await client.async_wait_for_reply(msg_id)

    client = NotebookClient(nb, km=km, timeout=timeout, kernel_name=kernel, allow_errors=False,
                            record_timing=False, resources={"metadata": {"path": cwd}},
                            shutdown_kernel="immediate", on_notebook_start=enter_folder,
                            on_cell_start=on_start, on_cell_executed=on_done)
    status, error = "ok", ""
    try:
        client.execute(env={**os.environ, **env}, cwd=cwd)
    except CellTimeoutError:
        status, error = "timeout", f"cell timed out after {timeout} s"
    except (CellExecutionError, DeadKernelError) as e:
        status, error = "failed", ANSI.sub("", str(e))
    except Exception as e:   # noqa: BLE001 - kernel failed to start, etc.
        status, error = "failed", "".join(traceback.format_exception_only(type(e), e))
    finally:                        # a kernel we launched: nbclient leaves it to us
        if client.kc is not None:
            client.kc.stop_channels()
        stop_kernel(km)
    idx = current["index"]
    line = lines[idx] if idx is not None and idx < len(lines) else None
    tail = "\n".join([ln for ln in error.strip().splitlines() if ln.strip()][-6:])
    return {"status": status, "nb": nbformat.writes(nb) if status == "ok" else "",
            "seconds": time.time() - t0, "cell_seconds": current["cells"], "line": line,
            "error": tail}
