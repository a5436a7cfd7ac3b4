"""Metrics files that every chapter writes and the results chapter reads.

Each trained model leaves one JSON file in ``RESULTS_DIR`` (introduced in
chapter 2), so the results chapter can compare models across chapters and
profiles without rerunning anything. The accuracies the source tutorials
reported live here, in :data:`REPORTED`, and nowhere else.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

# The book's tables hold phrases (the machine a run trained on, a published
# network's training) that pandas would cut at 50 characters with "...".
pd.set_option("display.max_colwidth", None)

# Metrics of runs too long for every build (the full profile: hours on a CPU),
# kept with the package by `python scripts/book.py archive` (the results chapter
# shows them). MNIST_BOOK_ARCHIVE points the chapters at another archive (the
# tests use one with made-up networks).
ARCHIVE = Path(
    os.environ.get("MNIST_BOOK_ARCHIVE") or Path(__file__).resolve().parent / "archive"
)

FIELDS = (
    "model",
    "dataset",
    "profile",
    "test_accuracy",
    "train_seconds",
    "weights",
    "parameters",
)

# What the source documents reported, for the models the book reproduces.
# "split" says what the number was measured on: several sources report
# validation accuracy only. Source 002 also gives the two models' 5-fold CV means
# (tree 0.7900, forest 0.8799); the validation scores compare both alike.
REPORTED = (
    {
        "model": "tree_source002",
        "dataset": "fashion_mnist",
        "source": "002",
        "accuracy": 0.7896,
        "split": "validation",
    },
    {
        "model": "forest_source002",
        "dataset": "fashion_mnist",
        "source": "002",
        "accuracy": 0.8805,
        "split": "validation",
    },
    {
        "model": "mlp_source002",
        "dataset": "fashion_mnist",
        "source": "002",
        "accuracy": 0.8953,
        "split": "validation",
    },
    {
        "model": "cnn_source002",
        "dataset": "fashion_mnist",
        "source": "002",
        "accuracy": 0.9252,
        "split": "validation",
    },
    {
        "model": "mlp_source001",
        "dataset": "mnist",
        "source": "001",
        "accuracy": 0.9811,
        "split": "test",
    },
    {
        "model": "mlp_source001_all",
        "dataset": "mnist",
        "source": "001",
        "accuracy": 0.9811,
        "split": "test",
    },
    {
        "model": "mlp_source004",
        "dataset": "mnist",
        "source": "004",
        "accuracy": 0.9631,
        "split": "test",
    },
    {
        "model": "cnn_source001",
        "dataset": "mnist",
        "source": "001",
        "accuracy": 0.9904,
        "split": "test",
    },
    {
        "model": "cnn_source001_all",
        "dataset": "mnist",
        "source": "001",
        "accuracy": 0.9904,
        "split": "test",
    },
    {
        "model": "cnn_source004_l2_dropout",
        "dataset": "mnist",
        "source": "004",
        "accuracy": 0.9753,
        "split": "test",
    },
    {
        "model": "ensemble_source000",
        "dataset": "mnist",
        "source": "000",
        "accuracy": 0.9972,
        "split": "test",
    },
)


# Beyond the sources: Chris Deotte measured source 000's network over 1,500
# training runs {cite}`deotte2018`; the mean test accuracy of one network.
SINGLE_NETWORK_MEAN = {
    "model": "cnn_source000",
    "dataset": "mnist",
    "accuracy": 0.9964,
    "runs": 1500,
}


# Beyond the sources: what published small networks reach on Fashion-MNIST's
# 10,000 test images, as their authors report them, with the training each
# needed (chapter 8; the results chapter sets the archived runs beside them):
# "network_epochs" counts epochs over all networks, None where not reported.
# "cite" is the key of the publication in references.bib.
PUBLISHED = (
    {
        "network": "people (Zalando's labelling study)",
        "weights": None,
        "training": "none",
        "network_epochs": None,
        "accuracy": (0.835, 0.835),
        "cite": "xiao2017",
        # how often people agreed with a sample of the labels: no rival to rank a
        # network against, so no verdict names it
        "ranked": False,
    },
    {
        "network": "2-5-layer CNNs with batch normalization",
        "weights": None,
        "training": "Zalando's benchmark table",
        "network_epochs": None,
        "accuracy": (0.925, 0.934),
        "cite": "xiao2017",
    },
    {
        "network": "CNN with shortcuts, 296k weights",
        "weights": 296_000,
        "training": "crop, mirror, random erasing, decaying rate",
        "network_epochs": None,
        "accuracy": (0.947, 0.947),
        "cite": "xiao2017",
    },
    {
        "network": "ResNet, 1.2M weights",
        "weights": 1_200_000,
        "training": "5 epochs, no augmentation",
        "network_epochs": 5,
        "accuracy": (0.928, 0.930),
        "cite": "howard2022",
    },
    {
        "network": "ResNet, 4.9M weights",
        "weights": 4_900_000,
        "training": "20 epochs, 1-pixel crop and mirror",
        "network_epochs": 20,
        "accuracy": (0.943, 0.943),
        "cite": "howard2022",
    },
    {
        "network": "ResNet, 4.9M weights",
        "weights": 4_900_000,
        "training": "20 epochs, crop and mirror, mirror at test time",
        "network_epochs": 20,
        "accuracy": (0.945, 0.945),
        "cite": "howard2022",
    },
    {
        "network": "ResNet, 4.9M weights",
        "weights": 4_900_000,
        "training": "50 epochs, crop, mirror and random erasing",
        "network_epochs": 50,
        "accuracy": (0.949, 0.949),
        "cite": "howard2022",
    },
    {
        "network": "two ResNets of 4.9M weights, ensembled",
        "weights": 9_800_000,
        "training": "25 epochs each",
        "network_epochs": 50,
        "accuracy": (0.947, 0.947),
        "cite": "howard2022",
    },
    {
        "network": "ResNet-preact-20, 0.27M weights",
        "weights": 270_000,
        "training": "200 epochs, SGD, cosine rate, pad-4 crop and mirror",
        "network_epochs": 200,
        "accuracy": (0.9496, 0.9496),
        "cite": "hysts2019",
    },
    {
        "network": "ResNet-preact-20, 0.27M weights",
        "weights": 270_000,
        "training": "200 epochs, as above, and cutout",
        "network_epochs": 200,
        "accuracy": (0.9551, 0.9551),
        "cite": "hysts2019",
    },
    # Zhong et al. report the best test epoch's accuracy, where the book reports
    # the last epoch's: theirs may be a little optimistic
    {
        "network": "ResNet-20, 0.27M weights",
        "weights": 270_000,
        "training": "300 epochs, SGD, step decay, pad-4 crop and mirror",
        "network_epochs": 300,
        "accuracy": (0.9561, 0.9561),
        "cite": "zhong2020",
    },
    {
        "network": "ResNet-20, 0.27M weights",
        "weights": 270_000,
        "training": "300 epochs, as above, and random erasing",
        "network_epochs": 300,
        "accuracy": (0.9598, 0.9598),
        "cite": "zhong2020",
    },
    {
        "network": "ResNet-32, 0.46M weights",
        "weights": 460_000,
        "training": "300 epochs, as above, and random erasing",
        "network_epochs": 300,
        "accuracy": (0.9620, 0.9620),
        "cite": "zhong2020",
    },
)


def reported(model: str, dataset: str) -> dict | None:
    """The source's reported accuracy for ``model`` on ``dataset``, if it reported
    one."""
    return next(
        (r for r in REPORTED if r["model"] == model and r["dataset"] == dataset), None
    )


def environment() -> dict:
    """Where and when a model was trained: the date, the machine, the versions (chapter
    2).

    Saved with every metrics file, so that a training time always says what it
    was measured on (two CPU cores and a GPU differ by a factor of ten or more).
    Libraries are only reported, never imported: a scikit-learn chapter stays
    free of TensorFlow.
    """
    env = {
        "recorded_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "accelerator": None,
        "python": platform.python_version(),
    }
    for module, name in (
        ("keras", "keras"),
        ("tensorflow", "tensorflow"),
        ("sklearn", "scikit-learn"),
    ):
        if module in sys.modules:
            env[name] = getattr(sys.modules[module], "__version__", None)
    env.update(cpu())
    tf = sys.modules.get("tensorflow")
    if tf:
        env["onednn"] = onednn_enabled()
    gpus = tf.config.list_physical_devices("GPU") if tf else []
    if gpus:
        env["accelerator"] = tf.config.experimental.get_device_details(gpus[0]).get(
            "device_name", gpus[0].name
        )
    return env


# CPU features that decide how fast TensorFlow's CPU kernels are (chapter 6)
CPU_FEATURES = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_tile")


def cpu() -> dict:
    """The CPU's model name and its vector features, from /proc/cpuinfo on Linux.

    Timings differ four-fold and more between CPUs, so a recorded time names
    the processor it was measured on.
    """
    info = {"cpu": platform.processor() or platform.machine()}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return info
    fields = dict(line.split(":", 1) for line in text.splitlines()[:40] if ":" in line)
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    info["cpu"] = fields.get("model name", info["cpu"])
    flags = set(fields.get("flags", "").split())
    info["cpu_features"] = [name for name in CPU_FEATURES if name in flags]
    return info


def onednn_enabled() -> bool | None:
    """Whether TensorFlow runs its oneDNN CPU kernels (None: not imported or
    unknown)."""
    if "tensorflow" not in sys.modules:
        return None
    try:
        from tensorflow.python.util import _pywrap_util_port
    except ImportError:
        return None
    return bool(_pywrap_util_port.IsMklEnabled())


def device(env: dict | None, cpu_model: bool = False) -> str:
    """A short name for what a model trained on: the GPU, or the CPU cores and,
    with ``cpu_model``, the CPU's model name (chapters 7 and 9)."""
    if not env:
        return "not recorded"
    if env.get("accelerator"):
        return env["accelerator"]
    cores = f"{env.get('cpus')} CPU cores"
    return f"{cores} of an {env['cpu']}" if cpu_model and env.get("cpu") else cores


