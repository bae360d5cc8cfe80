"""Fingerprints, keys and the reasons `status` gives, in-process on generated notebooks (no
kernel runs): the fast layer of the frozen outputs."""
import json

import pytest

from conftest import REPO, call
from scripts import config
from scripts.contracts import Record
from scripts.execute import freeze


def notebooks(book, fw="pytorch"):
    assert call("notebooks", "--root", book).returncode == 0
    b = config.load_book(book)
    return b, {p.docname: json.loads(b.build.notebook(fw, p.outname).read_text())
               for p in b.ordered_pages()}


def fake_run(nb):
    """``nb`` as if executed: one output per code cell."""
    nb = json.loads(json.dumps(nb))
    for i, c in enumerate(x for x in nb["cells"] if x["cell_type"] == "code"):
        c["outputs"] = [{"output_type": "stream", "name": "stdout", "text": f"cell {i}\nok\n"}]
        c["execution_count"] = i + 1
    return nb


@pytest.fixture
def frozen(book):
    """The fixture with every pytorch page frozen from a fake run."""
    b, nbs = notebooks(book)
    for page in b.ordered_pages():
        nb = nbs[page.docname]
        if any(c["cell_type"] == "code" for c in nb["cells"]):
            rec = Record(page.docname, page.source, "pytorch", "ok", "miss", 1.5, "CPU x")
            assert freeze.write(b, "pytorch", page, fake_run(nb), rec)
    return book


def states(book, fw="pytorch"):
    b, nbs = notebooks(book, fw)
    return {p.docname.removeprefix("book/"): freeze.status(b, fw, p, nbs[p.docname])
            for p in b.ordered_pages() if any(c["cell_type"] == "code"
                                              for c in nbs[p.docname]["cells"])}


def test_manifest_names_definitions_pins_and_data(book):
    b, nbs = notebooks(book)
    deps = nbs["book/basics/library"]["metadata"]["d2l"]["deps"]
    assert "ones" in deps["library"]["defs"] and deps["requirements"]["file"] == \
        "requirements-pytorch.txt"
    assert deps["requirements"]["pins"]["torch"] == "torch==2.14.1"
    assert set(deps) >= {"library", "requirements", "data", "files", "front_matter", "kernel_env"}


def test_entry_round_trip_text_as_lines_images_beside(frozen):
    b = config.load_book(frozen)
    page = b.pages["book/basics/tensors"]
    entry = json.loads(freeze.entry_path(b, "pytorch", page).read_text())
    assert entry["cells"][0]["outputs"][0]["text"] == ["cell 0\n", "ok\n"]
    assert all(s.state == "fresh" for s in states(frozen).values())
    _, nbs = notebooks(frozen)
    thawed = freeze.executed(nbs[page.docname], freeze.read(b, "pytorch", page))
    assert thawed.cells[[c.cell_type for c in thawed.cells].index("code")].outputs[0].text == \
        "cell 0\nok\n"


def test_image_outputs_are_files_named_by_content(book):
    b, nbs = notebooks(book)
    page = b.pages["book/basics/tensors"]
    nb = fake_run(nbs[page.docname])
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[0]["outputs"] = [{"output_type": "display_data", "metadata": {},
                           "data": {"image/svg+xml": "<svg>dot</svg>", "text/plain": "<Figure>"}}]
    freeze.write(b, "pytorch", page, nb, Record(page.docname, page.source, "pytorch", "ok",
                                                  "miss", 1.0))
    path = freeze.entry_path(b, "pytorch", page)
    ref = json.loads(path.read_text())["cells"][0]["outputs"][0]["data"]["image/svg+xml"]
    assert (freeze.files_dir(path) / ref["file"]).read_text() == "<svg>dot</svg>"
    (freeze.files_dir(path) / ref["file"]).write_text("<svg>other</svg>")   # a damaged image
    with pytest.raises(freeze.Corrupt):
        freeze.read(b, "pytorch", page)


