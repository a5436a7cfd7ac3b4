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
    # two kernels started at once (--jobs) never share a socket
    assert manager.ip != book.kernel_manager_class()().ip or os.name != "posix"


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


class FakeProcess:
    """A chapter's process: it ends at its second poll, with ``code``."""

    def __init__(self, stem, log, code=0):
        self.polls, self.code, self.returncode = 0, code, None
        log.append(f"start {stem}")

    def poll(self):
        self.polls += 1
        if self.polls >= 2:
            self.returncode = self.code
        return self.returncode


def test_parallel_chapters_wait_for_the_chapters_they_need(tree):
    write_chapter(tree, "01_ok", "print(1)")
    write_chapter(tree, "02_fails", "print(2)")
    needing = write_chapter(tree, "03_needs", "print(3)")
    content = json.loads(needing.read_text())
    content["metadata"]["mnist_book"] = {"needs": ["01_ok"]}
    needing.write_text(json.dumps(content))
    write_chapter(tree, "04_reads", "print(4)", reads_metrics=True)
    order = [
        tree / "book" / f"{s}.ipynb"
        for s in ("01_ok", "02_fails", "03_needs", "04_reads")
    ]
    log = []

    def start(notebook):
        return FakeProcess(notebook.stem, log, code=int(notebook.stem == "02_fails"))

    failed = book.in_parallel(order, 2, start, lambda stem: log.append(f"end {stem}"))
    assert failed == ["02_fails"]
    assert log[:2] == ["start 01_ok", "start 02_fails"]  # two at once
    assert log.index("start 03_needs") > log.index("end 01_ok")
    assert log.index("start 04_reads") > max(
        log.index(f"end {s}") for s in ("01_ok", "02_fails", "03_needs")
    )


# --- faults in the execution cache, and the records of each run, without kernels ---


@pytest.fixture
def fake_papermill(monkeypatch):
    """papermill.execute_notebook without a kernel: every code cell gets an output,
    the notebook papermill's times, and a chapter with RESULTS_DIR a metrics file
    whose environment says TensorFlow ran with oneDNN. Returns the stems run."""
    from datetime import datetime, timedelta, timezone

    import papermill

    ran = []

    def execute_notebook(source, output, parameters=None, cwd=None, **_):
        content = nbformat.read(source, as_version=4)
        stem = Path(source).stem
        ran.append(stem)
        for cell in content.cells:
            if cell.cell_type == "code":
                cell.outputs = [nbformat.v4.new_output("stream", text=f"{stem}\n")]
        now = datetime.now(timezone.utc).replace(tzinfo=None)  # as papermill
        content.metadata["papermill"] = {
            "start_time": (now - timedelta(seconds=1)).isoformat(),
            "end_time": (now + timedelta(seconds=1)).isoformat(),
            "duration": 2.0,
        }
        if "RESULTS_DIR" in (parameters or {}):
            results = Path(cwd) / parameters["RESULTS_DIR"]
            results.mkdir(parents=True, exist_ok=True)
            environment = {
                "recorded_utc": book.utc(),
                "cpu": "Fake CPU",
                "cpus": 64,
                "tensorflow": "2.21.0",
                "onednn": True,
                "accelerator": None,
            }
            (results / f"{stem}-model-mnist.json").write_text(
                json.dumps({"chapter": stem, "environment": environment})
            )
        nbformat.write(content, output)

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    monkeypatch.setattr(book, "gpu_name", lambda: None)
    return ran


def with_results_dir(path: Path) -> Path:
    """The chapter at ``path`` with a RESULTS_DIR parameter, as training chapters
    have."""
    content = nbformat.read(path, as_version=4)
    content.cells[0].source += '\nRESULTS_DIR = "results"'
    nbformat.write(content, path)
    return path


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # a write killed half-way
        lambda text: "",  # a full disk
        lambda text: "[1, 2]",  # JSON, not a notebook
        lambda text: '{"cells": "none"}',
    ],
    ids=["truncated", "empty", "json-list", "no-cells"],
)
def test_an_unreadable_executed_copy_is_executed_again(
    tree, fake_papermill, capsys, damage
):
    write_chapter(tree, "01_ok", "print('run')")
    write_chapter(tree, "02_fails", "print('also fine')")
    assert book.execute("smoke") == 0
    copy = tree / "_build" / "smoke" / "book" / "01_ok.ipynb"
    copy.write_text(damage(copy.read_text()))  # its run key is still valid
    capsys.readouterr()
    assert book.execute("smoke") == 0
    out = capsys.readouterr().out.splitlines()
    why = [line for line in out if "cannot be read" in line]
    assert len(why) == 1 and why[0].startswith(
        "01_ok: _build/smoke/book/01_ok.ipynb cannot be read ("
    )
    assert why[0].endswith("); executing it again")
    assert fake_papermill == ["01_ok", "02_fails", "01_ok"]
    assert "02_fails: up to date" in "\n".join(out)
    assert book.read_executed(copy)["cells"][1]["outputs"]  # whole again