def save_metrics(
    results_dir,
    *,
    chapter: str,
    model: str,
    dataset: str,
    profile: str,
    test_accuracy: float,
    train_seconds: float,
    weights: int | None,
    parameters: dict,
    test_predictions=None,
    val_accuracy: float | None = None,
    **extra,
) -> Path:
    """Write one model's metrics as ``<chapter>-<model>-<dataset>.json`` (chapter 2).

    ``weights`` is the number of trainable weights, or None for trees;
    ``parameters`` the chapter's papermill parameters; ``test_predictions``
    the predicted class of every test image, so the results chapter can write
    the best model's predictions without rerunning it; ``val_accuracy`` the
    accuracy on the validation split (named here so that every chapter stores
    it under the key the results chapter reads); ``extra`` anything else worth
    keeping (epochs run, seeds, ...).
    """
    for name, value in (
        ("test_accuracy", test_accuracy),
        ("val_accuracy", val_accuracy),
    ):
        if value is not None and (math.isnan(value) or not 0.0 <= value <= 1.0):
            raise ValueError(f"{name} must be in [0, 1], got {value}")
    if val_accuracy is not None:
        extra["val_accuracy"] = float(val_accuracy)
    record = {
        "chapter": chapter,
        "model": model,
        "dataset": dataset,
        "profile": profile,
        "test_accuracy": float(test_accuracy),
        "train_seconds": round(float(train_seconds), 3),
        "weights": None if weights is None else int(weights),
        "parameters": parameters,
        "environment": environment(),
        **extra,
    }
    if test_predictions is not None:
        record["test_predictions"] = [int(label) for label in test_predictions]
    path = Path(results_dir) / f"{chapter}-{model}-{dataset}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path


