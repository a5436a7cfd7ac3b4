"""What a Colab or papermill user with only a notebook gets.

`helpers` is installed as a wheel into a fresh virtual environment (no system
site-packages, so nothing leaks in from the repository), one chapter is copied
into an empty directory outside the repository and executed there with
papermill and the smoke parameters.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import papermill

from helpers import profiles

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "01_data.ipynb"
# What Colab already has, besides what the helpers wheel declares.
PREINSTALLED = ["pandas", "papermill", "ipykernel"]


def run(*command, cwd=None):
    # no PYTHONPATH: the Makefile points it at the checkout, which a lone notebook does
    # not have
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def test_chapter_runs_with_only_the_helpers_wheel(tmp_path):
    wheels = tmp_path / "wheels"
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        wheels,
        ROOT,
    )
    (wheel,) = wheels.glob("mnist_book_helpers-*.whl")

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    run(
        python,
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        wheel,
        *PREINSTALLED,
    )

    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / CHAPTER.name).write_bytes(CHAPTER.read_bytes())
    where = run(
        python, "-c", "import helpers; print(helpers.__file__)", cwd=alone
    ).stdout
    assert str(venv) in where, f"helpers imported from {where}, not from the wheel"
    # the archived full-profile metrics travel with the package (chapter 10 reads
    # them in Colab)
    shipped = run(
        python,
        "-c",
        "from helpers import results; print(len(results.load_archive()))",
        cwd=alone,
    )
    assert int(shipped.stdout) == len(
        list((ROOT / "helpers" / "archive" / "full").glob("*.json"))
    )
    # and so does the drawing page's network, trained at the full profile
    drawing = run(
        python,
        "-c",
        "from helpers.results import ARCHIVE; "
        "print(sorted(p.name for p in (ARCHIVE / 'full' / 'drawing').iterdir()))",
        cwd=alone,
    )
    assert drawing.stdout.strip() == "['network.json', 'network.onnx']"

    # only the names the chapter declares: an unknown one would stop it (on purpose)
    declared = set(papermill.inspect_notebook(str(CHAPTER)))
    smoke = {
        **profiles.parameters("smoke", CHAPTER.stem, declared),
        "RESULTS_DIR": "results",
    }
    run(
        python,
        "-m",
        "papermill",
        CHAPTER.name,
        "out.ipynb",
        "-k",
        "python3",
        "-y",
        json.dumps(smoke),
        "--no-progress-bar",
        cwd=alone,
    )
    executed = json.loads((alone / "out.ipynb").read_text())
    outputs = [
        o for c in executed["cells"] if c["cell_type"] == "code" for o in c["outputs"]
    ]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"], (
        "stderr output in a standalone run"
    )
    assert (alone / "results" / "01_data-mnist.json").exists()
