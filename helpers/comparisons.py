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
    n: int | str,
    *,
    ours: str = "accuracy",
    reference: str = "reference",
    independent: bool | str = False,
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
    ``n`` may name a column instead, for rows measured on sets of their own
    size (a class's test images, chapter 8), and so may ``independent``.
    """
    import pandas as pd

    table = []
    for row in rows:
        row = dict(row)
        base = row.get(reference)
        size = row[n] if isinstance(n, str) else n
        apart = row[independent] if isinstance(independent, str) else independent
        if base is None:
            row.update(images="", verdict="")
        else:
            bar = round(_bar(base, size, apart))
            images = difference(row[ours], base, size)
            # no image apart is a tie, even where the noise is nil (a recall of 0)
            word = verdict_word(row[ours], base, size, apart) if images else "tie"
            row.update(images=f"{images:+,d}" if images else "0")
            row.update(verdict=f"{word} (±{bar})")
        table.append(row)
    frame = pd.DataFrame(table)
    return frame.set_index(index) if index else frame


def per_class(before, after, class_names, labels, digits: int = 3):
    """Recall per class before and after a change, each change judged against
    the noise of the class's own test images (``labels``), the weakest class
    first (chapter 8). ``before`` and ``after`` map class names to recalls."""
    from .results import rounded

    rows = [
        {
            "class": name,
            "before": before[name],
            "after": after[name],
            "test images": int((labels == k).sum()),
        }
        for k, name in enumerate(class_names)
    ]
    table = compare(
        rows, "test images", ours="after", reference="before", index="class"
    )
    return rounded(table.drop(columns="test images").sort_values("before"), digits)


def against_sources(archived: dict, models: list[str], validation_share: float):
    """The archived full-profile runs against the sources' numbers, each on the
    split its source reported, one row per model and dataset with a source
    number (chapters 2 to 4). ``archived`` maps (model, dataset) to a metrics
    record. A test accuracy with several seeds is their mean, with their range
    beside it; a validation accuracy is the run's own split's, other images
    than the source's, so the noise of two splits judges it."""
    from .data import DATASETS, N_TEST
    from .profiles import DATASET_NAMES
    from .results import display_name, on_source_split, reported

    rows = []
    for model in models:
        for dataset in DATASETS:
            record, source = archived.get((model, dataset)), reported(model, dataset)
            if not record or not source:
                continue
            ours, n = on_source_split(record, source, validation_share, N_TEST)
            seeds = record.get("seed_test_accuracy", [])
            spread = len(seeds) > 1 and source["split"] == "test"
            rows.append(
                {
                    "network": display_name(model),
                    "data": DATASET_NAMES[dataset],
                    "split": source["split"],
                    "source": source["accuracy"],
                    "ours": ours,
                    "seeds": f"{min(seeds):.4f}–{max(seeds):.4f}" if spread else "",
                    "n": n,
                    "apart": source["split"] == "validation",
                }
            )
    table = compare(rows, "n", ours="ours", reference="source", independent="apart")
    return table.drop(columns=["n", "apart"]) if rows else table
