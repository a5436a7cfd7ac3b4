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
    assert "28 × 28 × 32" in texts[0] and "320 params" in texts[0]
    assert "14 × 14 × 32" in texts[1]
    assert "6272" in texts[2] and "62,730 params" in texts[3]
    widths = [patch.get_width() for patch in ax.patches]
    assert widths[0] > widths[1] > widths[3]  # fewer output values, narrower box
    matplotlib.pyplot.close(fig)
