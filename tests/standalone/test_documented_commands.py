"""Every papermill command the book documents runs as written, at smoke size.

The commands are read from README.md, CONTRIBUTING.md and the chapters' Markdown
(tip boxes, exercises), so a command a reader copies cannot drift from what the
chapters accept: ``-p NETWORKS "[1, 2]"`` reaches the chapter as text, the way
papermill's command line passes it. Sizes (training images, epochs, seeds of a
study) are shrunk to the smoke profile's; every other value stays the command's.
"""

import json
import re
import shlex
from pathlib import Path

import papermill
import pytest
import yaml
from papermill.cli import _resolve_type

from helpers import profiles

ROOT = Path(__file__).resolve().parents[2]
# values that only make a run longer: the smoke profile's replace the command's
SIZES = re.compile(r"TRAIN_SIZE|CV_SIZE|N_TREES|N_SEEDS|(\w+_)?EPOCHS")


def documented() -> list[tuple[str, str]]:
    """(where, command) for every `papermill book/...` command in the docs."""
    texts = {
        name: (ROOT / name).read_text() for name in ("README.md", "CONTRIBUTING.md")
    }
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        prose = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
        )
        # an inline command may wrap onto the next line of the Markdown source
        texts[path.name] = re.sub(r"`[^`]*`", lambda m: m[0].replace("\n", " "), prose)
    found = []
    for where, text in texts.items():
        text = re.sub(r"\\\n\s*", " ", text)  # shell line continuations
        text = re.sub(r"'\{[^']*\}'", lambda m: " ".join(m[0].split()), text)
        for command in re.findall(r"papermill (?:book/)?\d\d_\w+\.ipynb [^`\n]*", text):
            if command.strip() not in {c for _, c in found}:
                found.append((where, command.strip()))
    return found


COMMANDS = documented()


def parse(command: str) -> tuple[str, dict]:
    """The chapter's stem and the parameters, as papermill's command line reads
    them (``-p`` values through its own type resolution, ``-y`` as YAML)."""
    words = shlex.split(command)
    stem = Path(words[1]).stem
    values, i = {}, 3
    while i < len(words):
        if words[i] == "-p":
            values[words[i + 1]] = _resolve_type(words[i + 2])
            i += 3
        elif words[i] == "-y":
            values.update(yaml.safe_load(words[i + 1]))
            i += 2
        elif words[i] == "--cwd":
            i += 2
        else:
            i += 1
    return stem, values


def test_the_docs_document_commands():
    assert len(COMMANDS) >= 8, COMMANDS


@pytest.mark.parametrize(
    "where, command", COMMANDS, ids=[f"{w}:{c[:60]}" for w, c in COMMANDS]
)
def test_documented_command_runs(where, command, tmp_path):
    stem, values = parse(command)
    notebook = ROOT / "book" / f"{stem}.ipynb"
    declared = set(papermill.inspect_notebook(str(notebook)))
    assert set(values) <= declared, f"{where}: {set(values) - declared} undeclared"
    smoke = profiles.parameters("smoke", stem, declared)
    sized = {k: v for k, v in values.items() if not SIZES.fullmatch(k)}
    parameters = {**values, **smoke, **sized, "RESULTS_DIR": str(tmp_path / "r")}
    for name in declared & {"EPOCHS", "TRAIN_SIZE"}:  # what the smoke profile sets
        parameters.setdefault(name, smoke.get(name))
    papermill.execute_notebook(
        str(notebook),
        str(tmp_path / "out.ipynb"),
        parameters=parameters,
        cwd=str(tmp_path),
        kernel_name="python3",
        progress_bar=False,
    )
