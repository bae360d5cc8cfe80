"""The toolchain's modules import one way: dialect -> notebooks/library -> execute -> render ->
publish, with config, paths, contracts and errors underneath, and no cycles."""
import ast
from pathlib import Path

from conftest import REPO

#: A module may import only modules of a lower layer.
LAYERS = [
    {"errors", "files", "data"},
    {"paths", "contracts", "stamps"},
    {"config"},
    {"cli", "envs", "fingerprint"},
    {"dialect"},
    {"library"},
    {"notebooks", "check"},
    {"execute.freeze"},
    {"execute.store"},
    {"execute.plan", "execute.kernels"},
    {"execute"},
    {"render", "sphinx_ext"},
    {"publish", "status", "serve", "linkcheck"},
    {"migrate", "bench", "book", "__main__"},
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def imports_of(path: Path) -> set[str]:
    """The ``scripts`` modules that ``path`` imports, anywhere in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("scripts"):
            mod = node.module.removeprefix("scripts").lstrip(".")
            for a in node.names:     # `from scripts.execute import freeze` imports a submodule
                sub = f"{mod}.{a.name}" if mod else a.name
                found.add(sub if sub in RANK else mod)
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("scripts.") for a in node.names
                      if a.name.startswith("scripts.")}
    return found


def module_name(path: Path) -> str:
    rel = path.relative_to(REPO / "scripts").with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def test_every_module_has_a_layer_and_imports_point_down():
    modules = {module_name(p): p for p in (REPO / "scripts").rglob("*.py") if module_name(p)}
    assert set(modules) <= set(RANK), f"give these modules a layer: {set(modules) - set(RANK)}"
    wrong = []
    for name, path in modules.items():
        for dep in imports_of(path):
            dep = dep if dep in RANK else dep.split(".")[0]
            if dep != name and RANK[dep] >= RANK[name]:
                wrong.append(f"{name} imports {dep}")
    assert not wrong, wrong


def test_the_checker_sees_a_cycle(tmp_path):
    """The check above can fail: an upward import is reported."""
    bad = tmp_path / "config.py"
    bad.write_text("from scripts import render\n")
    assert imports_of(bad) == {"render"} and RANK["render"] >= RANK["config"]
