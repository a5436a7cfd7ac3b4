import numpy as np
import pytest

from helpers import data, params, profiles
from helpers.params import ParameterError, check_parameters

GOOD = dict(
    DATASET="mnist",
    TRAIN_SIZE=None,
    SEED=0,
    EPOCHS=3,
    BATCH_SIZE=64,
    RESULTS_DIR="results",
)


def test_good_values_pass_and_get_a_profile():
    checked = check_parameters("01_data", **GOOD)
    assert {k: checked[k] for k in GOOD} == GOOD
    assert checked["PROFILE"] in (*profiles.PROFILES, profiles.CUSTOM)


@pytest.mark.parametrize(
    "name, value, allowed",
    [
        ("DATASET", "cifar10", "one of 'mnist', 'fashion_mnist'"),
        ("DATASET", None, "one of 'mnist', 'fashion_mnist'"),
        ("EPOCHS", 0, "an integer >= 1"),
        ("EPOCHS", 2.5, "an integer >= 1"),
        ("EPOCHS", "3", "an integer >= 1"),
        (
            "TRAIN_SIZE",
            60_001,
            "None (all 60,000 training images) or an integer from 100 to 60,000",
        ),
        ("TRAIN_SIZE", 99, "an integer from 100 to 60,000"),
        ("TRAIN_SIZE", True, "an integer from 100 to 60,000"),
        ("SEED", -1, "an integer from 0 to"),
        ("BATCH_SIZE", 0, "an integer from 1 to 60,000"),
        ("RESULTS_DIR", "", "a non-empty string"),
        ("RESULTS_DIR", 3, "a non-empty string"),
    ],
)
def test_bad_value_names_parameter_value_and_what_is_allowed(name, value, allowed):
    with pytest.raises(ParameterError) as raised:
        check_parameters("01_data", **{**GOOD, name: value})
    message = str(raised.value)
    assert message.startswith(f"{name}={value!r} is not allowed")
    assert allowed in message


def test_unknown_parameter_is_refused():
    with pytest.raises(ParameterError, match="EPOCH is not a parameter"):
        check_parameters("01_data", EPOCH=3)


def test_profiles_are_parameter_sets_that_pass_validation():
    for name in profiles.PROFILES:
        values = {**GOOD, **profiles.parameters(name, "03_mlp")}
        check_parameters("03_mlp", **values)


def test_smoke_profile_is_small():
    smoke = profiles.parameters("smoke", "01_data")
    assert smoke["TRAIN_SIZE"] <= 5000 and smoke["EPOCHS"] == 1


def test_parameters_keep_only_declared_names():
    assert profiles.parameters("smoke", "01_data", declared={"TRAIN_SIZE"}) == {
        "TRAIN_SIZE": 2000
    }


def test_identify_derives_the_profile():
    assert profiles.identify("01_data", {"TRAIN_SIZE": 2000, "SEED": 1}) == "smoke"
    assert profiles.identify("01_data", {"TRAIN_SIZE": None}) in ("standard", "full")
    assert profiles.identify("01_data", {"TRAIN_SIZE": 777}) == profiles.CUSTOM


def test_unknown_profile():
    with pytest.raises(ValueError, match="unknown profile 'fast'"):
        profiles.parameters("fast", "01_data")


def test_describe_shows_each_profile_for_a_chapter():
    table = profiles.describe(
        "01_data",
        {"DATASET": "mnist", "TRAIN_SIZE": 500, "SEED": 1, "PROFILE": "custom"},
    )
    assert list(table.columns) == list(profiles.PROFILES)
    assert (
        table.loc["TRAIN_SIZE", "smoke"] == "2000"
        and table.loc["TRAIN_SIZE", "standard"] == "None"
    )
    assert table.loc["DATASET", "full"] == "'mnist'" and "PROFILE" not in table.index


def test_a_models_profile_is_judged_on_the_parameters_it_uses():
    """Chapter 4: a run that shortens only the batch-normalized CNN keeps the others at
    full."""
    run = {"DATASET": "mnist", "TRAIN_SIZE": None, "SEED": 42}
    assert profiles.identify("04_cnn", {**run, "EPOCHS": 5, "BATCH_SIZE": 32}) == "full"
    assert profiles.identify("04_cnn", {**run, "BN_EPOCHS": 2}) == profiles.CUSTOM
    assert (
        profiles.identify(
            "04_cnn", {**run, "EPOCHS": 5, "BATCH_SIZE": 32, "BN_EPOCHS": 2}
        )
        == profiles.CUSTOM
    )


