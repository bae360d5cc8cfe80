"""Stage 2: dialect -> one MyST notebook per framework."""
import json
import os

from conftest import FRAMEWORKS, call
from scripts.notebooks import convert_markdown


def test_convert_markdown_constructs():
    src = """# Title
:label:`sec_x`

$$a = b$$
:eqlabel:`eq_ab`

![A cap.](../img/a.svg)
:width:`200px`
:label:`fig_a`

: Table cap.

| a | b |
|---|---|
| 1 | 2 |
:label:`tab_a`

See :numref:`sec_x`, :ref:`sec_x`, :eqref:`eq_ab`, :cite:`K1, K2` and :citet:`K3`.
[**kept**] (**kept too**) [~~gone~~] (~~gone too~~) ``:numref:`literal` ``"""
    out = convert_markdown(src)
    assert out.startswith("(sec_x)=\n# Title")
    assert "```{math}\n:label: eq_ab\n\na = b\n```" in out
    assert "```{figure} ../img/a.svg\n:width: 200px\n:name: fig_a\n\nA cap.\n```" in out
    assert "```{table} Table cap.\n:name: tab_a\n\n| a | b |" in out
    assert ("See {numref}`sec_x`, {ref}`sec_x`, {eq}`eq_ab`, {cite:p}`K1,K2` and {cite:t}`K3`."
            in out)
    assert "kept kept too  " in out and "gone" not in out
    assert "``:numref:`literal` ``" in out


def test_table_caption_with_code_gets_a_tilde_fence():
    out = convert_markdown(": Versions of `d2l`.\n\n| a |\n|---|\n| 1 |\n:label:`tab_v`\n")
    assert out.startswith("~~~{table} Versions of `d2l`.\n:name: tab_v\n\n| a |")
    assert out.rstrip().endswith("~~~")


def test_figure_with_a_wrapped_caption():
    src = ("Text.\n\n![A caption that an author\nwrapped over $x$\nthree lines.](../img/b.svg)\n"
           ":width:`300px`\n:label:`fig_b`\n\nMore.")
    out = convert_markdown(src)
    assert ("```{figure} ../img/b.svg\n:width: 300px\n:name: fig_b\n\n"
            "A caption that an author wrapped over $x$ three lines.\n```") in out
    assert "![" not in out and ":label:" not in out and out.endswith("More.")


def test_fixture_notebooks_per_framework(book):
    call("notebooks", "--root", book, check=True)
    src = book / "_build" / "src"
    for fw in FRAMEWORKS:
        nb = json.loads((src / fw / "basics" / "tensors.ipynb").read_text())
        assert nb["metadata"]["kernelspec"]["name"] == f"d2l-{fw}"
        assert nb["metadata"]["d2l"]["front_matter"] == {"gpu": False}
        code = [c["source"] for c in nb["cells"] if c["cell_type"] == "code"]
        prose = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown")
        assert not any("#@tab" in c or "%%tab" in c or "tab.selected" in c for c in code)
        mine = {"pytorch": "torch.tensor(x)", "tensorflow": "tf.constant(x)",
                "mxnet": "mxnp.array(x)", "jax": "jnp.array(x)"}
        assert any(mine[fw] in c for c in code)
        assert not any(mine[o] in c for c in code for o in FRAMEWORKS if o != fw)
        # framework prose only where it belongs
        assert ("PyTorch calls it a tensor." in prose) == (fw == "pytorch")
        assert ("MXNet calls it an ndarray." in prose) == (fw == "mxnet")
        # hide marks became tags; #@save stays visible
        tagged = {c["source"]: c["metadata"].get("tags") for c in nb["cells"] if c["cell_type"] == "code"}
        assert tagged["print('the source of this cell is hidden')"] == ["remove-input"]
        assert any(s.startswith("#@save") for s in tagged)
    root = json.loads((src / "pytorch" / "index.ipynb").read_text())
    text = "\n".join(c["source"] for c in root["cells"])
    assert ":numbered:" in text and "basics/index" in text and "preface" in text
    partial = {fw: json.loads((src / fw / "basics" / "partial.ipynb").read_text()) for fw in FRAMEWORKS}
    for fw in FRAMEWORKS:
        has_notice = any("d2l-no-code" in c["source"] for c in partial[fw]["cells"])
        assert has_notice == (fw in ("tensorflow", "mxnet"))


