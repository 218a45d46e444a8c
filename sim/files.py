"""Atomic file output: a report or netlist is either complete or absent, never half-written."""

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path, data):
    """Write ``data`` (str: UTF-8 text, or bytes) to ``path`` through a temporary file beside it.

    The file gets the permissions a plain ``open`` would give (the umask applies); on any
    failure the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data.encode("utf-8") if isinstance(data, str) else data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp creates 0600
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
