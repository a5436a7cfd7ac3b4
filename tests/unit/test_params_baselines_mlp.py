"""Parameter rules and profiles of chapters 02_baselines and 03_mlp."""

import pytest

from helpers import profiles
from helpers.params import ParameterError, check_parameters

BASELINES = dict(
    DATASET="fashion_mnist",
    TRAIN_SIZE=None,
    SEED=42,
    CV_FOLDS=5,
    CV_SIZE=10_000,
    N_TREES=100,
    RESULTS_DIR="results",
)
MLP = dict(
    DATASET="mnist",
    TRAIN_SIZE=None,
    SEED=42,
    EPOCHS=5,
    BATCH_SIZE=100,
    N_SEEDS=3,
    SMALL_EPOCHS=20,
    DEEP_EPOCHS=20,
    PATIENCE=5,
    RESULTS_DIR="results",
)


@pytest.mark.parametrize(
    "chapter, values", [("02_baselines", BASELINES), ("03_mlp", MLP)]
)
def test_each_profile_validates_and_is_recognised(chapter, values):
    for name in profiles.PROFILES:
        checked = check_parameters(
            chapter, **{**values, **profiles.parameters(name, chapter, set(values))}
        )
        assert checked["PROFILE"] == name


@pytest.mark.parametrize(
    "name, value, allowed",
    [
        ("CV_FOLDS", 1, "an integer from 2 to 10"),
        ("CV_FOLDS", 11, "an integer from 2 to 10"),
        (
            "CV_SIZE",
            50,
            "None (the whole training split) or an integer from 100 to 60,000",
        ),
        ("N_TREES", 0, "an integer >= 1"),
    ],
)
def test_baselines_rules(name, value, allowed):
    with pytest.raises(ParameterError, match="is not allowed") as raised:
        check_parameters("02_baselines", **{**BASELINES, name: value})
    assert allowed in str(raised.value)


@pytest.mark.parametrize("name", ["N_SEEDS", "SMALL_EPOCHS", "DEEP_EPOCHS", "PATIENCE"])
def test_mlp_rules(name):
    with pytest.raises(ParameterError, match=f"{name}=0 is not allowed"):
        check_parameters("03_mlp", **{**MLP, name: 0})


def test_cv_on_all_images_is_allowed_and_is_the_full_profile():
    assert (
        check_parameters("02_baselines", **{**BASELINES, "CV_SIZE": None})["PROFILE"]
        == "full"
    )


def test_full_profile_is_the_sources_settings():
    assert profiles.parameters("full", "03_mlp", set(MLP)) == {
        "TRAIN_SIZE": None,
        "EPOCHS": 10,
        "BATCH_SIZE": 100,
        "N_SEEDS": 5,
        "SMALL_EPOCHS": 50,
        "DEEP_EPOCHS": 500,
        "PATIENCE": 50,
    }
    assert profiles.parameters("full", "02_baselines", set(BASELINES)) == {
        "TRAIN_SIZE": None,
        "CV_FOLDS": 5,
        "CV_SIZE": None,
        "N_TREES": 100,
    }
