"""scripts/status_page.py: the page on how the book was built, from fake records."""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import status_page  # noqa: E402

CHECKED = "2026-12-08T10:00:00+00:00"
EPYC = {"cpu": "AMD EPYC 7B13", "cpus": 2, "gpu": None, "tensorflow": True}
VERSIONS = {
    "Python": "3.11.7",
    "TensorFlow": "2.21.0",
    "Keras": "3.15.1",
    "scikit-learn": "1.9.1",
    "papermill": "2.7.0",
    "jupyter-book": "1.0.4",
}
LOCK = "ab" * 32
BUILD = {
    "profile": "smoke",
    "written_utc": "2026-12-08T10:20:00+00:00",
    "versions": VERSIONS,
    "lock": LOCK,
}


def run(
    this_run="executed",
    checked=CHECKED,
    started="2026-12-08T10:01:00+00:00",
    seconds=41.2,
    machine=None,
    versions=VERSIONS,
    lock=LOCK,
):
    return {
        "chapter": "x",
        "profile": "smoke",
        "checked_utc": checked,
        "run_key": "0" * 64,
        "this_run": this_run,
        "execution": {
            "started_utc": started,
            "finished_utc": started,
            "seconds": seconds,
            "machine": machine if machine is not None else {**EPYC, "onednn": True},
            "versions": versions,
            "requirements_lock_sha256": lock,
        },
    }


CHAPTERS = [
    {"stem": "01_data", "notebook": True},
    {"stem": "02_trees", "notebook": True},
    {"stem": "03_cnn", "notebook": True},
    {"stem": "04_draw", "notebook": False},
    {"stem": "05_results", "notebook": True},
    {"stem": "06_new", "notebook": True},
]
RUNS = {
    "01_data": run(machine={**EPYC, "tensorflow": False, "onednn": None}),
    "02_trees": run("reused", started="2026-12-01T08:00:00+00:00", seconds=1234.4),
    "03_cnn": run(checked="2026-12-07T09:00:00+00:00"),  # an earlier execute
    "05_results": None,  # executed before the records
    "06_new": run(
        machine={
            "cpu": "Xeon",
            "cpus": 8,
            "gpu": "NVIDIA H100",
            "tensorflow": True,
            "onednn": False,
        }
    ),
}


