"""Print the book, built as one page, to PDF with Debian's headless Chromium.

    python scripts/print_pdf.py _build/singlehtml/index.html _build/book.pdf

`make pdf` builds the page (`scripts/book.py build --builder singlehtml`) from
the executed chapters, then runs this. Chromium prints what a reader's browser
prints, with the book's print styles (_static/print.css): figures, tables and
numbered captions as on the site, code wrapped at the page's edge. Selenium
drives it (as the browser test does) so that the page can be finished first:
every figure loaded, the exercises' solutions unfolded, the mathematics typeset
where MathJax could be fetched. Chrome's own printToPDF adds page numbers and
the PDF's outline (bookmarks) from the headings.
"""

from __future__ import annotations

import argparse
import base64
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
# "3 / 120" at the foot of each page; Chrome fills in the two classes
FOOTER = (
    '<div style="font-size: 8px; width: 100%; text-align: center; color: #666;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)

# Wait for what the page loads after its load event, then unfold the solutions
# (sphinx-design dropdowns); training logs stay folded under their summary line.
FINISH = """
const done = arguments[arguments.length - 1];
const images = Array.from(document.images).map(img => img.complete ? null :
    new Promise(ok => { img.onload = img.onerror = ok; }));
document.querySelectorAll('details.sd-dropdown').forEach(d => { d.open = true; });
const math = window.MathJax?.startup?.promise;
Promise.all([...images.filter(Boolean), math].filter(Boolean))
  .then(() => done(true), () => done(false));
"""


def browser(profile_dir: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def korean_font() -> bool:
    """Whether fontconfig has a font with Korean letters: the sources' titles
    are Korean, and without one Chromium prints empty boxes."""
    found = subprocess.run(
        ["fc-list", ":lang=ko"], capture_output=True, text=True, check=False
    )
    return bool(found.stdout.strip())


def print_pdf(page: Path, pdf: Path) -> None:
    with tempfile.TemporaryDirectory() as profile_dir:
        driver = browser(Path(profile_dir))
        try:
            driver.set_page_load_timeout(120)
            driver.set_script_timeout(120)
            driver.get(page.resolve().as_uri())
            if not driver.execute_async_script(FINISH):
                print("a figure or the mathematics did not load", file=sys.stderr)
            result = driver.execute_cdp_cmd(
                "Page.printToPDF",
                {
                    "printBackground": True,  # code cells' shading
                    "preferCSSPageSize": True,  # A4 and margins: _static/print.css
                    "displayHeaderFooter": True,
                    "headerTemplate": "<span></span>",
                    "footerTemplate": FOOTER,
                    "generateDocumentOutline": True,
                },
            )
        finally:
            driver.quit()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(base64.b64decode(result["data"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("page", type=Path, help="the book as one HTML page")
    parser.add_argument("pdf", type=Path, help="the PDF to write")
    args = parser.parse_args(argv)
    if not args.page.exists():
        print(f"{args.page} is missing: build it first (make pdf)", file=sys.stderr)
        return 1
    if not korean_font():
        print("no font with Korean letters: make pdf-deps", file=sys.stderr)
        return 1
    start = time.perf_counter()
    print_pdf(args.page, args.pdf)
    size = args.pdf.stat().st_size / 2**20
    print(f"{args.pdf}: {size:.1f} MB in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
