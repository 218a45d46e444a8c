"""Integer reference arithmetic: exact dot products and the accumulator wrap rule (SPEC 3-4)."""

import math

import numpy as np

from sim.golden.checks import int_array
from sim.golden.formats import check_int

__all__ = ["int_matmul", "exact_matmul", "wrap_signed", "check_acc_bits", "group_scaled_matmul"]

#: Integers below this magnitude are exact in float64, so BLAS can do exact integer matmuls.
FLOAT64_EXACT = 1 << 53
#: Group partial sums held at once by group_scaled_matmul (about 32 MB of float64).
PARTIALS_PER_CHUNK = 1 << 22
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
    rows = a.reshape(math.prod(a.shape[:-1]), a.shape[-1])  # -1 fails when K is 0
    if acc_bits is None and not exact_fits_int64(rows, w):
        raise ValueError("acc_bits=None needs an exact int64 result; these a, w can overflow it")
    return wrap_signed(exact_matmul(rows, w), acc_bits).reshape(a.shape[:-1] + (w.shape[0],))


def group_scaled_matmul(a_codes, w_codes, a_scale, w_scale, group):
    """``y[r, n] = sum_g a_scale[r, g] * w_scale[n, g] * sum_{i in g} a[r, i] * w[n, i]``.

    The product of grouped formats (SDR, MX and RTN blocks): each group's sum of integer code
    products is formed first (one small float64 BLAS product per group, exact for integer codes
    whose group sums stay below 2**53), then scaled once and accumulated in float64.

    Parameters
    ----------
    a_codes : ndarray ``[rows, K]`` and w_codes : ndarray ``[N, K]``
        Integer codes (any signed dtype).
    a_scale : ndarray ``[rows, K/group]`` and w_scale : ndarray ``[N, K/group]``
        Scale of each group (powers of two for SDR flags).
    group : int

    Returns
    -------
    ndarray of float64, ``[rows, N]``
    """
    rows, (n_out, k) = a_codes.shape[0], w_codes.shape
    n_groups = k // group
    # [groups, rows, G] and [groups, G, N]: one small BLAS product per group.
    a = a_codes.reshape(rows, n_groups, group).transpose(1, 0, 2)
    a = np.ascontiguousarray(a, dtype=np.float64)
    w = w_codes.reshape(n_out, n_groups, group).transpose(1, 2, 0)
    w = np.ascontiguousarray(w, dtype=np.float64)
    a_scale = np.asarray(a_scale, np.float64).T[:, :, None]
    w_scale = np.asarray(w_scale, np.float64).T[:, None, :]
    out = np.empty((rows, n_out), np.float64)
    step = max(1, PARTIALS_PER_CHUNK // (n_groups * n_out))
    for start in range(0, rows, step):
        chunk = slice(start, start + step)
        partial = np.matmul(a[:, chunk], w)  # exact group sums
        partial *= a_scale[:, chunk]
        partial *= w_scale
        out[chunk] = partial.sum(axis=0)
    return out
