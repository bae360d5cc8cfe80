"""The validated configuration: `_config.yml` and page front matter, with file:line errors."""
from __future__ import annotations

import pytest

from conftest import call


def config_error(book, old, new):
    cfg = book / "_config.yml"
    text = cfg.read_text()
    assert old in text
    cfg.write_text(text.replace(old, new, 1))
    last = new.split("\n")[-1]
    line = next(i for i, ln in enumerate(cfg.read_text().splitlines(), 1) if ln.startswith(last))
    r = call("check", "--root", book)
    assert r.returncode == 1 and r.stdout == ""
    return line, r.stderr


def test_unknown_config_key_is_a_file_line_error(book):
    line, err = config_error(book, "  timeout: 120", "  timeout: 120\n  timout: 5")
    assert f"_config.yml:{line}: unknown key 'execute.timout' — use one of: execute_notebooks, " \
           "timeout, budget, cache_dir" in err


def test_unknown_top_level_and_framework_keys(book):
    line, err = config_error(book, 'title: "Fixture Book"', 'title: "Fixture Book"\ntitel: x')
    assert f"_config.yml:{line}: unknown key 'titel'" in err and "use one of: title, author" in err
    line, err = config_error(book, "      kernel: d2l-jax", "      kernel: d2l-jax\n      kernal: x")
    assert f"_config.yml:{line}: unknown key 'frameworks.available.jax.kernal'" in err
    assert "use one of: display, module, extra, kernel, requirements, gpu" in err


def test_wrong_config_value(book):
    line, err = config_error(book, "  timeout: 120", "  timeout: soon")
    assert f"_config.yml:{line}: invalid value 'soon' for 'execute.timeout'" in err


def test_default_framework_must_exist(book):
    line, err = config_error(book, "  default: pytorch", "  default: theano")
    assert f"_config.yml:{line}: default framework 'theano' is not in frameworks.available" in err


def test_config_yaml_syntax_error_names_the_line(book):
    cfg = book / "_config.yml"
    cfg.write_text(cfg.read_text().replace('title: "Fixture Book"', 'title: "Fixture Book'))
    r = call("check", "--root", book)
    assert r.returncode == 1 and "_config.yml:" in r.stderr and "invalid YAML" in r.stderr


def test_framework_record_holds_everything_about_a_framework(book):
    from scripts import config
    b = config.load_book(book)
    jax, mx = b.frameworks["jax"], b.frameworks["mxnet"]
    assert (jax.display, jax.module, jax.extra, jax.kernel) == ("JAX", "jax", "jax", "d2l-jax")
    assert jax.requirements == "requirements-jax.txt" and jax.gpu and not mx.gpu
    assert b.config.execute.timeout == 120 and b.timeout == 120
    assert b.version == "0.0.1" and b.slug == "fixture"


def test_one_version_everywhere(book, monkeypatch):
    """The version a build shows (conf.py, Colab links, install cell) is Book.version."""
    from scripts import config, render
    monkeypatch.setenv("D2L_VERSION", "v2.3.4")
    b = config.load_book(book)
    conf = render.conf_py(b, "pytorch")
    assert "version = '2.3.4'" in conf and "release = '2.3.4'" in conf
    assert "/2.3.4/pytorch/basics/tensors.ipynb" in b.colab_url("pytorch", "basics/tensors")
    assert b.install_command("jax").endswith('@v2.3.4"')


@pytest.mark.parametrize("front, message", [
    ("gpuu: true", "unknown key 'gpuu' in the front matter — use one of: gpu, timeout, depends"),
    ("gpu: maybe", "invalid value 'maybe' for 'gpu' in the front matter — it should be a valid "
                   "boolean, unable to interpret input or 'preferred'"),
    ("timeout: -3", "invalid value -3 for 'timeout' in the front matter"),
    ("depends: data.csv", "invalid value 'data.csv' for 'depends' in the front matter"),
])
def test_front_matter_is_validated(book, front, message):
    page = book / "book" / "basics" / "partial.md"
    page.write_text(f"---\n# the page's settings\n{front}\n---\n" + page.read_text())
    r = call("check", "--root", book)
    assert r.returncode == 1
    assert f"book/basics/partial.md:3: {message}" in r.stderr, r.stderr


def test_valid_front_matter_passes(book):
    page = book / "book" / "basics" / "partial.md"
    page.write_text("---\ngpu: preferred\ntimeout: 30\ndepends: [references.bib]\n---\n"
                    + page.read_text())
    r = call("check", "--root", book)
    assert r.returncode == 0, r.stderr


def test_colab_gpu_metadata(book):
    from scripts import config, publish
    import nbformat
    b = config.load_book(book)
    page = b.ordered_pages()[0]
    nb = nbformat.v4.new_notebook(metadata={"d2l": {"front_matter": {
        "gpu": True, "packages": ["safetensors==0.7.0"]}}})
    out = publish.colab_notebook(b, "jax", page, nb, "1.2.3")
    assert out.metadata["accelerator"] == "GPU" and out.metadata["colab"]["gpuType"]
    cell = out.cells[0].source
    assert "LIBRARY = 'd2l @ git+https://github.com/d2l-book/d2l-book@v1.2.3'" in cell
    assert "PACKAGES = ['safetensors==0.7.0']" in cell           # the page's own packages
    mx = publish.colab_notebook(b, "mxnet", page, nb, "1.2.3").cells[0].source
    assert 'd2l[mxnet] @ git+https://github.com/d2l-book/d2l-book@v1.2.3" "safetensors==0.7.0"' in mx


def test_front_matter_packages_must_be_a_list(book):
    page = book / "book" / "basics" / "tensors.md"
    page.write_text(page.read_text().replace("gpu: false", "gpu: false\npackages: safetensors"))
    from conftest import call
    r = call("check", "--root", book)
    assert r.returncode == 1 and "tensors.md:3" in r.stderr and "packages" in r.stderr, r.stderr
