"""Figures that more than one chapter draws."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def image_grid(
    images,
    titles,
    ncols: int = 5,
    size: float = 1.3,
    cmap: str = "gray_r",
    title: str | None = None,
):
    """Show 28x28 images in a grid, each with its title, under an optional
    overall ``title`` (chapter 1).

    Later chapters pass "label / prediction" titles to show mistakes. Five
    columns of the default ``size`` make the book's column width (6.5 inches),
    so the titles keep a legible size when a phone shrinks the figure; the
    layout makes room for titles of two lines.
    """
    images = np.asarray(images)
    nrows = int(np.ceil(len(images) / ncols))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(ncols * size, nrows * size * 1.15 + (0.4 if title else 0)),
        squeeze=False,
        layout="constrained",
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, name in zip(axes.flat, images, titles):
        ax.imshow(image.squeeze(), cmap=cmap, vmin=0, vmax=image.max() or 1)
        ax.set_title(name, fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def mistakes(
    images, y_true, y_pred, class_names, n: int = 16, seed: int = 0, ncols: int = 4
):
    """A grid of up to ``n`` misclassified images titled "label / prediction" (chapter
    3).

    Returns the figure and the number of mistakes in total.
    """
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))
    picks = np.random.default_rng(seed).choice(
        wrong, size=min(n, len(wrong)), replace=False
    )
    titles = [f"{class_names[y_true[i]]} / {class_names[y_pred[i]]}" for i in picks]
    # "T-shirt/top / Pullover" is wider than its image: one name a line
    titles = [t.replace(" / ", " /\n") if len(t) > 12 else t for t in titles]
    fig = image_grid(
        np.asarray(images)[picks],
        titles,
        ncols=ncols,
        title=f"{len(picks)} of the {len(wrong):,} misclassified test images "
        f"(of {len(y_true):,}),\ndrawn at random: label / prediction",
    )
    return fig, len(wrong)


def history(
    histories: dict[str, dict],
    metrics=("loss", "accuracy"),
    skip: int = 0,
    log_loss: bool = False,
    colours: dict[str, str] | None = None,
):
    """Training (solid, filled dots) and validation (dashed, open dots) curves of
    one or more runs (chapter 3).

    ``histories`` maps a run's name to its history dict; ``skip`` leaves out the
    first epochs, whose large loss can flatten the rest of a curve, and
    ``log_loss`` draws the loss on a log scale, for runs whose losses differ
    a hundredfold. ``colours`` maps a run's name to its colour, so that a model
    keeps one colour in every figure of a chapter (chapter 5); runs it leaves
    out take Matplotlib's colours in turn. Epochs are whole numbers on the
    axis, which ends half an epoch after the longest run shown; a run of one epoch
    still shows its two dots apart. With more than one run the legend goes below
    the panels, where it hides no curve. The panels are stacked, one per
    metric, in the book's column width: side by side they would shrink to
    illegible text on a phone.
    """
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(
        len(metrics), 1, figsize=(6.5, 2.9 * len(metrics)), sharex=True, squeeze=False
    )
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colour_of = {
        name: (colours or {}).get(name, default)
        for name, default in zip(histories, cycle * 3)
    }
    for ax, metric in zip(axes.flat, metrics):
        for name, values in histories.items():
            colour = colour_of[name]
            epochs = np.arange(1, len(values[metric]) + 1)[skip:]
            ax.plot(
                epochs,
                values[metric][skip:],
                "-o",
                ms=4,
                color=colour,
                label=f"{name} train",
            )
            if f"val_{metric}" in values:
                ax.plot(
                    epochs,
                    values[f"val_{metric}"][skip:],
                    "--o",
                    ms=5,
                    mfc="white",
                    color=colour,
                    label=f"{name} validation",
                )
        ax.set_ylabel(metric)
        if log_loss and metric == "loss":
            ax.set_yscale("log")
        longest = max(len(values[metric]) for values in histories.values())
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if longest - skip <= 1:  # one epoch: one tick, not 0.95 ... 1.05
            ax.set_xticks([skip + 1])
        ax.set_xlim(skip + 0.5, longest + 0.5)  # the longest run shown, no more
        ax.grid(alpha=0.3)
    axes.flat[-1].set_xlabel("epoch")
    if len(histories) > 1:  # one entry per run, and the two line styles once
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], color=colour, lw=6, label=name)
            for name, colour in colour_of.items()
        ] + [
            Line2D([], [], color="black", ls="-", marker="o", ms=4, label="training"),
            Line2D(
                [],
                [],
                color="black",
                ls="--",
                marker="o",
                ms=5,
                mfc="white",
                label="validation",
            ),
        ]
        fig.tight_layout()
        fig.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=3,
            fontsize=9,
        )
    else:
        axes.flat[0].legend(fontsize=9)
        fig.tight_layout()
    return fig


def confusion(y_true, y_pred, class_names, title: str = ""):
    """A confusion matrix with class names, counts in each cell (chapter 2)."""
    from sklearn.metrics import ConfusionMatrixDisplay

    fig, ax = plt.subplots(figsize=(6.5, 6))
    ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        display_labels=list(class_names),
        ax=ax,
        colorbar=False,
        xticks_rotation=45,
        cmap="Blues",
        text_kw={"fontsize": 11},  # the counts are what the reader looks for
    )
    ax.set_title(title)
    fig.tight_layout()
    return fig


# One colour per kind of layer, the same in every chapter's drawings
LAYER_COLOURS = {
    "Conv2D": "tab:blue",
    "MaxPooling2D": "tab:orange",
    "BatchNormalization": "tab:green",
    "Dropout": "tab:red",
    "Flatten": "tab:purple",
    "Dense": "tab:brown",
}


def _layer_label(layer) -> str:
    """What a layer does, in the terms the chapters use ("Conv2D 32 × 5×5, same"),
    instead of Keras's numbered names (conv2d_6), which count every layer made
    before it in the session."""
    kind, config = type(layer).__name__, layer.get_config()
    if "filters" in config:
        k, s = config["kernel_size"], config["strides"]
        label = f"{kind} {config['filters']} × {k[0]}×{k[1]}"
        label += f", stride {s[0]}" if s[0] > 1 else ""
        return label + (", same" if config["padding"] == "same" else "")
    if "pool_size" in config:
        return f"{kind} {config['pool_size'][0]}×{config['pool_size'][1]}"
    if "units" in config:
        return f"{kind} {config['units']:,}"
    if "rate" in config:
        return f"{kind} {config['rate']:g}"
    return kind


def architecture(model, title: str = ""):
    """Draw a Keras model as a column of layers with output shapes and parameters
    (chapter 4).

    A stand-in for ``keras.utils.plot_model(model, show_shapes=True)`` that
    needs neither pydot nor Graphviz. Each box is one layer, labelled with its
    settings; its width grows with the number of values the layer outputs, so
    shrinking feature maps read as a narrowing column, and its colour says what
    kind of layer it is. Chapter 5 draws its variants with it too.
    """
    import math

    rows = []
    for layer in model.layers:
        shape = tuple(layer.output.shape)[1:]
        rows.append((_layer_label(layer), shape, layer.count_params()))
    sizes = [math.prod(d for d in shape if d) for _, shape, _ in rows]
    largest = math.log10(max(sizes) + 1)
    fig, ax = plt.subplots(figsize=(6.4, 0.4 * len(rows) + 0.6))
    for i, ((name, shape, count), size) in enumerate(zip(rows, sizes)):
        y = len(rows) - 1 - i
        width = 0.3 + 0.7 * math.log10(size + 1) / largest
        colour = LAYER_COLOURS.get(type(model.layers[i]).__name__, "tab:gray")
        ax.add_patch(
            plt.Rectangle(
                (0.5 - width / 2, y - 0.38), width, 0.76, color=colour, alpha=0.35
            )
        )
        parameters = f"{count:,} parameters" if count else "no parameters"
        ax.text(
            0.5,
            y,
            f"{name}  →  {' × '.join(f'{d:,}' for d in shape)}  ·  {parameters}",
            ha="center",
            va="center",
            fontsize=9,
        )
        if i:
            ax.annotate(
                "",
                xy=(0.5, y + 0.38),
                xytext=(0.5, y + 0.62),
                arrowprops={"arrowstyle": "->", "lw": 0.8},
            )
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.axis("off")
    ax.set_title(
        title
        or f"{model.name}: {model.count_params():,} parameters, "
        f"input {' × '.join(map(str, tuple(model.inputs[0].shape)[1:]))}",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
