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


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (papermill, Colab, JupyterLab), not in a script."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def _decimal(value: float) -> float:
    """A metric Keras computed in float32, as the decimal it stands for: Keras's
    0.90075 is 0.9007499 in float32 and would print 0.9007 beside NumPy's 0.9008
    for the same 10,809 of 12,000 images."""
    import numpy as np

    return float(str(np.float32(value)))


def _epoch_line(epoch: int, epochs: int, seconds: float, logs: dict) -> str:
    """One epoch as one line: 'epoch  3/10  4.1 s  accuracy 0.9812  loss 0.0612 ...'."""
    values = "  ".join(
        f"{name}\N{NO-BREAK SPACE}{value:.3g}"
        if name == "learning_rate"
        else f"{name}\N{NO-BREAK SPACE}{_decimal(value):.4f}"
        for name, value in (logs or {}).items()
    )
    width = len(str(epochs))
    # no-break spaces: a phone wraps the line between fields, never inside one
    return (
        f"epoch\N{NO-BREAK SPACE}{epoch:>{width}}/{epochs}  "
        f"{seconds:.1f}\N{NO-BREAK SPACE}s  {values}"
    )


class NotebookLog:
    """The epoch log of a run in a notebook, folded under one summary line
    (chapter 3).

    A Keras log of tens of epochs fills screens between a chapter's results. In a
    notebook, :func:`fit` therefore prints the same lines (one per epoch, as
    Keras' ``verbose=2``) into a live output while the run trains, and at the
    end replaces them by an HTML ``<details>`` element: the book shows the
    summary line, and a click opens the epochs. Its ``text/plain`` twin holds
    the summary and every line, for frontends without HTML.

    The live output ends empty, as it began: nbval compares the first state
    of an output with the stored last one (it ignores updates), so both must
    agree.
    """

    def __init__(self, epochs: int):
        self.epochs, self.lines, self.handle = epochs, [], None
        self.epoch_seconds = 0.0

    def callback(self):
        import keras

        log = self

        class _Log(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                log.begin()

            def on_epoch_begin(self, epoch, logs=None):
                self.started = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                seconds = time.perf_counter() - self.started
                log.epoch_seconds += seconds
                log.epoch(_epoch_line(epoch + 1, log.epochs, seconds, logs))

        return _Log()

    def begin(self) -> None:
        from IPython.display import display

        self.handle = display({"text/html": ""}, raw=True, display_id=True)

    def epoch(self, line: str) -> None:
        self.lines.append(line)
        if self.handle is not None:
            self.handle.update({"text/plain": "\n".join(self.lines)}, raw=True)

    def end(self, run: Run) -> None:
        import html

        from IPython.display import display

        if self.handle is not None:
            self.handle.update({"text/html": ""}, raw=True)
        summary = f"Training log: {_count(run.epochs_run, 'epoch')} in "
        summary += f"{run.train_seconds:,.1f} s"
        # the rest is fit's own setup (it converts the arrays) and teardown
        summary += f" ({self.epoch_seconds:,.1f} s in the epochs)"
        if "val_accuracy" in run.history:
            val = run.history["val_accuracy"]
            summary += f", validation accuracy {_decimal(val[0]):.4f} after epoch 1"
            if len(val) > 1:
                summary += f", {_decimal(val[-1]):.4f} after epoch {len(val)}"
        body = "\n".join(self.lines)
        display(
            {
                "text/html": (
                    f'<details class="training-log"><summary>{html.escape(summary)}'
                    f"</summary><pre>{html.escape(body)}</pre></details>"
                ),
                "text/plain": f"{summary}\n{body}",
            },
            raw=True,
        )


class Resume:
    """A training run that survives the end of its process (chapter 8).

    After every epoch the weights and the optimizer's state (its moments, its
    step count and so the learning-rate schedule's position) go to
    ``folder/epoch-<k>.weights.h5``, then the epoch, the history so far, the
    seconds trained so far and that file's name to ``folder/progress.json``,
    each atomically, the progress last; the older weights file goes after. A
    reader that copies ``progress.json`` first and then the file it names
    always gets a matching pair. A run started again with the same folder loads
    both and goes on at the next epoch. The data's order is not restored: the
    epochs after a restart see a new shuffle of the same images.
    """

    PROGRESS = "progress.json"

    def __init__(self, folder):
        self.folder = Path(folder)
        self.epoch, self.history, self.seconds = 0, {}, 0.0

    def restore(self, model) -> int:
        """Load the saved state into ``model`` (compiled); returns the epochs done."""
        import json

        progress = self.folder / self.PROGRESS
        if not progress.exists():
            return 0
        saved = json.loads(progress.read_text())
        model.optimizer.build(model.trainable_variables)  # its slots, to load into
        model.load_weights(self.folder / saved["weights"])
        self.epoch, self.history = saved["epoch"], saved["history"]
        self.seconds = saved["seconds"]
        print(f"resuming after epoch {self.epoch}, saved in {self.folder}", flush=True)
        return self.epoch

    def save(self, model, epoch: int, logs: dict, seconds: float) -> None:
        import json

        from .files import write_atomic

        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(float(value))
        self.epoch, self.seconds = epoch, self.seconds + seconds
        weights = f"epoch-{epoch}.weights.h5"
        write_atomic(self.folder / weights, model.save_weights)
        progress = {
            "epoch": epoch,
            "history": self.history,
            "seconds": self.seconds,
            "weights": weights,
        }
        write_atomic(self.folder / self.PROGRESS, json.dumps(progress).encode())
        for old in self.folder.glob("epoch-*.weights.h5"):
            if old.name != weights:
                old.unlink(missing_ok=True)

    def callback(self):
        import keras

        resume = self

        class _Save(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.started = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                seconds = time.perf_counter() - self.started
                resume.save(self.model, epoch + 1, logs, seconds)

        return _Save()


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
    resume_dir=None,
    **fit_kwargs,
) -> Run:
    """Seed, build, train and time a model (chapter 3).

    ``build`` is a function that returns a compiled model, so that seeding
    happens before its weights are drawn and two runs with one seed are
    identical. ``early_stopping`` holds ``keras.callbacks.EarlyStopping``
    arguments; ``checkpoint=True`` keeps the weights with the lowest
    validation loss in a ``.keras`` file and returns the model loaded from it,
    as the source tutorials do. ``verbose=2`` prints one line per epoch; in a
    notebook the lines are folded under a summary line (:class:`NotebookLog`).
    ``resume_dir`` keeps the training state there after every epoch
    (:class:`Resume`) and, where a state is saved, continues from it: the
    history and seconds returned then cover every epoch, before and after.
    """
    import keras

    keras.utils.set_random_seed(seed)
    model = build()
    callbacks = list(callbacks or [])
    resume = None
    if resume_dir is not None:
        resume = Resume(resume_dir)
        fit_kwargs["initial_epoch"] = resume.restore(model)
        callbacks.append(resume.callback())
    log = NotebookLog(epochs) if verbose == 2 and _in_notebook() else None
    if log is not None:
        callbacks.append(log.callback())
        verbose = 0
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
    if resume is not None:  # the epochs of earlier sessions, too
        values, seconds = resume.history, resume.seconds
    best = None
    if "val_loss" in values:
        best = (
            min(range(len(values["val_loss"])), key=values["val_loss"].__getitem__) + 1
        )
    run = Run(
        model=model,
        history=values,
        train_seconds=seconds,
        weights=count_weights(model),
        best_epoch=best,
    )
    if log is not None:
        log.end(run)
    return run


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _epochs(numbers: list[int]) -> str:
    """``[3]`` -> "epoch 3", ``[3, 5, 7]`` -> "epochs 3, 5 and 7"."""
    if len(numbers) == 1:
        return f"epoch {numbers[0]}"
    return "epochs " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def trend(values: list[float]) -> str:
    """How a per-epoch curve went, in words for a glued sentence (chapter 5):
    where it was lowest, and whether it rose on the way there or after.

    The words follow the subject "The training loss": "falls in every epoch,
    from 0.412 to 0.0213"; "falls from 0.412 in epoch 1 to its lowest, 0.0213,
    in epoch 9, and is higher in epoch 10 (0.0251)". An overall fall is never
    called steady when some epoch rose.
    """
    values = [float(v) for v in values]
    if not values:
        raise ValueError("no epochs to describe")
    n = len(values)
    if n == 1:
        return f"is a single point after one epoch ({values[0]:.3g})"
    lowest = min(range(n), key=values.__getitem__) + 1  # the first lowest epoch
    rises = [e for e in range(2, n + 1) if values[e - 1] > values[e - 2]]
    first, low, last = values[0], values[lowest - 1], values[-1]
    if not rises and all(b < a for a, b in zip(values, values[1:])):
        return f"falls in every epoch, from {first:.3g} to {last:.3g}"
    if not rises:  # some epochs level, none higher
        return f"never rises: from {first:.3g} in epoch 1 to {last:.3g} in epoch {n}"
    if lowest == 1:
        return (
            f"is lowest in epoch 1 ({first:.3g}) and never falls below it again; "
            f"it ends at {last:.3g} in epoch {n}"
        )
    text = (
        f"falls from {first:.3g} in epoch 1 to its lowest, {low:.3g}, in epoch {lowest}"
    )
    if lowest == n:
        text += ", the last"
    before = [e for e in rises if e < lowest]
    if before:
        text += f", though not in every epoch (it rose in {_epochs(before)})"
    if lowest == n:
        return text
    after = values[lowest:]
    if lowest == n - 1:
        return text + f", and is higher in epoch {n} ({last:.3g})"
    if all(b > a for a, b in zip(values[lowest - 1 :], after)):
        return text + f", and rises in every epoch after it, to {last:.3g} in epoch {n}"
    return text + (
        f", and stays above it in the {n - lowest} epochs after it, ending at "
        f"{last:.3g} in epoch {n}"
    )


def early_stopping_words(
    stopped: dict, baseline: dict, epochs: int, patience: int, n_test: int
) -> str:
    """What early stopping did, against the same network trained without it, in
    words for a glued sentence (chapter 5, for this build's run and for the
    archived full-profile runs).

    ``stopped`` and ``baseline`` are metrics records, or dicts with their keys
    ``epochs_run``, ``best_epoch`` (the epoch of the lowest validation loss),
    ``train_seconds`` and ``test_accuracy``;
    ``epochs`` is the budget both had and ``patience`` the callback's. Both runs
    start from the same seed, so early stopping can only save epochs: the words
    say how many, whether the clock agrees (two timings of the same computation
    can differ on a shared machine), and how the weights it kept compare with
    the baseline's on ``n_test`` test images (:func:`helpers.results.versus`).
    """
    from .results import verdict, versus

    ran, best = stopped["epochs_run"], stopped["best_epoch"]
    base_ran, base_best = baseline["epochs_run"], baseline["best_epoch"]
    seconds, base_seconds = stopped["train_seconds"], baseline["train_seconds"]
    clock = f"{seconds:,.1f} s against the baseline's {base_seconds:,.1f} s"
    if ran >= epochs and epochs == 1:
        text = (
            "With a single epoch there is nothing to stop early: the run trained "
            f"its one epoch like the baseline ({clock}, the same computation "
            "timed twice) and saved no time."
        )
    elif ran >= epochs:
        why = (
            "the validation loss was lowest in the last epoch"
            if best == ran
            else f"the validation loss was lowest in epoch {best}, "
            f"{_count(ran - best, 'epoch')} before the end, fewer than the "
            f"patience of {patience}"
        )
        text = (
            f"Early stopping never stopped this run: {why}. So it trained all "
            f"{epochs} epochs like the baseline ({clock}, the same computation "
            "timed twice) and saved no time"
            + (
                f"; it did restore the weights of epoch {best}."
                if best < ran
                else ", and it kept the last epoch's weights."
            )
        )
    else:
        text = (
            f"Early stopping ended the run after {ran} of {epochs} epochs, "
            f"{_count(ran - best, 'epoch')} after its lowest validation loss "
            f"(epoch {best}), and restored epoch {best}'s weights. It skipped "
            f"{_count(epochs - ran, 'epoch')}"
        )
        if seconds < base_seconds:
            each = base_seconds / base_ran
            text += (
                f" and trained for {seconds:,.1f} s against the baseline's "
                f"{base_seconds:,.1f} s for all {epochs}: "
                f"{base_seconds - seconds:,.1f} s saved, where "
                f"{_count(epochs - ran, 'epoch')} at the baseline's {each:,.1f} s "
                f"would save {(epochs - ran) * each:,.1f} s (two timings of the same "
                "computation vary on a shared machine)."
            )
        else:
            text += (
                f", yet on the clock it took {seconds:,.1f} s against the baseline's "
                f"{base_seconds:,.1f} s for all {epochs}: "
                f"{seconds / ran:,.1f} s an epoch against "
                f"{base_seconds / base_ran:,.1f} s for the same computation, so "
                "this machine's timing varied by more than the skipped epochs "
                "cost, and here the saving is in epochs only."
            )
    test, base_test = stopped["test_accuracy"], baseline["test_accuracy"]
    if (ran, best, test) == (base_ran, base_ran, base_test):
        return text + f" It ends where the baseline ends: test accuracy {test:.4f}."
    text += (
        f" On the test set it scores {test:.4f} against the baseline's "
        f"{base_test:.4f}: {versus(test, base_test, n_test)}."
    )
    side = verdict(test, base_test, n_test)
    if ran < epochs and base_best > best:
        text += (
            " The baseline's validation loss went on to fall below epoch "
            f"{best}'s, to its lowest in epoch {base_best}: with a patience of "
            f"{_count(patience, 'epoch')}, early stopping gave up too soon here."
        )
    if side == "ahead" and base_best < base_ran:
        text += (
            f" The baseline ends with its last epoch's weights, "
            f"{_count(base_ran - base_best, 'epoch')} past its own lowest "
            f"validation loss (epoch {base_best})."
        )
    elif side == "behind" and base_best <= best < ran:
        text += (
            " The weights with the lowest validation loss need not have the most "
            "right answers: the loss also punishes confident mistakes."
        )
    return text
