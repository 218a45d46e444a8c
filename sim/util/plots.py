"""PNG plots whose bytes depend only on the figure: saved without the ``Software`` chunk, the one
text matplotlib would add (it writes no timestamp into PNGs). Imports no matplotlib itself: a
caller that has a figure has it."""

import io

from sim.util.files import write_atomic

__all__ = ["png_bytes", "save_png"]


def png_bytes(figure, dpi=None):
    """PNG bytes of the matplotlib ``figure`` at ``dpi`` (default: matplotlib's
    ``savefig.dpi``, which is the figure's own dpi unless configured)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def save_png(figure, path, dpi=None):
    """Write :func:`png_bytes` of ``figure`` to ``path`` atomically (complete or absent)."""
    write_atomic(path, png_bytes(figure, dpi))
