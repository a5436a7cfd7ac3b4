"""The built book in a real browser: Debian's Chromium, headless, over a local server.

Run after `make book`. For every chapter page: figures loaded, Colab link
points at the chapter's notebook, code cells fit the column without a sideways
scrollbar, a screenshot saved under _build/screenshots/.
The search page must find "dropout".
"""

import functools
import http.server
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


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page(browser, server, chapter):
    url = f"{server}/{chapter.relative_to(ROOT).with_suffix('.html').as_posix()}"
    browser.get(url)
    wait_for(lambda: browser.execute_script("return document.readyState") == "complete")
    # Local figures only: the Colab badge is an external image and this machine is
    # offline.
    images = browser.execute_script(
        """return Array.from(document.querySelectorAll('main img'))
             .filter(img => new URL(img.src).origin === location.origin)
             .map(img => [img.src, img.complete ? img.naturalWidth : 0,
                          img.naturalHeight]);"""
    )
    assert images, "no figure on the page"
    broken = [src for src, width, height in images if width == 0 or height == 0]
    assert not broken, f"figures that did not load: {broken}"
    slug = urlparse(REPOSITORY).path.strip("/")
    colab = (
        f"https://colab.research.google.com/github/{slug}/blob/main/book/{chapter.name}"
    )
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('a')).map(a => a.href);"
    )
    assert colab in links, f"no Colab link to {chapter.name}"
    # The code column: 88 characters per line (tests/unit) fit without a scrollbar
    # (_static/book.css).
    wide = browser.execute_script(
        """return Array.from(document.querySelectorAll('div.cell_input pre'))
             .filter(pre => pre.scrollWidth > pre.clientWidth)
             .map(pre => pre.textContent.slice(0, 60));"""
    )
    assert not wide, (
        f"{len(wide)} code cell(s) scroll sideways at 1280 pixels, e.g. {wide[0]!r}"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1280, min(max(height, 800), 16000))
    browser.save_screenshot(str(SHOTS / f"{chapter.stem}.png"))
    browser.set_window_size(1280, 1600)


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
