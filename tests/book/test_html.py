"""Checks of the built HTML book in _build/html (run after `make book`)."""

import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "scripts"))
import book  # noqa: E402
from helpers import profiles  # noqa: E402

CHAPTERS = book.chapters()
REPOSITORY, BRANCH = (
    yaml.safe_load((ROOT / "_config.yml").read_text())["repository"][key]
    for key in ("url", "branch")
)


def page(chapter: Path) -> str:
    path = HTML / chapter.relative_to(ROOT).with_suffix(".html")
    assert path.exists(), f"{path} was not built"
    return path.read_text()


def test_index_exists():
    assert (HTML / "index.html").exists()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_has_its_colab_launch_link(chapter):
    slug = REPOSITORY.removeprefix("https://github.com/")
    target = f"https://colab.research.google.com/github/{slug}/blob/{BRANCH}/book/{chapter.name}"
    assert f'href="{target}"' in page(chapter)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_shows_executed_outputs_and_no_errors(chapter):
    html = page(chapter)
    assert re.search(r'<img [^>]*src="[^"]*\.png"', html), "no figure on the page"
    assert "Traceback (most recent call last)" not in html
    assert "{glue" not in html, "a glue role was not replaced by its value"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_page_says_which_profile_produced_it(chapter):
    assert re.search(r"Profile: (smoke|standard|full|custom)", page(chapter))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_training_logs_are_folded_under_their_summary(chapter):
    """Every epoch line of a training log sits inside a closed <details> whose summary
    line is visible (helpers.training.NotebookLog); none is printed in the open."""
    html = page(chapter)
    folded = re.findall(
        r'<details class="training-log"><summary>(.*?)</summary><pre>(.*?)</pre>',
        html,
        re.S,
    )
    for summary, body in folded:
        assert re.match(r"Training log: [\d,]+ epochs? in ", summary), summary
        assert re.match(r"epoch[ \xa0]+1/\d+ ", body), body[:80]
    outside = re.sub(
        r'<details class="training-log">.*?</details>', "", html, flags=re.S
    )
    loose = re.findall(r"^(?:Epoch \d+/\d+|epoch +\d+/\d+ )", outside, re.M)
    assert not loose, f"{len(loose)} epoch lines printed outside a folded log"
    if chapter.stem in {"03_mlp", "04_cnn", "05_regularization"}:
        assert folded, "the chapter trains in view, yet shows no folded training log"


def test_only_the_books_pages_are_published():
    """No page of a chapter since renamed or removed stays in the output folder."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = {toc["root"]} | {
        entry["file"]
        for part in toc.get("parts", [])
        for entry in part.get("chapters", [])
    }
    pages = {
        path.relative_to(HTML).with_suffix("").as_posix()
        for path in HTML.rglob("*.html")
        if not path.relative_to(HTML).parts[0].startswith("_")
    } - {"genindex", "search", "index"}
    assert pages <= {name.removesuffix(".md").removesuffix(".ipynb") for name in listed}


NUMBER_WORDS = dict(
    zip(
        "one two three four five six seven eight nine ten".split(),
        range(1, 11),
    )
)


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_title_and_box_agree_with_the_build(chapter):
    """A chapter's title names no number of networks that its own build did not
    train, and its 'About this page' box names no chapter but its own."""
    html = page(chapter)
    profile = re.search(r"Profile: (smoke|standard|full|custom)", html)[1]
    title = text_of(re.search(r"<h1>(.*?)</h1>", html, re.S)[1])
    said = [
        NUMBER_WORDS[w]
        for w in re.findall(r"[a-z]+", title.lower())
        if w in NUMBER_WORDS
    ]
    said += [int(d) for d in re.findall(r"\b\d+\b", title.split(" ", 1)[-1])]
    if said and profile in profiles.PROFILES:
        trained = profiles.parameters(profile, chapter.stem).get("N_MODELS")
        assert said == [trained], f"title {title!r} under {profile}: N_MODELS={trained}"
    box = re.search(r"About this page(.*?)</div>", html, re.S)
    assert box, "no 'About this page' box"
    own = book.numbered().index(chapter.relative_to(ROOT).with_suffix("").as_posix())
    named = {int(n) for n in re.findall(r"chapter (\d+)", text_of(box[1]))}
    assert named <= {own + 1}, f"the box names chapters {named}, the page is {own + 1}"


def test_site_fits_github_pages():
    """Pages takes sites under 1 GB and warns past 100 MB; it does not follow
    symbolic links."""
    files = [p for p in HTML.rglob("*")]
    links = [p for p in files if p.is_symlink()]
    assert not links, f"symbolic links in the site: {links[:5]}"
    size = sum(p.stat().st_size for p in files if p.is_file())
    assert size < 100 * 2**20, f"the site holds {size / 2**20:.0f} MB"


def test_status_page_lists_every_chapter_with_a_status():
    """The page on how the book was built (scripts/status_page.py) has a row
    for every chapter of _toc.yml, linking to it, with what this build did."""
    import status_page

    path = HTML / f"{status_page.PAGE}.html"
    assert path.exists(), f"{path} was not built"
    html = path.read_text()
    first = re.search(r"<table.*?</table>", html, re.S)
    assert first, "no table on the status page"
    statuses = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", first[0], re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        link = re.search(r'href="([^"#]+)\.html', cells[0]) if cells else None
        if link:
            statuses[link[1]] = text_of(cells[1])
    for entry in book.numbered():
        stem = Path(entry).name
        assert stem in statuses, f"{stem} has no row on the status page"
        assert statuses[stem] in set(status_page.STATUS.values()), statuses[stem]
    assert "not recorded" not in statuses.values()  # `make book` executes first
