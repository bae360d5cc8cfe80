"""The errors of DIALECT.md: each one is reported as file:line with what to do, and stops the
build before anything reaches _build/html."""
import pytest

from conftest import call, run_scripts

GOOD = "book/basics/partial.md"


def write(book, rel, text):
    (book / rel).write_text(text)


def add_cell(book, rel, code, after="This page has code for PyTorch and JAX only."):
    path = book / rel
    text = path.read_text()
    assert after in text
    path.write_text(text.replace(after, after + "\n\n" + code, 1))
    return text[:text.index(after)].count("\n") + 1 + 2   # line of the new fence


def check(book):
    r = call("check", "--root", book)
    assert r.returncode == 1, r.stdout
    assert r.stdout == "" and "problem(s) found" in r.stderr
    return r.stderr


CASES = {
    "unknown framework": ("```{.python .input}\n#@tab pytorch, theano\nx = 1\n```", 1,
                          "unknown framework 'theano'", "use one of: all, pytorch"),
    "begin_tab without end_tab": (":begin_tab:`pytorch`\nwords", 0,
                                  ":begin_tab: without :end_tab:", "add an :end_tab:"),
    "nested begin_tab": (":begin_tab:`pytorch`\na\n:begin_tab:`jax`\nb\n:end_tab:", 2,
                         ":begin_tab: inside the tab opened on line", "tabs do not nest"),
    "save with nothing": ("```{.python .input}\n#@tab all\nx = 1\n#@save\n```", 3,
                          "#@save with nothing to save", "put #@save at the end of a def"),
    "add_to_class unknown": ("```{.python .input}\n#@tab all\n@d2l.add_to_class(Nope)  #@save\n"
                             "def f(self):\n    pass\n```", 2,
                             "add_to_class(Nope): the pytorch library has no class 'Nope'",
                             "save class Nope with #@save"),
    "duplicate label": ("## Again\n:label:`sec_tensors`", 1, "duplicate label 'sec_tensors'",
                        "give one of them another name"),
    "missing numref": ("See :numref:`sec_nowhere`.", 0, ":numref: to missing label 'sec_nowhere'",
                       "define it with :label:"),
    "missing eqref": ("See :eqref:`eq_nowhere`.", 0, ":eqref: to missing label 'eq_nowhere'",
                      "define it"),
    "missing ref": ("See :ref:`sec_gone`.", 0, ":ref: to missing label 'sec_gone'", "define it"),
    "missing cite": ("As :cite:`Nobody2020` showed.", 0,
                     "citation key 'Nobody2020' is not in references.bib", "add a BibTeX entry"),
    "missing image": ("![Gone.](../img/gone.svg)", 0, "image '../img/gone.svg' not found",
                      "add the file under book/img/"),
    "missing image, wrapped caption": ("![A caption wrapped\nover two lines.](../img/gone2.svg)", 1,
                                       "image '../img/gone2.svg' not found", "add the file"),
    "results row not label = page": ("```{results}\n:metric: val_acc\nJust a page\n```", 2,
                                     "{results} row 'Just a page' is not `Label = page`",
                                     "write e.g. `LeNet = "),
    "results page not in toc": ("```{results}\nLeNet = basics/lenet#2\n```", 1,
                                "{results}: no page 'basics/lenet' in _toc.yml",
                                "write the page's path without book/ and .md"),
    "citation in a table caption": (": As in :citet:`Nobody2020`.\n\n| a | b |\n|---|---|\n"
                                    "| 1 | 2 |", 0, "a citation in a table caption",
                                    "cite in the text next to the table"),
    "results unknown option": ("```{results}\n:metrc: val_acc\nTensors = basics/tensors\n```",
                               1, "unknown option ':metrc:' of {results}", "use :metric:"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_error_names_file_line_and_fix(book, name):
    snippet, offset, message, fix = CASES[name]
    line = add_cell(book, GOOD, snippet) + offset
    out = check(book)
    expected = f"{GOOD}:{line}: {message}"
    matching = [ln for ln in out.splitlines() if ln.startswith(expected)]
    assert matching, f"expected a line starting with {expected!r} in:\n{out}"
    assert " — " in matching[0] and fix in matching[0]


def test_toc_page_that_does_not_exist(book):
    toc = (book / "_toc.yml").read_text()
    (book / "_toc.yml").write_text(toc + "      - file: book/basics/ghost\n")
    out = check(book)
    line = (book / "_toc.yml").read_text().splitlines().index("      - file: book/basics/ghost") + 1
    assert f"_toc.yml:{line}: page 'book/basics/ghost' listed in _toc.yml does not exist — create " \
           "book/basics/ghost.md" in out


def test_page_missing_from_toc(book):
    write(book, "book/basics/orphan.md", "# Orphan\n")
    assert "book/basics/orphan.md:1: page is not in _toc.yml — add it to _toc.yml" in check(book)


def test_results_table_of_existing_pages_passes(book):
    add_cell(book, GOOD, "```{results}\n:metric: val_loss\nTensors = basics/tensors\n"
                         "Partial, first run = basics/partial#1\n```")
    r = call("check", "--root", book)
    assert r.returncode == 0, r.stderr


def test_clean_fixture_passes(book):
    r = call("check", "--root", book)
    assert r.returncode == 0 and "no problems" in r.stdout


@pytest.mark.slow
def test_html_refuses_a_broken_book_and_writes_nothing(book):
    add_cell(book, GOOD, "See :numref:`sec_nowhere`.")
    r = run_scripts("html", "--root", book, "--frameworks", "pytorch")
    assert r.returncode == 1
    assert "missing label 'sec_nowhere'" in r.stderr and "nothing was rendered" in r.stderr
    assert not (book / "_build" / "html").exists()


def test_page_that_is_not_utf8_is_one_error(book):
    (book / GOOD).write_bytes("# Some Frameworks Only\n\nCaf".encode() + b"\xe9 au lait.\n")
    r = call("check", "--root", book)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"{GOOD}:3: not UTF-8: byte 0xe9 at column 4 — save the file as UTF-8" in r.stderr


@pytest.mark.parametrize("snippet, offset, message, fix", [
    ("Text.\n\n:eqlabel:`eq_stray`", 2, ":eqlabel:`eq_stray` has no equation above it",
     "put it on the line right after a `$$ … $$` equation"),
    ("```{.python .input}\n#@tab all\nif tab.selected('pytorh'):\n    x = 1\n```", 2,
     "tab.selected: unknown framework 'pytorh'", "use one of: pytorch, tensorflow, mxnet, jax"),
])
def test_silent_losses_are_errors(book, snippet, offset, message, fix):
    line = add_cell(book, GOOD, snippet) + offset
    assert f"{GOOD}:{line}: {message} — {fix}" in check(book)


def test_page_without_a_title(book):
    text = (book / GOOD).read_text()
    (book / GOOD).write_text(text.replace("# Some Frameworks Only\n", "Some frameworks only.\n"))
    assert f"{GOOD}:1: the page has no title — start it with a `# Title` heading" in check(book)


def test_stray_label_is_an_error_and_breaks_its_references(book):
    """A :label: no heading, figure, table or equation takes defines nothing in the rendered
    pages: check says so, and a reference to it is a missing label (check and render agree)."""
    line = add_cell(book, GOOD, "Some text.\n\n:label:`sec_stray`\n\nSee :numref:`sec_stray`.")
    out = check(book)
    assert f"{GOOD}:{line + 2}: :label:`sec_stray` is not attached to a heading, figure, table " \
           "or equation, so nothing can refer to it" in out
    assert f"{GOOD}:{line + 4}: :numref: to missing label (it is not attached) 'sec_stray'" in out


def test_lenient_mode_warns_and_passes(book):
    cfg = book / "_config.yml"
    cfg.write_text(cfg.read_text() + "\ncheck:\n  strict: false\n")
    line = add_cell(book, GOOD, "See :numref:`sec_nowhere` and :cite:`Nobody.2099`.")
    r = call("check", "--root", book)
    assert r.returncode == 0, r.stderr
    assert f"{GOOD}:{line}: warning: :numref: to missing label 'sec_nowhere'" in r.stderr
    assert f"{GOOD}:{line}: warning: citation key 'Nobody.2099' is not in references.bib" in r.stderr
    assert "no errors, 2 warning(s)" in r.stdout


def test_lenient_mode_is_validated(book):
    cfg = book / "_config.yml"
    cfg.write_text(cfg.read_text() + "\ncheck:\n  strict: maybe\n")
    r = call("check", "--root", book)
    assert r.returncode == 1
    assert "invalid value 'maybe' for 'check.strict'" in r.stderr


def test_unclosed_bibtex_entry_is_one_error(book):
    bib = book / "references.bib"
    text = bib.read_text()
    assert text.rstrip().endswith("}")
    bib.write_text(text.rstrip()[:-1] + "\n\n@article{Later2020,\n  title = {T},\n  year = {2020}\n}\n")
    r = call("check", "--root", book)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    line = [ln for ln in r.stderr.splitlines() if ln.startswith("references.bib:")]
    assert line and "BibTeX cannot read it" in line[0] and "close the entry above" in line[0], r.stderr
