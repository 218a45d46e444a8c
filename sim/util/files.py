"""Atomic file output: a report or netlist is either complete or absent, never half-written."""

import os
import shutil
import tempfile
from pathlib import Path

__all__ = [
    "write_atomic",
    "write_files",
    "check_output_file",
    "check_output_folder",
    "check_report_folder",
    "replace_folder",
]


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


def write_files(folder, files):
    """Write ``files`` (``{name: str or bytes}``) into ``folder`` as one set: all of them are
    written into a staging folder inside ``folder`` first and only then renamed into place, so a
    failure while writing leaves none of them (and ``folder``'s other files untouched).

    Returns the written paths, in ``files``' order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".staging-"))
    try:
        for name, data in files.items():
            write_atomic(staging / name, data)
        for name in files:
            os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in files]


def check_output_folder(out, option="-o"):
    """Refuse, before any work, an output folder ``out`` that cannot be made: a path on the way
    (``out`` itself or a parent) is a file. Missing folders are created when written."""
    out = Path(out)
    existing = next(path for path in (out, *out.parents) if path.exists())
    if not existing.is_dir():
        where = "" if existing == out else f"{existing} "
        raise ValueError(f"{option} {out}: {where}exists and is not a folder")


def check_output_file(path, option):
    """Refuse, before any work, an output file ``path`` whose folder does not exist or which is a
    folder itself."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ValueError(f"{option} {path}: folder {path.parent} does not exist")
    if path.is_dir():
        raise ValueError(f"{option} {path}: is a folder, give a file name")


def check_report_folder(out, marker, kind):
    """Refuse an existing ``out`` that is not a ``kind`` folder (no ``marker`` file in it): a run
    replaces its output folder whole."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / marker).is_file())):
        raise ValueError(f"-o {out} exists and is not a {kind} folder: choose another")


def replace_folder(staging, out):
    """Put the finished folder ``staging`` in place of ``out`` (renames on one file system)."""
    staging, out = Path(staging), Path(out)
    if out.exists():
        old = out.with_name(out.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old)
    else:
        staging.rename(out)
