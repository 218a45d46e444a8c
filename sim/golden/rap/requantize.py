"""Requantization without dequantizing: a rounding arithmetic shift (RAP's replacement for the
DQ-Q step between layers), or a dyadic integer multiplier and a shift, saturating.

``requantize(q, e, bits, shift)`` keeps the value ``q * 2**e``: ``q2 = sat(round(q / 2**shift))``
and ``e2 = e + shift``. With ``shift=None`` the shift is the smallest that fits ``max|q|`` into
``bits`` (read off its leading one); :func:`fit_shift` gives the same per row. A dyadic
multiplier ``M / 2**s`` (:func:`dyadic`, computed once offline from a float scale) rescales by
any factor: ``q2 = sat(round(q * M / 2**s))``.
"""

import math

import numpy as np

from sim.golden.formats import check_int
from sim.golden.rap.fixed import (
    bit_length,
    exponent_array,
    integer_array,
    plain_exponent,
    round_shift,
    saturate,
)

__all__ = ["requantize", "fit_shift", "dyadic", "requantize_dyadic", "MAX_BITS", "MAX_WIDE"]

#: Widest requantized integer.
MAX_BITS = 32
#: Largest magnitude :func:`requantize` takes (a wide accumulator; it only shifts).
MAX_WIDE = 2**62 - 1


def fit_shift(q, bits, axis=None):
    """Smallest shift ``s >= 0`` with ``max|q| / 2**s`` fitting ``bits``-bit two's complement,
    over the whole array (``axis=None``) or along ``axis`` (keepdims), from the leading one of
    ``max|q|``. Rounding may still carry one value to the limit: requantize saturates it."""
    q = integer_array("q", q, MAX_WIDE)
    check_int("bits", bits, 2, MAX_BITS)
    top = np.abs(q).max(axis=axis, keepdims=axis is not None) if q.size else np.int64(0)
    return np.maximum(bit_length(top) - (bits - 1), 0)


def requantize(q, e, bits, shift=None):
    """``(q2, e2)``: ``q * 2**e`` as a ``bits``-bit signed integer ``q2 * 2**e2`` by a rounding
    arithmetic shift (half up), saturating; ``e2 = e + shift``; ``|q|`` up to ``2**62``.

    ``shift``: an integer or integer array broadcastable to ``q`` (negative: an exact left
    shift), or ``None`` for :func:`fit_shift` over the whole array. Raises ``ValueError`` for a
    non-integer ``q``, a bad exponent, bit width or shift.
    """
    q = integer_array("q", q, MAX_WIDE)
    e = exponent_array("e", e, q.shape)
    check_int("bits", bits, 2, MAX_BITS)
    shift = fit_shift(q, bits) if shift is None else exponent_array("shift", shift, q.shape)
    return saturate(round_shift(q, shift), bits), plain_exponent(e + shift)


def dyadic(scale, multiplier_bits=16):
    """``(M, s)`` with ``M / 2**s`` the closest dyadic number to the float ``scale`` (> 0) whose
    multiplier has ``multiplier_bits`` bits (an offline conversion, done once)."""
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number, not {scale!r}")
    check_int("multiplier_bits", multiplier_bits, 2, 31)
    _, exponent = math.frexp(scale)  # scale = f * 2**exponent, f in [0.5, 1)
    shift = multiplier_bits - exponent
    multiplier = round(scale * 2.0**shift)
    if multiplier >= 1 << multiplier_bits:  # rounding reached the next power of two
        multiplier, shift = multiplier >> 1, shift - 1
    return multiplier, shift


def requantize_dyadic(q, e, bits, multiplier, shift, out_e):
    """``(q2, out_e)``: ``q * 2**e * M / 2**s`` on the grid ``2**out_e`` as ``bits``-bit signed
    integers, ``q2 = sat(round(q * M * 2**(e - s - out_e)))``, with ``M / 2**s`` from
    :func:`dyadic` (``M`` an integer or an integer array broadcastable to ``q``)."""
    q = integer_array("q", q)
    e = exponent_array("e", e, q.shape)
    check_int("bits", bits, 2, MAX_BITS)
    multiplier = integer_array("multiplier", multiplier, 2**31 - 1)
    shift = exponent_array("shift", shift, q.shape)
    out_e = exponent_array("out_e", out_e, q.shape)
    return saturate(round_shift(q * multiplier, shift + out_e - e), bits), plain_exponent(out_e)
