"""Stage 1: parsing the dialect into cells."""
from scripts import dialect

FWS = ["pytorch", "tensorflow", "mxnet", "jax"]


def parse(text, tmp_path):
    p = tmp_path / "page.md"
    p.write_text(text)
    return dialect.parse_page(p, FWS, "pytorch")


def test_code_cells_frameworks_and_marks(tmp_path):
    page = parse("""# T
:label:`sec_t`

```{.python .input}
x = 1
```

```{.python .input  n=3}
#@tab all
y = 2  #@hide_output
```

```{.python .input}
%%tab tensorflow, jax
z = 3
```

```python
shown_only = True
```
""", tmp_path)
    assert not page.errors
    code = [c for c in page.cells if c.kind == "code"]
    assert [c.frameworks for c in code] == [("pytorch",), tuple(FWS), ("tensorflow", "jax")]
    assert code[1].source == "y = 2" and code[1].tags == ("remove-output",)
    assert code[2].source == "z = 3" and code[2].line == 15
    assert code[0].section_label == "sec_t"
    # a plain ```python fence stays in the prose
    assert "shown_only" in page.cells[-1].source and page.cells[-1].kind == "markdown"


def test_tab_prose_and_front_matter(tmp_path):
    page = parse("""---
gpu: true
---
# T

:begin_tab:`pytorch`
Torch words.
:end_tab:

Shared words.
""", tmp_path)
    assert page.meta == {"gpu": True}
    md = [c for c in page.cells if c.kind == "markdown"]
    assert [(c.frameworks, c.source.strip()) for c in md][1:] == [(("pytorch",), "Torch words."),
                                                                  (None, "Shared words.")]


def test_tab_selected_branches():
    src = """a = 0
if tab.selected('pytorch'):
    b = 'torch'
elif tab.selected('tensorflow', 'jax'):
    b = 'tf-or-jax'
else:
    b = 'other'
print(b)"""
    assert dialect.resolve_tab_selected(src, "pytorch") == "a = 0\nb = 'torch'\nprint(b)"
    assert dialect.resolve_tab_selected(src, "jax") == "a = 0\nb = 'tf-or-jax'\nprint(b)"
    assert dialect.resolve_tab_selected(src, "mxnet") == "a = 0\nb = 'other'\nprint(b)"


def test_nested_tab_selected_keeps_indentation():
    src = "def f():\n    if tab.selected('mxnet'):\n        return 1\n    return 0"
    assert dialect.resolve_tab_selected(src, "mxnet") == "def f():\n    return 1\n    return 0"
    assert dialect.resolve_tab_selected(src, "jax") == "def f():\n    return 0"


def test_uses_are_recorded_with_lines(tmp_path):
    page = parse("""# T
:label:`sec_a`

See :numref:`sec_b` and :cite:`K1,K2`, :eqref:`eq_x`.
![c](../img/a.svg)
""", tmp_path)
    uses = {(u.kind, u.target, u.line) for u in page.uses}
    assert {("label", "sec_a", 2), ("numref", "sec_b", 4), ("cite", "K1", 4), ("cite", "K2", 4),
            ("eqref", "eq_x", 4), ("image", "../img/a.svg", 5)} <= uses


def blocks_of(page):
    return [b for c in page.cells if c.kind == "markdown" for b in c.blocks]


def test_setext_heading_is_a_heading_with_its_line_and_label():
    page = dialect.parse_page("page.md", FWS, "pytorch", text="""Intro words.

Linear models
=============
:label:`sec_setext`

```{.python .input}
x = 1
```
""")
    assert not page.errors
    heading = next(b for b in blocks_of(page) if isinstance(b, dialect.Heading))
    assert (heading.line, heading.level, heading.setext, heading.label) == (3, 1, True, "sec_setext")
    assert heading.lines == ["Linear models", "=============", ":label:`sec_setext`"]
    assert ("label", "sec_setext", 5) in {(u.kind, u.target, u.line) for u in page.uses}
    assert page.cells[-1].section_label == "sec_setext"


def test_blocks_keep_their_source_lines():
    text = """---
gpu: true
---
# Title
:label:`sec_t`

Some text with :numref:`sec_t`.
$$a = b$$
:eqlabel:`eq_ab`

![A caption
wrapped.](../img/a.svg)
:width:`200px`
:label:`fig_a`

: Sizes.

| a | b |
|---|---|
| 1 | 2 |
:label:`tab_a`

- a list
- of two

```python
shown = True
```
"""
    page = dialect.parse_page("page.md", FWS, "pytorch", text=text)
    assert not page.errors and page.meta == {"gpu": True}
    lines = text.split("\n")
    blocks = blocks_of(page)
    for b in blocks:
        assert b.lines == lines[b.line - 1:b.end], b
    # every line after the front matter is in exactly one block, in order
    assert [n for b in blocks for n in range(b.line, b.end + 1)] == list(range(4, len(lines) + 1))
    kinds = {b.kind: b for b in blocks if b.kind != "blank"}
    assert (kinds["heading"].line, kinds["heading"].label) == (4, "sec_t")
    assert (kinds["paragraph"].line, kinds["math"].line, kinds["math"].label) == (7, 8, "eq_ab")
    fig = kinds["figure"]
    assert (fig.line, fig.end, fig.path, fig.caption) == (11, 14, "../img/a.svg", "A caption wrapped.")
    assert fig.options == [("width", "200px"), ("label", "fig_a")]
    table = kinds["table"]
    assert (table.line, table.end, table.caption, table.label) == (16, 21, "Sizes.", "tab_a")
    assert table.rows == ["| a | b |", "|---|---|", "| 1 | 2 |"]
    assert (kinds["list"].line, kinds["fence"].line, kinds["fence"].info) == (23, 26, "python")