def accuracy(probabilities, labels) -> float:
    """The share of images whose most probable class is the label (chapter 3).

    The book's one definition of accuracy: for a network, for an ensemble
    (pass the summed probabilities), on every split. Ties go to the lower
    class, as ``argmax`` decides.
    """
    return float(
        (np.asarray(probabilities).argmax(axis=-1) == np.asarray(labels)).mean()
    )


def rounded(table, digits: int = 4):
    """``table`` (a DataFrame or Series) with its floats rounded as the prose
    prints them (chapter 1).

    A number glued into a sentence goes through Python's formatting
    (``{glue:text}`name:.4f```), which rounds the float as stored; pandas'
    ``round`` scales it first and rounds halves to even, so 294/1600 = 0.18375
    read 0.1838 in a table and 0.1837 in the sentence beside it.
    """

    def one(value):
        return float(f"{value:.{digits}f}") if isinstance(value, float) else value

    if hasattr(table, "columns"):
        return table.apply(lambda column: column.map(one))
    return table.map(one)


@dataclass
class Score:
    """What :func:`score` measured: the test set's probabilities and accuracies."""

    test_probabilities: np.ndarray
    test_accuracy: float
    val_accuracy: float | None = None
    path: Path | None = None  # the metrics file, once saved

    @property
    def test_predictions(self) -> np.ndarray:
        return self.test_probabilities.argmax(axis=-1)


