"""Variable-dynamic-range softmax (SPEC section 8, US 2026/0187429 A1): each row of integer
scores is razored at its own effective MSB as it arrives (:func:`~sim.golden.rap.emsb.emsb_razor`
with one group per row), which gives the row's exponent, then :func:`softmax_int` runs on the
``target_bits``-bit window. No float scale reaches the softmax input."""

import numpy as np

from sim.golden.rap.emsb import MAX_INPUT_BITS, emsb_razor
from sim.golden.rap.fixed import integer_array
from sim.golden.rap.softmax import softmax_int

__all__ = ["softmax_vdr"]


def softmax_vdr(scores_int, target_bits=8, out_bits=8, e=0, scale=1.0):
    """``(p, p_exp)`` ~ ``softmax(scale * scores_int * 2.0**e)`` along the last axis.

    ``scores_int``: integers (any width up to 48 bits); ``e``: their common exponent (an int);
    each row is razored to ``target_bits`` (2..16) at its effective MSB, so its exponent becomes
    ``e + shift``; ``p``, ``p_exp`` as :func:`softmax_int` returns them."""
    scores = integer_array("scores_int", scores_int, (1 << (MAX_INPUT_BITS - 1)) - 1)
    if scores.ndim == 0 or scores.shape[-1] == 0:
        raise ValueError("scores_int must have at least one element along its last axis")
    if isinstance(e, bool) or not isinstance(e, int | np.integer):
        raise ValueError(f"e must be an integer, not {e!r}")
    razored, shift = emsb_razor(scores, MAX_INPUT_BITS, target_bits, scores.shape[-1])
    return softmax_int(razored, int(e) + shift, out_bits, axis=-1, scale=scale)
