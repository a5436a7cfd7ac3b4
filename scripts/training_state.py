"""Keep the full profile's unfinished networks in git, so a long run outlives its
session (chapter 8's long rung; ``scripts/full_in_background.sh`` calls it).

    python scripts/training_state.py save      # _build/full/results -> training_state
    python scripts/training_state.py restore   # training_state -> _build/full/results

A network that trains with :class:`helpers.training.Resume` keeps its state in
``<results>/members/<recipe>/net-<i>.state/``: ``progress.json`` and the
weights file it names. ``save`` copies the newest state of every unfinished
network into ``training_state/full/`` (replacing the copy there, and dropping
those of networks since stored), ``restore`` copies it back before a run, so
a rerun on any machine goes on from the last saved epoch.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "_build" / "full" / "results" / "members"
KEPT = ROOT / "training_state" / "full" / "members"


def states(folder: Path) -> list[Path]:
    """The state folders of unfinished networks under ``folder``."""
    return sorted(
        p for p in folder.glob("*/net-*.state") if (p / "progress.json").exists()
    )


def copy_state(state: Path, target: Path) -> bool:
    """Copy one state, progress first, then the weights it names; False if
    the trainer replaced the weights meanwhile (the next round copies them)."""
    progress = (state / "progress.json").read_bytes()
    weights = state / json.loads(progress)["weights"]
    staging = target.with_name(target.name + ".copying")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        shutil.copy2(weights, staging / weights.name)
    except FileNotFoundError:
        shutil.rmtree(staging)
        return False
    (staging / "progress.json").write_bytes(progress)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return True


def save(source: Path = RESULTS, kept: Path = KEPT) -> list[str]:
    """Mirror the unfinished networks' states into ``kept``; returns what changed."""
    changed = []
    live = {p.relative_to(source) for p in states(source)}
    for name in live:
        target = kept / name
        progress = source / name / "progress.json"
        old = target / "progress.json"
        if old.exists() and old.read_bytes() == progress.read_bytes():
            continue
        if copy_state(source / name, target):
            changed.append(f"{name}: epoch {json.loads(progress.read_text())['epoch']}")
    for old in states(kept):  # stored since, or gone: no state to keep
        if old.relative_to(kept) not in live:
            shutil.rmtree(old)
            changed.append(f"{old.relative_to(kept)}: removed")
    return changed


def restore(source: Path = RESULTS, kept: Path = KEPT) -> list[str]:
    """Copy kept states that are newer than (or missing from) the results."""
    restored = []
    for state in states(kept):
        name = state.relative_to(kept)
        here = source / name / "progress.json"
        epoch = json.loads((state / "progress.json").read_text())["epoch"]
        if here.exists() and json.loads(here.read_text())["epoch"] >= epoch:
            continue
        if copy_state(state, source / name):
            restored.append(f"{name}: epoch {epoch}")
    return restored


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("save", "restore"))
    args = parser.parse_args(argv)
    for line in (save if args.command == "save" else restore)():
        print(f"{args.command}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