def score(
    model, x_test, y_test, x_val=None, y_val=None, batch_size: int = 1000
) -> Score:
    """Predict the test set (and the validation split, if given) and measure (chapter
    3)."""

    def predict(x):
        return np.asarray(model.predict(x, batch_size=batch_size, verbose=0))

    probabilities = predict(x_test)
    val = None if x_val is None else accuracy(predict(x_val), y_val)
    return Score(probabilities, accuracy(probabilities, y_test), val)


def score_and_save(
    results_dir,
    run,
    x_test,
    y_test,
    x_val=None,
    y_val=None,
    *,
    chapter: str,
    model: str,
    dataset: str,
    profile: str,
    parameters: dict,
    **extra,
) -> Score:
    """Score a trained run (:class:`helpers.training.Run`) and write its metrics
    (chapter 3).

    Every Keras chapter records its models through this one function, so
    every metrics file holds the same fields, measured the same way.
    """
    measured = score(run.model, x_test, y_test, x_val, y_val)
    measured.path = save_metrics(
        results_dir,
        chapter=chapter,
        model=model,
        dataset=dataset,
        profile=profile,
        test_accuracy=measured.test_accuracy,
        val_accuracy=measured.val_accuracy,
        train_seconds=run.train_seconds,
        weights=run.weights,
        parameters=parameters,
        test_predictions=measured.test_predictions,
        epochs_run=run.epochs_run,
        best_epoch=run.best_epoch,
        **extra,
    )
    return measured


def load_metrics(results_dir) -> list[dict]:
    """Every model's metrics in ``results_dir`` (files without a ``model`` field are
    skipped)."""
    records = []
    for path in sorted(Path(results_dir).glob("*.json")):
        record = json.loads(path.read_text())
        if "model" in record and "test_accuracy" in record:
            records.append(record)
    return records


def load_archive(profile: str = "full", archive=ARCHIVE) -> list[dict]:
    """The archived metrics of the runs made with ``profile`` (chapter 10)."""
    return [r for r in load_metrics(Path(archive) / profile) if r["profile"] == profile]


# One readable name per model id, for tables, legends and sentences (chapters 2
# to 5); the ids stay in the metrics files. Every id in the archive has one
# (a unit test checks).
DISPLAY_NAMES = {
    "tree_source002": "decision tree of source 002",
    "forest_source002": "random forest of source 002",
    "mlp_source001": "784-1000-10 MLP of source 001",
    "mlp_source001_all": "784-1000-10 MLP of source 001, all training images",
    "mlp_source004": "784-64-16-10 MLP of source 004",
    "mlp_source002": "deep MLP of source 002",
    "cnn_source001": "CNN of source 001",
    "cnn_source001_all": "CNN of source 001, all training images",
    "cnn_source003": "CNN of source 003",
    "cnn_source002": "batch-normalized CNN of source 002",
    "cnn_source004_baseline": "CNN of source 004, unregularised",
    "cnn_source004_dropout": "CNN of source 004 + dropout",
    "cnn_source004_l2_dropout": "L2 + dropout CNN of source 004, raw pixels",
    "cnn_source004_l2_dropout_scaled": "L2 + dropout CNN of source 004, [0, 1] pixels",
    "cnn_source004_batchnorm": "CNN of source 004 + batch norm",
    "cnn_source004_early_stopping": "CNN of source 004 + early stopping",
    "cnn_source004_augmented": "CNN of source 004 + augmentation",
    "cnn_source004_combined": "CNN of source 004 + all regularisers",
    "cnn_source000": "one CNN of source 000's ensemble",
    "ensemble_source000": "source 000's ensemble of CNNs",
    "ensemble_source000_faster": "chapter 7's faster ensemble",
    "ensemble_clothes": "chapter 8's ensemble, its recipe chosen on validation",
}


