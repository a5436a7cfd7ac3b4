"""Writing files so that no reader ever sees half of one (introduced in chapter 1).

The data cache (chapter 1) and the trained networks of chapter 6 both go
through :func:`write_atomic`: a run killed while writing leaves a stray
temporary file, never a truncated file under the real name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic(path, content: bytes | Callable[[Path], object]) -> Path:
    """Write ``content`` to ``path`` through a temporary file and a rename (chapter 1).

    ``content`` is the bytes to write, or a function that writes to the
    temporary path it is given (``model.save``, say). The temporary file keeps
    ``path``'s suffix, which some writers need (Keras wants ``.keras``); a
    rename within one folder is atomic.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # every suffix: Keras wants a weights file to end in ".weights.h5"
    suffix = "".join(path.suffixes)
    fd, name = tempfile.mkstemp(
        dir=path.parent,
        prefix=f".{path.name.removesuffix(suffix)}.partial-",
        suffix=suffix,
    )
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(content, bytes):
                handle.write(content)
        if not isinstance(content, bytes):
            content(temporary)
        os.chmod(
            temporary, 0o644
        )  # mkstemp's 0600 would hide the file from other users
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
