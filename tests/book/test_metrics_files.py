"""Checks of the metrics files the executed chapters wrote (run after `make book`)."""

import json
from pathlib import Path

import pytest

from helpers import results

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(ROOT.glob("_build/*/results/*.json"))
RECORDS = [(path, json.loads(path.read_text())) for path in FILES]
MODELS = [(path, record) for path, record in RECORDS if "model" in record]


def test_the_chapters_wrote_metrics():
    assert MODELS, "no metrics in _build/<profile>/results: run `make book` first"


@pytest.mark.parametrize(
    "path, record", MODELS, ids=lambda item: getattr(item, "name", "")
)
def test_metrics_share_one_shape(path, record):
    """The results chapter reads every chapter's files alike: same fields, same
    names."""
    assert set(results.FIELDS) <= set(record), (
        f"{path.name} lacks {set(results.FIELDS) - set(record)}"
    )
    assert (
        path.name == f"{record['chapter']}-{record['model']}-{record['dataset']}.json"
    )
    stray = [key for key in record if "valid" in key]
    assert not stray, f"validation accuracy goes under 'val_accuracy', not {stray}"
    assert record["environment"]["cpus"], "the training machine was not recorded"
