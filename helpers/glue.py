"""Numbers from executed cells into the book's prose (introduced in chapter 1).

:func:`glue` records a value the way ``myst_nb.glue`` does, so the built book
can write it into a sentence with ``{glue:text}`name``` -- no number in the
prose is ever typed by hand. It needs neither myst-nb nor Sphinx at run time,
so a chapter opened alone in Colab runs unchanged.
"""

from __future__ import annotations

from IPython.display import display

# myst-nb reads values stored under this prefix without showing them in the cell
HIDDEN_PREFIX = "application/papermill.record/"


def glue(name: str, value) -> None:
    """Store ``value`` under ``name`` for ``{glue:text}`name``` in the prose.

    Numbers are stored raw, so the prose picks the format:
    ``{glue:text}`test_accuracy:.4f```.
    """
    if hasattr(value, "item"):  # numpy scalar: repr would read "np.float64(...)"
        value = value.item()
    # a repr for strings too: myst-nb reads the text back with literal_eval, and
    # a bare "8,865" would come back as the tuple (8, 865)
    text = repr(value)
    display(
        {HIDDEN_PREFIX + "text/plain": text},
        raw=True,
        metadata={"scrapbook": {"name": name, "mime_prefix": HIDDEN_PREFIX}},
    )


def glue_table(name: str, table) -> None:
    """Store a DataFrame for ``{glue:figure}`` in the prose, so a table computed
    in a later cell can open the page (each chapter's finding, chapter 2)."""
    if table.index.name:  # its name heads its own column, not a row of its own
        table = table.reset_index()
    display(
        {
            HIDDEN_PREFIX + "text/html": table.to_html(index=False),
            HIDDEN_PREFIX + "text/plain": table.to_string(index=False),
        },
        raw=True,
        metadata={"scrapbook": {"name": name, "mime_prefix": HIDDEN_PREFIX}},
    )


def count(n: int, noun: str) -> str:
    """``n`` and ``noun`` in agreement, for printed and glued sentences:
    ``count(1, "epoch")`` is ``"1 epoch"``, ``count(5, "epoch")`` ``"5 epochs"``
    (chapters 3 to 7)."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
