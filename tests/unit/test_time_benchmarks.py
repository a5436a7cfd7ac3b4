"""The benchmarks of where a build's time goes (benchmarks/chapter_times.py,
benchmarks/peak_fraction.py) count what they say they count."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load(name):
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "benchmarks" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "source, kind",
    [
        ("rates, losses = range_test(x_fit, y_fit)", "searching"),
        ("for peak in PEAKS:\n    train(store, 1)", "searching"),
        ("record, _ = train(store, i, **rung.training)", "training"),
        ("run = training.fit(build, x, y, epochs=EPOCHS)", "training"),
        ("fig, ax = plt.subplots()\nax.plot(x, y)", "plotting"),
        ("glue('name', value)", "other"),
    ],
)
def test_cells_are_sorted_by_what_they_do(source, kind):
    assert load("chapter_times").kind(source) == kind


def test_a_chapter_row_adds_cell_times_and_counts_only_networks_trained_in_the_run(
    tmp_path,
):
    times = load("chapter_times")
    cell = {"cell_type": "code", "metadata": {}, "outputs": []}
    notebook = {
        "metadata": {
            "papermill": {
                "duration": 100.0,
                "start_time": "2026-01-01T10:00:00+00:00",
                "end_time": "2026-01-01T10:01:40+00:00",
            }
        },
        "cells": [
            {
                **cell,
                "source": "train(store, 1)",
                "metadata": {"papermill": {"duration": 80}},
            },
            {
                **cell,
                "source": "plt.show()",
                "metadata": {"papermill": {"duration": 5}},
            },
            {"cell_type": "markdown", "metadata": {}, "source": "text"},
        ],
    }
    path = tmp_path / "book" / "07_faster.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(notebook))
    members = tmp_path / "results" / "members" / "07_faster-cosine-mnist-abc"
    members.mkdir(parents=True)
    for i, recorded in (
        (1, "2026-01-01T10:00:50+00:00"),
        (2, "2025-12-31T09:00:00+00:00"),
    ):
        record = {
            "history": {"loss": [1.0] * 5},
            "predict_seconds": 4.0,
            "environment": {"recorded_utc": recorded},
        }
        (members / f"net-{i}.json").write_text(json.dumps(record))
    row = times.chapter_row(path, tmp_path / "results")
    assert (row["total"], row["training"], row["plotting"]) == (100.0, 80, 5)
    assert (row["epochs"], row["predicting"]) == (5, 4.0)  # network 2 was stored


def test_chapter_6s_epoch_costs_what_the_issue_measured():
    """4.9 TFLOP per 54,000-image epoch: forward pass x 3 of source 000's CNN."""
    from helpers import ensemble

    flops = load("peak_fraction").forward_flops(ensemble.build_net(0))
    assert 3 * flops * 54_000 / 1e12 == pytest.approx(4.91, abs=0.01)


def test_two_builds_side_by_side_give_each_chapters_change(tmp_path, capsys):
    times = load("chapter_times")

    def build(name, seconds):
        folder = tmp_path / name / "standard"
        (folder / "book").mkdir(parents=True)
        (folder / "results").mkdir()
        for stem, duration in seconds.items():
            notebook = {"metadata": {"papermill": {"duration": duration}}, "cells": []}
            (folder / "book" / f"{stem}.ipynb").write_text(json.dumps(notebook))
        return folder

    before = build("before", {"06_ensemble": 600.0, "07_faster": 900.0})
    after = build("after", {"06_ensemble": 610.0, "07_faster": 700.0, "08_x": 5.0})
    times.side_by_side(before, after)
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split() == ["06_ensemble", "600", "610", "+10", "0", "0"]
    assert lines[3].split() == ["07_faster", "900", "700", "-200", "0", "0"]
    assert "08_x" in lines[4] and "one build only" in lines[4]
    assert lines[5].split() == ["book", "1500", "1310", "-190"]
    assert lines[6].endswith("25.0 -> 21.8 min")
