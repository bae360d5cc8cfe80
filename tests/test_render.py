"""Stage 5, end to end: the fixture book executed and rendered in all four frameworks."""
import re
from html import unescape

import pytest

from conftest import FRAMEWORKS

pytestmark = pytest.mark.slow

SHORT = {"pytorch": "torch", "tensorflow": "tensorflow", "mxnet": "mxnet", "jax": "jaxlib"}


def page(root, fw, name):
    return (root / "_build" / "html" / fw / f"{name}.html").read_text()


def text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize("fw", FRAMEWORKS)
def test_outputs_come_from_the_frameworks_own_kernel(built_fixture, fw):
    t = text(page(built_fixture, fw, "basics/tensors"))
    assert f"tensor of {SHORT[fw]} with shape (2, 3)" in t
    assert "total: 15" in t
    lib = text(page(built_fixture, fw, "basics/library"))
    assert "ticks: 2" in lib and "sum of ones: 4.0" in lib


@pytest.mark.parametrize("fw", FRAMEWORKS)
def test_numbered_references_figures_tables_equations(built_fixture, fw):
    t = text(page(built_fixture, fw, "basics/tensors"))
    assert "1.1. Tensors" in t
    assert "Equation (1.1) is used in Section 1.2 , and Fig. 1.1 shows a dot." in t
    assert "Fig. 1.1 A dot drawn for the fixture." in t
    assert "Table 1.1 lists a few sizes." in t and "Table 1.1 Sizes of fixture things." in t
    pre = text(page(built_fixture, fw, "preface"))
    assert "Read Section 1.1 first, then The Library ; the line equation is (1.1) ." in pre


@pytest.mark.parametrize("fw", FRAMEWORKS)
def test_citations_and_bibliography(built_fixture, fw):
    pre = text(page(built_fixture, fw, "preface"))
    assert "cites a classic [ Rosenblatt, 1958 ]" in pre
    assert "in the text: LeCun et al. [ 1998 ]" in pre
    bib = text(page(built_fixture, fw, "bibliography"))
    assert "Frank Rosenblatt. The perceptron" in bib and "Gradient-based learning" in bib


@pytest.mark.parametrize("fw", FRAMEWORKS)
def test_framework_switcher_links_same_page(built_fixture, fw):
    html = page(built_fixture, fw, "basics/library")
    nav = re.search(r'<nav class="d2l-fw-switcher".*?</nav>', html, re.S).group(0)
    links = dict(re.findall(r'data-framework="(\w+)"\s+href="([^"]+)"', nav))
    assert links == {o: f"../../{o}/basics/library.html" for o in FRAMEWORKS}
    current = re.findall(r'class="d2l-fw d2l-fw-current" data-framework="(\w+)"', nav)
    assert current == [fw]
    for o, href in links.items():   # every link resolves to a built page
        assert (built_fixture / "_build" / "html" / fw / "basics" / href).resolve().is_file()


@pytest.mark.parametrize("fw", FRAMEWORKS)
def test_no_code_notice_only_where_there_is_no_code(built_fixture, fw):
    html = page(built_fixture, fw, "basics/partial")
    assert ("d2l-no-code" in html) == (fw in ("tensorflow", "mxnet"))
    assert ("partial page runs" in text(html)) == (fw in ("pytorch", "jax"))


def test_hidden_code_and_outputs_and_prose_tabs(built_fixture):
    t = text(page(built_fixture, "mxnet", "basics/tensors"))
    assert "the source of this cell is hidden" in t
    assert "print('thesourceofthiscellishidden')" not in t.replace(" ", "")   # its code is not
    assert "print ( 'this output is hidden' )" in t and "this output is hidden" not in t.replace(
        "print ( 'this output is hidden' )", "")
    assert "MXNet calls it an ndarray." in t and "PyTorch calls it" not in t
    assert "#@save" in t                       # the mark tells readers the code is in the library
    assert "Slide-only" not in text(page(built_fixture, "mxnet", "preface"))


@pytest.mark.parametrize("fw", FRAMEWORKS)
def test_plot_is_an_svg_image_served_by_the_site(built_fixture, fw):
    html = page(built_fixture, fw, "basics/tensors")
    imgs = [s for s in re.findall(r'<img[^>]*src="([^"]+)"', html) if s.endswith(".svg")
            and "dot.svg" not in s]
    assert imgs, "the matplotlib plot is missing"
    svg = (built_fixture / "_build" / "html" / fw / "basics" / imgs[0]).resolve()
    assert "<svg" in svg.read_text()[:500]


def test_site_is_self_contained(built_fixture):
    site = built_fixture / "_build" / "html" / "jax"
    for p in site.rglob("*.html"):
        html = p.read_text()
        external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        assert not external, f"{p}: loads {external}"
    assert 'src="../_static/mathjax/tex-chtml.js' in page(built_fixture, "jax", "basics/tensors")
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
