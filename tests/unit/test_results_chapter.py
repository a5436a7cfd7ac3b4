"""The results chapter against an archive with part of the full ensemble in it."""

import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import papermill
import pytest

from helpers import data, ensemble, members, profiles
from helpers.results import ARCHIVE

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "10_results.ipynb"


def glued(notebook: Path) -> dict[str, str]:
    """The values a notebook glued, as plain text."""
    values = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = output["data"]["application/papermill.record/text/plain"]
                values[name] = "".join(text)
    return values


@pytest.mark.skipif(sys.platform == "win32", reason="kernels over local sockets")
def test_archived_networks_of_the_full_ensemble_are_shown(tmp_path, monkeypatch):
    archive = tmp_path / "archive"
    shutil.copytree(
        ARCHIVE / "full", archive / "full", ignore=shutil.ignore_patterns("members")
    )
    full = profiles.parameters("full", "06_ensemble")
    recipe = ensemble.recipe("mnist", None, 42, full["EPOCHS"], full["BATCH_SIZE"])
    store = members.Members(archive / "full", "06_ensemble", recipe, "full")
    _, (_, labels) = data.load("mnist")
    right = np.eye(10)[labels]
    for i, wrong in ((1, 30), (2, 40)):  # network i errs on its first `wrong` images
        probabilities = right.copy()
        probabilities[:wrong] = 0.4 * right[:wrong] + 0.6 * np.roll(right[:wrong], 1, 1)
        history = {
            "loss": [0.1] * full["EPOCHS"],
            "val_accuracy": [0.99] * full["EPOCHS"],
        }
        store.save(i, probabilities, {"history": history, "train_seconds": 2100.0})
    monkeypatch.setenv("MNIST_BOOK_ARCHIVE", str(archive))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    executed = tmp_path / "results.ipynb"
    (tmp_path / "results").mkdir()
    declared = set(papermill.inspect_notebook(str(CHAPTER)))
    papermill.execute_notebook(
        str(CHAPTER),
        str(executed),
        parameters={
            **profiles.parameters("smoke", "10_results", declared),
            "RESULTS_DIR": "results",
        },
        cwd=str(tmp_path),
        kernel_name="python3",
        progress_bar=False,
    )
    text = glued(executed)["full_ensemble"]
    assert f"2 of the {full['N_MODELS']} networks are archived" in text
    assert "0.9960 to 0.9970" in text  # 40 and 30 errors in 10,000
    assert "together they reach 0.9970" in text  # the first 30 errors are shared
    assert "not yet the final figure" in text
