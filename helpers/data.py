"""MNIST and Fashion-MNIST from verified files, offline first (chapter 1).

``load(name)`` returns exactly what ``keras.datasets.<name>.load_data()``
returns, but it never trusts a byte it has not checksummed, and it works on a
machine without internet access once ``make data`` has provisioned the files.

Sources, tried in order for each of the four IDX files until one matches its
SHA-256:

1. the cache directory (``$MNIST_BOOK_DATA``, else ``~/.cache/mnist-book``);
2. the system dataset directory of Debian's ``dataset-fashion-mnist``;
3. the online mirrors that ``keras.datasets`` uses (skipped when
   ``MNIST_BOOK_OFFLINE=1``).

``scripts/provision.py`` in the book's repository (what ``make data`` runs)
fills the cache on a machine that reaches only package registries; the
package itself only loads and verifies.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import struct
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .files import write_atomic

DATASETS = ("mnist", "fashion_mnist")
N_TRAIN = 60_000  # training images in either dataset
N_TEST = 10_000  # test images in either dataset

CLASS_NAMES = {
    "mnist": tuple(str(digit) for digit in range(10)),
    "fashion_mnist": (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
}

FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",  # noqa: E501
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",  # noqa: E501
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",  # noqa: E501
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",  # noqa: E501
    },
    "fashion_mnist": {
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",  # noqa: E501
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",  # noqa: E501
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",  # noqa: E501
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",  # noqa: E501
    },
}

SYSTEM_DIRS = {"fashion_mnist": Path("/usr/share/datasets/fashion-mnist")}

# The hosts keras.datasets downloads from (MNIST as one .npz, Fashion-MNIST as
# gzipped IDX), then the datasets' own hosts as a second chance.
KERAS_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
MIRRORS = {
    "mnist": (
        KERAS_BASE + "mnist.npz",
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
    ),
    "fashion_mnist": (
        KERAS_BASE,
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    ),
}
NPZ_KEYS = dict(zip(FILES, ("x_train", "y_train", "x_test", "y_test")))

FIX_COMMAND = "make data  (or: python scripts/provision.py)"
DOWNLOAD_TIMEOUT_S = 30


class DataError(RuntimeError):
    """No source gave a file with the expected checksum."""


class Splits(NamedTuple):
    """Train/validation/test arrays, as :func:`prepare` returns them."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def all_training(self) -> tuple[np.ndarray, np.ndarray]:
        """Training and validation images together, ``(x, y)`` (chapters 3 and 4).

        For a final fit once nothing is left to choose on the validation
        images: source 001 trained on all 60,000, with no validation split.
        """
        return (
            np.concatenate([self.x_train, self.x_val]),
            np.concatenate([self.y_train, self.y_val]),
        )


def cache_dir() -> Path:
    """The cache directory: ``$MNIST_BOOK_DATA`` or ``~/.cache/mnist-book``."""
    env = os.environ.get("MNIST_BOOK_DATA")
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mnist-book"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_name(name: str) -> None:
    if name not in DATASETS:
        raise ValueError(
            f"unknown dataset {name!r}: "
            f"expected one of {', '.join(map(repr, DATASETS))}"
        )


# --- IDX format ------------------------------------------------------------


def parse_idx(data: bytes) -> np.ndarray:
    """Decode an uncompressed IDX file of unsigned bytes into an array."""
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError("not an IDX file of unsigned bytes")
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return body.reshape(shape).copy()  # writable, like keras.datasets' arrays


