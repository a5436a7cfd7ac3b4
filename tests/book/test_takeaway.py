"""The book to take away (run after `make book`, `make pdf` and `make notebooks-zip`).

The PDF, printed from the one-page build in _build/singlehtml, must hold every
page of _toc.yml from a new sheet under its numbered title (a bookmark and the
text), each chapter's figures on the chapter's own sheets, with their numbered
captions beside them; the notebooks' zip must hold every chapter, executed,
without errors.
"""

import functools
import json
import os
import re
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "book.pdf"
PAGE = ROOT / "_build" / "singlehtml" / "index.html"
NOTEBOOKS = ROOT / "_build" / "book-notebooks.zip"
PROFILE = os.environ.get("BOOK_PROFILE", "smoke")  # the build the PDF was made from
sys.path.insert(0, str(ROOT / "scripts"))
import book  # noqa: E402


def toc_files() -> list[str]:
    """Every page of _toc.yml in reading order: the root, then the parts'."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [
        entry["file"] for part in toc["parts"] for entry in part["chapters"]
    ]


FILES = toc_files()


def title(name: str) -> str:
    """A page's title as the site numbers it: the first line of its source."""
    notebook = ROOT / f"{name}.ipynb"
    if notebook.exists():
        first = "".join(json.loads(notebook.read_text())["cells"][0]["source"])
    else:  # a Markdown page, or one the build writes (the status page)
        page = ROOT / f"{name}.md"
        if not page.exists():
            page = ROOT / "_build" / PROFILE / f"{name}.md"
        first = page.read_text()
    numbered = book.numbered()
    number = f"{numbered.index(name) + 1}. " if name in numbered else ""
    return number + first.splitlines()[0].removeprefix("# ").strip()


def squeezed(text: str) -> str:
    """Text without spaces and with straight quotes: Chromium's bookmarks join a
    title's wrapped lines without a space, text taken from a PDF breaks lines
    where the sheet did, and Sphinx curls the quotes."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", "", text)


def sections() -> dict[str, str]:
    """Each page's part of the one-page HTML, by its file (``book/01_data``): the
    root's comes first, then each other's after a <span id="document-...">."""
    parts = re.split(r'<span id="document-([^"]+)"></span>', PAGE.read_text())
    return dict(zip([FILES[0], *parts[1::2]], parts[::2]))


def figures(section: str) -> list[str]:
    """The numbers of a page's figures (``Fig. 4.2``), from their captions."""
    return re.findall(
        r'<span class="caption-number">(Fig\. [\d.]+?)\.? *</span>', section
    )


def images(pdf_object) -> int:
    """Images drawn on a sheet (or in the forms it draws), counted from its
    resources without decoding them."""
    count = 0
    for ref in (pdf_object.get("/Resources") or {}).get("/XObject", {}).values():
        drawn = ref.get_object()
        if drawn.get("/Subtype") == "/Image":
            count += 1
        elif drawn.get("/Subtype") == "/Form":
            count += images(drawn)
    return count


@pytest.fixture(scope="module")
def reader():
    from pypdf import PdfReader

    assert PDF.exists(), f"{PDF} is missing: make pdf"
    return PdfReader(PDF)


@pytest.fixture(scope="module")
def text(reader):
    """A sheet's text, squeezed; read once, and only for the sheets a test reads
    (pypdf takes a tenth of a second a sheet)."""
    return functools.cache(lambda k: squeezed(reader.pages[k].extract_text()))


@pytest.fixture(scope="module")
def first_sheets(reader) -> dict[str, int]:
    """The sheet each page of the site starts on, from the PDF's outline: the
    book's title, then its pages' titles one level under it."""
    found = {}

    def walk(entries, depth):
        for entry in entries:
            if isinstance(entry, list):
                if depth < 1:
                    walk(entry, depth + 1)
            else:
                found[squeezed(entry.title)] = reader.get_destination_page_number(entry)

    walk(reader.outline, 0)
    named = {name: found.get(squeezed(title(name))) for name in FILES}
    missing = [title(name) for name, sheet in named.items() if sheet is None]
    assert not missing, f"no bookmark for {missing}; the outline: {list(found)}"
    return named


def sheets(name: str, first_sheets, reader) -> range:
    """The sheets of a page of the site: from its title to the next one's."""
    after = FILES.index(name) + 1
    end = first_sheets[FILES[after]] if after < len(FILES) else len(reader.pages)
    return range(first_sheets[name], max(end, first_sheets[name] + 1))


def test_every_page_of_the_toc_is_in_the_one_page_build():
    assert set(FILES) <= set(sections()), "pages missing from the one-page build"


def test_bookmarks_follow_the_reading_order(first_sheets):
    order = [first_sheets[name] for name in FILES]
    assert order == sorted(order), f"bookmarks out of reading order: {order}"


@pytest.mark.parametrize("name", FILES)
def test_title_is_printed_on_its_first_sheet(name, first_sheets, text):
    sheet = first_sheets[name]
    assert squeezed(title(name)) in text(sheet), f"not on sheet {sheet + 1}"


@pytest.mark.parametrize("name", FILES)
def test_figures_are_printed_with_their_captions(name, first_sheets, reader, text):
    """Every figure of the page as an image on the page's sheets, and its caption
    number on a sheet that holds an image (a figure is never split)."""
    numbers = figures(sections()[name])
    own = sheets(name, first_sheets, reader)
    with_images = [k for k in own if images(reader.pages[k])]
    printed = sum(images(reader.pages[k]) for k in with_images)
    assert printed >= len(numbers), f"{printed} images for figures {numbers}"
    beside = "".join(text(k) for k in with_images)
    missing = [n for n in numbers if squeezed(n) not in beside]
    assert not missing, f"captions not beside an image: {missing}"


def test_notebooks_zip_holds_every_chapter_executed():
    assert NOTEBOOKS.exists(), f"{NOTEBOOKS} is missing: make notebooks-zip"
    with zipfile.ZipFile(NOTEBOOKS) as archive:
        names = set(archive.namelist())
        for chapter in book.chapters():
            assert chapter.name in names, f"{chapter.name} not in the zip"
            cells = json.loads(archive.read(chapter.name))["cells"]
            outputs = [
                output
                for cell in cells
                if cell["cell_type"] == "code"
                for output in cell["outputs"]
            ]
            assert outputs, f"{chapter.name} was not executed"
            errors = [o for o in outputs if o["output_type"] == "error"]
            assert not errors, f"{chapter.name} holds an error"
