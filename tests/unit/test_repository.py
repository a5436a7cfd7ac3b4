"""One repository: _config.yml's repository.url and branch, named everywhere else.

The chapters' Colab badges and install cells, the README's site address,
CONTRIBUTING.md's badge and the intro's links to the latest release's files must
name the repository and branch of _config.yml;
``python scripts/book.py repository URL [--branch B]`` rewrites them all.
"""

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import book  # noqa: E402

FILES = ("_config.yml", "README.md", "CONTRIBUTING.md", "book/intro.md")
FORK = "https://github.com/a-reader/mnist-fork"


def test_every_file_names_the_configured_repository():
    problems = book.repository_problems()
    assert not problems, (
        "these name another repository or branch than _config.yml's "
        f"{book.repository()}; run `python scripts/book.py repository URL "
        "[--branch B]`:\n" + "\n".join(problems)
    )


def test_configured_repository_is_on_github():
    url, branch = book.repository()
    assert book.parse_repository(url)
    assert book.check_branch(branch)


@pytest.fixture
def copy(tmp_path, monkeypatch):
    """The files that name the repository, copied; book.py works on the copy."""
    (tmp_path / "book").mkdir()
    for name in FILES:
        shutil.copy2(ROOT / name, tmp_path / name)
    for notebook in (ROOT / "book").glob("*.ipynb"):
        shutil.copy2(notebook, tmp_path / "book" / notebook.name)
    monkeypatch.setattr(book, "ROOT", tmp_path)
    # from a consistent copy, whatever the checkout holds (the test above
    # reports the checkout's own problems)
    book.set_repository(*book.repository())
    return tmp_path


def contents(root: Path) -> dict[str, bytes]:
    paths = [root / name for name in FILES] + sorted((root / "book").glob("*.ipynb"))
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in paths}


def notebook(root: Path, stem: str) -> Path:
    return root / "book" / f"{stem}.ipynb"


def chapters_with_install_cell(root: Path) -> list[Path]:
    return [
        path
        for path in sorted((root / "book").glob("*.ipynb"))
        if "REPOSITORY = " in path.read_text()
    ]


@pytest.mark.parametrize("branch", [None, "dev", "feature/colab"])
def test_repository_command_names_a_fork_everywhere(copy, branch):
    original = contents(copy)
    url, old_branch = book.repository()
    changed = book.set_repository(FORK, branch)
    expected_branch = branch or old_branch
    assert book.repository() == (FORK, expected_branch)
    assert book.repository_problems() == []
    assert {path.name for path in changed} >= {"_config.yml", "README.md"}

    config = yaml.safe_load((copy / "_config.yml").read_text())["repository"]
    assert (config["url"], config["branch"]) == (FORK, expected_branch)
    assert "https://a-reader.github.io/mnist-fork/" in (copy / "README.md").read_text()
    assert (
        f"{FORK}/releases/latest/download/book.pdf"
        in (copy / "book" / "intro.md").read_text()
    )
    for path in sorted((copy / "book").glob("*.ipynb")):
        badge = (
            "https://colab.research.google.com/github/a-reader/mnist-fork/blob/"
            f"{expected_branch}/book/{path.name}"
        )
        assert badge in path.read_text(), path.name
    pip = "git+{REPOSITORY}" + ("" if expected_branch == "main" else f"@{branch}")
    installs = chapters_with_install_cell(copy)
    assert installs
    for path in installs:
        setup = next(
            "".join(cell["source"])
            for cell in json.loads(path.read_text())["cells"]
            if "REPOSITORY = " in "".join(cell["source"])
        )
        assert f'REPOSITORY = "{FORK}"' in setup
        assert f'%pip install -q "mnist-book-helpers @ {pip}"' in setup

    # only the repository's strings changed: naming the old one again gives
    # back every file byte for byte
    book.set_repository(url, old_branch)
    assert contents(copy) == original


def test_notebooks_stay_json_with_only_their_url_lines_changed(copy):
    before = {path.name: path.read_text() for path in (copy / "book").glob("*.ipynb")}
    book.set_repository(FORK, "dev")
    for name, text in before.items():
        after = (copy / "book" / name).read_text()
        json.loads(after)
        old_lines, new_lines = text.splitlines(), after.splitlines()
        assert len(old_lines) == len(new_lines)
        for old, new in zip(old_lines, new_lines):
            if old != new:
                assert "colab.research.google.com/github/" in new or "REPOSITORY" in new


def test_command_line(copy, capsys):
    assert book.main(["repository"]) == 0
    assert book.main(["repository", FORK + ".git", "--branch", "dev"]) == 0
    assert book.repository() == (FORK, "dev")
    assert "rewrote _config.yml" in capsys.readouterr().out
    assert book.main(["repository", "https://gitlab.com/a/b"]) == 1
    assert "is not https://github.com/OWNER/NAME" in capsys.readouterr().err
    assert book.main(["repository", FORK, "--branch", "bad..branch"]) == 1
    with pytest.raises(SystemExit):
        book.main(["execute", FORK])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def first_install_chapter(root: Path) -> Path:
    return chapters_with_install_cell(root)[0]


