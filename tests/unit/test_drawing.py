"""The drawing page's preprocessing: JavaScript in the browser, its Python twin here."""

import hashlib
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
    """The build's network: ONNX Runtime and Keras agree on the test images, and
    it is listed after the archived one, the page's default."""
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
    target = tmp_path / "_static" / "draw"
    networks = json.loads((target / "networks.json").read_text())["networks"]
    assert [n["id"] for n in networks] == ["archived", "build"]
    for network in networks:
        assert (target / network["file"]).stat().st_size == network["bytes"]
        assert network["bytes"] <= 2_000_000  # the budget per network
        assert network["largest_difference"] <= export_model.TOLERANCE
        assert network["name"] and network["choice"]
    build = networks[1]
    assert build["profile"] == "smoke" and build["test_images"] == 200


ARCHIVED = ROOT / "helpers" / "archive" / "full" / "drawing"


def archived_record():
    return json.loads((ARCHIVED / "network.json").read_text())


def test_the_archived_network_is_chapter_7s_recipe_at_the_sources_settings():
    """scripts/drawing_network.py trained network 1 of the recipe chapter 7's full
    run chose, at the full profile's epochs, and recorded what it made."""
    from helpers import ensemble, profiles

    record = archived_record()
    onnx = ARCHIVED / record["onnx"]["file"]
    assert onnx.stat().st_size == record["onnx"]["bytes"] <= 2_000_000
    assert hashlib.sha256(onnx.read_bytes()).hexdigest() == record["onnx"]["sha256"]
    assert record["onnx"]["largest_difference"] <= 1e-4  # export_model.TOLERANCE
    chosen = json.loads(
        (ARCHIVED.parent / "07_faster-ensemble_source000_faster-mnist.json").read_text()
    )
    assert record["variant"] == chosen["recipe"] and record["profile"] == "full"
    epochs = profiles.parameters("full", "07_faster")["EPOCHS"]
    assert record["epochs"] == record["recipe"]["epochs"] == epochs
    folder = record["same_recipe_as"].split("/")[1]
    assert folder.endswith(ensemble.fingerprint(record["recipe"]))
    assert (ARCHIVED.parent / "members" / folder).is_dir()
    assert record["test_images"] == 10_000 and record["environment"]["recorded_utc"]


def test_the_archived_network_reads_the_test_images_as_recorded():
    """ONNX Runtime on the committed file: the digits recorded for the first test
    images, and an accuracy there that the recorded test accuracy allows."""
    onnxruntime = pytest.importorskip("onnxruntime")
    from helpers import data

    record = archived_record()
    first = len(record["first_predictions"])
    _, (x_test, y_test) = data.load("mnist")
    session = onnxruntime.InferenceSession(str(ARCHIVED / record["onnx"]["file"]))
    probabilities = session.run(
        None, {record["onnx"]["input"]: data.scale(x_test[:first])}
    )[0]
    digits = probabilities.argmax(axis=1)
    recorded = np.array([int(d) for d in record["first_predictions"]])
    # another CPU's rounding may flip a near tie, not more
    assert (digits != recorded).sum() <= 1
    accuracy = (digits == y_test[:first]).mean()
    p = record["test_accuracy"]
    assert p >= 0.99  # a network worth drawing for
    assert accuracy >= p - 3 * math.sqrt(p * (1 - p) / first) - 1 / first
