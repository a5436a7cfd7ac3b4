"""Source 000's CNN, its augmentation and its input pipeline (introduced in chapter 6).

Chapter 6 shows and trains these; the faster-recipe chapter trains the same
network with other schedules, and ``benchmarks/ensemble_pipeline.py`` times
it. Importing this module imports TensorFlow quietly
(:func:`helpers.training.quiet_tensorflow`), so import it in the Setup cell.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import shutil
import time

import numpy as np

from . import training

training.quiet_tensorflow()

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

# Each network takes its own random tenth of the training images for validation.
VALIDATION_FRACTION = 0.1

# The invariances each dataset has. Source 000's ImageDataGenerator settings for
# digits (rotation in degrees, zoom and shift as fractions of the image, edge
# pixels repeated outward). Fashion-MNIST's conversion scaled and centred every
# garment (Xiao et al. 2017), so rotations, zooms and shifts show what its test
# set never holds; a left-right mirror image is the same garment. (Shifts of 10 %
# and 5 % were tried with one 5-epoch network: both lowered its validation
# accuracy against the flip alone.)
AUGMENTATION = {
    "mnist": {
        "rotation": 15.0,
        "zoom": 0.15,
        "shift": 0.1,
        "flip": False,
        "fill_mode": "nearest",
    },
    "fashion_mnist": {
        "rotation": 0.0,
        "zoom": 0.0,
        "shift": 0.0,
        "flip": True,
        "fill_mode": "constant",
    },
}

# Source 000's learning rate: Adam at 1e-3, times 0.95 after each of 40 epochs.
SOURCE_EPOCHS, SOURCE_DECAY, INITIAL_RATE = 40, 0.95, 1e-3

# Part of every network's fingerprint (:func:`recipe`): raise it whenever
# build_net, RandomAffine or pipeline change what a trained network is, so
# that stored networks of the old code are not mistaken for new ones.
# 2: train_member sets the global seed first (version 1's shuffle order
# depended on the networks trained before in the same process).
VERSION = 2


@keras.saving.register_keras_serializable(package="mnist_book")
class RandomAffine(keras.layers.Layer):
    """Random rotation, zoom, shift and mirror, in one resampling (chapter 6)."""

    def __init__(
        self,
        rotation=15.0,
        zoom=0.15,
        shift=0.1,
        flip=False,
        fill_mode="nearest",
        seed=None,
        interpolation="bilinear",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.rotation, self.zoom, self.shift, self.flip = rotation, zoom, shift, flip
        self.fill_mode, self.seed = fill_mode, seed
        # "nearest" with no rotation or zoom moves whole pixels: the shifts of a
        # padded-and-cropped image (chapter 8)
        self.interpolation = interpolation
        self.generator = keras.random.SeedGenerator(seed)
        self.supports_jit = False  # like Keras's own random image layers: no XLA

    def call(self, images, training=None):
        if not training:  # inference: the image as it is
            return images
        n, height, width = keras.ops.shape(images)[0], images.shape[1], images.shape[2]

        def uniform(low, high):
            return keras.random.uniform((n,), low, high, seed=self.generator)

        angle = uniform(-self.rotation, self.rotation) * (np.pi / 180)
        zoom_x = uniform(1 - self.zoom, 1 + self.zoom)
        zoom_y = uniform(1 - self.zoom, 1 + self.zoom)
        if self.flip:  # a mirror image is a zoom by -1 along x
            zoom_x = zoom_x * keras.ops.sign(uniform(-1.0, 1.0))
        shift_x = uniform(-self.shift, self.shift) * width
        shift_y = uniform(-self.shift, self.shift) * height
        # output pixel p -> input pixel R(angle) Z (p - centre) + centre + shift
        cos, sin = keras.ops.cos(angle), keras.ops.sin(angle)
        a0, a1, b0, b1 = cos * zoom_x, -sin * zoom_y, sin * zoom_x, cos * zoom_y
        cx, cy = (width - 1) / 2, (height - 1) / 2
        a2, b2 = cx + shift_x - a0 * cx - a1 * cy, cy + shift_y - b0 * cx - b1 * cy
        zero = keras.ops.zeros_like(a0)
        transform = keras.ops.stack([a0, a1, a2, b0, b1, b2, zero, zero], axis=1)
        return keras.ops.image.affine_transform(
            images,
            transform,
            interpolation=self.interpolation,
            fill_mode=self.fill_mode,
        )

    def get_config(self):
        return {
            **super().get_config(),
            "rotation": self.rotation,
            "zoom": self.zoom,
            "shift": self.shift,
            "flip": self.flip,
            "fill_mode": self.fill_mode,
            "seed": self.seed,
            "interpolation": self.interpolation,
        }


def augmentation(dataset: str, seed: int | None) -> RandomAffine:
    """The seeded augmentation layer for ``dataset`` (chapter 6)."""
    return RandomAffine(
        **AUGMENTATION[dataset], seed=seed, dtype="float32", name="augmentation"
    )


def build_net(
    seed: int | None,
    dataset: str = "mnist",
    augment: bool = True,
    *,
    learning_rate=INITIAL_RATE,
    ema: float | None = None,
    label_smoothing: float = 0.0,
):
    """Source 000's CNN, augmentation in front, compiled with Adam (chapter 6).

    ``augment=False`` leaves the augmentation layer out (the benchmark feeds
    the network from ImageDataGenerator instead). The faster-recipe chapter
    changes the training, never the network: ``learning_rate`` may be a
    per-step schedule (:func:`warmup_cosine`), ``ema`` the momentum of an
    exponential moving average of the weights that replaces them at the end
    of ``fit``, and ``label_smoothing`` moves that much of each target's
    probability evenly onto all ten classes (:func:`smoothed_crossentropy`).
    """
    layers = keras.layers
    front = [augmentation(dataset, seed)] if augment else []
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            *front,
            layers.Conv2D(32, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.Conv2D(32, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.Conv2D(32, 5, strides=2, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.Dropout(0.4),
            layers.Conv2D(64, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.Conv2D(64, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.Conv2D(64, 5, strides=2, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.Dropout(0.4),
            layers.Conv2D(128, 4, activation="relu"),
            layers.BatchNormalization(),
            layers.Flatten(),
            layers.Dropout(0.4),
            # float32 even under mixed precision: a float16 softmax rounds to 0
            layers.Dense(10, activation="softmax", dtype="float32"),
        ],
        name="cnn_source000",
    )
    optimizer = keras.optimizers.Adam(
        learning_rate, use_ema=ema is not None, ema_momentum=ema or 0.99
    )
    loss = (
        smoothed_crossentropy(label_smoothing)
        if label_smoothing
        else "sparse_categorical_crossentropy"
    )
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


@keras.saving.register_keras_serializable(package="mnist_book")
def smoothed_crossentropy(smoothing: float = 0.1):
    """Cross-entropy on integer labels with label smoothing (the faster recipe).

    Keras's sparse cross-entropy has no smoothing, so the labels become one-hot
    vectors here, inside the loss, and the pipeline stays the same.
    """

    def loss(y_true, y_pred):
        labels = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
        one_hot = keras.ops.one_hot(labels, 10)
        return keras.losses.categorical_crossentropy(
            one_hot, y_pred, label_smoothing=smoothing
        )

    return loss


def warmup_cosine(peak: float, total_steps: int, warmup_fraction: float = 0.2):
    """A one-cycle-like schedule: linear warm-up to ``peak``, cosine decay to zero.

    Per step rather than per epoch, so a short run gets a smooth schedule too
    (the faster recipe).
    """
    warmup = max(1, int(total_steps * warmup_fraction))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak / 25,
        decay_steps=max(1, total_steps - warmup),
        warmup_target=peak,
        warmup_steps=warmup,
    )


def tta_probabilities(
    model, x, dataset: str, copies: int, seed: int, batch_size=1024, plain=None
):
    """Softmax outputs averaged over the image and ``copies`` augmented versions.

    Test-time augmentation (the faster recipe): the network sees each test
    image as it saw training images, a few times, and the votes are averaged.
    ``plain``, the outputs on ``x`` itself where the caller has them already,
    saves predicting them again.
    """
    layer = augmentation(dataset, seed)
    if plain is None:
        plain = model.predict(x, batch_size=batch_size, verbose=0)
    total = np.array(plain, dtype="float32")
    for _ in range(copies):
        shifted = np.concatenate(
            [
                keras.ops.convert_to_numpy(layer(x[i : i + batch_size], training=True))
                for i in range(0, len(x), batch_size)
            ]
        )
        total += np.asarray(model.predict(shifted, batch_size=batch_size, verbose=0))
    return total / (copies + 1)


def decay(epochs: int) -> float:
    """The per-epoch factor that ends ``epochs`` epochs at source 000's last rate
    (chapter 6)."""
    return (
        SOURCE_DECAY ** ((SOURCE_EPOCHS - 1) / (epochs - 1))
        if epochs > 1
        else SOURCE_DECAY
    )


def learning_rate(epoch: int, epochs: int) -> float:
    """Adam's rate in ``epoch`` (from 0) of an ``epochs``-epoch run (chapter 6)."""
    return INITIAL_RATE * decay(epochs) ** epoch


