"""helpers.comparisons: one table for every comparison, a verdict per row."""

import pytest

from helpers import comparisons, results


def test_a_gap_within_the_noise_is_a_tie_and_says_its_noise():
    table = comparisons.compare(
        [{"network": "first alone", "accuracy": 0.9963, "reference": 0.9972}],
        10_000,
    )
    row = table.iloc[0]
    assert row["images"] == "-9"
    bar = round(results.noise_images(0.9972, 10_000))
    assert row["verdict"] == f"tie (±{bar})"
    assert bar == 11


def test_ahead_and_behind_follow_the_sign_beyond_the_noise():
    rows = [
        {"model": "small MLP", "accuracy": 0.9676, "reference": 0.9631},
        {"model": "wide MLP", "accuracy": 0.9775, "reference": 0.9811},
        {"model": "source", "accuracy": 0.9811, "reference": None},
    ]
    table = comparisons.compare(rows, 10_000, index="model")
    assert table.loc["small MLP", "verdict"].startswith("ahead")
    assert table.loc["small MLP", "images"] == "+45"
    assert table.loc["wide MLP", "verdict"] == "behind (±27)"
    assert table.loc["source", "verdict"] == ""  # the reference row: no verdict
    assert list(table.columns) == ["accuracy", "reference", "images", "verdict"]


def test_independent_draws_raise_the_bar_by_root_two():
    one = comparisons.compare([{"accuracy": 0.90, "reference": 0.89}], 6_000)
    two = comparisons.compare(
        [{"accuracy": 0.90, "reference": 0.89}], 6_000, independent=True
    )
    bar = results.noise_images(0.89, 6_000)
    assert one.iloc[0]["verdict"] == f"ahead (±{round(bar)})"
    assert two.iloc[0]["verdict"] == f"tie (±{round(bar * 2**0.5)})"


@pytest.mark.parametrize("ours, word", [(0.99, "ahead"), (0.9, "tie"), (0.8, "behind")])
def test_verdict_word(ours, word):
    assert comparisons.verdict_word(ours, 0.9, 1000) == word


def test_rows_can_carry_their_own_number_of_images():
    rows = [
        {"class": "Shirt", "after": 0.825, "before": 0.780, "test images": 1000},
        {"class": "Trouser", "after": 0.994, "before": 0.987, "test images": 1000},
    ]
    table = comparisons.compare(
        rows, "test images", ours="after", reference="before", index="class"
    )
    assert table.loc["Shirt", "verdict"].startswith("ahead")
    assert table.loc["Trouser", "verdict"].startswith("tie")


def test_no_image_apart_is_a_tie_even_without_noise():
    table = comparisons.compare([{"accuracy": 0.0, "reference": 0.0}], 1000)
    assert table.iloc[0]["verdict"] == "tie (±0)"


def test_recall_per_class_weakest_first():
    import numpy as np

    labels = np.array([0] * 1000 + [1] * 1000)
    table = comparisons.per_class(
        {"Shirt": 0.78, "Bag": 0.988},
        {"Shirt": 0.825, "Bag": 0.996},
        ["Bag", "Shirt"],
        labels,
    )
    assert list(table.index) == ["Shirt", "Bag"]
    assert table.loc["Shirt", "images"] == "+45"
    assert table.loc["Shirt", "verdict"].startswith("ahead")


def test_the_noise_bar_chapter_2_quotes():
    """'on MNIST's 10,000 test images it is about 20 images at 0.99, but about
    70 at 0.85'"""
    assert round(results.noise_images(0.99, 10_000)) == 20
    assert 65 <= results.noise_images(0.85, 10_000) <= 75
