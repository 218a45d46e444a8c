"""Bit-sparse splitting of an input bit-plane into partial vectors (SPEC section 9,
US 2026/0187190 A1): the golden behaviour of the ``row_compactor`` RTL.

A plane of ``rows`` input bits with ``c`` ones is split, in word-line order, into ``ceil(c / k)``
partial vectors of at most ``k`` ones: partial ``j`` holds the ones of rank ``j*k .. j*k + k - 1``
(the lowest-index ones still pending). Each partial activates only its own word-lines, so a
bit-line never sums more than ``k`` cells and an ADC with ``2**bits - 1 >= k`` codes reads it
exactly. An all-zero plane gives no partial.
"""

import numpy as np

__all__ = ["partial_index", "partial_count", "split_plane"]


def partial_index(bits, k):
    """Per row, the partial its one goes to (``-1`` where the bit is 0); ``bits`` bool
    ``[..., rows]``."""
    bits = np.asarray(bits, bool)
    rank = np.cumsum(bits, axis=-1) - 1
    return np.where(bits, rank // k, -1)


def partial_count(popcount, k):
    """``ceil(popcount / k)``: partials of planes with ``popcount`` ones."""
    return -(-np.asarray(popcount, np.int64) // k)


def split_plane(plane, k):
    """The partial masks of one plane, in order: a list of bool arrays of the plane's shape."""
    index = partial_index(plane, k)
    return [index == j for j in range(int(partial_count(np.count_nonzero(plane), k)))]
