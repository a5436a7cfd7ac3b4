"""Chapter 6's network and augmentation live in helpers.ensemble: the chapter,
the benchmark and the faster-recipe chapter train the same code."""

import numpy as np
import pytest

from helpers import ensemble


def test_network_builds_with_and_without_augmentation():
    with_augmentation = ensemble.build_net(0)
    assert type(with_augmentation.layers[0]).__name__ == "RandomAffine"
    without = ensemble.build_net(0, augment=False)
    assert without.count_params() == with_augmentation.count_params()
    assert without.output_shape == (None, 10)


def test_network_is_source_000s_size():
    """Raise ensemble.VERSION when the network changes: stored networks name their
    code."""
    assert ensemble.VERSION == 2
    assert ensemble.build_net(0).count_params() == 327_242


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist"])
def test_augmentation_is_seeded_and_off_at_inference(dataset):
    images = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    first = np.asarray(ensemble.augmentation(dataset, 1)(images, training=True))
    again = np.asarray(ensemble.augmentation(dataset, 1)(images, training=True))
    assert np.array_equal(first, again) and not np.allclose(first, images)
    assert np.array_equal(np.asarray(ensemble.augmentation(dataset, 1)(images)), images)


def test_fashion_mirror_is_a_flip():
    """Without shifts, the garment augmentation returns each image or its mirror
    image."""
    layer = ensemble.RandomAffine(rotation=0.0, zoom=0.0, shift=0.0, flip=True, seed=3)
    images = np.random.default_rng(1).random((32, 28, 28, 1), dtype=np.float32)
    out = np.asarray(layer(images, training=True))
    mirrored = [np.allclose(o, i[:, ::-1], atol=1e-5) for o, i in zip(out, images)]
    kept = [np.allclose(o, i, atol=1e-5) for o, i in zip(out, images)]
    assert all(m or k for m, k in zip(mirrored, kept)) and any(mirrored) and any(kept)


def test_schedule_ends_at_the_sources_last_rate():
    assert ensemble.decay(40) == pytest.approx(0.95)
    assert ensemble.learning_rate(4, 5) == pytest.approx(ensemble.learning_rate(39, 40))


def test_recipe_fingerprint_is_stable():
    """Archived networks are found by this fingerprint: it must not drift with the
    code."""
    recipe = ensemble.recipe("mnist", None, 42, 40, 64)
    assert ensemble.fingerprint(recipe) == ensemble.fingerprint(
        dict(reversed(recipe.items()))
    )
    assert ensemble.fingerprint(recipe) != ensemble.fingerprint({**recipe, "seed": 1})
    # the full profile's MNIST ensemble, archived network by network: changing what
    # goes into the recipe orphans those networks (raise VERSION on purpose instead)
    assert ensemble.fingerprint(recipe) == "905eee260303"


def test_warmup_cosine_climbs_to_the_peak_then_falls_to_zero():
    schedule = ensemble.warmup_cosine(4e-3, total_steps=100, warmup_fraction=0.2)
    rates = [float(schedule(step)) for step in range(0, 101, 10)]
    assert rates[0] == pytest.approx(4e-3 / 25)
    assert max(rates) == pytest.approx(4e-3, rel=1e-3) and rates.index(max(rates)) == 2
    assert rates[-1] == pytest.approx(0.0, abs=1e-7)
    assert all(a >= b for a, b in zip(rates[2:], rates[3:]))


def test_label_smoothing_matches_keras_on_one_hot_labels():
    import keras

    y = np.array([3, 0])
    p = np.random.default_rng(0).dirichlet(np.ones(10), size=2).astype("float32")
    ours = ensemble.smoothed_crossentropy(0.1)(y, p)
    theirs = keras.losses.categorical_crossentropy(
        np.eye(10)[y], p, label_smoothing=0.1
    )
    assert np.allclose(np.asarray(ours), np.asarray(theirs), atol=1e-6)


def test_tta_averages_probabilities():
    model = ensemble.build_net(0)
    x = np.random.default_rng(0).random((5, 28, 28, 1), dtype=np.float32)
    p = ensemble.tta_probabilities(model, x, "mnist", copies=2, seed=1)
    assert p.shape == (5, 10) and np.allclose(p.sum(axis=1), 1, atol=1e-5)
    # outputs the caller already has are reused, not predicted again, nor changed
    plain = model.predict(x, verbose=0)
    kept = plain.copy()
    reused = ensemble.tta_probabilities(model, x, "mnist", 2, seed=1, plain=plain)
    assert np.array_equal(reused, p) and np.array_equal(plain, kept)


def test_one_run_gives_the_network_as_trained_and_its_weight_average(tmp_path):
    """EMA changes no training step: the stored network equals one trained
    without it, and the average's outputs are stored beside it. The second
    network also trains after the first in one process, which must not change
    it (tf.data's shuffle order once depended on the previous seed)."""
    from helpers import members

    rng = np.random.default_rng(0)
    x = rng.random((120, 28, 28, 1), dtype=np.float32)
    y = np.arange(120) % 10
    x_test = x[:7]
    stored = {}
    for ema in (None, 0.9):
        store = members.Members(
            tmp_path, f"ema{ema}", {"dataset": "mnist", "ema": ema}, "custom"
        )
        ensemble.train_member(
            store, 1, x, y, x_test, dataset="mnist", seed=3, epochs=2,
            batch_size=32, ema=ema, tta_copies=1,
        )  # fmt: skip
        stored[ema] = store
    (plain, p_plain), (both, p_both) = stored[None].load(1), stored[0.9].load(1)
    assert np.array_equal(p_plain, p_both)  # the same training, to the bit
    assert both["val_accuracy"] == plain["val_accuracy"]
    assert {"val_accuracy_ema", "val_accuracy_ema_tta"} <= set(both)
    assert "val_accuracy_ema" not in plain
    averaged = stored[0.9].load_array(1, "ema")
    assert averaged.shape == (7, 10) and not np.array_equal(averaged, p_both)
    assert stored[0.9].load_array(1, "ema_tta") is not None
    assert np.array_equal(
        stored[None].load_array(1, "tta"), stored[0.9].load_array(1, "tta")
    )
