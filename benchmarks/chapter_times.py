"""Where a build's time went, chapter by chapter, from what its run recorded.

Reads an executed build (``_build/<profile>/book/*.ipynb`` and the networks in
``_build/<profile>/results/members/``) and prints one row per chapter:

* **total**: papermill's duration of the whole notebook;
* **training**, **searching**, **plotting**, **other**: papermill's duration of
  each code cell, by what the cell does (the first rule that matches, in this
  order: a search of settings such as chapter 7's peak rate or chapter 2's
  cross-validation; training, including the networks a cell trains through
  ``train``/``read``/``fit``; a figure; everything else);
* **epochs** and **s/epoch**: the epochs of the networks trained during this
  run (stored networks found from an earlier run are not counted), and the
  training cells' seconds per epoch;
* **predicting**: of the training seconds, the time the stored networks spent
  predicting validation and test images after training, test-time
  augmentation included (``predict_seconds`` of their records).

Augmentation runs inside the training step, so its share is measured by
``benchmarks/peak_fraction.py`` (the same step with and without the layer).
Numbers from one build only: a build that found its networks stored spent
nothing on them.

    python benchmarks/chapter_times.py                  # the standard build
    python benchmarks/chapter_times.py --profile smoke
    python benchmarks/chapter_times.py --against /tmp/before  # two builds side by side

``--against`` names a second build folder (holding ``<profile>/book`` and
``<profile>/results``, a copy of ``_build`` kept before a change) and adds a
table of both builds' totals and epochs per chapter, and their difference.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

KINDS = {
    "searching": re.compile(r"PEAKS|range_test|GridSearchCV|cross_val|CV_FOLDS"),
    "training": re.compile(
        r"\btrain\(|\bread\(|\bfit\(|train_member|\btrain_rung|\brow\(|\bladder\("
    ),
    "plotting": re.compile(r"\bplt\.|\bplots\.|\.plot\(|imshow"),
}


def kind(source: str) -> str:
    """What a code cell does, by the first rule of ``KINDS`` that matches."""
    for name, pattern in KINDS.items():
        if pattern.search(source):
            return name
    return "other"


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def networks_trained(results: Path, chapter: str, start, end) -> list[dict]:
    """The member records of ``chapter`` written between ``start`` and ``end``."""
    records = []
    for path in sorted(results.glob(f"members/{chapter}-*/net-*.json")):
        record = json.loads(path.read_text())
        recorded = record.get("environment", {}).get("recorded_utc")
        if recorded and start <= when(recorded) <= end:
            records.append(record)
    return records


def chapter_row(notebook: Path, results: Path) -> dict:
    book = json.loads(notebook.read_text())
    papermill = book["metadata"].get("papermill", {})
    row = {"chapter": notebook.stem, "total": papermill.get("duration") or 0.0}
    row.update(dict.fromkeys(KINDS, 0.0), other=0.0)
    for cell in book["cells"]:
        if cell["cell_type"] == "code":
            seconds = cell["metadata"].get("papermill", {}).get("duration") or 0.0
            row[kind("".join(cell["source"]))] += seconds
    row["epochs"], row["predicting"] = 0, 0.0
    if papermill.get("start_time") and papermill.get("end_time"):
        for record in networks_trained(
            results,
            notebook.stem,
            when(papermill["start_time"]),
            when(papermill["end_time"]),
        ):
            row["epochs"] += len(record["history"]["loss"])
            row["predicting"] += record.get("predict_seconds", 0.0)
    for path in results.glob(f"{notebook.stem}-*.json"):  # chapters 3-5: fit()
        metrics = json.loads(path.read_text())
        if "epochs_run" in metrics:
            row["epochs"] += metrics["epochs_run"]
    return row


def executed(folder: Path) -> list[Path]:
    """The executed chapters of one build's profile folder."""
    notebooks = sorted((folder / "book").glob("[0-9][0-9]_*.ipynb"))
    return [n for n in notebooks if ".running" not in n.name]


def side_by_side(before: Path, after: Path) -> None:
    """Each chapter's total seconds and epochs in two builds, and the change."""
    rows = {
        name: {n.stem: chapter_row(n, folder / "results") for n in executed(folder)}
        for name, folder in (("before", before), ("after", after))
    }
    print(
        f"\n{'chapter':20s}{'before':>9s}{'after':>9s}{'change':>9s}"
        f"{'epochs':>9s}{'epochs':>9s}"
    )
    sums = {"before": 0.0, "after": 0.0}
    for stem in sorted({*rows["before"], *rows["after"]}):
        pair = [rows[name].get(stem) for name in ("before", "after")]
        if None in pair:
            print(f"{stem:20s}  (in one build only)")
            continue
        old, new = pair
        sums["before"] += old["total"]
        sums["after"] += new["total"]
        print(
            f"{stem:20s}{old['total']:9.0f}{new['total']:9.0f}"
            f"{new['total'] - old['total']:+9.0f}{old['epochs']:9d}{new['epochs']:9d}"
        )
    change = sums["after"] - sums["before"]
    print(
        f"{'book':20s}{sums['before']:9.0f}{sums['after']:9.0f}{change:+9.0f}"
        f"\nseconds (the chapters both builds executed): {sums['before'] / 60:.1f} "
        f"-> {sums['after'] / 60:.1f} min"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profile", default="standard")
    parser.add_argument("--build", type=Path, default=ROOT / "_build")
    parser.add_argument(
        "--against", type=Path, help="a second build folder, printed side by side"
    )
    args = parser.parse_args()
    folder = args.build / args.profile
    notebooks = executed(folder)
    if not notebooks:
        sys.exit(f"no executed chapters in {folder / 'book'}: run the build first")
    columns = ("total", "training", "predicting", "searching", "plotting", "other")
    print(
        f"{'chapter':20s}"
        + "".join(f"{name:>11s}" for name in columns)
        + f"{'epochs':>8s}{'s/epoch':>9s}"
    )
    sums = dict.fromkeys(columns, 0.0)
    for notebook in notebooks:
        row = chapter_row(notebook, folder / "results")
        per_epoch = (
            f"{row['training'] / row['epochs']:9.1f}" if row["epochs"] else f"{'':9s}"
        )
        print(
            f"{row['chapter']:20s}"
            + "".join(f"{row[name]:11.0f}" for name in columns)
            + f"{row['epochs']:8d}{per_epoch}"
        )
        for name in columns:
            sums[name] += row[name]
    print(f"{'book':20s}" + "".join(f"{sums[name]:11.0f}" for name in columns))
    print(f"seconds; the whole book: {sums['total'] / 60:.1f} min")
    if args.against:
        side_by_side(args.against / args.profile, folder)


if __name__ == "__main__":
    main()