def test_only_changed_files_are_rewritten(book):
    call("notebooks", "--root", book, "--frameworks", "pytorch", check=True)
    nbs = sorted((book / "_build" / "src" / "pytorch").rglob("*.ipynb"))
    for p in nbs:
        os.utime(p, (1, 1))
    r = call("notebooks", "--root", book, "--frameworks", "pytorch", check=True)
    assert "0 file(s) changed" in r.stdout
    assert all(p.stat().st_mtime == 1 for p in nbs)
    page = book / "book" / "basics" / "partial.md"
    page.write_text(page.read_text().replace("code for PyTorch", "code for Torch"))
    r = call("notebooks", "--root", book, "--frameworks", "pytorch", check=True)
    assert "1 file(s) changed" in r.stdout
    changed = [p for p in nbs if p.stat().st_mtime != 1]
    assert [p.name for p in changed] == ["partial.ipynb"]


def test_numref_to_front_matter_becomes_a_title_reference(book):
    """Front matter is unnumbered: a :numref: to it would have no number to show."""
    page = book / "book" / "basics" / "tensors.md"
    page.write_text(page.read_text() + "\nSee :numref:`sec_preface` and :numref:`sec_library`.\n")
    call("notebooks", "--root", book, check=True)
    nb = json.loads((book / "_build" / "src" / "pytorch" / "basics" / "tensors.ipynb").read_text())
    md = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "See {ref}`sec_preface` and {numref}`sec_library`." in md


def test_setext_heading_takes_its_label():
    out = convert_markdown("Intro.\n\nLinear models\n=============\n:label:`sec_lin`\n\nText.")
    assert out == "Intro.\n\n(sec_lin)=\nLinear models\n=============\n\nText."


def test_colab_markdown_rewrites_directives():
    from scripts.publish import colab_markdown
    src = ("```{raw} latex\n\\setcounter{x}\n```\n\n(sec_a)=\n# A\n\n"
           "```{figure} ../img/a.svg\n:width: 200px\n:name: fig_a\n\nA cap.\n```\n\n"
           "```{math}\n:label: eq_a\n\na = b\n```\n\nSee {numref}`fig_a`, {eq}`eq_a`, {cite:p}`K1`."
           "\n\n```python\n(kept)=\n```")
    out = colab_markdown(src, "https://x/0.1/jax/_images/")
    assert out == ("# A\n\n![A cap.](https://x/0.1/jax/_images/a.svg)\n\n*A cap.*\n\n"
                   "$$\na = b\n$$\n\nSee fig_a, (eq_a), [K1].\n\n```python\n(kept)=\n```")


def test_colab_markdown_fills_in_results_tables():
    """Colab shows no Sphinx directive: a ``{results}`` table becomes a plain Markdown table of
    the runs' metrics, a dash where a framework has no such run."""
    from scripts.publish import colab_markdown
    src = ("Compare:\n\n```{results}\n:metric: val_acc\nLeNet = cnn/lenet\n"
           "First MLP = mlp/impl#1\n```\n\nDone.")
    data = {"cnn/lenet": {"pytorch": [{"val_acc": 0.81}, {"val_acc": 0.8349}],
                          "jax": [{"val_acc": 0.8401}]},
            "mlp/impl": {"pytorch": [{"val_acc": 0.5}, {"val_acc": 0.9}]}}
    out = colab_markdown(src, "", (data, [("pytorch", "PyTorch"), ("jax", "JAX")]))
    assert out == ("Compare:\n\n| Model | PyTorch | JAX |\n|---|---:|---:|\n"
                   "| LeNet | 0.835 | 0.840 |\n| First MLP | 0.500 | — |\n\nDone.")
