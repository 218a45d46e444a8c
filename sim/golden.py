"""Integer reference arithmetic: exact dot products and the accumulator wrap rule (SPEC 3-4)."""

import numpy as np

from .checks import int_array
from .formats import check_int

__all__ = ["int_matmul", "wrap_signed", "check_acc_bits"]

#: Integers below this magnitude are exact in float64, so BLAS can do exact integer matmuls.
FLOAT64_EXACT = 1 << 53
#: Widest accumulator the golden model wraps to.
MAX_ACC_BITS = 64


def check_acc_bits(acc_bits):
    """Validate an accumulator width: ``None`` (exact) or an int in [2, 64]."""
    if acc_bits is not None:
        check_int("acc_bits", acc_bits, 2, MAX_ACC_BITS)
    return acc_bits


def wrap_signed(values, bits):
    """Reduce int64 ``values`` to ``bits``-wide two's complement (modulo ``2**bits``)."""
    values = np.asarray(values, dtype=np.int64)
    if bits is None or bits == 64:
        return values
    low = values & ((1 << bits) - 1)
    return np.where(low >= 1 << (bits - 1), low - (1 << bits), low)


def _magnitude_bound(array):
    return max(abs(int(array.min())), abs(int(array.max()))) if array.size else 0


def exact_matmul(a, w):
    """``a @ w.T`` for integer arrays ``a`` [R, K] and ``w`` [N, K], exact in int64.

    Uses float64 BLAS when every partial sum stays below 2**53; otherwise int64 arithmetic,
    which is exact modulo 2**64 (enough for any wrap to 64 bits or fewer).
    """
    bound = a.shape[1] * _magnitude_bound(a) * _magnitude_bound(w)
    if bound < FLOAT64_EXACT:
        return (a.astype(np.float64) @ w.astype(np.float64).T).astype(np.int64)
    return a.astype(np.int64) @ w.astype(np.int64).T


def exact_fits_int64(a, w):
    """True when ``a @ w.T`` cannot leave the int64 range."""
    return a.shape[-1] * _magnitude_bound(a) * _magnitude_bound(w) < 1 << 63


def int_matmul(a, w, acc_bits=32):
    """Integer dot products ``a @ w.T`` with an ``acc_bits`` two's-complement accumulator.

    Parameters
    ----------
    a : array_like of int, shape [..., K]
    w : array_like of int, shape [N, K]
    acc_bits : int or None
        Accumulator width (2 to 64): the result wraps modulo ``2**acc_bits`` exactly as a
        hardware accumulator that wraps on every addition. ``None``: exact.

    Returns
    -------
    ndarray of int64, shape [..., N]
    """
    check_acc_bits(acc_bits)
    a = int_array("a", a)
    w = int_array("w", w)
    if w.ndim != 2:
        raise ValueError(f"w must be 2-D [N, K], not shape {w.shape}")
    if a.shape[-1] != w.shape[1]:
        raise ValueError(f"a and w must share K: a has K={a.shape[-1]}, w has K={w.shape[1]}")
    rows = a.reshape(-1, a.shape[-1])
    if acc_bits is None and not exact_fits_int64(rows, w):
        raise ValueError("acc_bits=None needs an exact int64 result; these a, w can overflow it")
    return wrap_signed(exact_matmul(rows, w), acc_bits).reshape(a.shape[:-1] + (w.shape[0],))
