"""Hygiene of the committed chapters: clean, parameterised, consistent."""

import ast
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from helpers import profiles

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import book  # noqa: E402

CHAPTERS = sorted(
    (ROOT / "book").glob("*.ipynb")
)  # checked whether or not already in the toc
COMMON = {"DATASET", "TRAIN_SIZE", "SEED", "RESULTS_DIR"}
TRAINING = {"EPOCHS", "BATCH_SIZE"}
CODE_COLUMNS = 88
REPOSITORY, BRANCH = (
    yaml.safe_load((ROOT / "_config.yml").read_text())["repository"][key]
    for key in ("url", "branch")
)


def cells(path):
    return json.loads(path.read_text())["cells"]


def parameters_cell(path):
    tagged = [
        c for c in cells(path) if "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    assert len(tagged) == 1, (
        f"{path.name}: expected one cell tagged 'parameters', found {len(tagged)}"
    )
    return tagged[0]


def declared(path) -> dict:
    tree = ast.parse("".join(parameters_cell(path)["source"]))
    return {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}


def test_every_notebook_is_in_the_toc():
    listed = book.chapters()
    assert listed, "no chapter in _toc.yml"
    missing = [path.name for path in CHAPTERS if path not in listed]
    assert not missing, (
        f"not in _toc.yml (new chapters are added there when they land): {missing}"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    for cell in cells(path):
        if cell["cell_type"] == "code":
            assert not cell["outputs"] and cell["execution_count"] is None, "".join(
                cell["source"]
            )[:80]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_parameters_cell_is_plain_upper_case_assignments(path):
    tree = ast.parse("".join(parameters_cell(path)["source"]))
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, ast.dump(node)[
            :80
        ]
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", node.targets[0].id), node.targets[0].id
    names = set(declared(path))
    assert COMMON <= names, f"missing common parameters {COMMON - names}"
    if any(
        "training.fit(" in "".join(c["source"]) for c in cells(path)
    ):  # trains Keras models
        assert TRAINING <= names, f"a training chapter needs {TRAINING - names}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_next_code_cell_validates_every_parameter(path):
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    position = code.index(parameters_cell(path))
    check = "".join(code[position + 1]["source"])
    assert (
        f'check_parameters(\n    "{path.stem}"' in check
        or f'check_parameters("{path.stem}"' in check
    )
    for name in declared(path):
        assert f"{name}={name}" in check, f"{name} is not validated"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_defaults_are_the_standard_profile(path):
    values = declared(path)
    expected = profiles.parameters("standard", path.stem, declared=set(values))
    assert {k: values[k] for k in expected} == expected


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_profiled_parameter_has_a_standard_value(path):
    """A parameter that some profile sets must have a standard value, which the notebook
    holds."""
    names = set(declared(path))
    profiled = set()
    for profile in profiles.PROFILES:
        profiled |= set(profiles.parameters(profile, path.stem, declared=names))
    assert profiled <= set(profiles.parameters("standard", path.stem, declared=names))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_colab_badge_opens_this_chapter(path):
    first = "".join(cells(path)[0]["source"])
    slug = REPOSITORY.removeprefix("https://github.com/")
    assert (
        f"https://colab.research.google.com/github/{slug}/blob/{BRANCH}/book/{path.name}"
        in first
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_colab_setup_installs_helpers_from_this_repository(path):
    setup = next(
        "".join(c["source"])
        for c in cells(path)
        if "google.colab" in "".join(c["source"])
    )
    assert f'REPOSITORY = "{REPOSITORY}"' in setup
    at = "" if BRANCH == "main" else f"@{BRANCH}"  # scripts/book.py repository
    assert f'%pip install -q "mnist-book-helpers @ git+{{REPOSITORY}}{at}"' in setup


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_code_fits_the_book_column(path):
    """88 characters (ruff's line length) fit a code cell of the HTML book without a
    scrollbar
    (see _static/book.css); `make format` wraps code, long strings need a hand."""
    long = [
        line
        for cell in cells(path)
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if len(line) > CODE_COLUMNS
    ]
    assert not long, (
        f"{len(long)} code line(s) over {CODE_COLUMNS} characters: {long[:3]}"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_prose_has_no_hand_typed_accuracy(path):
    """Numbers in the prose come from executed cells through glue, never from the
    keyboard."""
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            text = re.sub(r"\{glue[^}]*\}`[^`]*`", "", "".join(cell["source"]))
            found = re.findall(r"\b0\.\d{3,}\b|\b\d{2}\.\d+ ?%", text)
            assert not found, f"hard-coded accuracy {found} in: {text[:120]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_kernel_is_python3(path):
    assert json.loads(path.read_text())["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_hidden_cells_are_colab_forms(path):
    """A cell that the HTML book hides is collapsed in Colab too: a form whose
    `#@title` line says what the cell does; the parameters cell stays editable."""
    for cell in cells(path):
        if cell["cell_type"] != "code":
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        source = "".join(cell["source"])
        if tags & {"hide-input", "remove-input"}:
            assert re.match(r"# ?@title \w", source), f"no @title: {source[:60]!r}"
            assert cell["metadata"].get("cellView") == "form", source[:60]
        else:
            assert cell["metadata"].get("cellView") != "form", source[:60]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_cell_has_its_own_id(path):
    """nbformat warns about a cell without an id (an error in tests that run the
    chapter), and two cells with one id are not a valid notebook."""
    ids = [cell.get("id") for cell in cells(path)]
    assert None not in ids, f"{ids.count(None)} cells without an id"
    assert len(set(ids)) == len(ids), "two cells share an id"
