"""scripts/book.py: failing cells fail the run; unchanged chapters are not rerun."""

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import book  # noqa: E402


def write_chapter(
    root: Path, stem: str, body: str, reads_metrics: bool = False
) -> Path:
    nb = nbformat.v4.new_notebook()
    if reads_metrics:
        nb.metadata["mnist_book"] = {"reads_metrics": True}
    params = nbformat.v4.new_code_cell("LIMIT = 5")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = root / "book" / f"{stem}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def tree(tmp_path, monkeypatch):
    (tmp_path / "book").mkdir()
    (tmp_path / "helpers").mkdir()
    # a package of its own, which the kernels find before the book's helpers
    (tmp_path / "helpers" / "__init__.py").write_text("")
    (tmp_path / "helpers" / "shared.py").write_text("VALUE = 1\n")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n"
        "  - file: book/01_ok\n  - file: book/02_fails\n"
    )
    monkeypatch.setattr(book, "ROOT", tmp_path)
    monkeypatch.setattr(book, "ARCHIVE", tmp_path / "helpers" / "archive")
    return tmp_path


def test_failing_cell_fails_the_run_and_leaves_no_executed_copy(tree, capsys):
    write_chapter(tree, "01_ok", "assert LIMIT == 5\nprint('fine')")
    write_chapter(tree, "02_fails", "raise RuntimeError('this cell fails on purpose')")
    assert book.execute("smoke") == 1
    stage = tree / "_build" / "smoke" / "book"
    assert (stage / "01_ok.ipynb").exists()
    assert not (stage / "02_fails.ipynb").exists()
    assert (tree / "_build" / "smoke" / "failed" / "02_fails.ipynb").exists()
    assert "failed chapters: 02_fails" in capsys.readouterr().err
    assert book.build("smoke") == 1  # the build refuses to render without every chapter


def test_unchanged_chapter_is_not_executed_again(tree, capsys):
    write_chapter(tree, "01_ok", "from helpers import shared\nprint(shared.VALUE)")
    write_chapter(tree, "02_fails", "print('also fine')")
    assert book.execute("smoke") == 0
    capsys.readouterr()
    assert book.execute("smoke") == 0
    assert capsys.readouterr().out.count("up to date") == 2
    (tree / "helpers" / "shared.py").write_text(
        "VALUE = 2\n"
    )  # helpers changed: all stale
    assert book.execute("smoke", only=["01_ok"]) == 0
    assert "01_ok: executing" in capsys.readouterr().out


def test_results_chapter_reruns_when_metrics_change(tree, capsys):
    write_chapter(tree, "01_ok", "print('trains')")
    write_chapter(tree, "02_fails", "print('reads')", reads_metrics=True)
    results_dir = tree / "_build" / "smoke" / "results"
    results_dir.mkdir(parents=True)
    (results_dir / "01_ok-model-mnist.json").write_text('{"test_accuracy": 0.9}')
    ok, reader = tree / "book" / "01_ok.ipynb", tree / "book" / "02_fails.ipynb"
    before = {nb: book.run_key(nb, {}, results_dir) for nb in (ok, reader)}
    (results_dir / "01_ok-model-mnist.json").write_text('{"test_accuracy": 0.95}')
    assert (
        book.run_key(ok, {}, results_dir) == before[ok]
    )  # a chapter that only writes metrics
    assert book.run_key(reader, {}, results_dir) != before[reader]


def test_kernels_talk_over_local_sockets():
    """No 'running over TCP without encryption' warning from every kernel start."""
    manager = book.kernel_manager_class()()
    assert manager.transport == ("ipc" if os.name == "posix" else "tcp")


def test_archive_copies_only_that_profiles_metrics_without_predictions(tree):
    from helpers import results

    produced = tree / "_build" / "full" / "results"
    for profile in ("full", "custom"):
        results.save_metrics(
            produced,
            chapter="03_mlp",
            model=f"mlp_{profile}",
            dataset="mnist",
            profile=profile,
            test_accuracy=0.98,
            train_seconds=36.0,
            weights=1,
            parameters={},
            test_predictions=[7, 2, 1],
        )
    assert book.archive("full") == 0
    (kept,) = (tree / "helpers" / "archive" / "full").glob("*.json")
    record = json.loads(kept.read_text())
    assert record["model"] == "mlp_full" and "test_predictions" not in record
    assert (
        book.archive("standard") == 1
    )  # nothing to archive is an error, not a silent success


def test_results_chapter_reruns_when_the_archive_changes(tree):
    write_chapter(tree, "02_fails", "print('reads')", reads_metrics=True)
    reader, results_dir = (
        tree / "book" / "02_fails.ipynb",
        tree / "_build" / "smoke" / "results",
    )
    before = book.run_key(reader, {}, results_dir)
    (tree / "helpers" / "archive" / "full").mkdir(parents=True)
    (
        tree / "helpers" / "archive" / "full" / "03_mlp-mlp_source001-mnist.json"
    ).write_text("{}")
    assert book.run_key(reader, {}, results_dir) != before


def test_archive_copies_the_ensemble_networks_of_that_profile(tree):
    import numpy as np

    from helpers import members

    recipe = {"dataset": "mnist", "epochs": 40}
    produced = tree / "_build" / "full" / "results"
    for profile in ("full", "custom"):
        store = members.Members(
            produced,
            "06_ensemble",
            {**recipe, "p": profile},
            profile,
            archive=tree / "unused",
        )
        store.save(1, np.full((3, 10), 0.1), {"history": {}})
    store.folder.joinpath("net-2.json").write_text("{}")  # no probabilities: not done
    assert book.archive("full") == 0
    archived = members.archived(
        "06_ensemble", "mnist", archive=tree / "helpers" / "archive"
    )
    assert len(archived) == 1 and archived[0]["recipe"]["p"] == "full"
    assert [r["network"] for r in archived[0]["records"]] == [1]
    assert not list((tree / "helpers" / "archive").rglob("*.keras"))


