"""scripts/training_state.py: the unfinished networks' state goes into git and back."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import training_state  # noqa: E402


def fake_state(results: Path, name: str, epoch: int) -> Path:
    """A state folder as helpers.training.Resume leaves it after ``epoch``."""
    state = results / name
    state.mkdir(parents=True, exist_ok=True)
    for old in state.glob("epoch-*.weights.h5"):
        old.unlink()
    weights = f"epoch-{epoch}.weights.h5"
    (state / weights).write_bytes(f"weights after {epoch}".encode())
    progress = {"epoch": epoch, "history": {}, "seconds": 1.0, "weights": weights}
    (state / "progress.json").write_text(json.dumps(progress))
    return state


def test_save_keeps_the_newest_state_and_drops_finished_networks(tmp_path):
    results, kept = tmp_path / "results", tmp_path / "kept"
    fake_state(results, "08_clothes-long-x/net-1.state", 3)
    assert training_state.save(results, kept) == [
        "08_clothes-long-x/net-1.state: epoch 3"
    ]
    fake_state(results, "08_clothes-long-x/net-1.state", 4)
    training_state.save(results, kept)
    copy = kept / "08_clothes-long-x/net-1.state"
    assert sorted(p.name for p in copy.iterdir()) == [
        "epoch-4.weights.h5",
        "progress.json",
    ]  # replaced, not accumulated
    assert training_state.save(results, kept) == []  # nothing new
    # the network is stored and its state removed: the kept copy goes too
    for path in (results / "08_clothes-long-x/net-1.state").iterdir():
        path.unlink()
    (results / "08_clothes-long-x/net-1.state").rmdir()
    assert training_state.save(results, kept) == [
        "08_clothes-long-x/net-1.state: removed"
    ]
    assert not copy.exists()


def test_restore_brings_back_only_newer_states(tmp_path):
    results, kept = tmp_path / "results", tmp_path / "kept"
    fake_state(kept, "r/net-2.state", 5)
    assert training_state.restore(results, kept) == ["r/net-2.state: epoch 5"]
    restored = results / "r/net-2.state"
    assert (restored / "epoch-5.weights.h5").read_bytes() == b"weights after 5"
    fake_state(results, "r/net-2.state", 7)  # this machine got further
    assert training_state.restore(results, kept) == []
    assert json.loads((restored / "progress.json").read_text())["epoch"] == 7


def test_a_state_whose_weights_vanished_mid_copy_waits_for_the_next_round(tmp_path):
    results, kept = tmp_path / "results", tmp_path / "kept"
    state = fake_state(results, "r/net-1.state", 2)
    (state / "epoch-2.weights.h5").unlink()  # replaced by the trainer meanwhile
    assert training_state.save(results, kept) == []
    assert not (kept / "r").exists() or not any((kept / "r").iterdir())