def encode_idx(array: np.ndarray) -> bytes:
    """Encode a uint8 array as IDX bytes (the inverse of :func:`parse_idx`)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(f">HBB{array.ndim}I", 0, 0x08, array.ndim, *array.shape)
    return header + array.tobytes()


# --- sources ---------------------------------------------------------------
# A source maps (dataset, file name) to the file's uncompressed bytes, or
# raises OSError/ValueError saying why it has none.


def _from_cache(name: str, filename: str) -> bytes:
    return (cache_dir() / name / filename).read_bytes()


def _from_system(name: str, filename: str) -> bytes:
    if name not in SYSTEM_DIRS:
        raise FileNotFoundError(f"no system package provides {name}")
    return gzip.decompress((SYSTEM_DIRS[name] / f"{filename}.gz").read_bytes())


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
        return response.read()


def _from_mirror(base: str) -> Callable[[str, str], bytes]:
    def fetch(name: str, filename: str) -> bytes:
        if os.environ.get("MNIST_BOOK_OFFLINE") == "1":
            raise OSError("skipped: MNIST_BOOK_OFFLINE=1")
        if base.endswith(".npz"):
            with np.load(io.BytesIO(_download(base)), allow_pickle=False) as npz:
                return encode_idx(npz[NPZ_KEYS[filename]])
        return gzip.decompress(_download(f"{base}{filename}.gz"))

    fetch.__name__ = base
    return fetch


def _sources(name: str) -> Iterator[tuple[str, Callable[[str, str], bytes]]]:
    yield f"cache {cache_dir() / name}", _from_cache
    yield (
        f"system directory {SYSTEM_DIRS.get(name, '(none for ' + name + ')')}",
        _from_system,
    )
    for base in MIRRORS[name]:
        yield base, _from_mirror(base)


def fetch_file(name: str, filename: str) -> bytes:
    """Return one verified IDX file, caching it if it came from elsewhere.

    Raises :class:`DataError` naming the file, every source tried, the
    expected and actual checksums, and the command that fixes it.
    """
    expected = SHA256[name][filename]
    tried = []
    for label, source in _sources(name):
        try:
            data = source(name, filename)
        except (OSError, ValueError, KeyError, EOFError) as error:
            tried.append(f"  - {label}: {type(error).__name__}: {error}")
            continue
        actual = sha256(data)
        if actual == expected:
            if source is not _from_cache:
                write_atomic(cache_dir() / name / filename, data)
            return data
        tried.append(
            f"  - {label}: checksum mismatch, expected {expected}, actual {actual}"
            f" ({len(data):,} bytes)"
        )
    raise DataError(
        f"No verified copy of {name}/{filename} (expected SHA-256 {expected}).\n"
        "Sources tried:\n"
        + "\n".join(tried)
        + f"\nFix: run `{FIX_COMMAND}` in the book's repository, "
        "or set MNIST_BOOK_DATA to a directory that holds verified copies."
    )


def load(
    name: str,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``(x_train, y_train), (x_test, y_test)`` as uint8, like ``keras.datasets``
    (chapter 1)."""
    _check_name(name)
    x_train, y_train, x_test, y_test = (parse_idx(fetch_file(name, f)) for f in FILES)
    return (x_train, y_train), (x_test, y_test)


# --- preparing the arrays --------------------------------------------------


def scale(images: np.ndarray, channel_axis: bool = True) -> np.ndarray:
    """uint8 pixels to float32 in [0, 1], with a trailing channel axis for CNNs (chapter
    1)."""
    scaled = images.astype("float32") / 255.0
    return scaled[..., np.newaxis] if channel_axis else scaled


def stratified_subset(x: np.ndarray, y: np.ndarray, size: int | None, seed: int):
    """``size`` examples with the class proportions of ``y`` (all of them for None)
    (chapter 1)."""
    if size is None or size >= len(y):
        return x, y
    from sklearn.model_selection import train_test_split

    index = np.arange(len(y))
    keep, _ = train_test_split(index, train_size=size, stratify=y, random_state=seed)
    keep.sort()  # keep the original order, so the first images stay the first
    return x[keep], y[keep]


def split(x: np.ndarray, y: np.ndarray, val_fraction: float = 0.2, seed: int = 0):
    """Stratified train/validation split, ``(x_train, x_val, y_train, y_val)`` (chapter
    1)."""
    from sklearn.model_selection import train_test_split

    return train_test_split(x, y, test_size=val_fraction, stratify=y, random_state=seed)


def prepare(
    name: str,
    train_size: int | None = None,
    seed: int = 0,
    val_fraction: float = 0.2,
    channel_axis: bool = True,
) -> Splits:
    """Load, subset, scale and split a dataset, the recipe of chapter 1 in one call."""
    (x_train, y_train), (x_test, y_test) = load(name)
    x_train, y_train = stratified_subset(x_train, y_train, train_size, seed)
    x_tr, x_val, y_tr, y_val = split(
        scale(x_train, channel_axis), y_train, val_fraction, seed
    )
    return Splits(x_tr, y_tr, x_val, y_val, scale(x_test, channel_axis), y_test)
