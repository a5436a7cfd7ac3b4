"""The built book in a real browser: Debian's Chromium, headless, over a local server.

Run after `make book`. For every chapter page, at 1280 and at 390 pixels wide:
figures loaded, each with a numbered caption and alt text; the box at the top
names the profile the book was built with (BOOK_PROFILE, set by the Makefile);
nothing scrolls sideways (at 390 pixels only code cells and wide tables, each
inside its own box); the chapter number in the title; the Colab link points at
the chapter's notebook; every figure is a link to its own image file (a tap opens
it at full size); chapters 2 to 7 show a table or figure of their archived runs
under "At the sources' settings"; screenshots of every page and width, a screen
each, under _build/screenshots/. The page on how the book was built names every
chapter and, on a phone, scrolls only inside its tables.
The search page must find "dropout".
"""

import functools
import http.server
import json
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
sys.path.insert(0, str(ROOT / "scripts"))
import book  # noqa: E402

CHAPTERS = book.chapters()
REPOSITORY, BRANCH = (
    yaml.safe_load((ROOT / "_config.yml").read_text())["repository"][key]
    for key in ("url", "branch")
)
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
PROFILE = os.environ.get("BOOK_PROFILE", "smoke")
WIDTHS = (1280, 390)  # a laptop and a phone


