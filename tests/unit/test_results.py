import json

import numpy as np
import pytest

from helpers import plots, profiles, results


def test_save_and_load_metrics(tmp_path):
    path = results.save_metrics(
        tmp_path,
        chapter="03_mlp",
        model="mlp_source001",
        dataset="mnist",
        profile="smoke",
        test_accuracy=np.float32(0.9811),
        train_seconds=12.3456,
        weights=795_010,
        parameters={"EPOCHS": 1},
        val_accuracy=0.98,
        test_predictions=np.array([7, 2, 1], dtype=np.int64),
    )
    record = json.loads(path.read_text())
    assert set(results.FIELDS) <= set(record)
    assert (
        record["test_accuracy"] == pytest.approx(0.9811)
        and record["train_seconds"] == 12.346
    )
    assert record["test_predictions"] == [7, 2, 1] and record["val_accuracy"] == 0.98
    (tmp_path / "01_data-mnist.json").write_text('{"chapter": "01_data"}')
    assert [r["model"] for r in results.load_metrics(tmp_path)] == ["mlp_source001"]


@pytest.mark.parametrize("field", ["test_accuracy", "val_accuracy"])
@pytest.mark.parametrize("value", [98.1, float("nan")])
def test_accuracy_out_of_range_is_refused(tmp_path, field, value):
    accuracies = {"test_accuracy": 0.9, field: value}
    with pytest.raises(ValueError, match=field):
        results.save_metrics(
            tmp_path,
            chapter="c",
            model="m",
            dataset="mnist",
            profile="smoke",
            train_seconds=1,
            weights=None,
            parameters={},
            **accuracies,
        )


def test_reported_table_is_unique_and_plausible():
    keys = [(r["model"], r["dataset"]) for r in results.REPORTED]
    assert len(keys) == len(set(keys))
    assert all(0.5 < r["accuracy"] < 1 for r in results.REPORTED)
    assert results.reported("ensemble_source000", "mnist")["accuracy"] == 0.9972
    assert results.reported("ensemble_source000", "fashion_mnist") is None


def test_mistakes_grid_counts_errors():
    images = np.zeros((6, 28, 28))
    fig, wrong = plots.mistakes(
        images,
        np.array([0, 1, 2, 3, 4, 5]),
        np.array([0, 1, 9, 3, 9, 9]),
        [str(i) for i in range(10)],
    )
    assert wrong == 3
    assert sum(bool(ax.get_title()) for ax in fig.axes) == 3


def test_metrics_say_when_and_on_what_they_were_measured(tmp_path):
    path = results.save_metrics(
        tmp_path,
        chapter="02_baselines",
        model="tree_source002",
        dataset="mnist",
        profile="smoke",
        test_accuracy=0.87,
        train_seconds=1.0,
        weights=None,
        parameters={},
    )
    env = json.loads(path.read_text())["environment"]
    assert env["recorded_utc"].startswith("20") and env["cpus"] >= 1
    assert results.device(env) == (env["accelerator"] or f"{env['cpus']} CPU cores")
    assert (
        results.device({"accelerator": "NVIDIA H100 80GB HBM3", "cpus": 16})
        == "NVIDIA H100 80GB HBM3"
    )
    assert results.device(None) == "not recorded"


def test_archive_keeps_only_its_profile(tmp_path):
    for profile in ("full", "standard"):
        results.save_metrics(
            tmp_path / "full",
            chapter="03_mlp",
            model=f"mlp_{profile}",
            dataset="mnist",
            profile=profile,
            test_accuracy=0.98,
            train_seconds=36.0,
            weights=795_010,
            parameters={},
        )
    assert [r["model"] for r in results.load_archive("full", archive=tmp_path)] == [
        "mlp_full"
    ]
    assert results.load_archive("full", archive=tmp_path / "nowhere") == []


def test_archived_metrics_are_plausible():
    """What the package ships: full-profile records a reader can trust."""
    for record in results.load_archive("full"):
        assert record["profile"] == "full" and "test_predictions" not in record
        assert 0.5 < record["test_accuracy"] <= 1 and record["train_seconds"] > 0
        assert record["environment"]["recorded_utc"]


def test_archived_runs_still_match_their_profile():
    """A profile changed after its runs were archived leaves them stale: rerun and
    archive again.

    Only records of a chapter that ran wholly at one profile are checked
    (chapter 4 judges each model on the parameters it used).
    """
    for record in results.load_archive("full"):
        values = dict(record["parameters"])
        if values.pop("PROFILE") != record["profile"]:
            continue
        assert profiles.identify(record["chapter"], values) == "full", (
            f"{record['chapter']}-{record['model']}-{record['dataset']} "
            f"ran with {values}"
        )


def test_score_and_save_measures_every_split_alike(tmp_path):
    """One accuracy definition: the argmax of predict() against the labels."""
    from dataclasses import dataclass

    class Model:
        def predict(self, x, batch_size=None, verbose=0):
            return np.eye(10)[np.asarray(x) % 10]  # predicts x mod 10, certain

    @dataclass
    class Run:
        model: object
        train_seconds: float = 2.0
        weights: int = 7
        epochs_run: int = 3
        best_epoch: int | None = 2

    x_test, y_test = np.arange(20), np.arange(20) % 10
    y_test[:5] = 0  # 4 of 20 wrong (image 0 is a 0)
    score = results.score_and_save(
        tmp_path,
        Run(Model()),
        x_test,
        y_test,
        np.arange(4),
        np.array([0, 1, 2, 0]),
        chapter="04_cnn",
        model="m",
        dataset="mnist",
        profile="smoke",
        parameters={},
        extra=1,
    )
    assert score.test_accuracy == 0.8 and score.val_accuracy == 0.75
    record = json.loads(score.path.read_text())
    assert record["test_accuracy"] == 0.8 and record["val_accuracy"] == 0.75
    assert record["test_predictions"][:5] == [0, 1, 2, 3, 4] and record["weights"] == 7
    assert (
        record["epochs_run"] == 3 and record["best_epoch"] == 2 and record["extra"] == 1
    )


