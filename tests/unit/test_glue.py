"""Glued values come back into the prose as they went in."""

import numpy as np
import pytest

from helpers import glue as glue_module


@pytest.mark.parametrize(
    "value, spec, shown",
    [
        ("8,865", "", "8,865"),  # a bare string would read back as (8, 865)
        (
            "it's 20\N{NO-BREAK SPACE}% of 'all'",
            "",
            "it's 20\N{NO-BREAK SPACE}% of 'all'",
        ),
        (np.float64(0.99625), ".4f", "0.9962"),
        (np.int64(1234), ",d", "1,234"),
        (0.5, "", "0.5"),
    ],
)
def test_glued_value_reads_back_in_the_prose(monkeypatch, value, spec, shown):
    from myst_nb.core.variables import format_plain_text

    stored = []
    monkeypatch.setattr(
        glue_module, "display", lambda bundle, **_: stored.append(bundle)
    )
    glue_module.glue("name", value)
    (bundle,) = stored
    (text,) = bundle.values()
    assert format_plain_text(text, spec) == shown


def test_listing_reads_as_plain_code():
    """A listed helper's docstring shows no Sphinx markup (chapter 6)."""
    from helpers.listing import plain

    assert plain("see :func:`helpers.ensemble.build_net`, ``augment=False``") == (
        "see `helpers.ensemble.build_net`, `augment=False`"
    )


def test_a_glued_table_keeps_its_index_as_a_column(monkeypatch):
    import pandas as pd

    from helpers import glue as glue_module

    shown = []
    monkeypatch.setattr(
        glue_module, "display", lambda data, **kw: shown.append((data, kw))
    )
    table = pd.DataFrame({"run": ["a", "b"], "accuracy": [0.9, 0.8]}).set_index("run")
    glue_module.glue_table("finding", table)
    ((data, kw),) = shown
    html = data[glue_module.HIDDEN_PREFIX + "text/html"]
    assert html.count("<tr") == 3  # one header row and two rows: no row for "run"
    assert "<th>run</th>" in html
    assert kw["metadata"]["scrapbook"]["name"] == "finding"
