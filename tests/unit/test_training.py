import re

import numpy as np
import pytest

from helpers import training

training.quiet_tensorflow()
import keras  # noqa: E402


def tiny_problem():
    rng = np.random.default_rng(0)
    x = rng.random((200, 8, 8, 1), dtype=np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int64")
    return x[:160], y[:160], x[160:], y[160:]


def build():
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def test_same_seed_same_history_and_weights():
    x, y, xv, yv = tiny_problem()
    first = training.fit(
        build,
        x,
        y,
        epochs=3,
        batch_size=32,
        seed=5,
        validation_data=(xv, yv),
        verbose=0,
    )
    second = training.fit(
        build,
        x,
        y,
        epochs=3,
        batch_size=32,
        seed=5,
        validation_data=(xv, yv),
        verbose=0,
    )
    assert first.history == second.history
    for a, b in zip(first.model.get_weights(), second.model.get_weights()):
        assert np.array_equal(a, b)
    other = training.fit(
        build,
        x,
        y,
        epochs=3,
        batch_size=32,
        seed=6,
        validation_data=(xv, yv),
        verbose=0,
    )
    assert other.history != first.history


def test_run_records_time_weights_and_best_epoch():
    x, y, xv, yv = tiny_problem()
    run = training.fit(
        build,
        x,
        y,
        epochs=4,
        batch_size=32,
        seed=0,
        validation_data=(xv, yv),
        verbose=0,
    )
    assert run.epochs_run == 4 and run.train_seconds > 0
    assert run.weights == 8 * 8 * 2 + 2
    assert run.best_epoch == int(np.argmin(run.history["val_loss"])) + 1


def test_checkpoint_returns_the_best_model_and_early_stopping_stops():
    x, y, xv, yv = tiny_problem()
    run = training.fit(
        build,
        x,
        y,
        epochs=50,
        batch_size=32,
        seed=0,
        validation_data=(xv, yv),
        early_stopping={"patience": 1},
        checkpoint=True,
        verbose=0,
    )
    assert run.epochs_run < 50
    loss = run.model.evaluate(xv, yv, verbose=0)[0]
    assert loss == pytest.approx(min(run.history["val_loss"]), rel=1e-4)


def test_fast_cpu_kernels_leave_the_users_choice(monkeypatch):
    import platform

    monkeypatch.setattr(platform, "machine", lambda: "x86_64")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    training.fast_cpu_kernels()
    assert training.os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS")
    training.fast_cpu_kernels()
    assert training.os.environ["TF_ENABLE_ONEDNN_OPTS"] == "1"


def test_environment_names_the_cpu_and_onednn():
    from helpers import results

    env = results.environment()
    assert env["cpu"] and isinstance(env.get("cpu_features", []), list)
    assert env["onednn"] in (True, False)  # TensorFlow is imported in this module


def test_notebook_log_folds_the_epochs_and_ends_as_it_began(monkeypatch):
    """In a notebook the epochs are shown live, then folded under a summary line;
    the live output ends in the state it began in, the one nbval compares."""
    import IPython.display

    shown, updates = [], []

    class Handle:
        def update(self, data, raw):
            updates.append(data)

    def display(data, raw, display_id=False):
        shown.append(data)
        return Handle() if display_id else None

    monkeypatch.setattr(training, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    x, y, xv, yv = tiny_problem()
    run = training.fit(
        build, x, y, epochs=3, batch_size=32, seed=0, validation_data=(xv, yv)
    )
    live, folded = shown
    lines = folded["text/plain"].splitlines()
    # the time in the epochs: the sum of the epoch lines' times, each to a tenth
    in_epochs = float(re.search(r"\(([\d,.]+) s in the epochs\)", lines[0])[1])
    per_epoch = [float(line.split()[2]) for line in lines[1:]]
    assert abs(in_epochs - sum(per_epoch)) <= 0.05 * len(per_epoch) + 0.05
    assert live == updates[-1] == {"text/html": ""}
    assert [u["text/plain"].count("\n") for u in updates[:-1]] == [0, 1, 2]
    summary = (
        f"Training log: 3 epochs in {run.train_seconds:,.1f} s ({in_epochs:,.1f} s in "
        "the epochs), validation accuracy "
        f"{run.history['val_accuracy'][0]:.4f} after epoch 1, "
        f"{run.history['val_accuracy'][-1]:.4f} after epoch 3"
    )
    assert folded["text/html"].startswith(
        f'<details class="training-log"><summary>{summary}</summary>'
        "<pre>epoch\N{NO-BREAK SPACE}1/3  "
    )
    assert lines[0] == summary and len(lines) == 4
    assert f"val_loss\N{NO-BREAK SPACE}{run.history['val_loss'][2]:.4f}" in lines[3]


def test_outside_a_notebook_keras_prints_its_own_log(capsys):
    x, y, xv, yv = tiny_problem()
    training.fit(build, x, y, epochs=2, batch_size=32, seed=0, validation_data=(xv, yv))
    assert "Epoch 2/2" in capsys.readouterr().out


class StopAfter(keras.callbacks.Callback):
    """End training after ``epochs`` epochs, as a session that ends would."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            self.model.stop_training = True


class FirstEpoch(keras.callbacks.Callback):
    """What the model holds when its first epoch of this fit begins."""

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self, "epoch"):
            optimizer = self.model.optimizer
            self.epoch = epoch
            self.weights = [w.copy() for w in self.model.get_weights()]
            self.steps = int(optimizer.iterations.numpy())
            self.rate = float(optimizer.learning_rate.numpy())
            self.moments = [v.numpy().copy() for v in optimizer.variables]


def scheduled_build():
    """The tiny network with a per-step schedule, as chapter 8's rungs have."""
    model = build()
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=20)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def test_a_run_stopped_after_epoch_k_resumes_at_epoch_k_plus_1(tmp_path):
    x, y, xv, yv = tiny_problem()
    common = dict(
        epochs=4, batch_size=32, seed=3, validation_data=(xv, yv), shuffle=False
    )
    state = tmp_path / "state"
    stopped = training.fit(
        scheduled_build, x, y, resume_dir=state, callbacks=[StopAfter(2)], **common
    )
    assert stopped.epochs_run == 2
    saved_weights = [w.copy() for w in stopped.model.get_weights()]
    saved_moments = [v.numpy().copy() for v in stopped.model.optimizer.variables]

    seen = FirstEpoch()
    resumed = training.fit(
        scheduled_build, x, y, resume_dir=state, callbacks=[seen], **common
    )
    assert seen.epoch == 2  # epoch 3, counting from 1
    for restored, saved in zip(seen.weights, saved_weights):
        np.testing.assert_array_equal(restored, saved)
    for restored, saved in zip(seen.moments, saved_moments):
        np.testing.assert_array_equal(restored, saved)
    assert seen.steps == 2 * 5  # 160 images in batches of 32, two epochs
    schedule = resumed.model.optimizer._learning_rate
    assert seen.rate == pytest.approx(float(schedule(seen.steps)))
    # the history and the clock cover all four epochs, the first two as saved
    assert resumed.epochs_run == 4
    for name, values in stopped.history.items():
        assert resumed.history[name][:2] == values
    assert resumed.train_seconds >= stopped.train_seconds

    # the two epochs after the restart trained: the weights moved on
    assert any(
        not np.array_equal(a, b)
        for a, b in zip(resumed.model.get_weights(), saved_weights)
    )
