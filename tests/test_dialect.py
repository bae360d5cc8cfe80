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