def test_nested_fence_is_one_block():
    page = dialect.parse_page("page.md", FWS, "pytorch", text="""# T

````markdown
```{.python .input}
#@tab all
x = 1
```
````

After.
""")
    assert not page.errors
    assert all(c.kind == "markdown" for c in page.cells)     # the inner fence is not a cell
    fences = [b for b in blocks_of(page) if isinstance(b, dialect.Fence)]
    assert len(fences) == 1
    assert (fences[0].kind, fences[0].line, fences[0].end, fences[0].fence) == ("fence", 3, 8, "````")
    assert fences[0].body[0] == "```{.python .input}"


def test_unclosed_fence_and_math_interrupting_a_paragraph():
    page = dialect.parse_page("page.md", FWS, "pytorch",
                              text="Text\n$$\nx\n$$\n:eqlabel:`eq_x`\n\n```python\nnever closed\n")
    assert [(e.line, e.message) for e in page.errors] == [(7, "code fence ``` is never closed")]
    maths = [b for b in blocks_of(page) if isinstance(b, dialect.Math)]
    assert [(m.line, m.size, m.label) for m in maths] == [(2, 3, "eq_x")]


def test_role_regexes_are_defined_once_in_dialect():
    import ast
    import re
    from pathlib import Path

    from scripts import check, library, notebooks, publish
    assert notebooks.ROLE_MAP is dialect.ROLES and publish.ROLE is dialect.MYST_ROLE
    assert set(dialect.ROLES) == {"numref", "ref", "eqref", "cite", "citet"}
    assert notebooks.convert_roles(":numref:`a` ``:ref:`b` `` :cite:`K1, K2`") == \
        "{numref}`a` ``:ref:`b` `` {cite:p}`K1,K2`"
    for module in (check, library, notebooks, publish):
        patterns = [v for v in vars(module).values() if isinstance(v, re.Pattern)]
        assert not [p for p in patterns if "numref" in p.pattern and
                    p not in (dialect.ROLE, dialect.MYST_ROLE)], module.__name__
    # library and check read pages through dialect, not notebooks (no import cycle)
    for module in (check, library):
        tree = ast.parse(Path(module.__file__).read_text())
        names = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                 for a in n.names} | {n.module for n in ast.walk(tree)
                                      if isinstance(n, ast.ImportFrom)}
        assert "notebooks" not in names and "scripts.notebooks" not in names, module.__name__


def test_code_cell_inside_a_list_is_an_error():
    page = dialect.parse_page("page.md", FWS, "pytorch",
                              text="# T\n\n- a step:\n\n  ```{.python .input}\n  x = 1\n  ```\n")
    assert [(e.line, e.message) for e in page.errors] == [(5, "code cell inside a list or block quote")]
    assert not page.has_code


def test_tab_selected_or_chain():
    """d2lbook books join calls with `or`: `if tab.selected('pytorch') or tab.selected('mxnet'):`
    keeps its branch for either framework."""
    src = ("x = 1\nif tab.selected('pytorch') or tab.selected('mxnet'):\n    a = 1\n"
           "if tab.selected('tensorflow'):\n    a = 2")
    assert dialect.resolve_tab_selected(src, "mxnet") == "x = 1\na = 1"
    assert dialect.resolve_tab_selected(src, "pytorch") == "x = 1\na = 1"
    assert dialect.resolve_tab_selected(src, "tensorflow") == "x = 1\na = 2"
    m = dialect.SELECTED.match("if tab.selected('pytorch') or tab.selected('mxnet', 'jax'):")
    assert dialect.selected_names(m.group("args")) == ["pytorch", "mxnet", "jax"]


def test_tab_selected_nested():
    """A chain inside a kept branch is resolved as d2lbook resolves it: its body is not dedented
    again, so d2l-en's `Module` puts `self.training = None` into `__init__`, as its library
    has it."""
    src = ("class M:\n    if tab.selected('mxnet', 'tensorflow'):\n        def f(self):\n"
           "            pass\n        if tab.selected('tensorflow'):\n            self.t = None\n")
    assert dialect.resolve_tab_selected(src, "tensorflow") == \
        "class M:\n    def f(self):\n        pass\n        self.t = None\n"
    assert dialect.resolve_tab_selected(src, "mxnet") == "class M:\n    def f(self):\n        pass\n"
