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

Both pipelines train the same network, read from chapter 6's notebook (its
``build_net`` and augmentation layer, so the two cannot drift apart), for
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


CHAPTER = Path(__file__).resolve().parent.parent / "book" / "06_ensemble.ipynb"


def chapter_definitions(names: set[str], path: Path = CHAPTER) -> dict:
    """Execute only the ``def``/``class`` statements ``names`` from the chapter's code cells.

    The benchmark times the chapter's own network and augmentation layer, so
    it cannot drift from what the book trains; the rest of each cell (plots,
    training) is skipped.
    """
    import ast
    import json

    namespace = {"keras": keras, "np": np, "tf": tf}
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        lines = "".join(cell["source"]).splitlines()
        # IPython magics are not Python: a `pass` in their place keeps the blocks intact
        source = "\n".join(line[:len(line) - len(line.lstrip())] + "pass"
                           if line.lstrip().startswith(("%", "!")) else line for line in lines)
        wanted = [node for node in ast.parse(source).body
                  if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names]
        exec(compile(ast.Module(body=wanted, type_ignores=[]), str(path), "exec"), namespace)
    missing = names - namespace.keys()
    if missing:
        raise SystemExit(f"{path} no longer defines {', '.join(sorted(missing))}")
    return namespace


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

    chapter = chapter_definitions({"RandomAffine", "augmentation", "build_net"})
    build_net, augmentation = chapter["build_net"], chapter["augmentation"]

    # seed 000's way: the chapter's network without its augmentation layer, fed by ImageDataGenerator
    chapter["augmentation"] = lambda seed: keras.layers.Identity()
    keras.utils.set_random_seed(args.seed)
    datagen = ImageDataGenerator(rotation_range=15, zoom_range=0.15, width_shift_range=0.1, height_shift_range=0.1)
    legacy = time_steps(build_net(args.seed), datagen.flow(x, y, batch_size=args.batch_size, seed=args.seed),
                        args.warmup, args.steps)

    chapter["augmentation"] = augmentation
    keras.utils.set_random_seed(args.seed)
    dataset = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(y), seed=args.seed)
               .batch(args.batch_size).prefetch(tf.data.AUTOTUNE).repeat())
    ours = time_steps(build_net(args.seed), dataset, args.warmup, args.steps)

    print(f"{'pipeline':52s} {'ms/step':>8s} {'s/epoch':>8s}")
    for name, seconds in [("seed 000: ImageDataGenerator.flow, augment in Python", legacy),
                          ("chapter 6: tf.data, augmentation layer in the model", ours)]:
        print(f"{name:52s} {seconds * 1000:8.1f} {seconds * per_epoch:8.1f}")
    print(f"ratio (seed 000 / chapter 6): {legacy / ours:.2f}x")


if __name__ == "__main__":
    main()
