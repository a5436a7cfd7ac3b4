"""The three execution profiles, defined here and nowhere else.

A profile is just a set of papermill parameters per chapter:

* ``smoke`` -- a stratified subset and one epoch: the whole book executes in
  minutes on two CPU cores. The tests use it.
* ``standard`` -- full datasets (chapter 5: 6,000 images), fewer epochs than
  the sources: the default book build (the README says how long it takes from
  an empty results folder on two cores; ``benchmarks/chapter_times.py`` prints
  a build's per-chapter table).
* ``full`` -- exactly the source documents' settings (a GPU is recommended).
  Where a chapter runs on a dataset its source never used, ``BY_DATASET``
  may give that dataset other values (chapter 5 on Fashion-MNIST).

Each chapter's ``parameters`` cell holds its ``standard`` values, so a
notebook opened alone (in Colab, say) behaves like the published book; a test
keeps the two in step.
"""

from __future__ import annotations

ALL = "*"  # parameters every chapter that declares them receives

PROFILES: dict[str, dict[str, dict]] = {
    "smoke": {
        ALL: {"TRAIN_SIZE": 2000, "EPOCHS": 1},
        # chapter entries: one per chapter, owned by that chapter's author
        "02_baselines": {},
        "03_mlp": {"N_SEEDS": 2, "SMALL_EPOCHS": 1, "DEEP_EPOCHS": 1},
        "04_cnn": {"SOURCE003_EPOCHS": 1, "BN_EPOCHS": 1},
        "05_regularization": {"L2_EPOCHS": 1},
        "06_ensemble": {"N_MODELS": 2},
        "07_faster": {"N_MODELS": 2, "TTA_COPIES": 1},
        "08_clothes": {"N_MODELS": 2},
        "10_results": {},
    },
    "standard": {
        ALL: {"TRAIN_SIZE": None},
        "02_baselines": {"CV_FOLDS": 5, "CV_SIZE": 10_000, "N_TREES": 100},
        "03_mlp": {
            "EPOCHS": 5,
            "BATCH_SIZE": 100,
            "N_SEEDS": 3,
            "SMALL_EPOCHS": 20,
            "DEEP_EPOCHS": 20,
            "PATIENCE": 5,
        },
        "04_cnn": {
            "EPOCHS": 2,
            "BATCH_SIZE": 32,
            "SOURCE003_EPOCHS": 3,
            "BN_EPOCHS": 6,
        },
        "05_regularization": {
            "TRAIN_SIZE": 6_000,
            "EPOCHS": 10,
            "BATCH_SIZE": 32,
            "L2_EPOCHS": 30,
        },
        "06_ensemble": {"EPOCHS": 5, "BATCH_SIZE": 64, "N_MODELS": 3},
        # two networks, the fewest that make an ensemble: 10 network-epochs against
        # chapter 6's 15 (the chapter's question, at this profile too)
        "07_faster": {"EPOCHS": 5, "BATCH_SIZE": 64, "N_MODELS": 2, "TTA_COPIES": 2},
        # three rungs and one more network of 4 epochs (16 network-epochs)
        # the long rung is read from the archive: no build but the full one trains it
        "08_clothes": {
            "EPOCHS": 4,
            "BATCH_SIZE": 128,
            "N_MODELS": 2,
            "LONG_EPOCHS": 150,
            "LONG_MODELS": 0,
        },
        "10_results": {},
    },
    "full": {
        ALL: {"TRAIN_SIZE": None},
        "02_baselines": {"CV_FOLDS": 5, "CV_SIZE": None, "N_TREES": 100},
        "03_mlp": {
            "EPOCHS": 10,
            "BATCH_SIZE": 100,
            "N_SEEDS": 5,
            "SMALL_EPOCHS": 50,
            "DEEP_EPOCHS": 500,
            "PATIENCE": 50,
        },
        "04_cnn": {
            "EPOCHS": 5,
            "BATCH_SIZE": 32,
            "SOURCE003_EPOCHS": 20,
            "BN_EPOCHS": 500,
        },
        "05_regularization": {"EPOCHS": 20, "BATCH_SIZE": 128, "L2_EPOCHS": 30},
        "06_ensemble": {"EPOCHS": 40, "BATCH_SIZE": 64, "N_MODELS": 7},
        # a third of source 000's 280 network-epochs: 6 networks of 15 epochs
        "07_faster": {"EPOCHS": 15, "BATCH_SIZE": 64, "N_MODELS": 6, "TTA_COPIES": 4},
        # no source: long enough for augmentation to pay (published small networks
        # train 20 to 200 epochs), short enough for a CPU to archive it network by
        # network; on both datasets
        # the long rung: the winning recipe for as long as published networks of
        # its size train (ResNet-20: 300 epochs), resumable mid-network
        "08_clothes": {
            "EPOCHS": 30,
            "BATCH_SIZE": 128,
            "N_MODELS": 5,
            "LONG_EPOCHS": 150,
            "LONG_MODELS": 3,
        },
        "10_results": {},
    },
}

