"""A small residual network with room for clothes, and the augmentations that
garments allow (introduced in chapter 8).

Chapter 8 shows and trains these; the results chapter reads what they did in
the archive. The network takes the same arguments as
:func:`helpers.ensemble.build_net`, so :func:`helpers.ensemble.train_member`
trains and stores it like chapter 6's networks. Importing this module imports
TensorFlow quietly, as :mod:`helpers.ensemble` does.
"""

from __future__ import annotations

import numpy as np

from . import training

training.quiet_tensorflow()

import keras  # noqa: E402

from . import ensemble  # noqa: E402

# Channels of the four stages, at 28, 14, 7 and 4 pixels: each stage halves the
# image and doubles the channels, so most weights sit where the image is small
# and cheap to convolve.
WIDTHS = (16, 32, 64, 128)

# The invariances that the "shifts and erasing" rung adds to chapter 6's. A
# garment moved by a whole pixel or two is the same garment (the shifts of an
# image padded by two pixels and cropped back: nearest-pixel resampling, the
# border filled with the black background), and so is a garment with a patch
# hidden (random erasing, Zhong et al. 2020). Digits keep chapter 6's rotations,
# zooms and shifts, which already move them further than two pixels.
SHIFTS = {
    "fashion_mnist": {
        **ensemble.AUGMENTATION["fashion_mnist"],
        "shift": 2 / 28,
        "interpolation": "nearest",
    },
    "mnist": ensemble.AUGMENTATION["mnist"],
}
# Keras's RandomErasing draws each image's probability from ``factor``: a pair of
# equal values makes it a fixed probability. ``scale`` bounds the erased area as a
# fraction of the image; the fill is the background, 0 on pixels in [0, 1].
ERASING = {"probability": 0.5, "area": (0.02, 0.25)}


def augmentation(dataset: str, seed: int | None, erasing: bool) -> list:
    """The seeded augmentation layers: chapter 6's for ``dataset``, or with
    ``erasing`` that rung's shifts and random erasing (chapter 8)."""
    affine = SHIFTS[dataset] if erasing else ensemble.AUGMENTATION[dataset]
    front = [
        ensemble.RandomAffine(**affine, seed=seed, dtype="float32", name="augmentation")
    ]
    if erasing:
        p = ERASING["probability"]
        front.append(
            keras.layers.RandomErasing(
                factor=(p, p),
                scale=ERASING["area"],
                fill_value=0.0,
                value_range=(0.0, 1.0),
                seed=seed,
                dtype="float32",
                name="erasing",
            )
        )
    return front


def residual_block(x, width: int, stride: int = 1):
    """Two 3×3 convolutions and a shortcut around them: the block learns what
    to add to its input, so a deeper network starts as easy to train as a
    shallow one (He et al. 2016). A 1×1 convolution matches the shortcut where
    the block halves the image or changes the channels."""
    layers = keras.layers
    y = layers.Conv2D(width, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.ReLU()(layers.BatchNormalization()(y))
    y = layers.Conv2D(width, 3, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    if stride != 1 or x.shape[-1] != width:
        x = layers.Conv2D(width, 1, strides=stride, use_bias=False)(x)
        x = layers.BatchNormalization()(x)
    return layers.ReLU()(layers.Add()([y, x]))


def build_resnet(
    seed: int | None,
    dataset: str = "fashion_mnist",
    augment: bool = True,
    *,
    erasing: bool = False,
    learning_rate=ensemble.INITIAL_RATE,
    ema: float | None = None,
    label_smoothing: float = 0.0,
):
    """A residual network of ten layers, augmentation in front, compiled with
    Adam like :func:`helpers.ensemble.build_net` (chapter 8).

    A 3×3 convolution, then one :func:`residual_block` per stage of
    :data:`WIDTHS`, every stage after the first halving the image; global
    average pooling and a softmax read the last stage's 4×4 maps. No dropout:
    batch normalization and augmentation regularize it. ``erasing`` selects the
    augmentation of the shifts-and-erasing rung (:func:`augmentation`).
    """
    layers = keras.layers
    images = keras.Input((28, 28, 1))
    x = images
    for layer in augmentation(dataset, seed, erasing) if augment else []:
        x = layer(x)
    x = layers.Conv2D(WIDTHS[0], 3, padding="same", use_bias=False)(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    for stage, width in enumerate(WIDTHS):
        x = residual_block(x, width, stride=1 if stage == 0 else 2)
    x = layers.GlobalAveragePooling2D()(x)
    # float32 even under mixed precision: a float16 softmax rounds to 0
    outputs = layers.Dense(10, activation="softmax", dtype="float32")(x)
    model = keras.Model(images, outputs, name="resnet")
    optimizer = keras.optimizers.Adam(
        learning_rate, use_ema=ema is not None, ema_momentum=ema or 0.99
    )
    loss = (
        ensemble.smoothed_crossentropy(label_smoothing)
        if label_smoothing
        else "sparse_categorical_crossentropy"
    )
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


def mirror_probabilities(model, x, plain=None, batch_size: int = 1024):
    """Softmax outputs averaged over each image and its mirror image: test-time
    augmentation with the one view a garment is certain to allow (chapter 8).
    ``plain``, the outputs on ``x`` where the caller has them, saves predicting
    them again."""
    if plain is None:
        plain = model.predict(x, batch_size=batch_size, verbose=0)
    mirrored = model.predict(
        np.ascontiguousarray(x[:, :, ::-1]), batch_size=batch_size, verbose=0
    )
    return (np.asarray(plain, dtype="float32") + mirrored) / 2