def test_reasons_name_the_definition_and_the_pin(frozen):
    lib = frozen / "book" / "basics" / "library.md"
    lib.write_text(lib.read_text().replace('"""A vector of `n` ones."""', '"""Ones."""'))
    assert call("lib", "--root", frozen).returncode == 0
    s = states(frozen)
    assert s["basics/tensors"].state == "fresh" and s["basics/partial"].state == "fresh"
    assert s["basics/library"].state == "stale"
    assert "d2l definition(s) changed: ones" in s["basics/library"].reasons
    pins = frozen / "requirements-pytorch.txt"
    pins.write_text((REPO / "requirements-pytorch.txt").read_text().replace(
        "torch==2.14.1", "torch==2.14.2"))
    s = states(frozen)
    assert all(x.state == "stale" for x in s.values())
    assert "requirements-pytorch.txt: torch==2.14.1 -> torch==2.14.2" in s["basics/tensors"].reasons


def test_hand_edit_is_corrupt(frozen):
    b = config.load_book(frozen)
    path = freeze.entry_path(b, "pytorch", b.pages["book/basics/tensors"])
    path.write_text(path.read_text().replace("ok\\n", "OK\\n", 1))
    assert states(frozen)["basics/tensors"].state == "corrupt"


def test_library_closure_follows_names_not_attributes_or_words():
    from scripts.fingerprint import Library
    lib = Library("import torch\nfrom torch import nn\n\n"
                  "class GRU(nn.Module):\n    pass\n\n"
                  "def encoder(n):\n    \"\"\"A GRU encoder.\"\"\"\n    return nn.GRU(n, n)  # not GRU\n\n"
                  "def decoder(n):\n    return GRU()\n\n"
                  "class Seq(d2l.Module if False else object):\n    def f(self):\n"
                  "        return d2l.decoder(1), self.encoder\n\n"
                  "Module = object\n")
    assert lib.closure("net = d2l.encoder(3)") == ["encoder"]      # nn.GRU, a docstring, a comment
    assert lib.closure("net = d2l.decoder(3)") == ["GRU", "decoder"]
    # d2l.<name> inside a definition counts; self.<name> does not
    assert lib.closure("d2l.Seq()") == ["GRU", "Module", "Seq", "decoder"]


def test_entry_that_ran_with_more_dependencies_stays_fresh_and_is_stored_under_the_new_key(frozen):
    b, nbs = notebooks(frozen)
    page = b.pages["book/basics/library"]         # it uses d2l.ones
    path = freeze.entry_path(b, "pytorch", page)
    entry = json.loads(path.read_text())
    files = freeze._read(b, path).files

    def store(e):
        e["checksum"] = freeze._checksum(e, files)
        path.write_text(json.dumps(e, indent=1, sort_keys=True) + "\n")

    # as if frozen by a coarser reading of the library: one more definition, another key
    wider = json.loads(json.dumps(entry))
    wider["deps"]["library"]["defs"]["unused_helper"] = "0123456789abcdef"
    wider["key"] = "f" * 32
    store(wider)
    s = states(frozen)["basics/library"]
    assert s.state == "fresh" and s.rekey and s.frozen.key == "f" * 32
    freeze.rekey(b, "pytorch", page, nbs["book/basics/library"], s.frozen)
    again = json.loads(path.read_text())
    assert again["key"] == freeze.notebook_key(nbs["book/basics/library"]) == entry["key"]
    assert again["cells"] == entry["cells"] and again["record"] == entry["record"]
    assert "unused_helper" not in again["deps"]["library"]["defs"]
    s = states(frozen)["basics/library"]
    assert s.state == "fresh" and not s.rekey
    # a dependency the notebook has now that was different when it ran: stale, whatever else
    for change in ("defs", "pins", "cells"):
        other = json.loads(json.dumps(wider))
        if change == "defs":
            other["deps"]["library"]["defs"]["ones"] = "0" * 16
        elif change == "pins":
            other["deps"]["requirements"]["pins"]["torch"] = "torch==1.0"
        else:
            other["deps"]["cells"][0] = "0" * 16
        store(other)
        assert states(frozen)["basics/library"].state == "stale", change