# GitHub Pages serves a project's site under /NAME/, not at the root: so does the
# test, and every link and file of the book must work from there
SITE_PATH = "/" + urlparse(REPOSITORY).path.strip("/").split("/")[-1]


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """The site under SITE_PATH only, WebAssembly as application/wasm (as Pages)."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
    }

    def translate_path(self, path):
        if path != SITE_PATH and not path.startswith(SITE_PATH + "/"):
            return str(HTML / "__outside_the_site__")  # a 404
        return super().translate_path(path[len(SITE_PATH) :] or "/")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(PagesHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{SITE_PATH}"
    httpd.shutdown()
    httpd.server_close()


def test_site_is_served_under_its_sub_path(server):
    """Nothing is served at the root, and WebAssembly has the type browsers need
    to compile it as it streams in."""
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    root = server.removesuffix(SITE_PATH) + "/index.html"
    with pytest.raises(HTTPError):
        urlopen(root)
    with urlopen(f"{server}/index.html") as response:
        assert response.status == 200
    wasm = sorted(HTML.rglob("*.wasm"))
    assert wasm, "no WebAssembly file in the site (ONNX Runtime Web)"
    # HEAD: the headers only (a GET closed before its 10 MB body arrive breaks
    # the server's pipe)
    url = f"{server}/{wasm[0].relative_to(HTML).as_posix()}"
    with urlopen(Request(url, method="HEAD")) as response:
        assert response.headers["Content-Type"] == "application/wasm"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail(
            "Debian's chromium and chromium-driver are needed: "
            "`make browser-deps` installs them"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def open_page(browser, server, chapter, width):
    browser.set_window_size(width, 1600)
    url = f"{server}/{chapter.relative_to(ROOT).with_suffix('.html').as_posix()}"
    browser.get(url)
    wait_for(lambda: browser.execute_script("return document.readyState") == "complete")


def overflowing(browser):
    """Elements that scroll sideways, or stick out of the page, as (kind, text,
    whether a line above says that it scrolls)."""
    return browser.execute_script(
        """
        const page = document.documentElement;
        const found = [];
        if (page.scrollWidth > page.clientWidth + 1) {
          found.push(['page', page.scrollWidth + ' px in ' + page.clientWidth]);
        }
        for (const el of document.querySelectorAll('main *')) {
          if (!el.checkVisibility()) continue;  // a collapsed (hide-input) cell
          const style = getComputedStyle(el);
          const scrolls = ['auto', 'scroll'].includes(style.overflowX);
          if (scrolls && el.scrollWidth > el.clientWidth + 1) {
            // a table, or a table drawn in text (model.summary's box lines, a
            // grid of numbers in a cell tagged wide-output), or code
            const table = el.querySelector('table') || el.tagName === 'TABLE'
                          || /[┃│]/.test(el.textContent)
                          || el.closest('div.tag_wide-output div.cell_output');
            // a code cell, or a helper's source listed in an output
            const code = el.closest('div.cell_input')
                         || el.closest('div.cell_output div.highlight-python');
            const kind = table ? 'table'
                         : code ? 'code'
                         : el.tagName.toLowerCase();
            // a line above it says that it scrolls (_static/scroll-hint.js)
            const hinted = !!el.previousElementSibling?.classList
                             .contains('scroll-hint');
            found.push([kind, el.textContent.trim().slice(0, 60), hinted]);
          }
        }
        return found;"""
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page(browser, server, chapter, width):
    open_page(browser, server, chapter, width)
    # Local figures only: this machine is offline.
    images = browser.execute_script(
        """return Array.from(document.querySelectorAll('article.bd-article img'))
             .filter(img => new URL(img.src).origin === location.origin)
             .map(img => [img.src, img.complete ? img.naturalWidth : 0,
                          img.naturalHeight, img.alt,
                          (img.closest('figure')?.querySelector('figcaption')
                           ?.textContent || '').trim(),
                          img.closest('a')?.href || '']);"""
    )
    assert images, "no figure on the page"
    broken = [src for src, w, h, *_ in images if w == 0 or h == 0]
    assert not broken, f"figures that did not load: {broken}"
    uncaptioned = [
        src for src, _, _, _, caption, _ in images if not caption.startswith("Fig.")
    ]
    assert not uncaptioned, f"figures without a numbered caption: {uncaptioned}"
    no_alt = [
        src
        for src, _, _, alt, _, _ in images
        if len(alt) < 8 or re.fullmatch(r"[0-9a-f]{16,}", alt)
    ]
    assert not no_alt, f"figures without meaningful alt text: {no_alt}"
    # a tap opens each figure at full size: its small print is unreadable at 390
    # px (_static/figure-links.js, and Sphinx's links to the images it scaled)
    unlinked = [src for src, *_, link in images if link != src]
    assert not unlinked, f"figures that are no link to their own image: {unlinked}"

    box = browser.execute_script(
        """const box = Array.from(document.querySelectorAll('main .admonition'))
             .find(b => b.textContent.includes('About this page'));
           return box ? box.textContent : '';"""
    )
    assert f"executed with the {PROFILE} profile" in box, f"profile box: {box!r}"

    number = browser.execute_script(
        "return document.querySelector('main h1 .section-number')?.textContent || ''"
    )
    position = book.numbered().index(
        chapter.relative_to(ROOT).with_suffix("").as_posix()
    )
    assert number.strip() == f"{position + 1}.", f"title number {number!r}"

    slug = urlparse(REPOSITORY).path.strip("/")
    colab = f"https://colab.research.google.com/github/{slug}/blob/{BRANCH}/book/{chapter.name}"
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('a')).map(a => a.href);"
    )
    assert colab in links, f"no Colab link to {chapter.name}"

    # 88-character code lines fit at 1280 pixels (_static/book.css); on a phone
    # only code cells and wide tables may scroll, each inside its own box
    allowed = () if width >= 1000 else ("table", "code")
    sideways = [item for item in overflowing(browser) if item[0] not in allowed]
    assert not sideways, f"scrolls sideways at {width} px: {sideways[:3]}"
    silent = [
        text
        for kind, text, hinted in overflowing(browser)
        if kind == "table" and not hinted
    ]
    assert not silent, f"wide tables with no line saying they scroll: {silent[:3]}"

    # the theme's header bar holds only a second search button (_static/book.css)
    header = browser.execute_script(
        "const h = document.getElementById('pst-header');"
        "return h !== null && h.checkVisibility();"
    )
    assert not header, "the theme's header bar with a second search button shows"

    save_page(browser, chapter.stem, width)


# chapters 2 to 7 show their own models at the sources' settings, from the archive
# (issue 28): a section with this heading, holding at least one table or figure
ARCHIVED_SECTION = "At the sources' settings"
WITH_ARCHIVE = [
    chapter
    for chapter in CHAPTERS
    if chapter.stem[:2] in {"02", "03", "04", "05", "06", "07"}
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("chapter", WITH_ARCHIVE, ids=lambda p: p.stem)
def test_archived_results_section(browser, server, chapter, width):
    """The archived full-profile runs beside the lesson, in every build: a visible
    table or figure under the heading "At the sources' settings"."""
    open_page(browser, server, chapter, width)
    found = browser.execute_script(
        """const wanted = arguments[0];
           // straight quotes, and no section number ("2.10. ")
           const plain = text => text.replace(/[\u2018\u2019]/g, "'").trim()
             .replace(/^[0-9.]+ */, '');
           const heading = Array.from(
               document.querySelectorAll('article.bd-article section > h2'))
             .find(h => plain(h.textContent).startsWith(wanted));
           if (!heading) return null;
           const shown = Array.from(
               heading.closest('section').querySelectorAll('table, img'))
             .filter(el => el.checkVisibility()
                           && el.getBoundingClientRect().width > 0);
           return [shown.filter(el => el.tagName === 'TABLE').length,
                   shown.filter(el => el.tagName === 'IMG').length];""",
        ARCHIVED_SECTION,
    )
    assert found is not None, f"no section {ARCHIVED_SECTION!r} at {width} px"
    tables, figures = found
    assert tables + figures, f"{ARCHIVED_SECTION!r} shows no table or figure"


def save_page(browser, name, width, step=1400):
    """The whole page at ``width`` pixels as screenshots of one screen each, top
    to bottom (``name-width-00.png``, ...): a single screenshot stops at
    Chromium's 16,384 pixels, and a long chapter is taller."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = f"{name}-{width}"
    for old in SHOTS.glob(f"{name}-[0-9][0-9].png"):
        old.unlink()
    # the viewport's width, not the window's: headless Chromium keeps a window
    # at least 500 pixels wide, around a narrower viewport
    browser.set_window_size(width, step)
    inner = browser.execute_script("return window.innerWidth")
    assert inner == width, f"screenshots at {inner} px, not {width}"
    height = browser.execute_script("return document.documentElement.scrollHeight")
    screen = browser.execute_script("return window.innerHeight")
    for k, top in enumerate(range(0, height, screen - 100)):  # 100 px of overlap
        browser.execute_script(f"window.scrollTo(0, {top})")
        browser.save_screenshot(str(SHOTS / f"{name}-{k:02d}.png"))