def test_a_chapter_added_after_the_results_chapter_executes_before_it(tree, capsys):
    """Adding a chapter touches its notebook, _toc.yml and helpers/profiles.py only:
    the results chapter still runs last, whatever the file names say."""
    (tree / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/01_ok\n"
        "  - file: book/02_results\n  - file: book/09_new\n"
    )
    write_chapter(tree, "01_ok", "print('trains')")
    write_chapter(tree, "02_results", "print('reads')", reads_metrics=True)
    write_chapter(tree, "09_new", "print('trains too')")
    assert book.execute("smoke") == 0
    out = capsys.readouterr().out
    order = [line.split(":")[0] for line in out.splitlines() if ": executing" in line]
    assert order == ["01_ok", "09_new", "02_results"]


def test_only_the_results_chapter_reads_metrics():
    readers = [nb.stem for nb in book.chapters() if book.reads_metrics(nb)]
    assert len(readers) == 1, readers


def test_prose_change_is_rebuilt_without_executing_again(tree, capsys):
    path = write_chapter(tree, "01_ok", "print('run')")
    write_chapter(tree, "02_fails", "print('also fine')")
    content = nbformat.read(path, as_version=4)
    content.cells.insert(1, nbformat.v4.new_markdown_cell("Old prose."))
    nbformat.write(content, path)
    assert book.execute("smoke") == 0
    executed_path = tree / "_build" / "smoke" / "book" / "01_ok.ipynb"
    first = nbformat.read(executed_path, 4)
    content.cells[1].source = "New prose."
    content.cells.append(nbformat.v4.new_markdown_cell("A closing paragraph."))
    nbformat.write(content, path)
    capsys.readouterr()
    assert book.execute("smoke") == 0
    assert "01_ok: up to date (smoke), not executed again; its prose refreshed" in (
        capsys.readouterr().out
    )
    executed = nbformat.read(executed_path, 4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert code == [c for c in first.cells if c.cell_type == "code"]  # outputs kept
    assert [c.source for c in executed.cells if c.cell_type == "markdown"] == [
        "New prose.",
        "A closing paragraph.",
    ]
    content.cells[2].source = "print('changed code')"
    nbformat.write(content, path)
    assert book.execute("smoke", only=["01_ok"]) == 0
    assert "01_ok: executing" in capsys.readouterr().out


def test_prose_goes_back_beside_the_cells_papermill_injected(tmp_path):
    path = tmp_path / "chapter.ipynb"
    source = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("LIMIT = 5")
    params.metadata["tags"] = ["parameters"]
    source.cells = [
        nbformat.v4.new_markdown_cell("Intro."),
        params,
        nbformat.v4.new_markdown_cell("Now train."),
        nbformat.v4.new_code_cell("print(LIMIT)"),
    ]
    nbformat.write(source, path)
    ran = nbformat.v4.new_notebook()
    injected = nbformat.v4.new_code_cell("LIMIT = 7")
    injected.metadata["tags"] = ["injected-parameters"]
    printed = nbformat.v4.new_code_cell("print(LIMIT)")
    printed.outputs = [nbformat.v4.new_output("stream", text="7\n")]
    ran.cells = [
        nbformat.v4.new_markdown_cell("Old intro."),
        params,
        injected,
        printed,
    ]
    executed = tmp_path / "executed.ipynb"
    nbformat.write(ran, executed)
    assert book.with_prose_of(path, executed)
    cells = nbformat.read(executed, 4).cells
    assert [c.source for c in cells] == [
        "Intro.",
        "LIMIT = 5",
        "LIMIT = 7",
        "Now train.",
        "print(LIMIT)",
    ]
    assert cells[4].outputs[0].text == "7\n"
    assert not book.with_prose_of(path, executed)  # nothing left to change


def test_a_chapter_depends_on_the_helpers_it_imports_and_theirs(tree):
    package = tree / "helpers"
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text("X = 1\n")
    (package / "middle.py").write_text("from .base import X\n")
    (package / "other.py").write_text("Y = 2\n")
    chapter = write_chapter(
        tree, "01_ok", "%matplotlib inline\nfrom helpers.middle import X"
    )
    assert [p.name for p in book.helpers_used(chapter)] == [
        "__init__.py",
        "base.py",
        "middle.py",
    ]
    before = book.run_key(chapter, {})
    (package / "other.py").write_text("Y = 3\n")
    assert book.run_key(chapter, {}) == before  # a module it does not use
    (package / "base.py").write_text("X = 2\n")
    assert book.run_key(chapter, {}) != before  # imported through middle
    whole = write_chapter(tree, "02_fails", "import helpers")
    assert len(book.helpers_used(whole)) == 5  # __init__, shared, base, middle, other


def test_the_one_page_build_is_moved_to_the_top(tmp_path):
    """singlehtml links its styles and figures from the top folder, where only a
    redirect to the root's page stood."""
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "intro.html").write_text("the whole book")
    (tmp_path / "index.html").write_text("a redirect to book/intro.html")
    book.one_page_at_the_top(tmp_path)
    assert (tmp_path / "index.html").read_text() == "the whole book"
    assert not (tmp_path / "book" / "intro.html").exists()
