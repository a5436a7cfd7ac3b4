"""Every model a reader meets has one readable name (helpers.results.DISPLAY_NAMES)."""

import json
from pathlib import Path

from helpers import results

ROOT = Path(__file__).resolve().parents[2]


def test_every_archived_model_has_a_display_name():
    """The ids in the archived metrics files, as the package ships them."""
    paths = sorted((ROOT / "helpers" / "archive" / "full").glob("*.json"))
    ids = {json.loads(path.read_text()).get("model") for path in paths} - {None}
    assert ids, "no archived metrics file found"
    missing = sorted(ids - set(results.DISPLAY_NAMES))
    assert not missing, f"no display name in helpers.results.DISPLAY_NAMES: {missing}"


def test_display_names_are_distinct_and_fall_back_to_the_id():
    names = list(results.DISPLAY_NAMES.values())
    assert len(names) == len(set(names))
    assert results.display_name("cnn_source001_all") == (
        "CNN of source 001, all training images"
    )
    assert results.display_name("not_a_model") == "not_a_model"
