"""Comparisons of accuracies as tables with a verdict column (introduced in
chapter 2, which explains the noise rule once).

A difference of accuracies is counted in images of the split, and judged
against the split's noise (two standard errors, :func:`helpers.results.noise_images`):
within it the two are a **tie**, beyond it one is **ahead** or **behind**. Every
chapter that sets models beside each other, or beside a source or a published
network, builds its table with :func:`compare`, so the rule reads the same
everywhere and prose only names the rows that matter.
"""

from __future__ import annotations

from .results import _bar, verdict

WORDS = {"ahead": "ahead", "a tie": "tie", "behind": "behind"}


def difference(ours: float, reference: float, n: int) -> int:
    """``ours - reference`` in images of ``n``, rounded (a source's four-decimal
    accuracy is counted the same way)."""
    return round((ours - reference) * n)


def verdict_word(
    ours: float, reference: float, n: int, independent: bool = False
) -> str:
    """ "ahead", "tie" or "behind" (:func:`helpers.results.verdict`)."""
    return WORDS[verdict(ours, reference, n, independent)]


def compare(
    rows: list[dict],
    n: int,
    *,
    ours: str = "accuracy",
    reference: str = "reference",
    independent: bool = False,
    index: str | None = None,
):
    """A table of ``rows`` with a verdict column (chapter 2).

    Each row is a dict of the columns to show; its ``ours`` entry is the
    accuracy judged and its ``reference`` entry the accuracy it is judged
    against, both on ``n`` images (a row whose reference is None is shown
    as it is: the reference itself, say). Added columns: ``images`` (the
    signed difference in images) and ``verdict`` ("tie (±11)", "behind
    (±27)": the word and the noise it was judged against, in images;
    ``independent`` when the two were measured on different draws of ``n``
    images, whose noises add up). ``index`` names the column to index by.
    """
    import pandas as pd

    table = []
    for row in rows:
        row = dict(row)
        base = row.get(reference)
        if base is None:
            row.update(images="", verdict="")
        else:
            bar = round(_bar(base, n, independent))
            word = verdict_word(row[ours], base, n, independent)
            images = difference(row[ours], base, n)
            row.update(images=f"{images:+,d}" if images else "0")
            row.update(verdict=f"{word} (±{bar})")
        table.append(row)
    frame = pd.DataFrame(table)
    return frame.set_index(index) if index else frame
