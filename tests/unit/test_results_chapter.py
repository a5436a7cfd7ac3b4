"""The results chapter's findings, executed against a made-up archive whose every
verdict is known, and against the archive the package ships (whatever it holds
when the test runs: chapter 8's full run is still being archived)."""

import ast
import json
import os
import re
import sys
from pathlib import Path

import numpy as np
import papermill
import pytest

from helpers import data, ensemble, members, profiles, results
from helpers.results import ARCHIVE

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "10_results.ipynb"
N_TEST = 10_000
N_VAL = 12_000  # a fifth of the 60,000 training images, as chapters 2 to 5 hold out
MODEL_ID = re.compile(r"\b(?:tree|forest|mlp|cnn|ensemble)_(?:source\d{3}|resnet)\w*")

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="kernels over local sockets"
)


def glued(notebook: Path) -> dict[str, str]:
    """The values a notebook glued, as the prose shows them."""
    values = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = "".join(
                    output["data"]["application/papermill.record/text/plain"]
                )
                value = ast.literal_eval(text)
                values[name] = value if isinstance(value, str) else text
    return values


def tables(notebook: Path) -> str:
    """Every table the executed notebook shows, as HTML."""
    return "".join(
        "".join(output.get("data", {}).get("text/html", ""))
        for cell in json.loads(notebook.read_text())["cells"]
        for output in cell.get("outputs", [])
    )


def execute(tmp_path, monkeypatch, archive: Path) -> Path:
    """The chapter at the smoke profile, reading ``archive``, with no results of
    its own."""
    monkeypatch.setenv("MNIST_BOOK_ARCHIVE", str(archive))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    executed = tmp_path / "results.ipynb"
    (tmp_path / "results").mkdir()
    declared = set(papermill.inspect_notebook(str(CHAPTER)))
    papermill.execute_notebook(
        str(CHAPTER),
        str(executed),
        parameters={
            **profiles.parameters("smoke", "10_results", declared),
            "RESULTS_DIR": "results",
        },
        cwd=str(tmp_path),
        kernel_name="python3",
        progress_bar=False,
    )
    return executed


ENVIRONMENT = {
    "recorded_utc": "2026-11-25T10:00:00+00:00",
    "cpus": 2,
    "accelerator": None,
    "cpu": "Intel(R) Xeon(R) Processor",
}


