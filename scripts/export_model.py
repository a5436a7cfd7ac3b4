"""The drawing page's networks, as ONNX files the page runs in the browser.

    python scripts/export_model.py _build/standard   # -> _build/standard/_static/draw/

The drawing page runs, by default, a network trained once at the sources'
settings and archived with the book (``helpers/archive/full/drawing/``, made by
``scripts/drawing_network.py``), so that every build, a smoke build included,
has a network worth drawing for. Its second choice is the build's own: chapter
6 keeps every network it trained as a ``.keras`` file in the results folder
(``helpers.members``), and network 1 of the build's MNIST ensemble is exported
here with Keras's ONNX export (tf2onnx), checked against Keras on the test
images before it is written. ``networks.json`` lists both with what the page
says about them (which network, profile, epochs, test accuracy).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOLERANCE = 1e-4  # largest difference of a probability between Keras and ONNX


def to_onnx(model, onnx_file: Path, x, expected) -> tuple[float, str]:
    """Export a Keras ``model`` to ``onnx_file`` and check it against Keras.

    ONNX Runtime runs the export on the images ``x``, whose Keras outputs are
    ``expected``. Returns the largest difference of a probability and the name
    of the network's input; when the two differ by more than ``TOLERANCE``,
    the file is removed and ValueError raised. Used for the build's network
    here and for the archived one (``scripts/drawing_network.py``).
    """
    import numpy as np
    import onnxruntime

    # Keras's ONNX export probes np.object (tf2onnx_lib): harmless, and not ours
    warnings.filterwarnings("ignore", "In the future `np.object`", FutureWarning)
    model.export(str(onnx_file), format="onnx", verbose=False)
    session = onnxruntime.InferenceSession(str(onnx_file))
    name = session.get_inputs()[0].name
    got = session.run(None, {name: x})[0]
    difference = float(np.abs(got - expected).max())
    if difference > TOLERANCE:
        onnx_file.unlink()
        raise ValueError(f"ONNX and Keras differ by {difference:.2e} > {TOLERANCE}")
    return difference, name


def newest_network(stage: Path) -> tuple[Path, dict] | None:
    """Network 1 of the newest MNIST ensemble of chapter 6 in ``stage/results``."""
    candidates = sorted(
        (stage / "results" / "members").glob("06_ensemble-mnist-*/net-1.keras"),
        key=lambda path: path.stat().st_mtime,
    )
    if not candidates:
        return None
    keras_file = candidates[-1]
    return keras_file, json.loads(keras_file.with_suffix(".json").read_text())


def archived_network(target: Path) -> dict | None:
    """The network trained at the full profile (``scripts/drawing_network.py``),
    copied from the archive into ``target`` after its checksum is checked."""
    import hashlib

    from helpers.results import ARCHIVE

    folder = ARCHIVE / "full" / "drawing"
    if not (folder / "network.json").exists():
        return None
    record = json.loads((folder / "network.json").read_text())
    onnx = (folder / record["onnx"]["file"]).read_bytes()
    if hashlib.sha256(onnx).hexdigest() != record["onnx"]["sha256"]:
        raise ValueError(f"{folder / record['onnx']['file']} is not the one recorded")
    (target / "archived.onnx").write_bytes(onnx)
    return {
        "id": "archived",
        "file": "archived.onnx",
        "choice": "full profile (chapter 7's recipe)",
        "name": f"network {record['network']} of chapter 7's recommended recipe "
        f"({record['variant']}) at the full profile, trained again for export",
        "profile": record["profile"],
        "epochs": record["epochs"],
        "train_images": record["train_images"],
        "trained": record["environment"]["recorded_utc"][:10],  # the date
        "test_accuracy": record["test_accuracy"],
        "test_images": record["test_images"],
        "input": record["onnx"]["input"],
        "bytes": record["onnx"]["bytes"],
        "largest_difference": record["onnx"]["largest_difference"],
    }


def build_network(stage: Path, target: Path) -> dict | None:
    """Network 1 of this build's MNIST ensemble (chapter 6), exported into
    ``target`` after ONNX Runtime and Keras agree on the test images."""
    import keras

    from helpers import data, ensemble  # noqa: F401  (registers the augmentation layer)
    from helpers.results import accuracy

    found = newest_network(stage)
    if found is None:
        return None
    keras_file, record = found
    model = keras.saving.load_model(keras_file)
    _, (x_test, y_test) = data.load("mnist")
    x = data.scale(x_test)
    expected = model.predict(x, batch_size=1000, verbose=0)
    onnx_file = target / "build.onnx"
    difference, name = to_onnx(model, onnx_file, x, expected)
    return {
        "id": "build",
        "file": onnx_file.name,
        "choice": f"this build's ({record.get('profile')} profile)",
        "name": "network 1 of this build's chapter 6 ensemble",
        "profile": record.get("profile"),
        "epochs": len(record["history"]["loss"]),
        "train_images": record.get("train_images"),
        "trained": None,
        "test_accuracy": accuracy(expected, y_test),
        "test_images": len(y_test),
        "input": name,
        "bytes": onnx_file.stat().st_size,
        "largest_difference": difference,
    }


def export(stage: Path) -> int:
    """The drawing page's networks in ``stage/_static/draw/``: the archived one
    first (the page's default), then this build's when it has one, each listed
    in ``networks.json`` with what the page says about it."""
    from helpers import training

    training.quiet_tensorflow()
    target = stage / "_static" / "draw"
    target.mkdir(parents=True, exist_ok=True)
    for old in ("model.onnx", "model.json", "archived.onnx", "build.onnx"):
        (target / old).unlink(missing_ok=True)
    networks = []
    try:
        for found in (archived_network(target), build_network(stage, target)):
            if found is not None:
                networks.append(found)
                print(
                    f"drawing page: {found['name']}, test accuracy "
                    f"{found['test_accuracy']:.4f} ({found['bytes'] / 1e6:.2f} MB, "
                    f"largest difference from Keras {found['largest_difference']:.1e})"
                )
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    if not networks:
        print("no network for the drawing page: it says so")
    (target / "networks.json").write_text(
        json.dumps({"networks": networks}, indent=1) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(export(Path(sys.argv[1])))
