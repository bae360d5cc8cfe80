"""Stage 3: #@save code -> d2l/<module>.py, and the drift check."""
import ast

import pytest

from conftest import FIXTURE, call


def test_fixture_library_is_committed_and_current():
    r = call("lib", "--check", "--root", FIXTURE)
    assert r.returncode == 0, r.stdout
    assert "up to date" in r.stdout


def test_library_text(book):
    call("lib", "--root", book, check=True)
    torch = (book / "d2l" / "torch.py").read_text()
    mx = (book / "d2l" / "mxnet.py").read_text()
    # header: imports of the all-frameworks block and of the framework's own block, no self-import
    assert "import numpy as np\nimport torch\n" in torch
    assert "from d2l import" not in torch
    assert "from mxnet import np as mxnp" in mx and "import torch" not in mx
    # each framework gets its own variant of `ones`, tab.selected branches resolved
    assert "return torch.ones(n)" in torch and "tab.selected" not in mx
    assert "return mxnp.ones(n)" in mx and "jnp" not in mx
    # add_to_class methods are spliced into the class and replace the earlier `tick`
    tree = ast.parse(torch)
    counter = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Counter")
    methods = [n.name for n in counter.body if isinstance(n, ast.FunctionDef)]
    assert methods == ["__init__", "tick", "reset"]
    assert "self.n += 100" not in torch and "self.n += 1\n" in torch
    # no duplicate top-level definitions, each with its "Defined in" line, marks removed
    names = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert len(names) == len(set(names)) == 3
    assert torch.count("# Defined in :numref:`sec_library`") == 5
    assert "#@save" not in torch.split("d2l = sys.modules[__name__]")[1]
    assert (book / "d2l" / "__init__.py").exists()


@pytest.mark.slow
def test_library_imports_and_runs(book):
    """The generated torch library is importable by the torch venv and add_to_class works."""
    import subprocess
    from conftest import REPO
    call("lib", "--root", book, check=True)
    code = ("from d2l import torch as d2l\nc = d2l.Counter(); c.tick(); print(c.tick());"
            "print(float(d2l.ones(3).sum()))")
    r = subprocess.run([str(REPO / ".venvs" / "pytorch" / "bin" / "python"), "-c", code],
                       cwd=book, capture_output=True, text=True, env={"PYTHONPATH": str(book)})
    assert r.stdout.split() == ["2", "3.0"], r.stderr


def test_drift_check_names_the_first_differing_definition(book):
    call("lib", "--root", book, check=True)
    page = book / "book" / "basics" / "library.md"
    page.write_text(page.read_text().replace('"""Attach the decorated function',
                                             '"""Attach (edited) the decorated function'))
    r = call("lib", "--check", "--root", book)
    assert r.returncode == 1
    assert "d2l/torch.py: out of date with book/ at definition 'add_to_class'" in r.stderr
    assert "run `python -m scripts lib`" in r.stderr
    call("lib", "--root", book, check=True)
    assert call("lib", "--check", "--root", book).returncode == 0