@pytest.mark.parametrize("width", WIDTHS)
def test_status_page(browser, server, width):
    """The page on how the book was built (scripts/status_page.py) has a row for
    every chapter, and nothing on it scrolls sideways but its tables on a
    phone, each with a line above it saying so."""
    import status_page

    open_page(browser, server, ROOT / f"{status_page.PAGE}.md", width)
    rows = browser.execute_script(
        "return Array.from(document.querySelector('main table')"
        ".querySelectorAll('tbody tr td:first-child')).map(td => td.textContent.trim())"
    )
    assert rows == [Path(entry).name for entry in book.numbered()]
    allowed = () if width >= 1000 else ("table",)
    sideways = [item for item in overflowing(browser) if item[0] not in allowed]
    assert not sideways, f"scrolls sideways at {width} px: {sideways[:3]}"
    silent = wait_for(
        lambda: (
            not [
                text
                for kind, text, hinted in overflowing(browser)
                if kind == "table" and not hinted
            ]
        )
    )
    assert silent, "a wide table with no line saying it scrolls"
    save_page(browser, "status", width)


def test_search_finds_dropout(browser, server):
    browser.get(f"{server}/search.html?q=dropout")
    results = wait_for(
        lambda: browser.execute_script(
            "return Array.from(document.querySelectorAll('#search-results li a'))"
            ".map(a => a.href);"
        )
    )
    assert results, "searching for 'dropout' found nothing"
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / "search-dropout.png"))


DRAW_PAGE = "book/09_draw"


def draw(browser, points):
    """One stroke through ``points`` (CSS pixels from the canvas's centre)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    canvas = browser.find_element(By.ID, "draw-canvas")
    (x, y), rest = points[0], points[1:]
    actions = ActionChains(browser).move_to_element_with_offset(canvas, x, y)
    actions.click_and_hold()
    for nx, ny in rest:
        actions.move_by_offset(nx - x, ny - y)
        x, y = nx, ny
    actions.release().perform()


def prediction(browser):
    """The page's prediction, once it has made one: (digit, probabilities, ms)."""
    state = wait_for(
        lambda: browser.execute_script(
            "const d = document.getElementById('draw-app').dataset;"
            "return d.prediction && d.latency ? [d.prediction, d.probabilities,"
            " d.latency] : null;"
        ),
        timeout=30,
    )
    assert state, "no prediction after drawing"
    digit, probabilities, latency = state
    return int(digit), json.loads(probabilities), float(latency)


# the drawing page's default network, trained at the full profile
ARCHIVED_NETWORK = ROOT / "helpers" / "archive" / "full" / "drawing" / "network.json"
PHONE_HEIGHT = 844  # CSS pixels of a phone's screen (an iPhone 14's)