# profile -> chapter -> DATASET -> values that replace the chapter's entry above
BY_DATASET: dict[str, dict[str, dict[str, dict]]] = {
    "full": {
        # Source 004 trained on MNIST only. On Fashion-MNIST the regularised
        # variants are still improving after its 20 epochs (dropout: validation
        # loss still falling), so the chapter's question needs a longer run.
        "05_regularization": {"fashion_mnist": {"EPOCHS": 30}},
        # the long rung asks how far clothes go with more training; digits do not
        "08_clothes": {"mnist": {"LONG_MODELS": 0}},
    },
}

CUSTOM = "custom"


def parameters(
    profile: str,
    chapter: str,
    declared: set[str] | None = None,
    dataset: str | None = None,
) -> dict:
    """The papermill parameters of ``chapter`` (e.g. ``"01_data"``) under ``profile``.

    With ``declared`` (the names in the chapter's parameters cell), names the
    chapter does not declare are left out. ``dataset`` selects the values
    ``BY_DATASET`` holds for that ``DATASET`` (chapter 5).
    """
    if profile not in PROFILES:
        raise ValueError(
            f"unknown profile {profile!r}: expected one of {', '.join(PROFILES)}"
        )
    merged = {
        **PROFILES[profile][ALL],
        **PROFILES[profile].get(chapter, {}),
        **BY_DATASET.get(profile, {}).get(chapter, {}).get(dataset, {}),
    }
    if declared is not None:
        merged = {name: value for name, value in merged.items() if name in declared}
    return merged


def identify(chapter: str, values: dict) -> str:
    """The profile whose settings ``values`` match, or ``"custom"``.

    Derived rather than passed in, so a result can never claim a profile it
    was not run with (chapter 1 introduces it; every chapter records it).
    """
    for name in PROFILES:
        wanted = parameters(
            name, chapter, declared=set(values), dataset=values.get("DATASET")
        )
        if all(values[key] == value for key, value in wanted.items()):
            return name
    return CUSTOM


def describe(chapter: str, declared: dict):
    """A table of what each profile sets for ``chapter`` (shown in every chapter).

    ``declared`` maps the chapter's parameters to their current values (the
    dict ``check_parameters`` returns will do); a parameter no profile sets
    keeps its current value in every column.
    """
    import pandas as pd

    current = {name: value for name, value in declared.items() if name != "PROFILE"}
    dataset = current.get("DATASET")
    table = {
        profile: {
            name: repr(value)
            for name, value in {
                **current,
                **parameters(profile, chapter, set(current), dataset),
            }.items()
        }
        for profile in PROFILES
    }
    return pd.DataFrame(table).rename_axis("parameter")


# How the datasets are written in prose
DATASET_NAMES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}


