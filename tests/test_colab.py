"""Colab notebooks as a reader runs them: in a Colab-like environment whose framework is another
release than the book's pin, the install cell (pointed at this checkout instead of the git tag)
installs the library and what is missing, leaves the preinstalled framework as it was, and the
first cells of sample notebooks run."""
import json
import os
import subprocess

import pytest

from conftest import REPO, run_scripts

pytestmark = pytest.mark.slow

RUNTIMES = [("pytorch", "torch", "2.13.0+cpu"), ("tensorflow", "tensorflow", "2.20.0"),
            ("jax", "jax", "0.10.1")]
SAMPLE = ["preliminaries/ndarray", "preliminaries/autograd"]
FIRST_CELLS = 5          # the install cell and the next four code cells


def version_of(python, module):
    return subprocess.run([python, "-c", f"import {module}; print({module}.__version__)"],
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("fw,module,preinstalled", RUNTIMES)
def test_colab_cells_run_and_keep_the_runtime_framework(fw, module, preinstalled, tmp_path,
                                                        monkeypatch):
    import nbformat
    from nbclient import NotebookClient
    from scripts import config, envs, publish
    venv = envs.ensure_venv(tmp_path, f"colab-{fw}", REPO / "tests" / "colab" /
                            f"requirements-{fw}.txt")
    python = str(venv / "bin" / "python")
    assert version_of(python, module) == preinstalled
    # the Colab notebooks of the real book, from its frozen outputs
    r = run_scripts("execute", "--frameworks", fw, "--no-progress")
    assert r.returncode == 0 and f"{fw}: 0 executed" in r.stdout, r.stdout + r.stderr
    book = config.load_book(REPO)
    publish.build_colab(book, [fw], book.version)
    kernels = tmp_path / "jupyter" / "kernels" / f"colab-{fw}"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Colab-like {fw}", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    work = tmp_path / "work"      # not the checkout: `import d2l` must find the installed one
    work.mkdir()
    try:
        for page in SAMPLE:
            nb = nbformat.read(book.build.colab(book.version) / fw / f"{page}.ipynb", 4)
            code = [c for c in nb.cells if c.cell_type == "code"][:FIRST_CELLS]
            install = code[0].source
            assert "LIBRARY = 'd2l @ git+" in install and "d2l[" not in install
            code[0].source = install.replace(
                f"LIBRARY = {book.library_requirement()!r}", f"LIBRARY = 'd2l @ {REPO.as_uri()}'")
            code.append(nbformat.v4.new_code_cell(
                "import d2l, os\nprint('library from', os.path.dirname(d2l.__file__))"))
            nb.cells = code
            for c in nb.cells:
                c.outputs = []
            NotebookClient(nb, kernel_name=f"colab-{fw}", timeout=900,
                           resources={"metadata": {"path": str(work)}}).execute()
            printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
            assert "site-packages" in printed, printed        # the installed library
        assert version_of(python, module) == preinstalled     # the runtime's framework kept
    finally:   # the shared venv goes back to its Colab-like state for the next run
        subprocess.run([python, "-m", "pip", "uninstall", "-y", "-q", "d2l", "flax", "optax"],
                       capture_output=True)
