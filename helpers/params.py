"""Validation of a chapter's papermill parameters (introduced in chapter 1).

The cell right after each chapter's ``parameters`` cell calls
:func:`check_parameters`, so a wrong value stops the notebook at once with a
message that names the parameter, the value given and what is allowed, instead
of failing twenty minutes later deep inside Keras.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable

from . import profiles
from .data import DATASETS, N_TRAIN

MIN_TRAIN_SIZE = 100  # ten images per class: enough for a stratified 80/20 split


class ParameterError(ValueError):
    """A papermill parameter has a value the chapter cannot run with."""


def _integer(
    low: int, high: int | None = None, none_means: str | None = None
) -> Callable:
    allowed = (
        f"an integer >= {low}" if high is None else f"an integer from {low} to {high:,}"
    )
    if none_means:
        allowed = f"None ({none_means}) or {allowed}"

    def rule(value) -> str | None:
        if value is None and none_means:
            return None
        # bool is an int subclass, but TRAIN_SIZE=True is a mistake, not a size
        if isinstance(value, bool) or not isinstance(value, int):
            return allowed
        if value < low or (high is not None and value > high):
            return allowed
        return None

    return rule


def _one_of(options) -> Callable:
    def rule(value) -> str | None:
        return None if value in options else "one of " + ", ".join(map(repr, options))

    return rule


def network_numbers(value):
    """``NETWORKS`` as a value: papermill's ``-p NETWORKS "[1, 2]"`` passes the
    text of a list, read here as a Python literal (never run as code), while
    ``-y`` passes the list itself (chapter 6)."""
    if isinstance(value, str):
        try:
            return ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            return value
    return value


def _networks(value) -> str | None:
    allowed = "None (every network) or a list of network numbers from 1, such as [2, 3]"
    value = network_numbers(value)
    if value is None:
        return None
    numbers = (
        [value] if isinstance(value, int) and not isinstance(value, bool) else value
    )
    if not isinstance(numbers, (list, tuple)) or not numbers:
        return allowed
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in numbers):
        return allowed
    return None if len(set(numbers)) == len(numbers) else allowed + ", each once"


def _text(value) -> str | None:
    return (
        None
        if isinstance(value, str) and value.strip()
        else "a non-empty string (a directory path)"
    )


RULES: dict[str, Callable] = {
    "DATASET": _one_of(DATASETS),
    "TRAIN_SIZE": _integer(
        MIN_TRAIN_SIZE, N_TRAIN, none_means=f"all {N_TRAIN:,} training images"
    ),
    "SEED": _integer(0, 2**32 - 1),
    "EPOCHS": _integer(1),
    "BATCH_SIZE": _integer(1, N_TRAIN),
    "N_MODELS": _integer(1),
    "NETWORKS": _networks,  # 06_ensemble: which of the N_MODELS networks a run trains
    "CV_FOLDS": _integer(2, 10),  # 02_baselines: stratified k-fold cross-validation
    "CV_SIZE": _integer(
        MIN_TRAIN_SIZE, N_TRAIN, none_means="the whole training split"
    ),  # 02_baselines
    "N_TREES": _integer(1),  # 02_baselines: trees in the random forest
    "N_SEEDS": _integer(1, 20),  # 03_mlp: seeds that train the 784-1000-10 network
    "SMALL_EPOCHS": _integer(1),  # 03_mlp: epochs of the 784-64-16-10 network
    "DEEP_EPOCHS": _integer(
        1
    ),  # 03_mlp: most epochs of the deep MLP (early stopping may end it sooner)
    "PATIENCE": _integer(1),  # 03_mlp: early-stopping patience in epochs
    "SOURCE003_EPOCHS": _integer(
        1
    ),  # 04_cnn: most epochs of source 003's CNN (early stopping may end it sooner)
    "BN_EPOCHS": _integer(
        1
    ),  # 04_cnn: most epochs of source 002's batch-normalized CNN
    "L2_EPOCHS": _integer(
        1
    ),  # 05_regularization: epochs of source 004's L2 + dropout CNN
    "TTA_COPIES": _integer(1, 32),  # 07_faster: augmented copies averaged at test time
    "LONG_EPOCHS": _integer(1),  # 08_clothes: epochs of each long-rung network
    # 08_clothes: long-rung networks this run trains (0: read them from the archive)
    "LONG_MODELS": _integer(0),
    "RESULTS_DIR": _text,
}


def selected_networks(networks, n_models: int) -> list[int]:
    """The network numbers (from 1) a run trains: ``NETWORKS``, or all ``N_MODELS``
    (chapter 6)."""
    networks = network_numbers(networks)
    chosen = list(range(1, n_models + 1)) if networks is None else networks
    chosen = [chosen] if isinstance(chosen, int) else sorted(chosen)
    beyond = [n for n in chosen if n > n_models]
    if beyond:
        raise ParameterError(
            f"NETWORKS={networks!r} is not allowed: "
            f"network numbers go up to N_MODELS={n_models}."
        )
    return chosen


# papermill's first line of the cell it injects after the ``parameters`` cell
INJECTED_MARKER = "# Parameters"


def injected_names() -> list[str]:
    """The names papermill set in this kernel (its ``injected-parameters`` cell).

    papermill passes on a parameter the notebook does not declare with only a
    log line, so ``-p EPOCH 3`` would run the whole chapter with the default
    ``EPOCHS``. IPython keeps the source of every executed cell in ``In``; the
    injected one starts with :data:`INJECTED_MARKER`.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    if shell is None:
        return []
    names = []
    for source in shell.user_ns.get("In", []):
        if source.lstrip().startswith(INJECTED_MARKER):
            for node in ast.parse(source).body:
                if isinstance(node, ast.Assign):
                    names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


class Parameters(dict):
    """A chapter's checked parameters and their ``PROFILE``: a plain dict (it is
    written into every metrics file as it is), which also remembers the
    ``chapter`` it was checked for, so that the page's box can say what the
    profile means for that chapter (:func:`helpers.profiles.note`)."""

    def __init__(self, values: dict, chapter: str):
        super().__init__(values)
        self.chapter = chapter


def check_parameters(chapter: str, **values) -> Parameters:
    """Validate ``values`` and return them with the ``PROFILE`` they match.

    ``chapter`` is the notebook's stem (``"01_data"``); the profile is derived
    from the values by :func:`helpers.profiles.identify`. A name papermill
    injected that the chapter does not declare (a typo, say) stops the run.
    The dict returned knows its chapter (:class:`Parameters`).
    """
    for name in injected_names():
        if name not in values:
            close = difflib.get_close_matches(name, values, n=1)
            hint = f" Did you mean {close[0]}?" if close else ""
            raise ParameterError(
                f"{name} is not a parameter of {chapter}.{hint} "
                f"Its parameters are {', '.join(values)}."
            )
    for name, value in values.items():
        if name not in RULES:
            raise ParameterError(
                f"{name} is not a parameter this book knows: "
                f"expected one of {', '.join(RULES)}"
            )
        allowed = RULES[name](value)
        if allowed:
            raise ParameterError(
                f"{name}={value!r} is not allowed: expected {allowed}."
            )
    return Parameters(
        {**values, "PROFILE": profiles.identify(chapter, values)}, chapter
    )