def test_undecodable_bytes_in_the_cache_are_executed_again(tree, fake_papermill):
    write_chapter(tree, "01_ok", "print('run')")
    write_chapter(tree, "02_fails", "print('also fine')")
    assert book.execute("smoke") == 0
    stage = tree / "_build" / "smoke"
    (stage / "book" / "01_ok.ipynb").write_bytes(b"\xff\xfe\x00garbage")
    (stage / ".keys" / "02_fails.sha256").write_bytes(b"\xff\xfe")
    assert book.execute("smoke") == 0
    assert fake_papermill[2:] == ["01_ok", "02_fails"]


class HalfWritten:
    """A file whose first write stops half-way with a full disk."""

    def __init__(self, handle):
        self.handle = handle

    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(28, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()


def broken_files(stage: Path) -> list[str]:
    """The files in ``stage`` that a later run would trust but cannot read
    (papermill's partial copies, failed runs and the chapters' own results
    aside: scripts/book.py does not write those)."""
    broken = []
    for path in stage.rglob("*"):
        if not path.is_file() or {"failed", "results"} & set(path.parts):
            continue
        if path.name.endswith(".running.ipynb"):
            continue
        text = path.read_bytes()
        if ".partial-" in path.name:
            broken.append(f"{path.name}: a temporary file left behind")
        elif path.suffix == ".ipynb":
            try:
                book.read_executed(path)
            except book.Unreadable as error:
                broken.append(f"{path.name}: {error}")
        elif path.suffix == ".sha256" and len(text) != 64:
            broken.append(f"{path.name}: {text!r}")
        elif path.suffix == ".json":
            try:
                json.loads(text)
            except ValueError as error:
                broken.append(f"{path.name}: {error}")
    return broken


def test_a_full_disk_leaves_no_half_written_file_in_the_stage(
    tree, fake_papermill, monkeypatch
):
    """Every write into _build/<profile> is atomic: a disk that fills up at any
    write of a run (an execution, a prose refresh, a reuse) leaves each file
    whole or absent, and the next run mends the cache."""
    import builtins
    import io
    import shutil

    import helpers.results  # noqa: F401  (imported before the disk fills)

    path = with_results_dir(write_chapter(tree, "01_ok", "print('run')"))
    write_chapter(tree, "02_fails", "print('also fine')")
    content = nbformat.read(path, as_version=4)
    content.cells.insert(1, nbformat.v4.new_markdown_cell("Old prose."))
    stage = tree / "_build" / "smoke"
    real_open = io.open

    def runs(fail_at: int | None) -> bool:
        """Execute, change the prose, execute again; the write number
        ``fail_at`` fails. Returns whether it did."""
        writes = []

        def opened(file, mode="r", *args, **kwargs):
            handle = real_open(file, mode, *args, **kwargs)
            if not set(mode) & set("wax+"):
                return handle
            writes.append(file)
            return HalfWritten(handle) if len(writes) - 1 == fail_at else handle

        for prose in ("Old prose.", "New prose."):
            content.cells[1].source = prose
            nbformat.write(content, path)
            with monkeypatch.context() as patch:
                patch.setattr(io, "open", opened)
                patch.setattr(builtins, "open", opened)
                try:
                    book.execute("smoke")
                except OSError:
                    pass
            assert not broken_files(stage), (fail_at, writes, broken_files(stage))
        return fail_at is not None and len(writes) > fail_at

    fail_at = 0
    while runs(fail_at):
        assert book.execute("smoke") == 0  # the next run mends what the fault left
        assert not broken_files(stage)
        executed = book.read_executed(stage / "book" / "01_ok.ipynb")
        assert "New prose." in json.dumps(executed)
        shutil.rmtree(tree / "_build")
        fail_at += 1
    assert fail_at >= 5  # each write of both runs failed once: the loop went on


def test_each_run_records_when_where_and_how_long(tree, fake_papermill, capsys):
    with_results_dir(write_chapter(tree, "01_ok", "print('run')"))
    write_chapter(tree, "02_fails", "print('also fine')")
    assert book.execute("smoke") == 0
    runs = tree / "_build" / "smoke" / ".runs"
    first = json.loads((runs / "01_ok.json").read_text())
    assert first["chapter"] == "01_ok" and first["profile"] == "smoke"
    assert first["this_run"] == "executed"
    execution = first["execution"]
    assert execution["started_utc"] <= execution["finished_utc"]
    assert execution["started_utc"].endswith("+00:00")
    assert 0 <= execution["seconds"] < 60
    machine = execution["machine"]
    assert machine["cpus"] == os.cpu_count() and machine["cpu"]
    assert machine["tensorflow"] and machine["onednn"] is True  # from its metrics
    other = json.loads((runs / "02_fails.json").read_text())["execution"]["machine"]
    assert not other["tensorflow"] and other["onednn"] is None  # wrote no metrics
    assert execution["versions"]["Python"] == sys.version.split()[0]
    assert (
        first["run_key"]
        == (tree / "_build" / "smoke" / ".keys" / "01_ok.sha256").read_text()
    )

    assert book.execute("smoke") == 0  # up to date: the execution is kept
    again = json.loads((runs / "01_ok.json").read_text())
    assert again["this_run"] == "reused" and again["execution"] == execution
    assert again["checked_utc"] >= first["checked_utc"]

    # a cache from before the records: papermill's times, and the machine the
    # metrics files written during them recorded
    for stem in ("01_ok", "02_fails"):
        (runs / f"{stem}.json").unlink()
    assert book.execute("smoke") == 0
    restored = json.loads((runs / "01_ok.json").read_text())["execution"]
    assert restored["recorded_by"].startswith("papermill")
    ran = book.read_executed(tree / "_build" / "smoke" / "book" / "01_ok.ipynb")
    assert restored["started_utc"] == (
        ran["metadata"]["papermill"]["start_time"][:19] + "+00:00"
    )
    assert restored["seconds"] == 2.0
    assert restored["machine"] == {
        "cpu": "Fake CPU",
        "cpu_features": [],
        "cpus": 64,
        "gpu": None,
        "tensorflow": True,
        "onednn": True,
    }
    other = json.loads((runs / "02_fails.json").read_text())["execution"]
    assert other["seconds"] == 2.0 and other["machine"] is None  # no metrics
    # metrics written by another run, outside papermill's times, say nothing
    metrics = tree / "_build" / "smoke" / "results" / "01_ok-model-mnist.json"
    record = json.loads(metrics.read_text())
    record["environment"]["recorded_utc"] = "2030-01-01T00:00:00+00:00"
    metrics.write_text(json.dumps(record))
    (runs / "01_ok.json").unlink()
    assert book.execute("smoke") == 0
    again = json.loads((runs / "01_ok.json").read_text())["execution"]
    assert again["machine"] is None
    assert fake_papermill == ["01_ok", "02_fails"]


def test_a_failed_run_leaves_no_record(tree, fake_papermill, monkeypatch):
    import papermill

    write_chapter(tree, "01_ok", "print('run')")
    write_chapter(tree, "02_fails", "print('also fine')")
    assert book.execute("smoke") == 0
    record = tree / "_build" / "smoke" / ".runs" / "02_fails.json"
    assert record.exists()
    write_chapter(tree, "02_fails", "print('now it fails')")

    def fails(*args, **kwargs):
        raise RuntimeError("this cell fails on purpose")

    monkeypatch.setattr(papermill, "execute_notebook", fails)
    assert book.execute("smoke") == 1
    assert not record.exists()  # no record of a copy that is gone


def test_the_build_writes_the_status_page_into_the_stage(tree, fake_papermill):
    (tree / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: One\n"
        "    numbered: true\n    chapters:\n      - file: book/01_ok\n"
        "      - file: book/02_fails\n      - file: book/03_page\n"
    )
    (tree / "book" / "03_page.md").write_text("# A page\n")
    write_chapter(tree, "01_ok", "print('run')")
    write_chapter(tree, "02_fails", "print('also fine')")
    assert book.execute("smoke") == 0
    stage = tree / "_build" / "smoke"
    book.status(stage, "smoke")
    text = (stage / "book" / "status.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| {doc}")]
    assert [row.split(" | ")[:2] for row in rows[:3]] == [
        ["| {doc}`01_ok <01_ok>`", "executed"],
        ["| {doc}`02_fails <02_fails>`", "executed"],
        ["| {doc}`03_page <03_page>`", "nothing to run"],
    ]


def test_the_one_page_build_is_moved_to_the_top(tmp_path):
    """singlehtml links its styles and figures from the top folder, where only a
    redirect to the root's page stood."""
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "intro.html").write_text("the whole book")
    (tmp_path / "index.html").write_text("a redirect to book/intro.html")
    book.one_page_at_the_top(tmp_path)
    assert (tmp_path / "index.html").read_text() == "the whole book"
    assert not (tmp_path / "book" / "intro.html").exists()
