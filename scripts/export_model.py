"""Export the build's first ensemble network to ONNX for the drawing page.

    python scripts/export_model.py _build/standard   # -> _build/standard/_static/draw/

Chapter 6 keeps every network it trained as a ``.keras`` file in the results
folder (``helpers.members``). The drawing page runs network 1 of the build's
MNIST ensemble in the reader's browser with ONNX Runtime Web, so the build
exports it with Keras's ONNX export (tf2onnx) and writes what the page says
about it (profile, epochs, test accuracy) next to it as ``model.json``. The
export is checked against Keras on test images before it is written.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOLERANCE = 1e-4  # largest difference of a probability between Keras and ONNX


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


def export(stage: Path) -> int:
    from helpers import training

    training.quiet_tensorflow()
    # Keras's ONNX export probes np.object (tf2onnx_lib): harmless, and not ours
    warnings.filterwarnings("ignore", "In the future `np.object`", FutureWarning)
    import keras
    import numpy as np
    import onnxruntime

    from helpers import data, ensemble  # noqa: F401  (registers the augmentation layer)
    from helpers.results import accuracy

    target = stage / "_static" / "draw"
    target.mkdir(parents=True, exist_ok=True)
    found = newest_network(stage)
    if found is None:
        (target / "model.json").write_text(json.dumps({"available": False}) + "\n")
        print("no MNIST network of chapter 6 in this build: the drawing page says so")
        return 0
    keras_file, record = found
    model = keras.saving.load_model(keras_file)
    _, (x_test, y_test) = data.load("mnist")
    x = data.scale(x_test)
    expected = model.predict(x, batch_size=1000, verbose=0)
    onnx_file = target / "model.onnx"
    model.export(str(onnx_file), format="onnx", verbose=False)
    session = onnxruntime.InferenceSession(str(onnx_file))
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    difference = float(np.abs(got - expected).max())
    if difference > TOLERANCE:
        onnx_file.unlink()
        print(
            f"ONNX and Keras differ by {difference:.2e} > {TOLERANCE}", file=sys.stderr
        )
        return 1
    about = {
        "available": True,
        "profile": record.get("profile"),
        "epochs": len(record["history"]["loss"]),
        "train_images": record.get("train_images"),
        "test_accuracy": accuracy(expected, y_test),
        "input": session.get_inputs()[0].name,
        "bytes": onnx_file.stat().st_size,
        "largest_difference": difference,
    }
    (target / "model.json").write_text(json.dumps(about, indent=1) + "\n")
    print(
        f"exported {keras_file.parent.name}/net-1 to {onnx_file} "
        f"({about['bytes'] / 1e6:.2f} MB, largest difference {difference:.1e})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(export(Path(sys.argv[1])))
