"""plots.architecture: a model drawing that needs neither pydot nor Graphviz (chapters 4
and 5)."""

import matplotlib

matplotlib.use("Agg")

from helpers import plots, training  # noqa: E402

training.quiet_tensorflow()
import keras  # noqa: E402


def test_one_box_per_layer_with_shapes_and_parameters():
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, padding="same"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ]
    )
    fig = plots.architecture(model)
    (ax,) = fig.axes
    texts = [
        t.get_text() for t in ax.texts if t.get_text()
    ]  # arrows are empty annotations
    assert len(ax.patches) == len(model.layers) == len(texts)
    # each box says what the layer is by its settings, not by Keras's numbered name
    assert texts[0].startswith("Conv2D 32 × 3×3, same")
    assert "28 × 28 × 32" in texts[0] and "320 parameters" in texts[0]
    assert texts[1].startswith("MaxPooling2D 2×2") and "14 × 14 × 32" in texts[1]
    assert "6,272" in texts[2] and "no parameters" in texts[2]
    assert texts[3].startswith("Dense 10") and "62,730 parameters" in texts[3]
    assert not any("conv2d" in text or "dense_" in text for text in texts)
    widths = [patch.get_width() for patch in ax.patches]
    assert widths[0] > widths[1] > widths[3]  # fewer output values, narrower box
    matplotlib.pyplot.close(fig)


def test_a_kind_of_layer_has_one_colour_in_every_drawing():
    def colours(model):
        fig = plots.architecture(model)
        found = [patch.get_facecolor()[:3] for patch in fig.axes[0].patches]
        matplotlib.pyplot.close(fig)
        return found

    dense_first = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    dense_after = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    assert colours(dense_first)[0] == colours(dense_after)[1]
