"""How close chapter 6's training comes to the machine's float32 peak.

A matrix-multiply probe measures what TensorFlow's float32 kernels can do on
this CPU (the best of a few sizes, in GFLOP/s). Chapter 6's network
(``helpers.ensemble.build_net``) costs a fixed number of floating-point
operations per image: the forward pass's multiply-adds, counted layer by
layer from the shapes (convolutions and the dense layer; batch normalization,
activations and dropout are a rounding error), and twice that again for the
backward pass (gradients of the inputs and of the weights). Its training step
is timed on MNIST images from the chapter's ``tf.data`` pipeline, with the
augmentation layer and without it, and the achieved GFLOP/s are printed as a
fraction of the probe's.

Thread pools are sized when TensorFlow starts, so each thread setting runs in
a subprocess of its own, one after the other. Compare numbers from one run
only: CPUs differ four-fold and more, and a second job on the machine halves
everything.

    python benchmarks/peak_fraction.py                      # default threads
    python benchmarks/peak_fraction.py --threads 0:0,2:1,1:1  # intra:inter, 0 = TF's
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


def forward_flops(model) -> int:
    """Floating-point operations of one image's forward pass through ``model``'s
    convolutions and dense layers (a multiply-add counts two)."""
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            _, height, width, filters = layer.output.shape
            kh, kw = layer.kernel_size
            channels = layer.input.shape[-1]
            total += 2 * height * width * filters * kh * kw * channels
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * layer.input.shape[-1] * layer.units
    return total


class Clock:
    """Wall-clock and CPU seconds (all threads of this process) since it started."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def matmul_gflops(sizes=(512, 1024, 2048), seconds: float = 2.0) -> tuple:
    """The best float32 GFLOP of square matrix products per wall-clock second,
    and per CPU second, each size repeated for about ``seconds``."""
    import tensorflow as tf

    best_wall = best_cpu = 0.0
    for n in sizes:
        a = tf.random.normal((n, n), seed=1)
        b = tf.random.normal((n, n), seed=2)
        product = tf.function(lambda a, b: tf.linalg.matmul(a, b))
        product(a, b).numpy()  # trace once
        runs, clock = 0, Clock()
        while clock.read()[0] < seconds:
            product(a, b).numpy()
            runs += 1
        wall, cpu = clock.read()
        best_wall = max(best_wall, 2 * n**3 * runs / wall / 1e9)
        best_cpu = max(best_cpu, 2 * n**3 * runs / cpu / 1e9)
    return best_wall, best_cpu


def step_seconds(model, source, warmup: int, steps: int) -> tuple:
    """Wall-clock and CPU seconds per training step, timed from step ``warmup`` on
    within one ``fit`` (the graph is built and the shuffle buffer filled by then:
    a second ``fit`` would fill it again, inside the timing)."""
    import keras

    class Timer(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == warmup:
                self.clock = Clock()

        def on_train_end(self, logs=None):
            self.elapsed = self.clock.read()

    timer = Timer()
    model.fit(
        source, epochs=1, steps_per_epoch=warmup + steps, verbose=0, callbacks=[timer]
    )
    wall, cpu = timer.elapsed
    return wall / steps, cpu / steps


def measure(args) -> dict:
    """The probe and both training steps, in this process's thread setting."""
    from helpers import training

    training.quiet_tensorflow()

    from helpers import data, ensemble

    (x, y), _ = data.load("mnist")
    images = int(len(y) * (1 - ensemble.VALIDATION_FRACTION))
    x, y = data.scale(x[:images]), y[:images]
    source = ensemble.pipeline(x, y, seed=args.seed, batch_size=args.batch_size)
    result = {
        "peak_gflops": matmul_gflops(),  # (per wall second, per CPU second)
        "images_per_epoch": images,
    }
    for augment in (True, False):
        model = ensemble.build_net(args.seed, augment=augment)
        seconds = step_seconds(model, source.repeat(), args.warmup, args.steps)
        result["augmented" if augment else "plain"] = seconds
    # the augmentation layer does no arithmetic that the count includes
    result["flops_per_image"] = 3 * forward_flops(model)
    return result


def threads(intra: str, inter: str) -> dict:
    """The environment of a child whose TensorFlow sizes its thread pools so
    (TensorFlow reads these variables once, when it starts)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    for name, value in (
        ("TF_NUM_INTRAOP_THREADS", intra),
        ("TF_NUM_INTEROP_THREADS", inter),
    ):
        env.pop(name, None)
        if value != "0":
            env[name] = value
    return env


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=60, help="timed steps")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        default="0:0",
        help="comma-separated intra:inter thread settings, 0 = TensorFlow's choice",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(measure(args)))
        return

    print(machine.describe())
    print(
        f"chapter 6's network, batch {args.batch_size}, {args.steps} timed steps "
        f"after {args.warmup}; one subprocess per thread setting. GFLOP/s per "
        "wall-clock second, and per CPU second (all threads): the second is what "
        "a busy machine cannot hide"
    )
    print(
        f"{'intra:inter':>11s} {'augmentation':>12s} {'ms/step':>8s} {'s/epoch':>8s}"
        f" {'GFLOP/s':>8s} {'peak':>6s} {'of peak':>8s} {'/CPU s':>7s} {'peak':>6s}"
        f" {'of peak':>8s}"
    )
    for setting in args.threads.split(","):
        intra, inter = setting.split(":")
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                f"--steps={args.steps}",
                f"--warmup={args.warmup}",
                f"--batch-size={args.batch_size}",
                f"--seed={args.seed}",
            ],
            env=threads(intra, inter),
            capture_output=True,
            text=True,
        )
        if child.returncode:
            sys.exit(f"the {setting} run failed:\n{child.stderr}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        flops_per_step = result["flops_per_image"] * args.batch_size
        steps = result["images_per_epoch"] / args.batch_size
        peak_wall, peak_cpu = result["peak_gflops"]
        for key, label in (("augmented", "with"), ("plain", "without")):
            wall, cpu_seconds = result[key]
            per_wall = flops_per_step / wall / 1e9
            per_cpu = flops_per_step / cpu_seconds / 1e9
            print(
                f"{setting:>11s} {label:>12s} {wall * 1000:8.1f} {wall * steps:8.1f}"
                f" {per_wall:8.1f} {peak_wall:6.0f} {per_wall / peak_wall:8.0%}"
                f" {per_cpu:7.1f} {peak_cpu:6.0f} {per_cpu / peak_cpu:8.0%}"
            )
    print(
        f"one training epoch of chapter 6's network: "
        f"{result['flops_per_image'] * result['images_per_epoch'] / 1e12:.2f} TFLOP "
        "(forward pass x 3)"
    )


if __name__ == "__main__":
    main()