def test_a_profile_can_set_other_values_for_another_dataset():
    """Chapter 5's full profile trains Fashion-MNIST longer than source 004 trained
    MNIST."""
    run = {
        "TRAIN_SIZE": None,
        "SEED": 42,
        "RESULTS_DIR": "r",
        "BATCH_SIZE": 128,
        "L2_EPOCHS": 30,
    }
    mnist, fashion = {**run, "DATASET": "mnist"}, {**run, "DATASET": "fashion_mnist"}
    assert profiles.identify("05_regularization", {**mnist, "EPOCHS": 20}) == "full"
    assert profiles.identify("05_regularization", {**fashion, "EPOCHS": 30}) == "full"
    assert (
        profiles.identify("05_regularization", {**fashion, "EPOCHS": 20})
        == profiles.CUSTOM
    )
    assert (
        profiles.identify("05_regularization", {**mnist, "EPOCHS": 30})
        == profiles.CUSTOM
    )
    table = profiles.describe("05_regularization", {**fashion, "EPOCHS": 1})
    assert (
        table.loc["EPOCHS", "full"] == "30" and table.loc["EPOCHS", "standard"] == "10"
    )


def test_dataset_values_name_known_profiles_chapters_and_datasets():
    for profile, chapters in profiles.BY_DATASET.items():
        assert profile in profiles.PROFILES
        for chapter, datasets in chapters.items():
            assert chapter in profiles.PROFILES[profile]
            assert set(datasets) <= set(data.DATASETS)
            for (
                values
            ) in datasets.values():  # only names the chapter's profile entry sets
                assert set(values) <= set(profiles.parameters(profile, chapter))


def test_a_mistyped_papermill_parameter_stops_the_chapter(tmp_path):
    """papermill only logs 'Passed unknown parameter'; the validation cell refuses
    it."""
    import nbformat
    import papermill

    nb = nbformat.v4.new_notebook()
    declared = nbformat.v4.new_code_cell("EPOCHS = 5\nSEED = 42")
    declared.metadata["tags"] = ["parameters"]
    check = nbformat.v4.new_code_cell(
        "from helpers.params import check_parameters\n"
        "check_parameters('03_mlp', EPOCHS=EPOCHS, SEED=SEED)\nprint('validated')"
    )
    nb.cells = [declared, check]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, tmp_path / "chapter.ipynb")
    run = dict(kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    papermill.execute_notebook(
        str(tmp_path / "chapter.ipynb"),
        str(tmp_path / "ok.ipynb"),
        parameters={"EPOCHS": 3},
        **run,
    )
    with pytest.raises(
        papermill.PapermillExecutionError,
        match="EPOCH is not a parameter of 03_mlp. Did you mean EPOCHS",
    ):
        papermill.execute_notebook(
            str(tmp_path / "chapter.ipynb"),
            str(tmp_path / "typo.ipynb"),
            parameters={"EPOCH": 3},
            **run,
        )


def test_the_profile_box_fits_the_page():
    values = {"PROFILE": "smoke", "DATASET": "fashion_mnist", "TRAIN_SIZE": 2000}
    models = profiles.note(values)
    assert models.startswith("This page was executed with the smoke profile")
    assert "(Fashion-MNIST, 2,000 training images)" in models
    assert "The results chapter shows" in models
    assert "trains no model" in profiles.note(values, page="data")
    results = profiles.note(values, page="results")
    assert "results chapter" not in results and "first section below" in results


def test_networks_as_papermill_passes_them():
    """`-p NETWORKS "[1, 2]"` arrives as text, `-y` as a list: both select the
    same networks; text that is not a literal is refused, never run."""
    assert params.selected_networks("[1, 2]", 3) == [1, 2]
    assert params.selected_networks([2, 1], 3) == [1, 2]
    assert params.selected_networks("3", 3) == [3]
    assert params.RULES["NETWORKS"]("[1, 2]") is None
    assert params.RULES["NETWORKS"]("__import__('os')") is not None
    assert params.RULES["NETWORKS"]("[0]") is not None


def chapter_values(chapter, profile):
    """A chapter's parameters under ``profile``, checked as the chapter checks them."""
    import ast
    import json
    from pathlib import Path

    notebook = Path(__file__).resolve().parents[2] / "book" / f"{chapter}.ipynb"
    cell = next(
        c
        for c in json.loads(notebook.read_text())["cells"]
        if "parameters" in c["metadata"].get("tags", [])
    )
    declared = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse("".join(cell["source"])).body
    }
    declared |= profiles.parameters(
        profile, chapter, set(declared), declared.get("DATASET")
    )
    return check_parameters(chapter, **declared)