def test_a_hand_edited_colab_link_fails(copy):
    url, branch = book.repository()
    slug = url.removeprefix("https://github.com/")
    chapter = notebook(copy, "01_data")
    edit(chapter, f"github/{slug}/blob/", "github/someone-else/mnist-book/blob/")
    problems = book.repository_problems()
    assert len(problems) == 1
    assert problems[0].startswith("book/01_data.ipynb: Colab link to someone-else/")


def test_a_colab_link_to_another_branch_fails(copy):
    _, branch = book.repository()
    edit(notebook(copy, "01_data"), f"/blob/{branch}/", "/blob/old-branch/")
    (problem,) = book.repository_problems()
    assert problem.startswith("book/01_data.ipynb: Colab link")
    assert "branch old-branch" in problem


def test_a_colab_link_to_a_missing_chapter_fails(copy):
    edit(notebook(copy, "01_data"), "book/01_data.ipynb)", "book/01_gone.ipynb)")
    assert "missing file" in " ".join(book.repository_problems())


def test_an_install_cell_of_another_repository_fails(copy):
    url, _ = book.repository()
    chapter = first_install_chapter(copy)
    edit(
        chapter,
        f'REPOSITORY = \\"{url}\\"',
        'REPOSITORY = \\"https://github.com/x/y\\"',
    )
    assert book.repository_problems() == [
        f"book/{chapter.name}: REPOSITORY = 'https://github.com/x/y'"
    ]


def test_an_install_cell_of_another_branch_fails(copy):
    chapter = first_install_chapter(copy)
    edit(chapter, 'git+{REPOSITORY}\\"', 'git+{REPOSITORY}@elsewhere\\"')
    (problem,) = book.repository_problems()
    assert "installs helpers from branch elsewhere" in problem


def test_an_install_cell_without_the_branch_of_the_colab_link_fails(copy):
    book.set_repository(FORK, "dev")
    chapter = first_install_chapter(copy)
    edit(chapter, 'git+{REPOSITORY}@dev\\"', 'git+{REPOSITORY}\\"')
    (problem,) = book.repository_problems()
    assert f"book/{chapter.name}: installs helpers from branch main" in problem


def test_readme_naming_another_site_fails(copy):
    url, _ = book.repository()
    site = book.site_address(*book.parse_repository(url))
    edit(copy / "README.md", site, "https://somebody.github.io/mnist-book/")
    problems = book.repository_problems()
    assert (
        "README.md: names the site https://somebody.github.io/mnist-book/" in problems
    )
    assert f"README.md: does not name the book's site {site}" in problems


def test_readme_naming_another_repository_fails(copy):
    edit(
        copy / "README.md",
        "## Publish\n",
        "## Publish\n\nClone https://github.com/old-owner/old-name.\n",
    )
    assert book.repository_problems() == [
        "README.md: names the repository https://github.com/old-owner/old-name"
    ]


def test_contributing_badge_of_another_branch_fails(copy):
    _, branch = book.repository()
    edit(copy / "CONTRIBUTING.md", f"/blob/{branch}/book/", "/blob/master/book/")
    (problem,) = book.repository_problems()
    assert problem.startswith("CONTRIBUTING.md: Colab link to ")
    assert "branch master" in problem


def test_other_projects_may_be_named(copy, monkeypatch):
    edit(
        copy / "README.md",
        "## Publish\n",
        "## Publish\n\nSee https://github.com/keras-team/keras and "
        "https://keras-team.github.io/keras-tuner/.\n",
    )
    assert len(book.repository_problems()) == 2
    monkeypatch.setattr(
        book,
        "OTHER_PROJECTS",
        (
            "https://github.com/keras-team/keras",
            "https://keras-team.github.io/keras-tuner/",
        ),
    )
    assert book.repository_problems() == []


def test_site_address_of_a_user_site():
    assert book.site_address("Someone", "someone.github.io") == (
        "https://someone.github.io/"
    )
    assert book.site_address("Someone", "book") == "https://someone.github.io/book/"


def released_files() -> list[str]:
    """The names of the files `make release` attaches (the Makefile's RELEASED)."""
    makefile = (ROOT / "Makefile").read_text()
    paths = dict(re.findall(r"(?m)^(\w+) := (_build/\S+)$", makefile))
    released = re.search(r"(?m)^RELEASED := (.+)$", makefile)[1].split()
    return [Path(paths[name.strip("$()")]).name for name in released]


def test_intro_links_every_released_file_of_the_latest_release():
    """A reader takes the book away from the intro: its links name the files the
    release job attaches, at GitHub's address of the latest release's files."""
    url, _ = book.repository()
    intro = (ROOT / "book" / "intro.md").read_text()
    linked = re.findall(
        re.escape(url) + r"/releases/latest/download/([\w.-]+)\)", intro
    )
    assert sorted(linked) == sorted(released_files())


def test_a_release_link_to_another_repository_fails(copy):
    url, _ = book.repository()
    edit(
        copy / "book" / "intro.md", f"{url}/releases", "https://github.com/x/y/releases"
    )
    assert "book/intro.md: names the repository https://github.com/x/y" in (
        book.repository_problems()
    )