def rows(markdown: str, heading: str) -> list[list[str]]:
    """The cells of the first table under ``## heading``."""
    section = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("|")]
    return [
        [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        for line in table[2:]
    ]


def test_every_chapter_has_a_row_with_its_status_time_and_machine():
    text = status_page.page(CHAPTERS, RUNS, {}, BUILD)
    table = rows(text, "This build")
    assert [row[:2] for row in table] == [
        ["{doc}`01_data <01_data>`", "executed"],
        ["{doc}`02_trees <02_trees>`", "reused"],
        ["{doc}`03_cnn <03_cnn>`", "earlier run"],
        ["{doc}`04_draw <04_draw>`", "nothing to run"],
        ["{doc}`05_results <05_results>`", "not recorded"],
        ["{doc}`06_new <06_new>`", "executed"],
    ]
    # reused: the time, length and machine of the execution that made the copy
    assert table[1][2:] == ["2026-12-01 08:00", "1,234", "A, oneDNN on"]
    assert table[0][2:] == ["2026-12-08 10:01", "41", "A"]  # no TensorFlow
    assert table[3][2:] == ["–", "–", "–"]
    assert table[4][2:] == ["–", "–", "not recorded"]
    assert table[5][4] == "B, oneDNN off"
    assert rows(text, "Machines") == [
        ["A", "AMD EPYC 7B13", "2", "none"],
        ["B", "Xeon", "8", "NVIDIA H100"],
    ]
    assert "Profile: `smoke`." in text
    assert "It executed 2 chapters (82 s) and reused 1." in text
    for legend in ("*Executed*", "*Reused*", "*Earlier run*", "*Not recorded*"):
        assert legend in text


def test_a_legend_only_for_the_statuses_shown():
    text = status_page.page(CHAPTERS[:1], {"01_data": RUNS["01_data"]}, {}, BUILD)
    assert "*Executed*" in text and "*Reused*" not in text
    assert "*Earlier run*" not in text and "It executed 1 chapter (41 s)" in text


def test_the_software_and_the_lock_of_this_build():
    runs = {
        "01_data": run(versions={**VERSIONS, "TensorFlow": "2.20.0"}, lock="cd" * 32),
        "02_trees": run(),
    }
    text = status_page.page(CHAPTERS[:2], runs, {}, BUILD)
    assert rows(text, "Software") == [[name, VERSIONS[name]] for name in VERSIONS]
    assert f"SHA-256 of `requirements.lock`: `{LOCK}`." in text
    assert "- 01_data: executed with TensorFlow 2.20.0." in text
    assert "- 01_data: executed under another requirements.lock." in text
    assert "other software" not in status_page.page(
        CHAPTERS[1:2], {"02_trees": run()}, {}, BUILD
    )


def environment(utc, cpu=None, tensorflow=True, onednn=None):
    env = {"recorded_utc": utc, "cpus": 2, "accelerator": None, "python": "3.11.7"}
    if cpu:
        env["cpu"] = cpu
    if tensorflow:
        env["tensorflow"] = "2.21.0"
    if onednn is not None:
        env["onednn"] = onednn
    return env


@pytest.fixture
def archive(tmp_path):
    """Two chapters of metrics files, one with stored networks, and the drawing
    page's network."""

    def write(path, record):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"profile": "full", **record}))

    write(
        tmp_path / "02_trees-tree-mnist.json",
        {
            "chapter": "02_trees",
            "train_seconds": 20.0,
            "environment": environment("2026-11-25T07:00:00+00:00", tensorflow=False),
        },
    )
    write(
        tmp_path / "02_trees-forest-mnist.json",
        {
            "chapter": "02_trees",
            "train_seconds": 15.5,
            "environment": environment("2026-11-26T07:00:00+00:00", tensorflow=False),
        },
    )
    write(
        tmp_path / "03_cnn-cnn-mnist.json",
        {  # old: no CPU model, no oneDNN
            "chapter": "03_cnn",
            "train_seconds": 100.0,
            "environment": environment("2026-11-25T08:00:00+00:00"),
        },
    )
    write(
        tmp_path / "03_cnn-ensemble-mnist.json",
        {  # the sum of its networks
            "chapter": "03_cnn",
            "train_seconds": 300.0,
            "members": 2,
            "environment": environment(
                "2026-12-01T09:00:00+00:00", "Xeon", onednn=True
            ),
        },
    )
    for i, seconds in ((1, 100.0), (2, 200.0)):
        write(
            tmp_path / "members" / "03_cnn-mnist-abc" / f"net-{i}.json",
            {
                "train_seconds": seconds,
                "environment": environment(
                    "2026-12-01T08:00:00+00:00", "Xeon", onednn=True
                ),
            },
        )
    write(
        tmp_path / "03_cnn-other-mnist.json",
        {  # another profile's
            "chapter": "03_cnn",
            "profile": "smoke",
            "train_seconds": 1.0,
            "environment": environment("2026-12-05T08:00:00+00:00"),
        },
    )
    write(
        tmp_path / "drawing" / "network.json",
        {
            "chapter": "03_cnn",
            "train_seconds": 50.0,
            "environment": environment(
                "2026-12-03T08:00:00+00:00", "Xeon", onednn=True
            ),
        },
    )
    (tmp_path / "broken.json").write_text("{")  # unreadable: left out
    return tmp_path


def test_archived_runs_per_chapter_each_network_once(archive):
    found = status_page.archived_runs(archive)
    assert sorted(found) == ["02_trees", "03_cnn", "drawing"]
    assert sum(r["seconds"] for r in found["03_cnn"]) == 300.0  # the networks'
    text = status_page.page(CHAPTERS, {}, found, BUILD)
    assert rows(text, "Archived full-profile runs") == [
        ["{doc}`02_trees <02_trees>`", "2026-11-25 to 11-26", "36", "A"],
        ["{doc}`03_cnn <03_cnn>`", "2026-12-01", "300", "B, oneDNN on"],
        ["drawing network", "2026-12-03", "50", "B, oneDNN on"],
    ]
    assert rows(text, "Machines") == [
        ["A", "model not recorded", "2", "none"],
        ["B", "Xeon", "2", "none"],
    ]


