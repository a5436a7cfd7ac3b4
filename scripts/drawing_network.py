"""Train the drawing page's archived network and export it to ONNX.

    mkdir -p _build/drawing
    nohup nice -n 19 python scripts/drawing_network.py > _build/drawing/train.log 2>&1 &
    python scripts/drawing_network.py --export-only  # _build/drawing/network.keras

The drawing page (``book/09_draw.md``) runs, by default, one network trained
at the full profile, whatever profile the book was built with: network 1
of chapter 7's recommended recipe on MNIST, at the full profile's epochs. The
recipe is read from the archive: the variant chapter 7's full run chose on
validation (``07_faster-ensemble_source000_faster-mnist.json``) and the exact
recipe of its archived network 1 (``members/07_faster-<variant>-mnist-*``),
so this network is that one trained again, with the weights the variant reads
(their moving average, for a ``+ ema`` variant). About 16 minutes on a free
2-core CPU, 30 to 40 on a shared one.

It writes ``helpers/archive/full/drawing/network.onnx`` (ONNX Runtime's outputs
checked against Keras's on the 10,000 test images) and ``network.json`` beside
it: the recipe, the epochs, the test accuracy measured here, the date and the
machine. The Keras file stays in ``_build/drawing/`` (not committed).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from export_model import to_onnx  # noqa: E402  (scripts/ is this script's folder)

from helpers import profiles  # noqa: E402
from helpers.results import ARCHIVE  # noqa: E402

CHAPTER, DATASET, PROFILE, NETWORK = "07_faster", "mnist", "full", 1
TARGET = ARCHIVE / PROFILE / "drawing"
WORK = ROOT / "_build" / "drawing"
BUDGET = 2_000_000  # bytes: the page downloads the network
FIRST = 500  # test images whose predicted digits are recorded, for a quick check


class _Kept:
    """A stand-in for :class:`helpers.members.Members` that keeps what
    ``train_member`` stores in memory (nothing is written to the results)."""

    def save(self, i, probabilities, record, model=None, **arrays):
        self.probabilities, self.record, self.arrays = probabilities, record, arrays


def recommended() -> tuple[str, dict, str]:
    """Chapter 7's recommended variant at the full profile, the recipe of its
    archived network 1 and that network's folder."""
    from helpers import members

    ensemble = json.loads(
        (
            ARCHIVE / PROFILE / f"{CHAPTER}-ensemble_source000_faster-{DATASET}.json"
        ).read_text()
    )
    variant = ensemble["recipe"]  # e.g. "cosine + ema"
    # chapter 7's stores: the EMA is read from the run it averages, so a
    # "cosine + ema" network is the "cosine" store's, read with its average
    store = "+".join(part for part in variant.split(" + ") if part != "ema")
    found = members.archived(f"{CHAPTER}-{store}", DATASET, PROFILE)
    if len(found) != 1:
        raise SystemExit(f"no single archived store of {variant!r}: {found}")
    (stored,) = found
    return variant, stored["records"][0]["recipe"], stored["folder"]


def train(variant: str, recipe: dict) -> tuple[object, dict]:
    """Network 1 of ``recipe``, trained now: the model (with the weights
    ``variant`` reads) and its record."""
    from helpers import data, ensemble

    parameters = profiles.parameters(PROFILE, CHAPTER)
    assert recipe["epochs"] == parameters["EPOCHS"], (recipe, parameters)
    (x_train, y_train), (x_test, _) = data.load(DATASET)
    x, y = data.stratified_subset(
        x_train, y_train, recipe["train_size"], recipe["seed"]
    )
    changes = {}
    if recipe.get("schedule") == "warmup_cosine":
        changes["schedule"] = functools.partial(ensemble.warmup_cosine, recipe["peak"])
    if recipe.get("label_smoothing"):
        changes["label_smoothing"] = recipe["label_smoothing"]
    average = "ema" in variant.split(" + ")
    if recipe.get("ema") is not None:
        changes["ema"] = recipe["ema"]
    kept = _Kept()
    run = ensemble.train_member(
        kept,
        NETWORK,
        data.scale(x),
        y,
        data.scale(x_test),
        dataset=DATASET,
        seed=recipe["seed"] + NETWORK - 1,
        epochs=recipe["epochs"],
        batch_size=recipe["batch_size"],
        **changes,
    )
    record = dict(kept.record)
    if average:  # train_member went back to the weights as trained: average again
        model = run.model
        model.optimizer.finalize_variable_values(model.trainable_variables)
        again = model.predict(data.scale(x_test), batch_size=1024, verbose=0)
        difference = float(abs(again - kept.arrays["ema"].astype("float32")).max())
        assert difference < 2e-3, f"the averaged weights moved: {difference}"
        record["val_accuracy"] = record["val_accuracy_ema"]
    record = {
        k: v
        for k, v in record.items()
        if k in ("history", "train_seconds", "weights", "train_images")
        or k in ("validation_images", "val_accuracy")
    }
    return run.model, record


