import gzip

import numpy as np
import pytest

from helpers import data


def tiny_dataset(seed: int = 0):
    """Four small IDX files with the real files' layout: 20 train, 10 test images."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": np.arange(20, dtype=np.uint8) % 10,
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": np.arange(10, dtype=np.uint8),
    }
    return {name: data.encode_idx(array) for name, array in arrays.items()}, arrays


@pytest.fixture
def fake_data(tmp_path, monkeypatch):
    """A cache dir, a system dir holding gzipped tiny files, checksums that match them,
    no network."""
    files, arrays = tiny_dataset()
    system = tmp_path / "system"
    system.mkdir()
    for name, content in files.items():
        (system / f"{name}.gz").write_bytes(gzip.compress(content))
    monkeypatch.setenv("MNIST_BOOK_DATA", str(tmp_path / "cache"))
    monkeypatch.setenv("MNIST_BOOK_OFFLINE", "1")
    monkeypatch.setitem(data.SYSTEM_DIRS, "fashion_mnist", system)
    monkeypatch.setitem(
        data.SHA256, "fashion_mnist", {n: data.sha256(c) for n, c in files.items()}
    )
    return {
        "files": files,
        "arrays": arrays,
        "system": system,
        "cache": tmp_path / "cache" / "fashion_mnist",
    }