def display_name(model: str) -> str:
    """The readable name of a model id (chapters 2 to 5), or the id itself when it
    has none."""
    return DISPLAY_NAMES.get(model, model)


def noise_images(accuracy: float, n: int) -> float:
    """Two standard errors of an accuracy measured on ``n`` images, counted in
    images (chapter 2): 2·√(p(1 − p)/n)·n.

    Two runs, or a run and a source, whose accuracies differ by fewer images
    than this cannot be told apart on that set: 28 images of the 10,000 test
    images at an accuracy of 0.98. Measured on two different sets of ``n``
    images (two random validation splits), they need √2 times as many
    (:func:`versus`).
    """
    return 2 * math.sqrt(accuracy * (1 - accuracy) * n)


def versus(
    a: float, b: float, n: int, split: str = "test", independent: bool = False
) -> str:
    """How accuracy ``a`` compares with ``b``, both measured on ``n`` images of
    ``split``, in words (chapter 2).

    A difference smaller than two standard errors of ``b``
    (:func:`noise_images`) is a tie: "a tie: 2 images of 10,000 apart, within
    the test set's noise of 28". Otherwise "ahead by 47 images of 10,000
    (0.0047), beyond the test set's noise of 28" (or "behind by ..."); no image
    apart, "level to within one image of 10,000". The images are the difference
    times ``n``, rounded; a source's four-decimal number is counted the same
    way. ``independent``: ``a`` and ``b`` were measured on two
    different draws of ``n`` images (our validation split against a source's),
    whose noises add up, so the bar is √2 times as high: "within the noise of
    two validation splits of 126".
    """
    images = round(abs(a - b) * n)
    counted = f"{images:,} image{'' if images == 1 else 's'} of {n:,}"
    side = verdict(a, b, n, independent)
    noise = f"noise of two {split} splits" if independent else f"{split} set's noise"
    if images == 0:
        return f"level to within one image of {n:,}"
    bar = _bar(b, n, independent)
    if side == "a tie":
        return f"a tie: {counted} apart, within the {noise} of {bar:.0f}"
    return f"{side} by {counted} ({abs(a - b):.4f}), beyond the {noise} of {bar:.0f}"


def verdict(a: float, b: float, n: int, independent: bool = False) -> str:
    """ "ahead", "behind" or "a tie": accuracy ``a`` against ``b`` on ``n`` images,
    a tie when they differ by less than :func:`noise_images` of ``b``, or √2
    times that when they were measured on ``independent`` draws of images
    (chapter 2)."""
    if abs(a - b) * n < _bar(b, n, independent):
        return "a tie"
    return "ahead" if a > b else "behind"


def _bar(b: float, n: int, independent: bool) -> float:
    return noise_images(b, n) * (math.sqrt(2) if independent else 1)


def published_accuracy(entry: dict) -> str:
    """A ``PUBLISHED`` accuracy as the book prints it: one number or a range."""
    low, high = entry["accuracy"]
    return f"{low:.3f}" if low == high else f"{low:.3f}–{high:.3f}"


def against_published(ours: float, n: int) -> dict[str, list[dict]]:
    """The ``PUBLISHED`` entries that a Fashion-MNIST test accuracy is ahead of,
    level with (within the test set's noise; a range unless both ends agree)
    and behind (chapter 8; the results chapter for the archived runs)."""
    grouped = {"ahead": [], "a tie": [], "behind": []}
    for entry in PUBLISHED:
        if not entry.get("ranked", True):
            continue
        sides = {verdict(ours, end, n) for end in entry["accuracy"]}
        side = next(iter(sides)) if len(sides) == 1 else "a tie"
        grouped[side].append(entry)
    return grouped


