"""Every papermill command the book documents runs as written, at smoke size.

The commands are read from README.md, CONTRIBUTING.md and the chapters' Markdown
(tip boxes, exercises), so a command a reader copies cannot drift from what the
chapters accept: ``-p NETWORKS "[1, 2]"`` reaches the chapter as text, the way
papermill's command line passes it. Sizes (training images, epochs, seeds of a
study) are shrunk to the smoke profile's, and a list of networks to its first
network, in the same form (text or list); every other value stays the
command's. Commands that come to the same chapter and values run once.
"""

import json
import re
import shlex
from pathlib import Path

import papermill
import pytest
import yaml
from papermill.cli import _resolve_type

from helpers import params, profiles

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


def first_network(networks):
    """``[1, 2, 3, 4]`` -> ``[1]``, and the text ``"[1, 2, 3, 4]"`` -> ``"[1]"``:
    one network runs the same code as four, a quarter of the time."""
    numbers = params.network_numbers(networks)
    if not isinstance(numbers, list) or not numbers:
        return networks
    return f"[{numbers[0]}]" if isinstance(networks, str) else numbers[:1]


def smoke_sized(stem: str, values: dict) -> dict:
    """The command's parameters at smoke size (module docstring)."""
    notebook = ROOT / "book" / f"{stem}.ipynb"
    declared = set(papermill.inspect_notebook(str(notebook)))
    smoke = profiles.parameters("smoke", stem, declared)
    sized = {k: v for k, v in values.items() if not SIZES.fullmatch(k)}
    parameters = {**values, **smoke, **sized}
    for name in declared & {"EPOCHS", "TRAIN_SIZE"}:  # what the smoke profile sets
        parameters.setdefault(name, smoke.get(name))
    if "NETWORKS" in parameters:
        parameters["NETWORKS"] = first_network(parameters["NETWORKS"])
    return parameters


def distinct_runs() -> list[tuple[str, str, dict]]:
    """(where, command, parameters at smoke size), one per distinct chapter and
    parameters: the first command that comes to them stands for the rest."""
    runs = {}
    for where, command in COMMANDS:
        stem, values = parse(command)
        parameters = smoke_sized(stem, values)
        key = (stem, repr(sorted(parameters.items())))
        runs.setdefault(key, (where, command, parameters))
    return list(runs.values())


RUNS = distinct_runs()


def test_the_docs_document_commands():
    assert len(COMMANDS) >= 8, COMMANDS
    assert len(RUNS) < len(COMMANDS)  # some come to the same run


@pytest.mark.parametrize(
    "where, command", COMMANDS, ids=[f"{w}:{c[:60]}" for w, c in COMMANDS]
)
def test_documented_command_names_only_declared_parameters(where, command):
    stem, values = parse(command)
    declared = set(papermill.inspect_notebook(str(ROOT / "book" / f"{stem}.ipynb")))
    assert set(values) <= declared, f"{where}: {set(values) - declared} undeclared"


def test_a_list_of_networks_shrinks_to_its_first_in_the_same_form():
    assert first_network("[3, 4]") == "[3]"
    assert first_network([3, 4]) == [3]
    assert first_network(None) is None


@pytest.mark.parametrize(
    "where, command, parameters", RUNS, ids=[f"{w}:{c[:60]}" for w, c, _ in RUNS]
)
def test_documented_command_runs(where, command, parameters, tmp_path):
    stem, _ = parse(command)
    notebook = ROOT / "book" / f"{stem}.ipynb"
    parameters = {**parameters, "RESULTS_DIR": str(tmp_path / "r")}
    papermill.execute_notebook(
        str(notebook),
        str(tmp_path / "out.ipynb"),
        parameters=parameters,
        cwd=str(tmp_path),
        kernel_name="python3",
        progress_bar=False,
    )