def test_a_machine_with_runs_that_recorded_no_onednn_says_so(archive):
    for path in (archive / "members").rglob("*.json"):
        path.unlink()
    text = status_page.page(CHAPTERS, {}, status_page.archived_runs(archive), BUILD)
    cnn = rows(text, "Archived full-profile runs")[1]
    assert cnn[1:] == [
        "2026-11-25 to 12-01",
        "400",
        "A, oneDNN not recorded; B, oneDNN on",
    ]


def test_the_real_archive_has_a_row_per_archived_chapter():
    found = status_page.archived_runs(ROOT / "helpers" / "archive" / "full")
    chapters = {
        p.name.split("-")[0] for p in (ROOT / "helpers/archive/full").glob("*.json")
    }
    assert chapters <= set(found) and "drawing" in found
    text = status_page.page(CHAPTERS, {}, found, BUILD)
    assert len(rows(text, "Archived full-profile runs")) == len(found)


def test_the_page_is_tables_and_short_sentences():
    text = status_page.page(CHAPTERS, RUNS, {}, BUILD)
    prose = [
        line for line in text.splitlines() if line and not line.startswith(("|", "#"))
    ]
    for sentence in re.split(r"(?<=\.)\s+", " ".join(prose)):
        assert len(sentence.split()) <= 20, sentence
    for heading in ("This build", "Machines", "Software", "Archived full-profile runs"):
        header, *body = [
            line
            for line in text.split(f"## {heading}\n")[1].split("\n## ")[0].splitlines()
            if line.startswith("|")
        ]
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in [header, *body]}
        assert len(widths) == 1, heading  # every row as wide as the header


def test_a_pipe_in_a_name_does_not_split_its_cell():
    strange = run(machine={**EPYC, "cpu": "CPU | with a bar", "onednn": None})
    text = status_page.page(CHAPTERS[:1], {"01_data": strange}, {}, BUILD)
    assert rows(text, "Machines")[0][1] == "CPU \\| with a bar"


def test_read_runs_keeps_only_records_of_the_copy_there_now(tmp_path):
    (tmp_path / ".runs").mkdir()
    (tmp_path / ".keys").mkdir()
    for stem, key in (("01_data", "a"), ("02_trees", "b")):
        (tmp_path / ".runs" / f"{stem}.json").write_text(
            json.dumps({"run_key": key * 64})
        )
        (tmp_path / ".keys" / f"{stem}.sha256").write_text("a" * 64)
    (tmp_path / ".runs" / "03_cnn.json").write_text('{"run_key": "a')  # truncated
    (tmp_path / ".keys" / "03_cnn.sha256").write_text("a" * 64)
    found = status_page.read_runs(tmp_path, ["01_data", "02_trees", "03_cnn", "04"])
    assert found["01_data"] == {"run_key": "a" * 64}
    assert found["02_trees"] is None and found["03_cnn"] is None and found["04"] is None


def test_versions_are_read_without_importing_anything():
    import subprocess

    check = (
        "import sys, status_page; found = status_page.versions(); "
        "assert 'tensorflow' not in sys.modules and 'sklearn' not in sys.modules; "
        "print(found['Python'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", check],
        cwd=ROOT / "scripts",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == sys.version.split()[0]
    assert [name for name, _ in status_page.SOFTWARE] == list(status_page.versions())


def test_a_date_range_names_the_year_again_only_when_it_changes():
    def trained(*days):
        machine = {**EPYC, "onednn": True}
        return [
            {"utc": f"{d}T12:00:00+00:00", "seconds": 1.0, "machine": machine}
            for d in days
        ]

    archived = {
        "02_trees": trained("2025-12-31", "2026-01-02"),
        "03_cnn": trained("2026-01-02", "2026-02-03"),
    }
    table = rows(
        status_page.page(CHAPTERS, {}, archived, BUILD), "Archived full-profile runs"
    )
    assert [row[1] for row in table] == [
        "2025-12-31 to 2026-01-02",
        "2026-01-02 to 02-03",
    ]