def published_standing(ours: float, n: int, label=lambda entry: entry["network"]):
    """``against_published`` in words: 'ahead of ...; level, within the test
    set's noise, with ...; behind ...', each entry named by ``label``."""
    words = {
        "ahead": "ahead of",
        "a tie": "level, within the test set's noise, with",
        "behind": "behind",
    }
    return "; ".join(
        f"{words[side]} {', '.join(label(entry) for entry in entries)}"
        for side, entries in against_published(ours, n).items()
        if entries
    )


def versus_source(ours: float, source: dict, n: int) -> str:
    """:func:`versus` for a run against a source's number (``source`` as
    :func:`reported` returns it), on the source's split of ``n`` images
    (chapter 2). A source's test accuracy is on the datasets' own 10,000 test
    images, as ours; its validation accuracy is on its own random split, other
    images than ours, so the two noises add up."""
    split = source["split"]
    return versus(ours, source["accuracy"], n, split, split == "validation")


def source_verdict(ours: float, source: dict, n: int) -> str:
    """:func:`verdict` for a run against a source's number, as
    :func:`versus_source` words it (chapter 2)."""
    return verdict(ours, source["accuracy"], n, source["split"] == "validation")


def on_source_split(
    record: dict, source: dict, validation_share: float, n_test: int
) -> tuple[float, int]:
    """An archived run's accuracy on the split its source reported, and that
    split's size in images (chapters 2 to 4, for their sections at the sources'
    settings).

    On the test set (``n_test`` images) it is the mean of the run's seeds where
    several ran, as the chapters' text compares them; on the validation split
    it is the run's own, of ``validation_share`` of the images it trained on.
    """
    from .data import N_TRAIN

    if source["split"] == "validation":
        trained = record["parameters"]["TRAIN_SIZE"] or N_TRAIN
        return record["val_accuracy"], round(validation_share * trained)
    seeds = record.get("seed_test_accuracy", [])
    mean = float(np.mean(seeds)) if len(seeds) > 1 else record["test_accuracy"]
    return mean, n_test


def images_from_source(
    record: dict, source: dict, validation_share: float, n_test: int
) -> str:
    """An archived run minus its source, in images of the source's split, for a
    table cell: "+91 (tie)", "-36" (chapters 2 to 4)."""
    ours, n = on_source_split(record, source, validation_share, n_test)
    tie = source_verdict(ours, source, n) == "a tie"
    return f"{round((ours - source['accuracy']) * n):+,d}" + (" (tie)" if tie else "")


