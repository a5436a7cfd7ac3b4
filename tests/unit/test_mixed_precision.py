"""Chapter 6 switches Keras to mixed precision on a GPU, and a reader may do the
same for the recipes of chapters 7 and 8. No test machine has a GPU, but the
policy runs on a CPU too (slowly): train each recipe a few steps under it and
check that the outputs are float32 probabilities."""

import functools

import keras
import numpy as np
import pytest

from helpers import ensemble, resnet

RECIPES = {
    # chapter 6: source 000's network and schedule
    "chapter 6": functools.partial(ensemble.build_net, 1, "mnist"),
    # chapter 7: warm-up and cosine, a moving average, label smoothing
    "chapter 7": functools.partial(
        ensemble.build_net,
        1,
        "mnist",
        learning_rate=ensemble.warmup_cosine(2e-3, 4),
        ema=0.999,
        label_smoothing=0.1,
    ),
    # chapter 8: the residual network with shifts and random erasing
    "chapter 8": functools.partial(
        resnet.build_resnet,
        1,
        "fashion_mnist",
        erasing=True,
        learning_rate=ensemble.warmup_cosine(3e-3, 4),
    ),
}


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_trains_under_mixed_float16(name):
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = RECIPES[name]()
        rng = np.random.default_rng(0)
        x = rng.random((64, 28, 28, 1), dtype=np.float32)
        y = rng.integers(0, 10, 64)
        model.fit(x, y, batch_size=16, epochs=1, verbose=0)
        probabilities = model.predict(x[:8], verbose=0)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert probabilities.dtype == np.float32
    assert np.isfinite(probabilities).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-3)
