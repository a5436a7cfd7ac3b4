"""The built book in a real browser: Debian's Chromium, headless, over a local server.

Run after `make book`. For every chapter page, at 1280 and at 390 pixels wide:
figures loaded, each with a numbered caption and alt text; the box at the top
names the profile the book was built with (BOOK_PROFILE, set by the Makefile);
nothing scrolls sideways (at 390 pixels only wide tables, inside their own
box); the chapter number in the title; the Colab link points at the chapter's
notebook; a screenshot per page and width under _build/screenshots/.
The search page must find "dropout".
"""

import functools
import http.server
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
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
PROFILE = os.environ.get("BOOK_PROFILE", "smoke")
WIDTHS = (1280, 390)  # a laptop and a phone


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


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
    """Elements that scroll sideways, or stick out of the page, as (tag, text)."""
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
            // a table, or a table drawn in text (model.summary's box lines)
            const table = el.querySelector('table') || el.tagName === 'TABLE'
                          || /[┃│]/.test(el.textContent);
            found.push([table ? 'table' : el.tagName.toLowerCase(),
                        el.textContent.trim().slice(0, 60)]);
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
                           ?.textContent || '').trim()]);"""
    )
    assert images, "no figure on the page"
    broken = [src for src, w, h, _, _ in images if w == 0 or h == 0]
    assert not broken, f"figures that did not load: {broken}"
    uncaptioned = [src for src, *_, caption in images if not caption.startswith("Fig.")]
    assert not uncaptioned, f"figures without a numbered caption: {uncaptioned}"
    no_alt = [
        src
        for src, _, _, alt, _ in images
        if len(alt) < 8 or re.fullmatch(r"[0-9a-f]{16,}", alt)
    ]
    assert not no_alt, f"figures without meaningful alt text: {no_alt}"

    box = browser.execute_script(
        """const box = Array.from(document.querySelectorAll('main .admonition'))
             .find(b => b.textContent.includes('About this page'));
           return box ? box.textContent : '';"""
    )
    assert f"executed with the {PROFILE} profile" in box, f"profile box: {box!r}"

    number = browser.execute_script(
        "return document.querySelector('main h1 .section-number')?.textContent || ''"
    )
    assert number.strip() == f"{CHAPTERS.index(chapter) + 1}.", (
        f"title number {number!r}"
    )

    slug = urlparse(REPOSITORY).path.strip("/")
    colab = (
        f"https://colab.research.google.com/github/{slug}/blob/main/book/{chapter.name}"
    )
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('a')).map(a => a.href);"
    )
    assert colab in links, f"no Colab link to {chapter.name}"

    # 88-character code lines fit at 1280 pixels (_static/book.css); on a phone
    # they wrap, and only a wide table may scroll, inside its own box
    allowed = () if width >= 1000 else ("table",)
    sideways = [item for item in overflowing(browser) if item[0] not in allowed]
    assert not sideways, f"scrolls sideways at {width} px: {sideways[:3]}"

    SHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(width, min(max(height, 800), 16000))
    browser.save_screenshot(str(SHOTS / f"{chapter.stem}-{width}.png"))


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