def archived_table(
    models: list[str],
    archived: dict,
    here: dict,
    profile: str,
    validation_share: float,
    n_test: int,
    extra=None,
):
    """This build's accuracies beside the archived full-profile runs and the
    sources' numbers, one row per model and dataset (chapters 2 to 4, section
    "At the sources' settings").

    ``archived`` maps (model, dataset) to an archived metrics record and
    ``here`` maps a model to this build's ``{"val": ..., "test": ...}`` (on the
    build's dataset, ``None`` where not measured, a string shown as it is). A
    test accuracy with several seeds is their mean, as compared, and the
    validation accuracy beside it names the one seed it was measured on.
    ``extra(record)`` adds columns under "full profile". Returns the table and
    the words for which archived runs it shows: their profile, date and device,
    or, when they differ, the range of dates, with a column naming each row's.
    """
    import pandas as pd

    from .data import DATASETS
    from .profiles import DATASET_NAMES

    def four(value):
        """An accuracy to four decimals; a string (already labelled) as it is."""
        if value is None:
            return "–"
        return value if isinstance(value, str) else f"{value:.4f}"

    def test(record):
        seeds = record.get("seed_test_accuracy", [])
        if len(seeds) > 1:
            return f"{np.mean(seeds):.4f} (mean)"
        return four(record.get("test_accuracy"))

    def val(record):
        """Validation accuracy, measured on the first seed's run only."""
        value = four(record.get("val_accuracy"))
        if len(record.get("seed_test_accuracy", [])) > 1 and value != "–":
            return f"{value} (seed {record['parameters']['SEED']})"
        return value

    build = f"this build ({profile})"
    keys = [(model, dataset) for model in models for dataset in DATASETS]
    rows = {}
    for model, dataset in keys:
        record = archived.get((model, dataset), {})
        source = reported(model, dataset)
        ours = here.get((model, dataset), {})
        split = {"validation": "val.", "test": "test"}.get((source or {}).get("split"))
        rows[(display_name(model), DATASET_NAMES[dataset])] = {
            (build, "val."): four(ours.get("val")),
            (build, "test"): four(ours.get("test")),
            ("full profile", "val."): val(record),
            ("full profile", "test"): test(record) if record else "–",
            **{
                ("full profile", k): v
                for k, v in (extra(record) if extra else {}).items()
            },
            ("source", "reported"): f"{source['accuracy']:.4f} ({split})"
            if source
            else "–",
            ("source", "full − source, images"): images_from_source(
                record, source, validation_share, n_test
            )
            if record and source
            else "–",
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.names = ["model", "dataset"]
    runs = sorted({trained_on(record) for record in archived.values()})
    if len(runs) > 1:  # one run for all: the words name it, and the table keeps narrow
        dates = sorted(r["environment"]["recorded_utc"][:10] for r in archived.values())
        table[("archived run", "trained")] = [
            f"{archived[key]['environment']['recorded_utc'][:10]}, "
            f"{device(archived[key]['environment'], cpu_model=True)}"
            if key in archived
            else "not archived"
            for key in keys
        ]
        runs = [
            f"full profile, trained {dates[0]} to {dates[-1]}, on the machines the "
            "last column names"
        ]
    return table, "; ".join(runs) or "none archived yet"


# Archived runs of chapters 2 to 4 that chose nothing on their validation split
# (no early stopping, no checkpoint): their validation minus test accuracy shows
# how the two splits differ when nothing was chosen on either.
CHOSE_NOTHING = (
    "tree_source002",
    "forest_source002",
    "mlp_source001",
    "mlp_source004",
    "cnn_source001",
)


def checkpoint_optimism(record: dict, archive: list[dict]) -> str:
    """Words on how far a checkpoint chosen on the validation split flattered a
    run's validation accuracy (chapters 3 and 4, for source 002's networks,
    whose number is matched on validation).

    The run's validation minus test accuracy is set beside the same gap of the
    archived runs on its dataset that chose nothing on validation
    (:data:`CHOSE_NOTHING`): on Fashion-MNIST every model reads higher on a
    fifth of the training images than on the test set, so the gap alone is not
    the checkpoint's doing.
    """
    from .profiles import DATASET_NAMES

    gap = record["val_accuracy"] - record["test_accuracy"]
    controls = [
        r["val_accuracy"] - r["test_accuracy"]
        for r in archive
        if r["model"] in CHOSE_NOTHING
        and r["dataset"] == record["dataset"]
        and r.get("val_accuracy") is not None
    ]
    words = (
        "our validation split chose our checkpoint, which can flatter it: its "
        f"validation accuracy is {gap:+.4f} against its test accuracy"
    )
    if not controls:
        return words
    low, high = min(controls), max(controls)
    where = (
        f"of the {len(controls)} archived runs on {DATASET_NAMES[record['dataset']]} "
        f"that chose nothing on validation ({low:+.4f} to {high:+.4f})"
    )
    if gap <= high:
        return (
            f"{words}, no more than the gaps {where}: no optimism of the choice shows"
        )
    extra = gap - high
    return f"{words}, above the gaps {where}: up to {extra:.4f} may be the choice's"


def capital(text: str) -> str:
    """``text`` with its first letter upper-case, for a glued sentence that starts
    with a generated clause (chapters 2 to 5)."""
    return text[:1].upper() + text[1:]


def name_on(model: str, dataset: str) -> str:
    """ "the CNN (source 001), all training images, on MNIST": a model id and a
    dataset as a sentence names them (chapters 3 and 4)."""
    from .profiles import DATASET_NAMES

    name = display_name(model)
    comma = "," if "," in name else ""  # "..., all training images, on MNIST"
    return f"the {name}{comma} on {DATASET_NAMES[dataset]}"


def trained_on(record: dict) -> str:
    """An archived run's profile, date and device, for a table's label (chapter 2)."""
    env = record["environment"]
    return (
        f"{record['profile']} profile, trained {env['recorded_utc'][:10]} on "
        f"{device(env, cpu_model=True)}"
    )
