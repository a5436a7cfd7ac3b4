"""Figures that more than one chapter draws."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def image_grid(images, titles, ncols: int = 5, size: float = 1.8, cmap: str = "gray_r"):
    """Show 28x28 images in a grid, each with its title (chapter 1).

    Later chapters pass "label / prediction" titles to show mistakes.
    """
    images = np.asarray(images)
    nrows = int(np.ceil(len(images) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 1.15), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles):
        ax.imshow(image.squeeze(), cmap=cmap, vmin=0, vmax=image.max() or 1)
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig
