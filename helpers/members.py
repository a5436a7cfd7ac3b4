"""Trained ensemble networks, kept as their test-set probabilities (chapter 6).

An ensemble of seven networks of 40 epochs takes hours on a CPU, more than
one sitting, and several machines can share the work. So every network is
stored the moment it has trained, in a folder named after the recipe it was
trained with (:func:`helpers.ensemble.fingerprint`):

* ``net-<i>.json`` -- its history, times, accuracies, parameters and machine;
* ``net-<i>.npz`` -- its softmax outputs on the 10,000 test images, float16
  (about 0.1 MB; loaded with ``allow_pickle=False``, so loading runs no code);
* ``net-<i>.keras`` -- the network itself, for this machine only.

The ensemble needs only the probabilities, so the first two files are enough
to combine networks trained elsewhere: ``python scripts/book.py archive``
copies them of the ``full`` profile into ``helpers/archive/full/members/``,
where chapter 6 finds them instead of training again and the results chapter
shows them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

from .files import write_atomic
from .profiles import CUSTOM
from .results import ARCHIVE, environment

FOLDER = "members"


class Members:
    """The stored networks of one recipe, here and in the archive (chapter 6)."""

    def __init__(
        self, results_dir, chapter: str, recipe: dict, profile: str, archive=ARCHIVE
    ):
        from .ensemble import fingerprint

        self.recipe, self.profile = recipe, profile
        name = f"{chapter}-{recipe['dataset']}-{fingerprint(recipe)}"
        self.folder = Path(results_dir) / FOLDER / name
        # only runs that match a profile are archived; a custom run never reads them
        self.archived = (
            None if profile == CUSTOM else Path(archive) / profile / FOLDER / name
        )

    def _find(self, i: int) -> Path | None:
        for folder in (self.folder, self.archived):
            if (
                folder
                and (folder / f"net-{i}.json").exists()
                and (folder / f"net-{i}.npz").exists()
            ):
                return folder
        return None

    def done(self, i: int) -> bool:
        """Whether network ``i`` (counting from 1) is stored, here or in the archive."""
        return self._find(i) is not None

    def where(self, i: int) -> Path:
        """The folder network ``i`` is read from (results first, then archive)."""
        folder = self._find(i)
        if folder is None:
            raise FileNotFoundError(
                f"network {i} of {self.folder.name} is not stored yet"
            )
        return folder

    def save(self, i: int, probabilities, record: dict, model=None, **arrays) -> dict:
        """Store network ``i``: probabilities first, record last, each atomically.

        A network counts as done only once both files exist, and the record is
        written last, so a run killed in between leaves it undone, never half done.
        ``arrays`` are further test-set outputs kept beside the probabilities
        (the faster recipe's ``tta``), float16 too.
        """
        probabilities = np.asarray(probabilities, dtype=np.float16)
        if model is not None:
            write_atomic(self.folder / f"net-{i}.keras", model.save)
        buffer = io.BytesIO()
        extra = {name: np.asarray(a, dtype=np.float16) for name, a in arrays.items()}
        np.savez_compressed(buffer, probabilities=probabilities, **extra)
        write_atomic(self.folder / f"net-{i}.npz", buffer.getvalue())
        record = {
            "network": i,
            "profile": self.profile,
            "recipe": self.recipe,
            "environment": environment(),
            **record,
        }
        write_atomic(
            self.folder / f"net-{i}.json",
            (json.dumps(record, indent=1, sort_keys=True) + "\n").encode(),
        )
        return record

    def load(self, i: int) -> tuple[dict, np.ndarray]:
        """Network ``i``'s record and its test-set probabilities (float16)."""
        return _read(self.where(i), i)

    def load_array(self, i: int, name: str) -> np.ndarray | None:
        """A further array stored with network ``i`` (``tta``), or None."""
        with np.load(self.where(i) / f"net-{i}.npz", allow_pickle=False) as stored:
            return stored[name] if name in stored.files else None

    def state_dir(self, i: int) -> Path:
        """Where network ``i``'s training state is kept while it trains
        (:class:`helpers.training.Resume`); gone once the network is stored."""
        return self.folder / f"net-{i}.state"

    def model_path(self, i: int) -> Path:
        """Where network ``i`` itself is kept on this machine (the archive has none)."""
        return self.folder / f"net-{i}.keras"


def _read(folder: Path, i: int) -> tuple[dict, np.ndarray]:
    record = json.loads((folder / f"net-{i}.json").read_text())
    with np.load(folder / f"net-{i}.npz", allow_pickle=False) as stored:
        return record, stored["probabilities"]


def archived(
    chapter: str, dataset: str, profile: str = "full", archive=ARCHIVE
) -> list[dict]:
    """Every archived recipe of ``chapter`` on ``dataset``: its record per network and
    the networks' probabilities, networks in order (the results chapter).

    ``chapter`` is the start of the folders' names and may be a glob:
    ``"07_faster-*"`` collects every variant of the faster recipe
    (``07_faster-<variant>-<dataset>-<fingerprint>``)."""
    found = []
    for folder in sorted(
        (Path(archive) / profile / FOLDER).glob(f"{chapter}-{dataset}-*")
    ):
        numbers = sorted(
            int(p.stem.split("-")[1])
            for p in folder.glob("net-*.json")
            if p.with_suffix(".npz").exists()
        )
        records, probabilities, tta = [], [], []
        for i in numbers:
            record, values = _read(folder, i)
            records.append(record)
            probabilities.append(values)
            with np.load(folder / f"net-{i}.npz", allow_pickle=False) as stored:
                tta.append(stored["tta"] if "tta" in stored.files else None)
        if records:
            found.append(
                {
                    "folder": folder.name,
                    "recipe": records[0]["recipe"],
                    "records": records,
                    "probabilities": np.stack(probabilities),
                    # the test-time augmented outputs, where every network has them
                    "tta": None if any(t is None for t in tta) else np.stack(tta),
                }
            )
    return found


def network_table(run: dict, y_test):
    """One row per network of an :func:`archived` recipe: its epochs, minutes of
    training, validation and test accuracy, with test-time augmentation where
    stored (chapter 8's long rung)."""
    import pandas as pd

    from .results import accuracy

    rows = []
    for k, record in enumerate(run["records"]):
        row = {
            "network": record["network"],
            "epochs": len(record["history"]["loss"]),
            "minutes": record["train_seconds"] / 60,
            "validation": record["val_accuracy"],
            "test": accuracy(run["probabilities"][k].astype("float64"), y_test),
        }
        if run["tta"] is not None:
            row["validation, mirror"] = record["val_accuracy_tta"]
            row["test, mirror"] = accuracy(run["tta"][k].astype("float64"), y_test)
        rows.append(row)
    return pd.DataFrame(rows).set_index("network")