def export(model, about: dict) -> dict:
    """``model`` as ``network.onnx`` in the archive, with ``network.json``."""
    from helpers import data
    from helpers.results import accuracy

    _, (x_test, y_test) = data.load(DATASET)
    x = data.scale(x_test)
    expected = model.predict(x, batch_size=1000, verbose=0)
    TARGET.mkdir(parents=True, exist_ok=True)
    onnx_file = TARGET / "network.onnx"
    difference, name = to_onnx(model, onnx_file, x, expected)
    size = onnx_file.stat().st_size
    if size > BUDGET:
        onnx_file.unlink()
        raise SystemExit(f"{onnx_file} has {size:,} bytes, more than {BUDGET:,}")
    about = {
        **about,
        "test_accuracy": accuracy(expected, y_test),
        "test_images": len(y_test),
        # the digits it reads in the first test images, as one string
        "first_predictions": "".join(map(str, expected[:FIRST].argmax(axis=1))),
        "onnx": {
            "file": onnx_file.name,
            "bytes": size,
            "sha256": hashlib.sha256(onnx_file.read_bytes()).hexdigest(),
            "input": name,
            "largest_difference": difference,
        },
    }
    (TARGET / "network.json").write_text(
        json.dumps(about, indent=1, sort_keys=True) + "\n"
    )
    return about


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--export-only",
        action="store_true",
        help=f"export {WORK / 'network.keras'} again instead of training",
    )
    args = parser.parse_args(argv)

    from helpers import training

    training.quiet_tensorflow()
    import keras

    from helpers import ensemble  # noqa: F401  (registers the augmentation layer)
    from helpers.results import environment

    WORK.mkdir(parents=True, exist_ok=True)
    keras_file, record_file = WORK / "network.keras", WORK / "network.json"
    variant, recipe, folder = recommended()
    if args.export_only:
        model = keras.saving.load_model(keras_file)
        about = json.loads(record_file.read_text())
    else:
        print(f"training network {NETWORK} of {variant} ({folder})", flush=True)
        model, record = train(variant, recipe)
        about = {
            "name": f"network {NETWORK} of chapter 7's recommended recipe, {variant}",
            "chapter": CHAPTER,
            "variant": variant,
            "weights_read": "moving average" if "ema" in variant else "as trained",
            "network": NETWORK,
            "profile": PROFILE,
            "dataset": DATASET,
            "recipe": recipe,
            "same_recipe_as": f"members/{folder}/net-{NETWORK}",
            "epochs": len(record["history"]["loss"]),
            "environment": environment(),
            **record,
        }
        model.save(keras_file)
        record_file.write_text(json.dumps(about, indent=1, sort_keys=True) + "\n")
    about = export(model, about)
    print(
        f"{about['name']}: test accuracy {about['test_accuracy']:.4f} "
        f"({about['epochs']} epochs, {about['train_seconds']:.0f} s); "
        f"{about['onnx']['bytes'] / 1e6:.2f} MB, largest difference from Keras "
        f"{about['onnx']['largest_difference']:.1e} -> {TARGET}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