def headline(values: dict, page: str = "models") -> str:
    """One sentence on the run that produced a page: its profile, data and budget,
    and what its numbers are worth (every chapter's first box; :func:`note`
    says more, in the parameters section)."""
    profile = values["PROFILE"]
    data = [DATASET_NAMES.get(values.get("DATASET"), values.get("DATASET"))]
    if "TRAIN_SIZE" in values:
        size = values["TRAIN_SIZE"]
        data.append("all training images" if size is None else f"{size:,} images")
    if "EPOCHS" in values:
        data.append(f"{values['EPOCHS']} epoch{'' if values['EPOCHS'] == 1 else 's'}")
    run = f"This page was executed with the {profile} profile ({', '.join(data)})"
    if page == "data":
        return f"{run}; it trains no model."
    return run + {
        "smoke": ". Its own numbers test the code, not the models.",
        "standard": ". The findings come from the archived full-profile runs.",
        "full": ". These are the settings the archived runs used.",
    }.get(profile, ". Some parameters were set by hand.")


def note(values: dict, page: str = "models", chapter: str | None = None) -> str:
    """One paragraph on the run that produced a page (every chapter's first box).

    ``values`` is what ``check_parameters`` returned: the chapter's parameters
    and the ``PROFILE`` they match (it also knows the ``chapter``, which
    ``chapter`` can override). ``page`` says what the page holds:
    ``"models"`` (it trains them), ``"data"`` (it trains nothing: chapter 1) or
    ``"results"`` (the results chapter, which must not point at itself). The
    paragraph says what the profile means for this chapter: where its settings
    depart from the full profile's, what the full profile is here (the sources'
    own settings, or :data:`FULL_IS`), and, in a smoke build of a chapter with
    batch-normalized networks (:data:`BATCH_NORMALIZED`), the accuracy of a
    network that answers one class for every image. Plain text, for
    ``{glue:text}``.
    """
    profile = values["PROFILE"]
    chapter = chapter or getattr(values, "chapter", None)
    parts = []
    if "DATASET" in values:
        parts.append(DATASET_NAMES.get(values["DATASET"], values["DATASET"]))
    if "TRAIN_SIZE" in values:
        size = values["TRAIN_SIZE"]
        parts.append(
            "all training images" if size is None else f"{size:,} training images"
        )
    departs = _departures(chapter, values) if chapter else []
    # the budget, and every other setting the text below sets against the full
    # profile's, so that each value it names there has this build's beside it
    named = {name for name, _, _ in departs}
    parts += [
        _setting(name, value) if name == "CV_SIZE" else f"{name} {value}"
        for name, value in values.items()
        if (name.endswith("EPOCHS") or name == "N_MODELS" or name in named)
        and name not in ("TRAIN_SIZE", "DATASET")
    ]
    settings = f" ({', '.join(parts)})" if parts else ""
    run = f"This page was executed with the {profile} profile{settings}."
    if page == "data":
        return (
            f"{run} The page trains no model: only the numbers that depend on the "
            "subset of training images (its size, the split, the drift) change with "
            "the profile."
        )
    if profile == "full":
        meaning = _full_is(chapter, sentence=True)
    elif profile == CUSTOM:
        meaning = (
            "Some parameters were set by hand, so the numbers belong to this run "
            "alone; the results chapter shows the archived full-profile runs."
        )
    else:
        where = (
            f"At the full profile ({_full_is(chapter)}) this chapter takes "
            f"{_and([_setting(name, full) for name, _, full in departs])}"
            if departs
            else "This chapter's settings are the full profile's"
        )
        if profile == "smoke":
            meaning = (
                f"Its numbers test the code, not the models. {where}; models "
                "trained this little score far below what they can do, so no "
                "sentence about this build's own runs should be read as a finding "
                "(those about the archived runs are findings)."
                + _one_class_note(chapter, values)
                + " The results chapter shows the archived full-profile runs."
            )
        else:  # standard
            smaller = departs and all(
                _at_most(value, full) for _, value, full in departs
            )
            meaning = (
                f"{where}"
                + (
                    f"; this build's {'is' if len(departs) == 1 else 'are'} smaller"
                    if smaller
                    else ""
                )
                + ". The results chapter shows the archived full-profile runs."
            )
    if page == "results":
        meaning = meaning.replace(
            "the results chapter shows the archived full-profile runs",
            "the first section below shows the archived full-profile runs",
        ).replace(
            "The results chapter shows the archived full-profile runs.",
            "The first section below shows the archived full-profile runs.",
        )
    return f"{run} {meaning}"