def test_counts_agree_with_their_noun():
    from helpers.glue import count

    assert count(1, "epoch") == "1 epoch"
    assert count(0, "network") == "0 networks"
    assert count(12000, "image") == "12,000 images"


def test_rounded_tables_agree_with_the_prose():
    """A half at the fifth decimal: pandas' round went up where the prose went down."""
    import pandas as pd

    exact_half = 294 / 1600  # 0.18375
    table = pd.DataFrame({"accuracy": [exact_half], "name": ["x"], "count": [3]})
    shown = results.rounded(table)
    assert shown["accuracy"].iloc[0] == float(f"{exact_half:.4f}") == 0.1837
    assert shown["name"].iloc[0] == "x" and shown["count"].iloc[0] == 3
    assert results.rounded(table["accuracy"]).iloc[0] == 0.1837


def test_noise_is_two_standard_errors_in_images():
    assert results.noise_images(0.98, 10_000) == pytest.approx(28.0)
    assert results.noise_images(0.5, 10_000) == pytest.approx(100.0)
    assert results.noise_images(1.0, 10_000) == 0


def test_versus_calls_a_difference_within_the_noise_a_tie():
    """Chapters 2 to 5 word their comparisons with it; ties count the images."""
    assert (
        results.versus(0.9813, 0.9811, 10_000)
        == "a tie: 2 images of 10,000 apart, within the test set's noise of 27"
    )
    assert results.versus(0.8953, 0.8953, 12_000, "validation") == (
        "level to within one image of 12,000"
    )
    assert results.versus(0.9858, 0.9811, 10_000) == (
        "ahead by 47 images of 10,000 (0.0047), beyond the test set's noise of 27"
    )
    assert results.versus(0.9775, 0.9811, 10_000).startswith(
        "behind by 36 images of 10,000 (0.0036)"
    )
    # one image is singular; the margin is the reference's (b's) noise
    assert "1 image of 100" in results.versus(0.51, 0.50, 100)
    assert results.versus(0.90, 0.95, 100).startswith("behind by 5 images")
    assert results.versus(0.95, 0.90, 100).startswith("a tie")


def test_versus_a_source_on_its_own_validation_split_adds_the_two_noises():
    # chapter 2's tree against source 002 (Fashion-MNIST): 91 images of 12,000,
    # beyond one split's noise (89) but not two splits' (126): a tie
    source = {"accuracy": 0.7896, "split": "validation"}
    assert results.verdict(0.7972, 0.7896, 12_000) == "ahead"
    assert results.source_verdict(0.7972, source, 12_000) == "a tie"
    assert results.versus_source(0.7972, source, 12_000) == (
        "a tie: 91 images of 12,000 apart, within the noise of two validation "
        "splits of 126"
    )
    # a source's test accuracy is on the same 10,000 test images as ours
    test = {"accuracy": 0.9811, "split": "test"}
    assert results.versus_source(0.9858, test, 10_000) == results.versus(
        0.9858, 0.9811, 10_000
    )
    assert results.versus_source(
        0.90, {"accuracy": 0.80, "split": "validation"}, 12_000
    ).endswith("beyond the noise of two validation splits of 124")


def test_a_checkpoints_optimism_is_read_against_runs_that_chose_nothing():
    """On Fashion-MNIST every model reads higher on validation than on test; a
    checkpoint chosen on validation shows only beyond what the others show."""
    archive = [
        {"model": "tree_source002", "dataset": "fashion_mnist",
         "val_accuracy": 0.7972, "test_accuracy": 0.7919},
        {"model": "mlp_source004", "dataset": "fashion_mnist",
         "val_accuracy": 0.8829, "test_accuracy": 0.8676},
        {"model": "mlp_source004", "dataset": "mnist",
         "val_accuracy": 0.9679, "test_accuracy": 0.9876},
    ]  # fmt: skip
    deep = {"dataset": "fashion_mnist", "val_accuracy": 0.8953, "test_accuracy": 0.8847}
    assert results.checkpoint_optimism(deep, archive).endswith(
        "+0.0106 against its test accuracy, no more than the gaps of the 2 archived "
        "runs on Fashion-MNIST that chose nothing on validation (+0.0053 to "
        "+0.0153): no optimism of the choice shows"
    )
    flattered = {**deep, "val_accuracy": 0.9047}
    assert results.checkpoint_optimism(flattered, archive).endswith(
        "(+0.0053 to +0.0153): up to 0.0047 may be the choice's"
    )


def test_the_seeds_mean_is_matched_on_the_test_set():
    source = results.reported("mlp_source001", "mnist")
    record = {"test_accuracy": 0.9788, "seed_test_accuracy": [0.9788, 0.9762]}
    ours, n = results.on_source_split(record, source, 0.2, 10_000)
    assert (round(ours, 4), n) == (0.9775, 10_000)
    assert results.images_from_source(record, source, 0.2, 10_000) == "-36"
    assert results.capital("the tree") == "The tree"
    assert results.name_on("mlp_source001_all", "mnist").endswith(", on MNIST")


def test_no_network_is_ranked_against_the_people_of_a_labelling_study():
    from helpers import results

    standing = results.against_published(0.9472, 10_000)
    named = [e["network"] for side in standing.values() for e in side]
    assert not any(name.startswith("people") for name in named)
    assert "people" not in results.published_standing(0.9472, 10_000)
