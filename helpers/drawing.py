"""What a network sees of a digit drawn on the page (introduced in chapter 9).

MNIST's digits were scaled to fit a 20x20 box, keeping their aspect ratio, and
placed in a 28x28 image so that their centre of mass sits at its centre
(chapter 1). A digit drawn on the drawing page gets the same treatment in the
reader's browser, in ``_static/draw/preprocess.js``; this is its twin, step
for step, so that a unit test can hold the two to the same result on the same
strokes.
"""

from __future__ import annotations

import math

import numpy as np

THRESHOLD = 0.05  # ink below this counts as paper when finding the digit
BOX = 20  # MNIST's digits fit a 20x20 box ...
SIZE = 28  # ... centred by mass in 28x28


def _round(value: float) -> int:
    """Round half up, as JavaScript's Math.round does (Python's round is to even)."""
    return math.floor(value + 0.5)


def box_resize(ink: np.ndarray, height: int, width: int) -> np.ndarray:
    """Shrink (or grow) ``ink`` to ``height`` x ``width`` by averaging blocks of pixels.

    Target pixel (i, j) is the mean of the source rows from floor(i * h / height)
    up to floor((i + 1) * h / height), at least one row, and likewise for columns:
    thin strokes survive the shrinking, unlike with point sampling.
    """
    h, w = ink.shape
    out = np.empty((height, width))
    for i in range(height):
        r0 = i * h // height
        r1 = max(r0 + 1, (i + 1) * h // height)
        for j in range(width):
            c0 = j * w // width
            c1 = max(c0 + 1, (j + 1) * w // width)
            out[i, j] = ink[r0:r1, c0:c1].mean()
    return out


def to_mnist(ink) -> np.ndarray | None:
    """A drawing (ink from 0 to 1, any size) as a 28x28 MNIST-style image, or None.

    Crop to the ink, scale the longer side to 20 pixels, stretch the darkest
    pixel to 1, and shift the image so its centre of mass is at the centre of
    the 28x28 field. An empty drawing has no digit: None.
    """
    ink = np.asarray(ink, dtype=np.float64)
    rows = np.flatnonzero((ink > THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > THRESHOLD).any(axis=0))
    if not len(rows):
        return None
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    height, width = max(1, _round(h * scale)), max(1, _round(w * scale))
    patch = box_resize(crop, height, width)
    patch = patch / patch.max()
    total = patch.sum()
    cy = (patch.sum(axis=1) * np.arange(height)).sum() / total
    cx = (patch.sum(axis=0) * np.arange(width)).sum() / total
    # pixel k covers [k, k + 1): its centre of mass is at c + 0.5, the field's at 14
    top = min(max(math.floor(SIZE / 2 - cy), 0), SIZE - height)
    left = min(max(math.floor(SIZE / 2 - cx), 0), SIZE - width)
    image = np.zeros((SIZE, SIZE))
    image[top : top + height, left : left + width] = patch
    return image


def strokes(points_list, size: int = 280, width: float = 18.0) -> np.ndarray:
    """Ink of polylines drawn with a round pen (a stand-in for the canvas in tests)."""
    ys, xs = np.mgrid[0:size, 0:size] + 0.5
    ink = np.zeros((size, size))
    for points in points_list:
        for (x0, y0), (x1, y1) in zip(points, points[1:] or points):
            dx, dy = x1 - x0, y1 - y0
            length = dx * dx + dy * dy
            t = 0.0 if not length else ((xs - x0) * dx + (ys - y0) * dy) / length
            t = np.clip(t, 0.0, 1.0)
            distance = np.hypot(xs - (x0 + t * dx), ys - (y0 + t * dy))
            ink = np.maximum(ink, np.clip(width / 2 + 0.5 - distance, 0.0, 1.0))
    return ink