# Chapters whose full profile is not a source's own settings (the others follow
# one source each): what it is instead, for the box, as a parenthesis and as a
# sentence
FULL_IS = {
    "02_baselines": (  # trees have no epochs or batches
        "source 002's settings",
        "These are source 002's settings: the fairest comparison with its numbers.",
    ),
    "07_faster": (
        "{network_epochs} network-epochs per ensemble, against source 000's "
        "{source_network_epochs}",
        "These are the chapter's longest settings: {network_epochs} network-epochs "
        "per ensemble, against source 000's {source_network_epochs}.",
    ),
    "08_clothes": (
        "the chapter's longest settings; no source trained these networks",
        "These are the chapter's longest settings; no source trained these "
        "networks, so there is no source number to match.",
    ),
}

# Chapters with batch-normalized networks that a smoke build can leave answering
# one class for every image: their running averages, which inference uses, still
# hold mostly their starting values after a few dozen steps. (Chapter 5's use a
# momentum of 0.9, which keeps up; a unit test checks the list against the code.)
BATCH_NORMALIZED = ("04_cnn", "06_ensemble", "07_faster", "08_clothes")


def _full_is(chapter: str | None, sentence: bool = False) -> str:
    """What the full profile is for ``chapter``: a parenthesis, or a sentence."""
    if chapter not in FULL_IS:
        return (
            "These are the sources' epochs and batches: the fairest comparison with "
            "their numbers."
            if sentence
            else "the sources' epochs and batches"
        )
    full = PROFILES["full"]
    return FULL_IS[chapter][sentence].format(
        network_epochs=full[chapter].get("N_MODELS", 1)
        * full[chapter].get("EPOCHS", 0),
        source_network_epochs=full["06_ensemble"]["N_MODELS"]
        * full["06_ensemble"]["EPOCHS"],
    )


def _setting(name: str, value) -> str:
    """One parameter's value in the box's words."""
    if name == "TRAIN_SIZE":
        return "all training images" if value is None else f"{value:,} training images"
    if name == "CV_SIZE":
        return "cross-validation on " + (
            "the whole training split" if value is None else f"{value:,} images"
        )
    return f"{name} {value:,}" if isinstance(value, int) else f"{name} {value}"


def _departures(chapter: str, values: dict) -> list[tuple[str, object, object]]:
    """The parameters whose value here differs from the full profile's, as
    (name, value here, the full profile's value)."""
    declared = {name for name in values if name != "PROFILE"}
    full = parameters("full", chapter, declared, values.get("DATASET"))
    return [
        (name, values[name], value)
        for name, value in full.items()
        if values.get(name) != value
    ]


def _at_most(value, full) -> bool:
    """Whether ``value`` is no larger than the full profile's (None: all images)."""
    if full is None:
        return True
    return value is not None and value <= full


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


def _one_class_note(chapter: str | None, values: dict) -> str:
    """The accuracy of a network that answers one class for every test image, in a
    chapter with batch-normalized networks (:data:`BATCH_NORMALIZED`)."""
    dataset = values.get("DATASET")
    if chapter not in BATCH_NORMALIZED or dataset is None:
        return ""
    import numpy as np

    from . import data

    _, (_, y_test) = data.load(dataset)
    shares = np.bincount(y_test, minlength=10) / len(y_test)
    names = data.CLASS_NAMES[dataset]

    def named(k):
        return f"the digit {names[k]}" if dataset == "mnist" else names[k]

    text = (
        " A batch-normalized network trained this briefly may answer one class for "
        "every image; it then scores that class's share of the test set"
    )
    if shares.min() == shares.max():
        return text + (
            f", {shares[0]:.4f} on {DATASET_NAMES[dataset]}, where every class holds "
            "the same share."
        )
    low, high = int(shares.argmin()), int(shares.argmax())
    return text + (
        f", from {shares[low]:.4f} ({named(low)}) to {shares[high]:.4f} "
        f"({named(high)}) on {DATASET_NAMES[dataset]}."
    )
