"""Per-epoch time of seed 000's input pipeline against chapter 6's, on this machine.

Seed 000 feeds its CNNs with ``ImageDataGenerator.flow``: every batch is
augmented image by image in Python (SciPy affine transforms) before TensorFlow
sees it. Chapter 6 keeps the images in a ``tf.data`` pipeline (shuffled,
batched, prefetched) and does the same augmentation inside the model, with a
preprocessing layer that draws rotation, zoom and shift per image and
resamples the whole batch in one TensorFlow op on the device that trains the
model; it is skipped at inference.

Keras 3 no longer exports ``ImageDataGenerator`` from ``keras.preprocessing``;
the class still ships, unchanged, as ``keras.src.legacy.preprocessing.image.
ImageDataGenerator`` (a private path), which is what this script times.

Both pipelines train the same network (seed 000's CNN, batch 64, Adam) for
``--steps`` steps after ``--warmup`` steps that build the graph; the time per
step times the steps of one epoch (54,000 training images after the 10 %
validation split, as in seed 000) gives the per-epoch estimate. Validation is
left out of both. This is a benchmark, not a test: it prints numbers.

    python benchmarks/ensemble_pipeline.py            # 60 timed steps each
    python benchmarks/ensemble_pipeline.py --steps 200 --batch-size 64
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import data, training  # noqa: E402

training.quiet_tensorflow()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

TRAIN_IMAGES = 54_000  # 60,000 minus seed 000's 10 % validation split


def cnn(augment: keras.layers.Layer | None = None) -> keras.Model:
    """Seed 000's CNN, optionally with the augmentation layers in front (as in chapter 6)."""
    layers = [keras.Input((28, 28, 1))] + ([augment] if augment is not None else [])
    for filters in (32, 64):
        layers += [keras.layers.Conv2D(filters, 3, activation="relu"), keras.layers.BatchNormalization(),
                   keras.layers.Conv2D(filters, 3, activation="relu"), keras.layers.BatchNormalization(),
                   keras.layers.Conv2D(filters, 5, strides=2, padding="same", activation="relu"),
                   keras.layers.BatchNormalization(), keras.layers.Dropout(0.4)]
    layers += [keras.layers.Conv2D(128, 4, activation="relu"), keras.layers.BatchNormalization(),
               keras.layers.Flatten(), keras.layers.Dropout(0.4),
               keras.layers.Dense(10, activation="softmax", dtype="float32")]
    model = keras.Sequential(layers)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class RandomAffine(keras.layers.Layer):
    """Chapter 6's augmentation layer: rotation, zoom and shift in one resampling."""

    def __init__(self, rotation=15.0, zoom=0.15, shift=0.1, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rotation, self.zoom, self.shift = rotation, zoom, shift
        self.generator = keras.random.SeedGenerator(seed)
        self.supports_jit = False

    def call(self, images, training=None):
        if not training:
            return images
        n, height, width = keras.ops.shape(images)[0], images.shape[1], images.shape[2]

        def uniform(low, high):
            return keras.random.uniform((n,), low, high, seed=self.generator)

        angle = uniform(-self.rotation, self.rotation) * (np.pi / 180)
        zoom_x, zoom_y = uniform(1 - self.zoom, 1 + self.zoom), uniform(1 - self.zoom, 1 + self.zoom)
        shift_x, shift_y = uniform(-self.shift, self.shift) * width, uniform(-self.shift, self.shift) * height
        cos, sin = keras.ops.cos(angle), keras.ops.sin(angle)
        a0, a1, b0, b1 = cos * zoom_x, -sin * zoom_y, sin * zoom_x, cos * zoom_y
        cx, cy = (width - 1) / 2, (height - 1) / 2
        a2, b2 = cx + shift_x - a0 * cx - a1 * cy, cy + shift_y - b0 * cx - b1 * cy
        zero = keras.ops.zeros_like(a0)
        transform = keras.ops.stack([a0, a1, a2, b0, b1, b2, zero, zero], axis=1)
        return keras.ops.image.affine_transform(images, transform, fill_mode="nearest")


def augmentation(seed: int) -> keras.layers.Layer:
    """Rotation 15 degrees, zoom 15 %, shifts 10 %: seed 000's ImageDataGenerator settings."""
    return RandomAffine(seed=seed, dtype="float32", name="augmentation")


def time_steps(model, source, warmup: int, steps: int) -> float:
    """Seconds per training step, after ``warmup`` steps that trace and build the graph."""
    kwargs = {"shuffle": False} if isinstance(source, tf.data.Dataset) else {}  # it shuffles itself
    model.fit(source, epochs=1, steps_per_epoch=warmup, verbose=0, **kwargs)
    start = time.perf_counter()
    model.fit(source, epochs=1, steps_per_epoch=steps, verbose=0, **kwargs)
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=60, help="timed steps per pipeline")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    if tf.config.list_physical_devices("GPU"):
        keras.mixed_precision.set_global_policy("mixed_float16")
    (x, y), _ = data.load("mnist")
    x, y = data.scale(x[:TRAIN_IMAGES]), y[:TRAIN_IMAGES]
    per_epoch = TRAIN_IMAGES // args.batch_size
    devices = ", ".join(d.device_type for d in tf.config.list_physical_devices())
    print(f"devices: {devices}; CPU cores: {os.cpu_count()}; TensorFlow {tf.__version__}, Keras {keras.__version__}")
    print(f"policy: {keras.mixed_precision.global_policy().name}; batch {args.batch_size}; "
          f"{per_epoch} steps per epoch; {args.steps} timed steps after {args.warmup} warm-up steps")

    keras.utils.set_random_seed(args.seed)
    datagen = ImageDataGenerator(rotation_range=15, zoom_range=0.15, width_shift_range=0.1, height_shift_range=0.1)
    legacy = time_steps(cnn(), datagen.flow(x, y, batch_size=args.batch_size, seed=args.seed),
                        args.warmup, args.steps)

    keras.utils.set_random_seed(args.seed)
    dataset = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(y), seed=args.seed)
               .batch(args.batch_size).prefetch(tf.data.AUTOTUNE).repeat())
    ours = time_steps(cnn(augmentation(args.seed)), dataset, args.warmup, args.steps)

    print(f"{'pipeline':52s} {'ms/step':>8s} {'s/epoch':>8s}")
    for name, seconds in [("seed 000: ImageDataGenerator.flow, augment in Python", legacy),
                          ("chapter 6: tf.data, augmentation layer in the model", ours)]:
        print(f"{name:52s} {seconds * 1000:8.1f} {seconds * per_epoch:8.1f}")
    print(f"ratio (seed 000 / chapter 6): {legacy / ours:.2f}x")


if __name__ == "__main__":
    main()
