"""Show the source of a helper on the page that teaches it (introduced in chapter 6).

Code that two chapters (or a chapter and a script) share lives in
``helpers``; the chapter that introduces it still shows it, the way d2l does,
so the reader sees the lesson and the package keeps one copy.
"""

from __future__ import annotations

import inspect
import re

# Sphinx cross-references in docstrings (:func:`name`, :mod:`helpers.x`) and
# double backquotes: markup for the API docs, noise in a listing the reader reads
ROLE = re.compile(r":(?:func|class|mod|meth|data|attr):`~?([^`]+)`")


def plain(source: str) -> str:
    """``source`` with docstring markup reduced to single backquotes (chapter 6)."""
    return ROLE.sub(r"`\1`", source).replace("``", "`")


def listing(obj):
    """The source code of a function or class, as a Python code block (chapter 6).

    Returned as Markdown, so the HTML book highlights it like every other code
    block on the page, and Jupyter shows it the same way. Docstrings read as
    plain text: their cross-reference markup is dropped.
    """
    from IPython.display import Markdown

    return Markdown(f"```python\n{plain(inspect.getsource(obj)).rstrip()}\n```")