def pipeline(x, y, seed: int | None = None, batch_size: int = 64):
    """Batches of (image, label), reshuffled every epoch if seeded (chapter 6)."""
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if seed is not None:
        dataset = dataset.shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def recipe(
    dataset: str,
    train_size: int | None,
    seed: int,
    epochs: int,
    batch_size: int,
    **changes,
) -> dict:
    """Everything a trained network depends on, as plain values (chapter 6).

    Two runs with equal recipes train equal networks, so a network stored
    under the recipe's :func:`fingerprint` can be loaded instead of trained
    again, on this machine or, from the archive, on another. ``changes`` are
    departures from source 000's recipe (the faster-recipe chapter's schedules).
    """
    return {
        "network": "cnn_source000",
        "version": VERSION,
        "dataset": dataset,
        "train_size": train_size,
        "seed": seed,
        "epochs": epochs,
        "batch_size": batch_size,
        "validation_fraction": VALIDATION_FRACTION,
        "augmentation": AUGMENTATION[dataset],
        "learning_rate": {"initial": INITIAL_RATE, "decay": round(decay(epochs), 12)},
        **changes,
    }


def fingerprint(values: dict) -> str:
    """A short hash of a :func:`recipe`, the name of the folder its networks go to."""
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:12]


def train_member(
    store,
    i: int,
    x,
    y,
    x_test,
    *,
    dataset: str,
    seed: int,
    epochs: int,
    batch_size: int,
    schedule=None,
    ema: float | None = None,
    label_smoothing: float = 0.0,
    tta_copies: int = 0,
    build=None,
    tta=None,
    resumable: bool = False,
):
    """Train network ``i`` of ``store``'s recipe and store it (chapter 6).

    The network takes its own random tenth of ``(x, y)`` for validation
    (seeded by ``seed``), trains with source 000's per-epoch decay or, given
    ``schedule`` (a function of the total number of steps, such as
    ``functools.partial(warmup_cosine, 3e-3)``), with that per-step schedule,
    then predicts ``x_test`` (and, with ``tta_copies``, an average over
    augmented copies, kept as ``tta``) and is stored with its history,
    time and validation accuracy. Returns the training run.

    With ``ema``, the moving average of the weights does not change a single
    training step, only what the network ends with, so one run gives both
    networks: the stored one keeps the weights as trained, and the same
    outputs of their average are stored beside them (``ema``, ``ema_tta``,
    ``val_accuracy_ema``, ``val_accuracy_ema_tta``), as the faster-recipe
    chapter compares them.

    ``build`` replaces :func:`build_net` with another network that takes the
    same arguments, and ``tta``, a function ``(model, x, plain)`` of the
    outputs on ``x``, replaces the random augmented copies (chapter 8: the
    residual network and the mirror image).

    ``resumable`` saves the training state after every epoch in
    ``store.state_dir(i)`` and continues from a state saved there, so a network
    of hundreds of epochs outlives the process that began it (chapter 8's long
    rung, :class:`helpers.training.Resume`); the state goes once it is stored.
    """
    from sklearn.model_selection import train_test_split

    # tf.data's shuffle order depends on the global seed too: set it here, or
    # the network would depend on what the process trained before it
    keras.utils.set_random_seed(seed)
    x_tr, x_val, y_tr, y_val = train_test_split(
        x, y, test_size=VALIDATION_FRACTION, random_state=seed
    )
    if schedule is None:  # source 000: Adam at 1e-3, times the decay every epoch
        rate = INITIAL_RATE
        callbacks = [
            keras.callbacks.LearningRateScheduler(lambda e: learning_rate(e, epochs))
        ]
    else:
        rate, callbacks = schedule(math.ceil(len(y_tr) / batch_size) * epochs), []
    trained = _TrainedWeights()  # only read with ema
    run = training.fit(
        functools.partial(
            build or build_net,
            seed,
            dataset,
            learning_rate=rate,
            ema=ema,
            label_smoothing=label_smoothing,
        ),
        pipeline(x_tr, y_tr, seed=seed, batch_size=batch_size),
        epochs=epochs,
        batch_size=None,
        seed=seed,
        validation_data=pipeline(x_val, y_val, batch_size=1024),
        callbacks=[*callbacks, trained],
        shuffle=False,
        resume_dir=store.state_dir(i) if resumable else None,
    )
    record = {
        "history": run.history,
        "train_seconds": run.train_seconds,
        "weights": run.weights,
        "train_images": len(y_tr),
        "validation_images": len(y_val),
    }
    if tta is None and tta_copies:
        tta = functools.partial(_copies, dataset=dataset, copies=tta_copies, seed=seed)
    predicting = time.perf_counter()
    arrays = {}
    if ema is not None:  # fit ended on the average; read it, then go back
        scores, outs = _outputs(run.model, x_val, y_val, x_test, tta)
        record.update(
            {k.replace("accuracy", "accuracy_ema"): v for k, v in scores.items()}
        )
        arrays["ema"] = outs.pop("test")
        arrays.update({f"ema_{k}": v for k, v in outs.items()})
        run.model.set_weights(trained.weights)
    scores, outs = _outputs(run.model, x_val, y_val, x_test, tta)
    record.update(scores)
    record["predict_seconds"] = time.perf_counter() - predicting  # TTA included
    test = outs.pop("test")
    arrays.update(outs)
    store.save(i, test, record, model=run.model, **arrays)
    if resumable:
        shutil.rmtree(store.state_dir(i), ignore_errors=True)
    return run


class _TrainedWeights(keras.callbacks.Callback):
    """The weights at the end of the last epoch, before ``fit`` replaces them
    with their moving average (Keras does that after the last epoch ends)."""

    weights = None

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.params["epochs"] - 1:
            self.weights = self.model.get_weights()


def _copies(model, x, plain, *, dataset, copies, seed):
    """Test-time augmentation with random augmented copies (the faster recipe)."""
    return tta_probabilities(model, x, dataset, copies, seed, plain=plain)


def _outputs(model, x_val, y_val, x_test, tta=None):
    """Validation accuracies and test probabilities of one set of weights:
    ``({"val_accuracy", "val_accuracy_tta"}, {"test", "tta"})``, the TTA entries
    only with ``tta``, a function ``(model, x, plain)``."""
    from . import results

    val = model.predict(x_val, batch_size=1024, verbose=0)
    scores = {"val_accuracy": results.accuracy(val, y_val)}
    arrays = {"test": model.predict(x_test, batch_size=1024, verbose=0)}
    if tta is not None:  # averaged over augmented views; validation decides
        scores["val_accuracy_tta"] = results.accuracy(tta(model, x_val, val), y_val)
        arrays["tta"] = tta(model, x_test, arrays["test"])
    return scores, arrays
