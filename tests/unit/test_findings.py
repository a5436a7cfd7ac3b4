"""The findings a chapter's opening states in words, checked against the archive
the book ships: if a rerun of the full profile changes them, this fails and the
words must change with them."""

from helpers import comparisons, data
from helpers.results import load_archive

ARCHIVED = {(r["model"], r["dataset"]): r for r in load_archive("full")}
N_VAL = round(data.N_TRAIN * 0.1)  # one network's validation tenth


def test_chapter_7_less_training_ties_source_000s_ensemble():
    """'An ensemble with a third of the network-epochs ties source 000's, and so
    does its first network alone.'"""
    source = ARCHIVED["ensemble_source000", "mnist"]
    faster = ARCHIVED["ensemble_source000_faster", "mnist"]
    budget = source["members"] * source["parameters"]["EPOCHS"]
    assert 0.3 <= faster["network_epochs"] / budget <= 0.36  # a third
    reference = source["test_accuracy"]
    for accuracy in (faster["test_accuracy"], faster["member_test_accuracy"][0]):
        assert comparisons.verdict_word(accuracy, reference, data.N_TEST) == "tie"


def test_chapter_7_every_variant_ties_source_000s_decay_on_validation():
    """'The new schedule, the averaged weights and label smoothing each tie source
    000's decay on validation.'"""
    ladder = {
        row["variant"]: row
        for row in ARCHIVED["ensemble_source000_faster", "mnist"]["ladder"]
    }
    decay = ladder.pop("source")["validation"]
    assert set(ladder) == {"cosine", "cosine + ema", "cosine + ema + smoothing"}
    for row in ladder.values():  # one seed, one validation tenth: the same images
        assert comparisons.verdict_word(row["validation"], decay, N_VAL) == "tie"


def test_chapter_8_the_augmentation_not_the_network_wins_on_clothes():
    """'A residual network alone loses to chapter 7's recipe. Shifts and random
    erasing turn that loss into a clear win, and an ensemble of five such
    networks adds more. Shirts gain the most.'"""
    run = ARCHIVED["ensemble_clothes", "fashion_mnist"]
    start, residual, erasing = (row["test"] for row in run["ladder"])
    assert comparisons.verdict_word(residual, start, data.N_TEST) == "behind"
    assert comparisons.verdict_word(erasing, start, data.N_TEST) == "ahead"
    assert run["members"] == 5 and run["test_accuracy"] > erasing
    gains = {
        k: run["recall_after"][k] - run["recall_before"][k] for k in run["recall_after"]
    }
    assert max(gains, key=gains.get) == "Shirt"


def test_chapter_8_the_gain_sits_in_the_upper_body_garments():
    """'The gain sits where the errors were: shirts, pullovers, coats and T-shirts.'"""
    run = ARCHIVED["ensemble_clothes", "fashion_mnist"]
    per_class = round(data.N_TEST / len(run["recall_after"]))
    gained = {
        k: round((run["recall_after"][k] - run["recall_before"][k]) * per_class)
        for k in run["recall_after"]
    }
    upper = sum(gained[k] for k in ("Shirt", "Pullover", "Coat", "T-shirt/top"))
    assert upper > sum(gained.values()) / 2  # 79 of 105 images


def test_chapter_3_the_archived_mlps_against_their_sources():
    """'The wide network ties source 001 when it trains on every image; holding
    out a fifth for validation costs it a few tens of test images. The small
    network beats source 004, and the deep one ties source 002 on validation.'"""
    models = ["mlp_source001", "mlp_source001_all", "mlp_source004", "mlp_source002"]
    table = comparisons.against_sources(ARCHIVED, models, 0.2)
    verdicts = dict(zip(table["network"], table["verdict"].str.split().str[0]))
    images = dict(zip(table["network"], table["images"]))
    assert verdicts["784-1000-10 MLP of source 001, all training images"] == "tie"
    assert verdicts["784-1000-10 MLP of source 001"] == "behind"
    assert -60 <= int(images["784-1000-10 MLP of source 001"]) <= -20
    assert verdicts["784-64-16-10 MLP of source 004"] == "ahead"
    assert verdicts["deep MLP of source 002"] == "tie"
    assert set(table["split"]) == {"test", "validation"}


def test_chapter_3_the_deep_network_scores_highest_on_both_datasets():
    """'The deep network scores highest on both datasets. On MNIST its lead over
    the wide network is one run against a mean of five seeds, and no larger than
    those seeds' own spread.'"""

    def test_of(model, dataset):
        record = ARCHIVED[model, dataset]
        seeds = record.get("seed_test_accuracy", [])
        return sum(seeds) / len(seeds) if len(seeds) > 1 else record["test_accuracy"]

    three = ["mlp_source001", "mlp_source004", "mlp_source002"]
    for dataset in ("mnist", "fashion_mnist"):
        assert max(three, key=lambda m: test_of(m, dataset)) == "mlp_source002"
    seeds = ARCHIVED["mlp_source001", "mnist"]["seed_test_accuracy"]
    assert len(seeds) == 5
    lead = test_of("mlp_source002", "mnist") - test_of("mlp_source001", "mnist")
    assert 0 < lead <= max(seeds) - min(seeds)


