"""scripts/colab_check.py: what `make colab-check` installs besides helpers."""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import colab_check  # noqa: E402


def test_each_preinstalled_package_has_its_range_from_requirements_txt():
    names = [re.match(r"[\w.-]+", line)[0] for line in colab_check.requirements()]
    assert names == list(colab_check.PREINSTALLED)


def test_the_standalone_test_assumes_no_package_the_colab_check_lacks():
    """The wheel test's PREINSTALLED (what Colab has) is part of this list."""
    source = (ROOT / "tests" / "standalone" / "test_notebook_alone.py").read_text()
    assigned = next(
        node.value
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        and getattr(node.targets[0], "id", None) == "PREINSTALLED"
    )
    assert set(ast.literal_eval(assigned)) <= set(colab_check.PREINSTALLED)
