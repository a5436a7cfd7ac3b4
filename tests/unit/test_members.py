"""Chapter 6's store of trained networks: resumable, shareable, safe to load."""

import json

import numpy as np
import pytest

from helpers import files, members


def test_write_atomic_leaves_no_partial_file(tmp_path):
    target = tmp_path / "sub" / "net-1.keras"
    files.write_atomic(target, b"done")
    assert target.read_bytes() == b"done"

    def fails(path):
        path.write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(tmp_path / "net-2.keras", fails)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["net-1.keras"]


def test_writer_gets_a_path_with_the_same_suffix(tmp_path):
    seen = []
    files.write_atomic(
        tmp_path / "net-1.keras",
        lambda path: (seen.append(path.suffix), path.write_text("x")),
    )
    assert seen == [".keras"]


def recipe(**changes):
    return {"dataset": "mnist", "seed": 42, "epochs": 40, **changes}


def test_saved_network_is_found_and_loaded_as_float16(tmp_path):
    store = members.Members(
        tmp_path, "06_ensemble", recipe(), "full", archive=tmp_path / "a"
    )
    assert not store.done(1)
    probabilities = np.random.default_rng(0).dirichlet(np.ones(10), size=100)
    store.save(1, probabilities, {"history": {"loss": [1.0]}, "train_seconds": 3.0})
    assert store.done(1) and not store.done(2)
    record, loaded = store.load(1)
    assert loaded.dtype == np.float16 and loaded.shape == (100, 10)
    assert np.allclose(loaded, probabilities, atol=1e-3)
    assert record["network"] == 1 and record["profile"] == "full"
    assert record["recipe"] == recipe() and "cpus" in record["environment"]


def test_a_network_without_its_record_is_not_done(tmp_path):
    store = members.Members(
        tmp_path, "06_ensemble", recipe(), "full", archive=tmp_path / "a"
    )
    store.save(1, np.ones((2, 10)) / 10, {})
    (store.folder / "net-1.json").unlink()
    assert not store.done(1)


def test_another_recipe_is_another_folder(tmp_path):
    a = members.Members(tmp_path, "06_ensemble", recipe(), "full")
    b = members.Members(tmp_path, "06_ensemble", recipe(epochs=5), "full")
    assert a.folder != b.folder and a.folder.name.startswith("06_ensemble-mnist-")


def test_archived_networks_are_used_but_not_by_custom_runs(tmp_path):
    archive = tmp_path / "archive"
    elsewhere = members.Members(tmp_path / "other", "06_ensemble", recipe(), "full")
    elsewhere.save(3, np.ones((2, 10)) / 10, {})
    (archive / "full" / members.FOLDER).mkdir(parents=True)
    elsewhere.folder.rename(archive / "full" / members.FOLDER / elsewhere.folder.name)
    here = members.Members(
        tmp_path / "results", "06_ensemble", recipe(), "full", archive=archive
    )
    assert here.done(3) and here.where(3).is_relative_to(archive)
    custom = members.Members(
        tmp_path / "results", "06_ensemble", recipe(), "custom", archive=archive
    )
    assert not custom.done(3)


def test_archived_probabilities_load_without_pickle(tmp_path):
    store = members.Members(tmp_path, "06_ensemble", recipe(), "full")
    store.save(1, np.ones((2, 10)) / 10, {})
    np.savez(
        store.folder / "net-1.npz", probabilities=np.array([{"evil": 1}], dtype=object)
    )
    with pytest.raises(ValueError, match="pickle"):
        store.load(1)


def test_accuracy_is_the_argmax_against_the_labels():
    from helpers.results import accuracy

    probabilities = np.array([[0.1, 0.9], [0.8, 0.2], [0.5, 0.5]])
    assert accuracy(probabilities, [1, 1, 0]) == pytest.approx(2 / 3)


def test_archived_records_name_their_recipe():
    """Every archived network has its probabilities and a record of the same recipe."""
    for run in members.archived("06_ensemble", "mnist") + members.archived(
        "06_ensemble", "fashion_mnist"
    ):
        assert run["probabilities"].shape[1:] == (10_000, 10)
        assert all(r["recipe"] == run["recipe"] for r in run["records"])
        assert all(r["profile"] == "full" for r in run["records"])
        json.dumps(run["recipe"])


def test_further_arrays_are_stored_beside_the_probabilities(tmp_path):
    store = members.Members(tmp_path, "07_faster-cosine", recipe(), "full")
    store.save(1, np.ones((2, 10)) / 10, {}, tta=np.full((2, 10), 0.2))
    assert np.allclose(store.load_array(1, "tta"), 0.2, atol=1e-3)
    assert store.load_array(1, "missing") is None
