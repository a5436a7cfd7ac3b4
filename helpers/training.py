"""One way to train every Keras model in the book (introduced in chapter 3).

The model definitions stay in the chapters, because they are the lesson. What
is the same every time lives here: quiet TensorFlow start-up, seeding, the
callbacks (early stopping, best-model checkpoint in the ``.keras`` format,
learning-rate schedules), timing and the history.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@contextlib.contextmanager
def _stderr_discarded():
    """Point file descriptor 2 at /dev/null: TensorFlow's C++ start-up lines
    ("oneDNN custom operations are on", "Could not find cuda drivers") are
    written there directly, past every Python and absl log setting."""
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def fast_cpu_kernels() -> None:
    """Ask TensorFlow for its oneDNN CPU kernels unless the user decided (chapter 3).

    TensorFlow turns them on by itself only on x86 CPUs with AVX-512 VNNI,
    AVX-VNNI or AMX; on the far more common AVX2 machines it leaves them off,
    and a CNN then trains at less than half the speed (see the benchmark in
    ``benchmarks/``). The variable is read once, when TensorFlow is imported,
    so this must run before; a ``TF_ENABLE_ONEDNN_OPTS`` set by the user wins.
    """
    if platform.machine().lower() in ("x86_64", "amd64"):
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")


def quiet_tensorflow() -> None:
    """Import TensorFlow and find its devices without start-up noise on stderr (chapter
    3).

    Call it in a chapter's Setup cell before ``import keras``. Python
    exceptions still surface as usual; only the C++ log lines are dropped, so
    a stderr line in an executed chapter always means something. It also turns
    on TensorFlow's fast CPU kernels where TensorFlow would not
    (:func:`fast_cpu_kernels`).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    fast_cpu_kernels()
    with _stderr_discarded():
        import tensorflow as tf

        tf.config.list_physical_devices()  # device discovery logs too: do it now
        tf.constant(0).numpy()


@dataclass
class Run:
    """A trained model and how it got there (what :func:`fit` returns)."""

    model: object
    history: dict[str, list[float]]
    train_seconds: float
    weights: int
    best_epoch: int | None = None

    @property
    def epochs_run(self) -> int:
        return len(next(iter(self.history.values())))


def count_weights(model) -> int:
    """Trainable weights, the number ``model.summary()`` reports as trainable params."""
    import keras

    return int(sum(keras.ops.size(w) for w in model.trainable_weights))


def fit(
    build: Callable[[], object],
    x,
    y=None,
    *,
    epochs: int,
    batch_size: int | None,
    seed: int,
    validation_data=None,
    validation_split: float | None = None,
    early_stopping: dict | None = None,
    checkpoint: bool = False,
    callbacks: list | None = None,
    verbose: int = 2,
    **fit_kwargs,
) -> Run:
    """Seed, build, train and time a model (chapter 3).

    ``build`` is a function that returns a compiled model, so that seeding
    happens before its weights are drawn and two runs with one seed are
    identical. ``early_stopping`` holds ``keras.callbacks.EarlyStopping``
    arguments; ``checkpoint=True`` keeps the weights with the lowest
    validation loss in a ``.keras`` file and returns the model loaded from it,
    as the source tutorials do. ``verbose=2`` prints one line per epoch.
    """
    import keras

    keras.utils.set_random_seed(seed)
    model = build()
    callbacks = list(callbacks or [])
    if early_stopping is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(**{"monitor": "val_loss", **early_stopping})
        )
    with tempfile.TemporaryDirectory() as tmp:
        best_path = Path(tmp) / "best.keras"
        if checkpoint:
            callbacks.append(
                keras.callbacks.ModelCheckpoint(
                    best_path, monitor="val_loss", save_best_only=True
                )
            )
        start = time.perf_counter()
        history = model.fit(
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            validation_data=validation_data,
            validation_split=validation_split or 0.0,
            callbacks=callbacks,
            verbose=verbose,
            **fit_kwargs,
        )
        seconds = time.perf_counter() - start
        if checkpoint:
            model.load_weights(best_path)  # the best epoch, as saved in the .keras file
    values = {
        name: [float(v) for v in series] for name, series in history.history.items()
    }
    best = None
    if "val_loss" in values:
        best = (
            min(range(len(values["val_loss"])), key=values["val_loss"].__getitem__) + 1
        )
    return Run(
        model=model,
        history=values,
        train_seconds=seconds,
        weights=count_weights(model),
        best_epoch=best,
    )
