"""The build cache of the RTL backends (:mod:`sim.verify.rtl_cocotb`, :mod:`sim.verify.rtl_native`):
one folder per build, named by a digest of everything the build depends on, made in a temporary
folder beside it and renamed into place, so that concurrent sessions never see a half-built
model and a second call finds the first one's."""

import contextlib
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

__all__ = ["cache_digest", "publish"]


def cache_digest(parts):
    """16 hex digits of the SHA-256 of ``parts`` (JSON-ready: texts, versions, flags)."""
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


@contextlib.contextmanager
def publish(directory, prefix):
    """Build into a fresh temporary folder beside ``directory`` (its name starts with
    ``prefix``), yielded; when the block ends without an exception the folder is renamed to
    ``directory``, unless another session published the same build first, whose folder stays.
    The temporary folder is removed in every case."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=prefix, dir=directory.parent))
    try:
        yield partial
        with contextlib.suppress(OSError):  # another session published the same build first
            partial.rename(directory)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
