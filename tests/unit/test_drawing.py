"""The drawing page's preprocessing: JavaScript in the browser, its Python twin here."""

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from helpers import drawing

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "_static" / "draw" / "preprocess.js"


def ellipse(cx=140, cy=140, rx=55, ry=85, n=48):
    return [
        (
            cx + rx * math.cos(2 * math.pi * k / n),
            cy + ry * math.sin(2 * math.pi * k / n),
        )
        for k in range(n + 1)
    ]


DRAWINGS = {
    "one": [[(140, 40), (140, 240)]],
    "zero": [ellipse()],
    "seven": [[(70, 60), (210, 60), (120, 240)]],
    "off-centre four": [[(30, 30), (20, 110), (100, 110)], [(80, 20), (80, 160)]],
    "a dot": [[(200, 200)]],
}


def in_javascript(ink: np.ndarray):
    if shutil.which("node") is None:
        pytest.skip("node is needed to run the page's JavaScript")
    program = (
        f"const p = require({json.dumps(str(SCRIPT))});"
        "const d = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const out = p.toMnist(Float64Array.from(d.ink), d.h, d.w);"
        "process.stdout.write(JSON.stringify(out ? Array.from(out) : null));"
    )
    payload = json.dumps(
        {"ink": ink.ravel().tolist(), "h": ink.shape[0], "w": ink.shape[1]}
    )
    done = subprocess.run(
        ["node", "-e", program],
        input=payload,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    return None if result is None else np.array(result).reshape(28, 28)


@pytest.mark.parametrize("name", DRAWINGS)
def test_javascript_and_python_see_the_same_digit(name):
    ink = drawing.strokes(DRAWINGS[name])
    python, javascript = drawing.to_mnist(ink), in_javascript(ink)
    assert np.allclose(python, javascript, atol=1e-6)


def test_an_empty_canvas_has_no_digit():
    ink = np.zeros((280, 280))
    assert drawing.to_mnist(ink) is None and in_javascript(ink) is None


@pytest.mark.parametrize("name", DRAWINGS)
def test_the_digit_fits_a_20_pixel_box_centred_by_mass(name):
    image = drawing.to_mnist(drawing.strokes(DRAWINGS[name]))
    rows = np.flatnonzero(image.any(axis=1))
    cols = np.flatnonzero(image.any(axis=0))
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= drawing.BOX
    assert image.max() == pytest.approx(1.0)
    ys, xs = np.indices(image.shape) + 0.5
    centre = (ys * image).sum() / image.sum(), (xs * image).sum() / image.sum()
    assert all(abs(c - 14) <= 1 for c in centre), centre


def test_the_export_gives_kerass_probabilities(tmp_path, monkeypatch):
    """The drawing page's network: ONNX Runtime and Keras agree on the test images."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import export_model

    from helpers import data, ensemble

    folder = tmp_path / "results" / "members" / "06_ensemble-mnist-test"
    folder.mkdir(parents=True)
    (x_train, y_train), _ = data.load("mnist")
    model = ensemble.build_net(0)
    model.fit(data.scale(x_train[:64]), y_train[:64], epochs=1, verbose=0)  # as stored
    model.save(folder / "net-1.keras")
    (folder / "net-1.json").write_text(
        json.dumps({"profile": "smoke", "history": {"loss": [1.0]}, "train_images": 9})
    )
    monkeypatch.setattr(
        data, "load", lambda name: ((x_train, y_train), (x_train[:200], y_train[:200]))
    )
    assert export_model.export(tmp_path) == 0
    about = json.loads((tmp_path / "_static" / "draw" / "model.json").read_text())
    assert about["available"] and about["largest_difference"] <= export_model.TOLERANCE
    assert about["bytes"] <= 2_000_000  # the budget per network
