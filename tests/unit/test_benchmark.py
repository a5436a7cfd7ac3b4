"""The pipeline benchmark times chapter 6's own network, read from the notebook."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pipeline_script():
    spec = importlib.util.spec_from_file_location("ensemble_pipeline", ROOT / "benchmarks" / "ensemble_pipeline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_chapter_network_is_found_and_builds(pipeline_script):
    chapter = pipeline_script.chapter_definitions({"RandomAffine", "augmentation", "build_net"})
    with_augmentation = chapter["build_net"](0)
    assert type(with_augmentation.layers[0]).__name__ == "RandomAffine"
    chapter["augmentation"] = lambda seed: pipeline_script.keras.layers.Identity()
    without = chapter["build_net"](0)
    assert without.count_params() == with_augmentation.count_params()
    assert without.output_shape == (None, 10)


def test_missing_definition_is_named(pipeline_script):
    with pytest.raises(SystemExit, match="no_such_function"):
        pipeline_script.chapter_definitions({"build_net", "no_such_function"})
