"""Per-epoch time of chapter 6's network: oneDNN on and off, two input pipelines.

Source 000 feeds its CNNs with ``ImageDataGenerator.flow``: every batch is
augmented image by image in Python (SciPy affine transforms) before TensorFlow
sees it. Chapter 6 keeps the images in a ``tf.data`` pipeline (shuffled,
batched, prefetched) and does the same augmentation inside the model
(``helpers.ensemble.RandomAffine``), on whole batches, skipped at inference.

TensorFlow's oneDNN CPU kernels are on by default only on x86 CPUs with
AVX-512 VNNI, AVX-VNNI or AMX; the book turns them on everywhere on x86
(``helpers.training.fast_cpu_kernels``). TensorFlow reads the switch
``TF_ENABLE_ONEDNN_OPTS`` once, at import, so each mode runs in its own
subprocess, one after the other, and the table puts them side by side.

Both pipelines train ``helpers.ensemble.build_net``, the network the book
trains, for ``--steps`` steps after ``--warmup`` steps that build the graph;
the time per step times the steps of one epoch (54,000 training images after
the 10 % validation split, as in source 000) gives the per-epoch estimate.
Validation is left out. This is a benchmark, not a test: it prints numbers.
Compare numbers from one run only: CPUs differ four-fold and more.

    python benchmarks/ensemble_pipeline.py              # both modes, 60 steps each
    python benchmarks/ensemble_pipeline.py --steps 200 --modes 1
    python benchmarks/ensemble_pipeline.py --intra-op 2 --inter-op 1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import machine  # noqa: E402  (no TensorFlow in the parent process)

MODES = {"0": "oneDNN off", "1": "oneDNN on"}


def time_steps(model, source, warmup: int, steps: int) -> float:
    """Seconds per training step, after ``warmup`` steps that trace and build the
    graph."""
    import tensorflow as tf

    # a tf.data pipeline shuffles itself
    kwargs = {"shuffle": False} if isinstance(source, tf.data.Dataset) else {}
    model.fit(source, epochs=1, steps_per_epoch=warmup, verbose=0, **kwargs)
    start = time.perf_counter()
    model.fit(source, epochs=1, steps_per_epoch=steps, verbose=0, **kwargs)
    return (time.perf_counter() - start) / steps


def measure(args) -> dict:
    """Time both pipelines in this process, with TensorFlow as the environment set
    it."""
    import keras
    import tensorflow as tf
    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    from helpers import data, ensemble
    from helpers.results import onednn_enabled

    if tf.config.list_physical_devices("GPU"):
        keras.mixed_precision.set_global_policy("mixed_float16")
    (x, y), _ = data.load("mnist")
    images = int(len(y) * (1 - ensemble.VALIDATION_FRACTION))
    x, y = data.scale(x[:images]), y[:images]

    # source 000's way: the network without its augmentation layer, fed by
    # ImageDataGenerator
    keras.utils.set_random_seed(args.seed)
    augmentation = ensemble.AUGMENTATION["mnist"]
    datagen = ImageDataGenerator(
        rotation_range=augmentation["rotation"],
        zoom_range=augmentation["zoom"],
        width_shift_range=augmentation["shift"],
        height_shift_range=augmentation["shift"],
    )
    flow = datagen.flow(x, y, batch_size=args.batch_size, seed=args.seed)
    legacy = time_steps(
        ensemble.build_net(args.seed, augment=False), flow, args.warmup, args.steps
    )

    keras.utils.set_random_seed(args.seed)
    dataset = ensemble.pipeline(x, y, seed=args.seed, batch_size=args.batch_size)
    ours = time_steps(
        ensemble.build_net(args.seed), dataset.repeat(), args.warmup, args.steps
    )
    return {
        "onednn": onednn_enabled(),
        "steps_per_epoch": images // args.batch_size,
        "imagedatagenerator": legacy,
        "chapter_6": ours,
        "tensorflow": tf.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--steps", type=int, default=60, help="timed steps per pipeline"
    )
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--modes", default="0,1", help="TF_ENABLE_ONEDNN_OPTS values, in order"
    )
    parser.add_argument(
        "--intra-op", type=int, default=0, help="0: TensorFlow's choice"
    )
    parser.add_argument(
        "--inter-op", type=int, default=0, help="0: TensorFlow's choice"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:  # one mode, in a fresh process: print the timings as JSON
        print(json.dumps(measure(args)))
        return

    print(machine.describe())
    print(
        f"batch {args.batch_size}; {args.steps} timed steps after {args.warmup} "
        "warm-up steps; one subprocess per mode"
    )
    rows = []
    for mode in args.modes.split(","):
        env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": mode, "TF_CPP_MIN_LOG_LEVEL": "3"}
        # thread pools are sized when TensorFlow starts: set them for the child
        if args.intra_op:
            env["TF_NUM_INTRAOP_THREADS"] = str(args.intra_op)
        if args.inter_op:
            env["TF_NUM_INTEROP_THREADS"] = str(args.inter_op)
        child = subprocess.run(
            [sys.executable, __file__, "--child", *sys.argv[1:]],
            env=env,
            capture_output=True,
            text=True,
        )
        if child.returncode:
            sys.exit(f"the TF_ENABLE_ONEDNN_OPTS={mode} run failed:\n{child.stderr}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        rows.append((mode, result))
    print(
        f"TensorFlow {rows[0][1]['tensorflow']}; thread pools: "
        f"intra-op {args.intra_op or 'default'}, inter-op {args.inter_op or 'default'}"
    )
    print(
        f"{'TF_ENABLE_ONEDNN_OPTS':22s} {'pipeline':44s} "
        f"{'ms/step':>8s} {'s/epoch':>8s}"
    )
    for mode, result in rows:
        label = f"{mode} ({'on' if result['onednn'] else 'off'})"
        for name, key in (
            ("source 000: ImageDataGenerator, augment in Python", "imagedatagenerator"),
            ("chapter 6: tf.data, augmentation in the model", "chapter_6"),
        ):
            seconds = result[key]
            print(
                f"{label:22s} {name:44s} {seconds * 1000:8.1f} "
                f"{seconds * result['steps_per_epoch']:8.1f}"
            )
    if len(rows) == 2:
        (_, off), (_, on) = rows
        print(
            "chapter 6, oneDNN on against off: "
            f"{off['chapter_6'] / on['chapter_6']:.2f}x faster per step"
        )


if __name__ == "__main__":
    main()