TRAINING_CHAPTERS = [
    "02_baselines",
    "03_mlp",
    "04_cnn",
    "05_regularization",
    "06_ensemble",
    "07_faster",
    "08_clothes",
]


@pytest.mark.parametrize("profile", ["smoke", "standard", "full"])
@pytest.mark.parametrize("chapter", TRAINING_CHAPTERS)
def test_the_box_says_what_the_profile_means_for_this_chapter(chapter, profile):
    """Where this chapter departs from the full profile, with the full profile's
    values; the one-class remark only in chapters with batch-normalized networks
    that a smoke run leaves there, with the accuracy such a network shows; no
    other chapter named."""
    import re

    values = chapter_values(chapter, profile)
    assert values.chapter == chapter and values["PROFILE"] == profile
    box = profiles.note(values)
    full = profiles.parameters("full", chapter, set(values), values.get("DATASET"))
    departing = [name for name, value in full.items() if values[name] != value]
    if profile == "full":
        assert "At the full profile" not in box
    else:
        for name in departing:
            if name not in ("TRAIN_SIZE", "CV_SIZE"):
                assert f"{name} {full[name]:,}" in box, (name, box)
    assert ("sources' epochs and batches" in box) == (chapter not in profiles.FULL_IS)
    one_class = "answer one class for every image" in box
    assert one_class == (profile == "smoke" and chapter in profiles.BATCH_NORMALIZED), (
        box
    )
    if one_class:
        _, (_, labels) = data.load(values["DATASET"])
        shares = np.bincount(labels) / len(labels)
        assert f"{shares.max():.4f}" in box and f"{shares.min():.4f}" in box
        assert "0.10," not in box and "0.10)" not in box
    assert not re.findall(r"chapter \d+", box), box


def test_the_one_class_remark_sits_where_batch_normalization_does():
    """Chapters listed in BATCH_NORMALIZED train batch-normalized networks (in the
    notebook or in the helpers it imports); of those that do, only chapter 5 is
    left out (its momentum of 0.9 keeps the smoke run's networks off one class,
    a note in profiles says so)."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "scripts"))
    import book

    def uses_batch_norm(stem):
        notebook = root / "book" / f"{stem}.ipynb"
        texts = [notebook.read_text()] + [
            p.read_text() for p in book.helpers_used(notebook)
        ]
        return any("BatchNormalization(" in text for text in texts)

    with_batch_norm = {s for s in TRAINING_CHAPTERS if uses_batch_norm(s)}
    assert set(profiles.BATCH_NORMALIZED) <= with_batch_norm
    assert with_batch_norm - set(profiles.BATCH_NORMALIZED) == {"05_regularization"}


def test_parameters_stay_a_plain_dict_for_the_metrics_files():
    import json

    values = chapter_values("05_regularization", "smoke")
    assert isinstance(values, dict) and json.loads(json.dumps(values)) == values


def test_the_box_is_one_sentence_that_names_the_profile_and_the_budget():
    smoke = {"PROFILE": "smoke", "DATASET": "mnist", "TRAIN_SIZE": 2000, "EPOCHS": 1}
    line = profiles.headline(smoke)
    assert line.startswith("This page was executed with the smoke profile")
    assert "(MNIST, 2,000 images, 1 epoch)" in line and "test the code" in line
    standard = {**smoke, "PROFILE": "standard", "TRAIN_SIZE": None, "EPOCHS": 5}
    assert "all training images, 5 epochs" in profiles.headline(standard)
    assert "archived" in profiles.headline(standard)
    assert profiles.headline(standard, page="data").endswith("it trains no model.")
    assert len(profiles.headline(standard).split()) <= 30