def drawing_in_view(browser):
    """With the drawing box at the top, then at the bottom of the screen: the
    parts of the page that must be in sight while drawing, and the gap between
    the box and the line that names the network."""
    return browser.execute_script(
        """const canvas = document.getElementById('draw-canvas');
           const box = (id) => document.getElementById(id).getBoundingClientRect();
           // on the screen, and not under the theme's header bar
           const inside = (id) => {
             const el = document.getElementById(id), r = box(id);
             // (a pixel to spare: scrolling leaves fractions of one)
             if (!(r.top >= -1 && r.left >= 0 && r.width > 0
                   && r.bottom <= innerHeight + 1 && r.right <= innerWidth))
               return false;
             const seen = document.elementFromPoint(r.left + r.width / 2,
                                                    r.top + r.height / 2);
             return el === seen || el.contains(seen);
           };
           const found = {};
           for (const block of ['start', 'end']) {
             canvas.scrollIntoView({block: block});
             found[block] = Object.fromEntries(
               ['draw-canvas', 'draw-seen', 'draw-digit']
                 .map(id => [id, inside(id)]));
           }
           const c = box('draw-canvas'), a = box('draw-about');
           found.gap = a.top - c.bottom;
           found.overlap = Math.min(a.right, c.right) - Math.max(a.left, c.left);
           return found;"""
    )


def ready(browser, network):
    """Whether ``network`` ("archived" or "build") is loaded and running."""
    state = wait_for(
        lambda: browser.execute_script(
            "const d = document.getElementById('draw-app').dataset;"
            "return d.ready && d.network === arguments[0];",
            network,
        ),
        timeout=60,
    )
    status = browser.execute_script(
        "return document.getElementById('draw-status').textContent"
    )
    assert state, f"the network {network} did not load: {status}"


@pytest.mark.parametrize("width", WIDTHS)
def test_draw_a_one_and_a_zero(browser, server, width):
    """The drawing page runs the network trained at the full profile in the
    browser, offline, whatever the profile: it reads a drawn 1 as 1 and a drawn 0
    as 0, names itself with its recorded test accuracy directly under the box,
    and keeps its 28 x 28 image and prediction in sight while the box is (on a
    phone too). This build's own network is the second choice."""
    import math

    from selenium.webdriver.support.select import Select

    browser.set_window_size(width, 1600 if width >= 1000 else PHONE_HEIGHT)
    browser.get(f"{server}/{DRAW_PAGE}.html")
    ready(browser, "archived")
    outside = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => new URL(n).origin !== location.origin)"
    )
    assert not outside, f"fetched from outside the book: {outside}"

    record = json.loads(ARCHIVED_NETWORK.read_text())
    about = browser.execute_script(
        "return document.getElementById('draw-about').textContent"
    )
    assert "chapter 7" in about and "full profile" in about, about
    assert f"test accuracy {record['test_accuracy']:.4f}" in about.lower(), about
    assert f"{record['profile']} profile" in about, about

    seen = drawing_in_view(browser)
    for block in ("start", "end"):
        hidden = [k for k, shown in seen[block].items() if not shown]
        assert not hidden, f"out of sight with the box at the {block}: {hidden}"
    assert 0 <= seen["gap"] <= 16, f"the network's line {seen['gap']} px under the box"
    assert seen["overlap"] > 0, "the network's line is not under the box"

    draw(browser, [(0, -90 + 10 * k) for k in range(19)])  # a "1": one vertical stroke
    one, probabilities, latency = prediction(browser)
    assert len(probabilities) == 10 and sum(probabilities) == pytest.approx(1, abs=1e-4)
    assert latency <= 1000, f"first prediction {latency:.0f} ms after the last stroke"
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"draw-one-{width}.png"))

    browser.find_element("id", "draw-clear").click()
    ellipse = [
        (55 * math.sin(2 * math.pi * k / 36), -85 * math.cos(2 * math.pi * k / 36))
        for k in range(37)
    ]
    draw(browser, ellipse)  # a "0"
    zero, probabilities, _ = prediction(browser)
    assert sum(probabilities) == pytest.approx(1, abs=1e-4)
    browser.save_screenshot(str(SHOTS / f"draw-zero-{width}.png"))
    assert (one, zero) == (1, 0), f"read a 1 as {one} and a 0 as {zero}"
    assert not [item for item in overflowing(browser) if item[0] != "table"]

    # the second choice: this build's network, on the same drawing
    chooser = Select(browser.find_element("id", "draw-network"))
    assert [o.get_attribute("value") for o in chooser.options] == ["archived", "build"]
    chooser.select_by_value("build")
    ready(browser, "build")
    by = wait_for(
        lambda: (
            browser.execute_script(
                "return document.getElementById('draw-app').dataset.predictedBy"
            )
            == "build"
        )
    )
    assert by, "this build's network did not read the drawing"
    about = browser.execute_script(
        "return document.getElementById('draw-about').textContent"
    )
    assert "this build" in about and f"{PROFILE} profile" in about, about
    build_zero = int(
        browser.execute_script(
            "return document.getElementById('draw-app').dataset.prediction"
        )
    )
    if PROFILE != "smoke":  # a smoke network has barely trained: it guesses
        assert build_zero == 0, f"this build's network read a 0 as {build_zero}"