def test_chapter_6_the_ensemble_reproduces_source_000_and_ties_its_average_network():
    """'seven networks of 40 epochs reach source 000's accuracy. Yet the sum of
    seven ties its average network.'"""
    from helpers.results import reported

    run = ARCHIVED["ensemble_source000", "mnist"]
    assert (run["members"], run["parameters"]["EPOCHS"]) == (7, 40)
    source = reported("ensemble_source000", "mnist")["accuracy"]
    assert comparisons.verdict_word(run["test_accuracy"], source, data.N_TEST) == "tie"
    mean = sum(run["member_test_accuracy"]) / len(run["member_test_accuracy"])
    assert comparisons.verdict_word(run["test_accuracy"], mean, data.N_TEST) == "tie"


def test_chapter_5_only_dropout_beats_the_baseline_on_all_of_mnist():
    """'On all of MNIST only dropout beats source 004's unregularised network;
    batch normalization and early stopping tie it, and augmentation and L2 fall
    behind. On Fashion-MNIST dropout and early stopping both win. Combining
    everything wins on neither.'"""

    def side(model, dataset):
        base = ARCHIVED["cnn_source004_baseline", dataset]["test_accuracy"]
        return comparisons.verdict_word(
            ARCHIVED[model, dataset]["test_accuracy"], base, data.N_TEST
        )

    variants = [
        m
        for (m, d), r in ARCHIVED.items()
        if d == "mnist"
        and r["chapter"] == "05_regularization"
        and m != "cnn_source004_baseline"
    ]
    assert [m for m in variants if side(m, "mnist") == "ahead"] == [
        "cnn_source004_dropout"
    ]
    for model in ("cnn_source004_batchnorm", "cnn_source004_early_stopping"):
        assert side(model, "mnist") == "tie"
    for model in ("cnn_source004_augmented", "cnn_source004_l2_dropout"):
        assert side(model, "mnist") == "behind"
    for model in ("cnn_source004_dropout", "cnn_source004_early_stopping"):
        assert side(model, "fashion_mnist") == "ahead"
    assert "ahead" not in {
        side("cnn_source004_combined", d) for d in ("mnist", "fashion_mnist")
    }


def test_chapter_4_the_archived_cnns_against_their_sources():
    """'Trained on every image, as the source was, source 001's CNN ties its
    number; source 002's batch-normalized CNN beats its source on validation.'"""
    models = ["cnn_source001", "cnn_source001_all", "cnn_source003", "cnn_source002"]
    table = comparisons.against_sources(ARCHIVED, models, 0.2)
    verdicts = dict(zip(table["network"], table["verdict"].str.split().str[0]))
    assert verdicts["CNN of source 001, all training images"] == "tie"
    assert verdicts["batch-normalized CNN of source 002"] == "ahead"


def test_chapter_2_the_trees_tie_source_002_and_the_forest_beats_the_tree():
    """'the tree and the forest both tie its validation accuracies, and the forest
    is far ahead of the tree on both datasets.'"""
    models = ["tree_source002", "forest_source002"]
    table = comparisons.against_sources(ARCHIVED, models, 0.2)
    assert len(table) == 2 and set(table["verdict"].str.split().str[0]) == {"tie"}
    for dataset in ("mnist", "fashion_mnist"):
        forest = ARCHIVED["forest_source002", dataset]["test_accuracy"]
        tree = ARCHIVED["tree_source002", dataset]["test_accuracy"]
        assert comparisons.verdict_word(forest, tree, data.N_TEST) == "ahead"


def test_chapter_5_source_004s_network_does_better_on_raw_pixels():
    """'Source 004's L2 + dropout network does better on raw pixels than on
    [0, 1] pixels, on both datasets.'"""
    for dataset in ("mnist", "fashion_mnist"):
        raw = ARCHIVED["cnn_source004_l2_dropout", dataset]["test_accuracy"]
        scaled = ARCHIVED["cnn_source004_l2_dropout_scaled", dataset]["test_accuracy"]
        assert comparisons.verdict_word(raw, scaled, data.N_TEST) == "ahead"


def test_chapter_7_at_15_epochs_the_recipe_changes_nothing_measurable():
    """'its single network of 15 epochs ties cosine + ema, on the test set and on
    validation' (the words chapter 7 glues when both verdicts are ties)."""
    run = ARCHIVED["ensemble_source000_faster", "mnist"]
    ladder = {row["variant"]: row for row in run["ladder"]}
    source, chosen = ladder["source"], ladder[run["recipe"]]
    assert (
        comparisons.verdict_word(chosen["test"], source["test"], data.N_TEST) == "tie"
    )
    assert (
        comparisons.verdict_word(chosen["validation"], source["validation"], N_VAL)
        == "tie"
    )
