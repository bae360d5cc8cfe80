"""The published fixture site in a real browser: Debian's Chromium driven by Playwright, the
site served on 127.0.0.1. A screenshot is left in _build/screenshots/ for people to look at."""
from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def served(published_fixture):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(published_fixture / "_build" / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), "Chromium missing: run `make envs` as root (Debian package chromium)"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.problems = []
    pg.on("console", lambda m: m.type == "error" and "favicon.ico" not in m.text
          and "favicon.ico" not in str(m.location.get("url")) and pg.problems.append(
        f"{m.text} ({m.location.get('url')})"))
    pg.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
          and pg.problems.append(f"{r.status} {r.url}"))
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    # nothing may come from outside the site (no CDN scripts, fonts or MathJax)
    pg.outside = []
    pg.on("request", lambda r: r.url.startswith(served) or r.url.startswith("data:")
          or pg.outside.append(r.url))
    yield pg
    context.close()


def test_framework_switcher_keeps_the_page(page, served):
    page.goto(f"{served}/0.0.2/pytorch/basics/tensors.html")
    page.click(".d2l-fw-switcher a[data-framework=jax]")
    page.wait_for_url(f"{served}/0.0.2/jax/basics/tensors.html")
    assert "tensor of jax" in page.inner_text("main")
    assert page.problems == [] and page.outside == []


def test_version_switcher_lists_and_switches(page, served):
    page.goto(f"{served}/0.0.2/mxnet/basics/tensors.html")
    select = page.locator(".d2l-version-select")
    page.wait_for_function("document.querySelector('.d2l-version-select').options.length == 2")
    labels = select.locator("option").all_inner_texts()
    assert labels == ["0.0.2 (latest)", "0.0.1"]
    select.select_option(label="0.0.1")
    page.wait_for_url(f"{served}/0.0.1/mxnet/basics/tensors.html")
    assert page.locator(".d2l-version-select option:checked").inner_text() == "0.0.1"
    assert page.problems == [] and page.outside == []


def test_search_finds_a_word_of_a_chapter(page, served):
    page.goto(f"{served}/latest/pytorch/search.html?q=intercept")
    page.wait_for_selector("#search-results li", timeout=20000)
    assert "Tensors" in page.inner_text("#search-results")
    assert page.problems == [] and page.outside == []


def test_maths_plot_colab_and_screenshot(page, served):
    page.goto(f"{served}/0.0.2/pytorch/basics/tensors.html")
    page.wait_for_selector("mjx-container", timeout=20000)      # MathJax, served by the site
    assert page.locator("mjx-container").count() >= 2
    plots = page.locator("img[src*='_images/'][src$='.svg']")
    assert plots.count() >= 2                                     # the figure and the plot
    for i in range(plots.count()):
        assert plots.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
    colab = page.locator("a.d2l-colab").get_attribute("href")
    assert colab == ("https://colab.research.google.com/github/d2l-book/fixture-colab/blob/main/"
                     "0.0.2/pytorch/basics/tensors.ipynb")
    shots = REPO / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "fixture-tensors-pytorch.png"), full_page=True)
    assert (shots / "fixture-tensors-pytorch.png").stat().st_size > 10_000
    assert page.problems == [] and page.outside == []


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_header_one_row_one_search_and_discuss(browser, served):
    """At 1400 px the framework buttons, the version menu, the downloads, Discuss and Colab sit
    in one row, clear of the page title; one search box shows; Discuss names the framework and
    the page."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{served}/0.0.2/tensorflow/basics/tensors.html")
    page.wait_for_load_state("networkidle")
    fw, version = _box(page, ".d2l-fw-switcher"), _box(page, ".d2l-version-select")
    colab, title = _box(page, "a.d2l-colab"), _box(page, "article h1")
    for other in (version, colab):                        # the same row
        assert abs((other["y"] + other["height"] / 2) - (fw["y"] + fw["height"] / 2)) < 6
    assert title["y"] - max(fw["y"] + fw["height"], colab["y"] + colab["height"]) >= 12
    visible = page.locator(".search-button-field:visible, input.form-control[type=search]:visible")
    assert visible.count() == 1, visible.count()
    discuss = page.locator("a.d2l-discuss").get_attribute("href")
    assert discuss == ("https://github.com/d2l-book/d2l-book/discussions?"
                       "discussions_q=tensorflow+basics/tensors")
    context.close()


def test_dark_mode_plots_readable_and_screenshots(browser, served):
    """Light and dark screenshots of a page with a plot under _build/screenshots/; in dark mode
    plots and figures sit on a light card (they are drawn for white paper)."""
    shots = REPO / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for mode in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme=mode)
        page = context.new_page()
        page.add_init_script(f"localStorage.setItem('theme', '{mode}');"
                             f"localStorage.setItem('mode', '{mode}');")
        page.goto(f"{served}/0.0.2/pytorch/basics/tensors.html")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        img = page.locator(".cell_output img").first
        background = img.evaluate("e => getComputedStyle(e).backgroundColor")
        rgb = [int(float(v)) for v in re.findall(r"[\d.]+", background)[:3]]
        if mode == "dark":
            assert min(rgb) >= 200, background                # a light card
        path = shots / f"fixture-tensors-pytorch-{mode}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        context.close()


def test_root_page_opens_the_last_framework(browser, served):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{served}/index.html")
    page.wait_for_url(f"{served}/latest/pytorch/index.html")           # the default
    page.goto(f"{served}/latest/mxnet/basics/tensors.html")
    page.wait_for_load_state("load")
    page.goto(f"{served}/index.html")
    page.wait_for_url(f"{served}/latest/mxnet/index.html")             # remembered
    context.close()