def write_record(folder: Path, chapter: str, model: str, dataset: str, **fields):
    """One made-up full-profile metrics file, as `archive` leaves it."""
    record = {
        "chapter": chapter,
        "model": model,
        "dataset": dataset,
        "profile": "full",
        "train_seconds": 100.0,
        "weights": 1000,
        "parameters": {"PROFILE": "full", "TRAIN_SIZE": None, "DATASET": dataset},
        "environment": ENVIRONMENT,
        **fields,
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{chapter}-{model}-{dataset}.json").write_text(json.dumps(record))


def test_findings_for_a_made_up_archive(tmp_path, monkeypatch):
    """Every verdict known in advance: ahead, ties and shortfalls, one explained by
    the run on every training image and one not; a validation match whose test
    accuracy is higher; chapter 6 partly archived, chapter 7 not at all, chapter 8
    complete on MNIST and absent on Fashion-MNIST."""
    archive = tmp_path / "archive"
    full = archive / "full"
    seeds = [0.9788, 0.9786, 0.9761, 0.9789, 0.9752]  # mean 0.97752: 36 images short
    write_record(full, "03_mlp", "mlp_source001", "mnist", test_accuracy=0.9788,
                 val_accuracy=0.9774, seed_test_accuracy=seeds)  # fmt: skip
    every = [0.9775, 0.9807, 0.9840, 0.9805, 0.9819]  # mean 0.98092: a tie
    write_record(full, "03_mlp", "mlp_source001_all", "mnist", test_accuracy=0.9775,
                 seed_test_accuracy=every, train_images=60_000)  # fmt: skip
    # 54 images short, and no run on every training image to account for it
    write_record(full, "04_cnn", "cnn_source001", "mnist", test_accuracy=0.9850,
                 val_accuracy=0.9840)  # fmt: skip
    # 94 validation images ahead of 0.9252; lower on test
    write_record(full, "04_cnn", "cnn_source002", "fashion_mnist",
                 test_accuracy=0.9250, val_accuracy=0.9330, epochs_run=40)  # fmt: skip
    # 15 validation images behind 0.8805, a tie; higher on test
    write_record(full, "02_baselines", "forest_source002", "fashion_mnist",
                 test_accuracy=0.8800, val_accuracy=0.8792)  # fmt: skip
    write_record(full, "08_clothes", "ensemble_clothes", "mnist", test_accuracy=0.9960,
                 members=5, recipe="resnet", tta=False)  # fmt: skip

    # two of chapter 6's seven networks: network i errs on its first `wrong` images
    parameters = profiles.parameters("full", "06_ensemble")
    recipe = ensemble.recipe(
        "mnist", None, 42, parameters["EPOCHS"], parameters["BATCH_SIZE"]
    )
    store = members.Members(full, "06_ensemble", recipe, "full")
    _, (_, labels) = data.load("mnist")
    right = np.eye(10)[labels]
    for i, wrong in ((1, 30), (2, 40)):
        probabilities = right.copy()
        probabilities[:wrong] = 0.4 * right[:wrong] + 0.6 * np.roll(right[:wrong], 1, 1)
        history = {
            "loss": [0.1] * parameters["EPOCHS"],
            "val_accuracy": [0.99] * parameters["EPOCHS"],
        }
        store.save(i, probabilities, {"history": history, "train_seconds": 2100.0})

    executed = execute(tmp_path, monkeypatch, archive)
    text = glued(executed)

    assert text["summary_sources"] == (
        "Of 5 comparisons with the 4 numbers the sources reported (1 of them set "
        "beside two runs, one on four fifths of the training images and one on all "
        "of them), the archived runs beat 1, tie with 2 and fall short of 2 (2 "
        "comparisons with validation accuracies, matched on validation). Short of "
        "theirs: the 784-1000-10 MLP of source 001 on MNIST "
        "and the CNN of source 001 on MNIST."
    )
    sources = text["full_sources"]
    for part in (
        "Ahead: the batch-normalized CNN of source 002 on Fashion-MNIST (matched on "
        "validation, 0.9330 against 0.9252; 0.9250 on the test set).",
        "Tied: the random forest of source 002 on Fashion-MNIST (matched on "
        "validation, 0.8792 against 0.8805; 0.8800 on the test set); the "
        "784-1000-10 MLP of source 001, all training images, on MNIST (mean of 5 "
        "seeds 0.9809 against 0.9811 on the test set).",
        "Short: the 784-1000-10 MLP of source 001 on MNIST (mean of 5 seeds 0.9775 "
        "against 0.9811 on the test set); the CNN of source 001 on MNIST (0.9850 "
        "against 0.9904 on the test set).",
    ):
        assert part in sources, part
    why = text["full_why"]
    assert why.startswith(
        "Why they fall short: The 784-1000-10 MLP of source 001 on MNIST trained on "
        "48,000 images, the other 12,000 held out for validation: mean of 5 seeds "
        "0.9775 against 0.9811 on the test set, behind by 36 images of 10,000 "
        "(0.0036), beyond the test set's noise of 27. Source 001 trained on all "
        "60,000, and so did the book's run of the same network, which ties with its "
        "number: mean of 5 seeds 0.9809 against 0.9811 on the test set, a tie: 2 "
        "images of 10,000 apart, within the test set's noise of 27."
    )
    assert "For the CNN of source 001 on MNIST the archive holds no run" in why
    validation = text["full_validation"]
    assert validation.startswith(
        "2 of the sources' numbers are validation accuracies, matched on our "
        "validation split (12,000 images) with our test accuracy beside them"
    )
    assert "0.9330 on validation and 0.9250 on test" in validation
    assert validation.endswith("lower of the two in 1 of 2 cases.")

    # chapter 6: two networks of seven (40 and 30 errors; the first 30 shared)
    ensemble_text = text["full_ensemble"]
    assert f"2 of the {parameters['N_MODELS']} networks are archived" in ensemble_text
    assert "0.9960 to 0.9970" in ensemble_text
    assert "together they reach 0.9970" in ensemble_text
    assert "not yet the final figure" in ensemble_text
    assert text["summary_ensemble"] == (
        f"2 of its {parameters['N_MODELS']} networks of {parameters['EPOCHS']} "
        "epochs are archived so far, 0.9970 together, against source 000's 0.9972 "
        f"for all {parameters['N_MODELS']} (a tie: 2 images of 10,000 apart, within "
        "the test set's noise of 11). Alone they score 0.9960 to 0.9970."
    )
    assert (
        "source 000's ensemble of CNNs (MNIST): 2 of its 7 networks are archived "
        "(below); " in text["full_missing"]
    )
    # chapter 7: nothing archived
    faster_epochs = profiles.parameters("full", "07_faster")["EPOCHS"]
    assert text["summary_faster"] == (
        f"Chapter 7's full run is not complete yet, and none of its networks of "
        f"{faster_epochs} epochs is archived yet."
    )
    # chapter 8: complete on MNIST, nothing on Fashion-MNIST
    assert text["summary_clothes"] == (
        "On Fashion-MNIST no network of chapter 8's full run is archived yet. On "
        "MNIST the recipe chosen on validation, resnet, reaches 0.9960 on the test "
        "set with an ensemble of 5 networks; against the 0.9972 source 000 reported "
        "for its ensemble of seven CNNs it is behind by 12 images of 10,000 "
        "(0.0012), beyond the test set's noise of 11."
    )
    assert text["full_regularisation"] == (
        "No full-profile run of chapter 5 is archived yet."
    )
    # one readable name per model: no id in a table or a sentence
    assert not MODEL_ID.findall(tables(executed) + " ".join(text.values()))


def shipped_findings():
    """What the shipped archive says, computed here independently of the chapter:
    (record, ours, images, source, verdict) for every source number."""
    rows = []
    for record in results.load_archive("full"):
        source = results.reported(record["model"], record["dataset"])
        if source is None:
            continue
        seeds = record.get("seed_test_accuracy", [])
        if source["split"] == "validation":
            ours, n = record["val_accuracy"], N_VAL
        else:
            ours = float(np.mean(seeds)) if len(seeds) > 1 else record["test_accuracy"]
            n = N_TEST
        side = results.source_verdict(ours, source, n)
        rows.append((record, ours, n, source, side))
    return rows


def test_findings_of_the_shipped_archive(tmp_path, monkeypatch):
    """Every finding on the page is true of the archive that ships with the book."""
    text = glued(execute(tmp_path, monkeypatch, ARCHIVE))

    rows = shipped_findings()
    sides = [side for *_, side in rows]
    tally = [sides.count(side) or "none" for side in ("ahead", "a tie", "behind")]
    numbers = {(s["source"], s["dataset"], s["accuracy"]) for *_, s, _ in rows}
    assert text["summary_sources"].startswith(
        f"Of {len(rows)} comparisons with the {len(numbers)} numbers the sources "
        "reported"
    )
    assert (
        f"the archived runs beat {tally[0]}, tie with {tally[1]} and fall short of "
        f"{tally[2]}" in text["summary_sources"]
    )
    for record, ours, _, source, side in rows:
        pair = f"{ours:.4f} against {source['accuracy']:.4f}"
        assert pair in text["full_sources"], pair
        if source["split"] == "validation":
            # matched on validation, and the test accuracy beside it
            assert (
                f"matched on validation, {pair}; {record['test_accuracy']:.4f}"
                in (text["full_sources"])
            )
        if side == "behind":
            name = results.display_name(record["model"])
            assert name in text["summary_sources"] and name in text["full_why"]

    # chapter 6: the archived networks of 40 epochs, combined here
    _, (_, labels) = data.load("mnist")
    epochs = profiles.parameters("full", "06_ensemble")["EPOCHS"]
    runs = [
        run
        for run in members.archived("06_ensemble", "mnist")
        if run["recipe"]["epochs"] == epochs
    ]
    if runs:
        run = max(runs, key=lambda run: len(run["records"]))
        combined = results.accuracy(run["probabilities"].sum(axis=0), labels)
        source = results.reported("ensemble_source000", "mnist")["accuracy"]
        assert f"{combined:.4f} together" in text["summary_ensemble"]
        assert results.versus(combined, source, N_TEST) in text["summary_ensemble"]

    # chapter 7: the recommended recipe's ensemble against source 000's
    faster = next(
        (r for r in results.load_archive("full") if r["model"].endswith("_faster")),
        None,
    )
    if faster is not None:
        assert (
            f"reaches {faster['test_accuracy']:.4f} with {faster['members']} "
            in (text["summary_faster"])
        )
        words = results.versus(faster["test_accuracy"], 0.9972, N_TEST)
        assert words in text["summary_faster"]
        tests = [rung["test"] for rung in faster.get("ladder", [])]
        if len(tests) > 1:
            spread = results.versus(max(tests), min(tests), N_TEST)
            assert spread in text["faster_ladder"]
            # validation (6,000 images) decides; within its noise, the page says so
            vals = [rung["validation"] for rung in faster["ladder"]]
            coin = "close to a coin toss" in text["faster_ladder"]
            assert coin == (results.verdict(max(vals), min(vals), 6_000) == "a tie")

    # chapter 8 on Fashion-MNIST, as far as it is archived
    _, (_, clothes_labels) = data.load("fashion_mnist")
    done = next(
        (
            r
            for r in results.load_archive("full")
            if r["model"] == "ensemble_clothes" and r["dataset"] == "fashion_mnist"
        ),
        None,
    )
    runs = members.archived("08_clothes-*", "fashion_mnist")
    summary = text["summary_clothes"]
    if done is not None:
        assert f"reaches {done['test_accuracy']:.4f} on the test set" in summary
    elif not runs:
        assert summary.startswith("On Fashion-MNIST no network of chapter 8's")
    else:
        lead = max(runs, key=lambda run: run["records"][0]["val_accuracy"])
        first = results.accuracy(lead["probabilities"][0], clothes_labels)
        assert f"scores {first:.4f} on the test set with one network" in summary
        bn = results.load_archive("full")
        bn = next(r for r in bn if r["model"] == "cnn_source002")["test_accuracy"]
        assert results.versus(first, bn, N_TEST) in summary
        assert "under way" in summary


def test_summary_leads_with_the_archive_and_ends_on_no_build_number():
    """The findings open the page (right after the introduction) and the summary;
    the summary's last point quotes no number of the build being read."""
    cells = json.loads(CHAPTER.read_text())["cells"]
    markdown = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    findings = ("summary_sources", "summary_ensemble", "summary_faster")
    findings += ("summary_clothes",)
    assert markdown[1].startswith("## What the sources' settings show")
    assert all(f"{{glue:text}}`{name}`" in markdown[1] for name in findings)
    summary = next(text for text in markdown if text.startswith("## Summary"))
    summary = summary.split("## Exercises")[0]
    positions = [summary.index(f"{{glue:text}}`{name}`") for name in findings]
    points = summary.split("\n- ")
    assert positions == sorted(positions) and summary.index("\n- ") < positions[0]
    assert "{glue" not in points[-1], points[-1]
