"""Argument checks shared by the golden model: each raises ``ValueError`` naming the argument."""

import numpy as np

__all__ = ["int_array", "finite_float_array", "reduction_length"]


def int_array(name, value, lo=None, hi=None):
    """Return ``value`` as an integer ndarray (at least 1-D), checking dtype and optional range.

    Floats, booleans and objects are refused: integer formats never round silently.
    """
    array = np.asarray(value)
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must be an integer array, not dtype {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension, not a scalar")
    if lo is not None and array.size:
        info = np.iinfo(array.dtype)
        if info.min < lo or info.max > hi:
            found_lo, found_hi = int(array.min()), int(array.max())
            if found_lo < lo or found_hi > hi:
                bad = found_lo if found_lo < lo else found_hi
                raise ValueError(f"{name} values must be in [{lo}, {hi}], found {bad}")
    return array


def finite_float_array(name, value):
    """Return ``value`` as a float64 ndarray, refusing NaN and infinities."""
    array = np.asarray(value)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{name} must be a real numeric array, not dtype {array.dtype}")
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite; it holds NaN or infinity")
    return array


def reduction_length(name, array, group):
    """Length K of the last (reduction) axis, checked to be a positive multiple of ``group``."""
    length = array.shape[-1]
    if length == 0 or length % group:
        raise ValueError(
            f"{name} last axis (K={length}) must be a positive multiple of the group size {group}"
        )
    return length
