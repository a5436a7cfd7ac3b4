"""The words chapter 5 glues about its curves and its early-stopping run, against
made-up runs and against the archived full-profile runs, whatever they hold."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from helpers import data, plots, results, training  # noqa: E402

CHAPTER = "05_regularization"
N_TEST = 10_000


@pytest.mark.parametrize(
    "values, words",
    [
        ([0.5], "is a single point after one epoch (0.5)"),
        ([0.5, 0.3, 0.2, 0.1], "falls in every epoch, from 0.5 to 0.1"),
        ([0.5, 0.5, 0.2], "never rises: from 0.5 in epoch 1 to 0.2 in epoch 3"),
        (
            [0.5, 0.3, 0.2, 0.25],
            "falls from 0.5 in epoch 1 to its lowest, 0.2, in epoch 3, and is "
            "higher in epoch 4 (0.25)",
        ),
        (
            [0.5, 0.3, 0.35, 0.2, 0.25],
            "falls from 0.5 in epoch 1 to its lowest, 0.2, in epoch 4, though not "
            "in every epoch (it rose in epoch 3), and is higher in epoch 5 (0.25)",
        ),
        (
            [0.5, 0.2, 0.25, 0.3],
            "falls from 0.5 in epoch 1 to its lowest, 0.2, in epoch 2, and rises in "
            "every epoch after it, to 0.3 in epoch 4",
        ),
        (
            [0.5, 0.2, 0.3, 0.25, 0.4],
            "falls from 0.5 in epoch 1 to its lowest, 0.2, in epoch 2, and stays "
            "above it in the 3 epochs after it, ending at 0.4 in epoch 5",
        ),
        (
            [0.5, 0.4, 0.45, 0.3],
            "falls from 0.5 in epoch 1 to its lowest, 0.3, in epoch 4, the last, "
            "though not in every epoch (it rose in epoch 3)",
        ),
        (
            [0.3, 0.4, 0.35],
            "is lowest in epoch 1 (0.3) and never falls below it again; it ends at "
            "0.35 in epoch 3",
        ),
    ],
)
def test_trend_says_where_the_curve_was_lowest_and_whether_it_rose(values, words):
    assert training.trend(values) == words


def test_trend_never_calls_a_curve_that_rose_steady():
    """The standard build's baseline: a training loss that rose in its last epoch
    was described as falling 'overall'."""
    words = training.trend(
        [0.41, 0.12, 0.08, 0.05, 0.04, 0.03, 0.02, 0.015, 0.01, 0.02]
    )
    assert "every epoch" not in words and "overall" not in words
    assert "lowest, 0.01, in epoch 9" in words and "higher in epoch 10" in words


def run(epochs_run, best_epoch, seconds, test):
    return {
        "epochs_run": epochs_run,
        "best_epoch": best_epoch,
        "train_seconds": seconds,
        "test_accuracy": test,
    }


def test_early_stopping_that_took_longer_on_the_clock_says_so():
    """The standard build: 8 of 10 epochs in 49.3 s against the baseline's 40.3 s,
    and 62 test images behind: no claim that it saved time."""
    words = training.early_stopping_words(
        run(8, 6, 49.3, 0.9618), run(10, 9, 40.3, 0.9680), 10, 2, N_TEST
    )
    assert "after 8 of 10 epochs" in words and "restored epoch 6's weights" in words
    assert "saved." not in words and "the saving is in epochs only" in words
    assert "49.3 s against the baseline's 40.3 s" in words
    assert "behind by 62 images" in words
    assert "lowest in epoch 9" in words and "gave up too soon" in words


def test_early_stopping_behind_explains_the_loss_and_weighs_the_time_saved():
    """The weights of the lowest validation loss, 62 test images behind; the time
    saved beside what the skipped epochs would save (the standard build's 3.4 s
    against 4.5 s: one timing against another on a shared machine). No validation
    accuracies as evidence: 0.9608 against 0.9617 is 1 image of 1,200."""
    stopped = run(8, 6, 62.1, 0.9618) | {"val_accuracy": 0.9608}
    baseline = run(10, 6, 92.4, 0.9680) | {"val_accuracy": 0.9617}
    words = training.early_stopping_words(stopped, baseline, 10, 2, N_TEST)
    assert (
        "30.3 s saved, where 2 epochs at the baseline's 9.2 s would save 18.5 s"
        in words
    )
    assert "behind by 62 images" in words and "confident mistakes." in words
    assert "0.9608" not in words and "gave up too soon" not in words


def test_early_stopping_that_never_stopped_saved_nothing():
    words = training.early_stopping_words(
        run(10, 9, 44.0, 0.965), run(10, 9, 40.3, 0.968), 10, 2, N_TEST
    )
    assert words.startswith("Early stopping never stopped this run")
    assert "saved no time" in words and "restore the weights of epoch 9" in words
    one = training.early_stopping_words(
        run(1, 1, 4.4, 0.827), run(1, 1, 4.5, 0.827), 1, 2, N_TEST
    )
    assert "nothing to stop early" in one and "ends where the baseline ends" in one


def archived(name, dataset):
    return next(
        (
            r
            for r in results.load_archive("full")
            if r["chapter"] == CHAPTER
            and r["model"] == name
            and r["dataset"] == dataset
        ),
        None,
    )


@pytest.mark.parametrize("dataset", data.DATASETS)
def test_early_stopping_words_hold_for_the_archived_full_runs(dataset):
    """Whatever the archive holds: the epochs, the time and the verdict the words
    give are the records'."""
    stopped = archived("cnn_source004_early_stopping", dataset)
    baseline = archived("cnn_source004_baseline", dataset)
    if stopped is None or baseline is None:
        pytest.skip(f"no archived early-stopping pair on {dataset}")
    budget = stopped["parameters"]["EPOCHS"]
    words = training.early_stopping_words(stopped, baseline, budget, 2, N_TEST)
    if stopped["epochs_run"] < budget:
        assert f"after {stopped['epochs_run']} of {budget} epochs" in words
        saved = baseline["train_seconds"] - stopped["train_seconds"]
        assert (f"{saved:,.1f} s saved" in words) == (saved > 0)
    else:
        assert "never stopped" in words or "nothing to stop" in words
    side = results.verdict(stopped["test_accuracy"], baseline["test_accuracy"], N_TEST)
    assert (
        results.versus(
            stopped["test_accuracy"], baseline["test_accuracy"], N_TEST
        ).split(":")[0]
        in words
    )
    assert (side == "a tie") == ("within the test set's noise of" in words)


def test_one_colour_per_run_across_figures():
    """Chapter 5's baseline keeps its colour whether it is drawn first or last."""
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6]}
    colours = {"baseline": "C0", "raw": "C2", "scaled": "C3"}
    first = plots.history(
        {"baseline": history, "raw": history}, ("loss",), colours=colours
    )
    last = plots.history(
        {"raw": history, "baseline": history}, ("loss",), colours=colours
    )
    for fig in (first, last):
        drawn = {line.get_label(): line.get_color() for line in fig.axes[0].lines}
        assert drawn["baseline train"] == "C0" and drawn["raw validation"] == "C2"


def test_epoch_axis_ends_with_the_longest_run_shown():
    short = {"loss": [1.0] * 10, "val_loss": [1.0] * 10}
    fig = plots.history({"a": short, "b": short}, ("loss",))
    low, high = fig.axes[0].get_xlim()
    assert (low, high) == (0.5, 10.5)
