"""Effective-MSB razoring of two's-complement inputs (SPEC section 9, US 2026/0187430 A1).

Per group of ``group`` consecutive elements along the last axis, the effective MSB is
``L = bit_length(OR_i (x_i XOR (x_i >> (B-1))))``: the highest bit at which any value differs
from its own sign, so every value fits ``L + 1`` bits. A window of ``target_bits`` T of them is
kept: ``shift = max(0, L + 1 - T)``; ``r_i = (x_i + 2**(shift-1)) >> shift`` (arithmetic shift,
round half up) for ``shift > 0``; ``x'_i = clamp(r_i, -(2**(T-1)-1), 2**(T-1)-1)`` (symmetric, as
SPEC section 1). The razored value is ``x'_i << shift``: post-training quantization with no float
scale and no division, only an OR, a leading-one detector and a rounding shift.
"""

import numpy as np

from sim.golden.checks import int_array, reduction_length
from sim.golden.formats import check_int
from sim.golden.rap.fixed import bit_length, round_shift

__all__ = ["emsb_razor", "emsb_decode", "MAX_INPUT_BITS", "TARGET_BITS_RANGE"]

#: Widest two's-complement input razored (int64 arithmetic stays exact).
MAX_INPUT_BITS = 48
#: Allowed ``target_bits``, both ends included.
TARGET_BITS_RANGE = (2, 16)


def emsb_razor(x, bits, target_bits, group):
    """``(x', shift)``: ``x'`` int64 of ``x``'s shape, each within ``target_bits`` signed bits
    (symmetric), and ``shift`` int64 ``x.shape[:-1] + (K // group,)``, one per group.

    ``x`` integers within ``bits``-bit two's complement (2..48); ``target_bits`` 2..16; the last
    axis a positive multiple of ``group``. Raises ``ValueError`` naming the argument."""
    check_int("bits", bits, 2, MAX_INPUT_BITS)
    check_int("target_bits", target_bits, *TARGET_BITS_RANGE)
    check_int("group", group, 1)
    x = int_array("x", x, -(1 << (bits - 1)), (1 << (bits - 1)) - 1).astype(np.int64)
    k = reduction_length("x", x, group)
    grouped = x.reshape(x.shape[:-1] + (k // group, group))
    differs = np.bitwise_or.reduce(grouped ^ (grouped >> 63), axis=-1)  # values unlike their sign
    shift = np.maximum(0, bit_length(differs) + 1 - target_bits)
    rounded = round_shift(grouped, shift[..., None])
    top = (1 << (target_bits - 1)) - 1
    return np.clip(rounded, -top, top).reshape(x.shape), shift


def emsb_decode(razored, shift):
    """The integers the razored values stand for: ``x' << shift``, int64."""
    razored = np.asarray(razored, np.int64)
    shift = np.asarray(shift, np.int64)
    group = razored.shape[-1] // shift.shape[-1]
    return razored << np.repeat(shift, group, axis=-1)
