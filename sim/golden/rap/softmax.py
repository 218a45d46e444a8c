"""Integer softmax without a divider (SPEC section 8): base-2 exponentials by shift and a cubic,
normalised with a multiply-only Newton reciprocal, one output exponent per row.

Along ``axis``, for scores ``x = q * 2**e`` (and a constant ``scale``, 1/sqrt(d) for attention,
converted once with ``log2(e)`` into one integer multiplier):

1. ``d = max(q) - q >= 0``; ``t = d * C`` with ``C = round(scale * log2(e) * 2**20)``, shifted to
   16 fraction bits: ``t ~ (max(x) - x) * scale * log2(e)`` (so ``exp(scale*(x - max)) = 2**-t``);
2. ``2**-t = 2**-k * 2**-r`` with ``k = t >> 16`` and ``r`` the 16-bit fraction: ``2**-r`` from a
   cubic in Horner form with integer coefficients (error below 2.2e-4, exactly 2**16 at r = 0),
   then a rounding right shift by ``k``: the row's maximum gives exactly ``2**16``;
3. ``S = sum(2**-t)``, ``L = bit_length(S)`` (``L >= 17``): ``S`` normalised to 16 bits by its
   leading one, its reciprocal by :func:`~sim.rap.fixed.reciprocal` (no divider);
4. ``p = round(2**-t * reciprocal >> (33 - out_bits))``, saturated to ``out_bits`` unsigned bits,
   and ``p_exp = -(out_bits + L - 17)``: the row's largest probability always uses the top bit
   (one exponent per row, "variable dynamic range").

``normalise="divide"`` replaces step 3's reciprocal by one integer division per row,
``2**(16 + L) // S`` (the I-BERT-style baseline).
"""

import math

import numpy as np

from sim.golden.formats import check_choice, check_int
from sim.golden.rap.fixed import (
    bit_length,
    exponent_array,
    integer_array,
    reciprocal,
    round_shift,
    saturate,
)

__all__ = [
    "softmax_int",
    "EXP_FRACTION_BITS",
    "LOG2E_FRACTION_BITS",
    "POW2_COEFFICIENTS",
    "MAX_BASE2_EXPONENT",
    "log2e_multiplier",
    "base2_exponent",
    "pow2_negative",
]

# A shared contract (hence public): the golden softmax here, the cycle model
# (sim.cycle_models.rap_rows) and the RTL (hw.rap.softmax, hw.rap.exponent, hw.rap.pow2) all use
# the constants and the three steps below (multiplier, base-2 exponent, 2**-t) and agree bit for
# bit through them. Import them; never copy them.

#: Fraction bits of the base-2 exponent ``t`` and of the exponentials (1.0 = 2**16).
EXP_FRACTION_BITS = 16
#: Fraction bits of the ``scale * log2(e)`` multiplier.
LOG2E_FRACTION_BITS = 20
#: ``2**-r ~ 1 + r (c1 + r (c2 + r c3))`` for ``r`` in [0, 1), coefficients times 2**16 (a
#: weighted least-squares cubic; the largest error over every 16-bit ``r`` is 2.1e-4).
POW2_COEFFICIENTS = (-45336, 15222, -2667)
#: Largest base-2 exponent ``t`` kept (16 fraction bits): ``2**-t`` below 2**-32 of the maximum
#: rounds to 0 anyway.
MAX_BASE2_EXPONENT = 40 << EXP_FRACTION_BITS
NORMALISATIONS = ("reciprocal", "divide")


def pow2_negative(t):
    """``2**(16 - t / 2**16)`` rounded, for ``t >= 0`` in 16-bit fixed point."""
    one = 1 << EXP_FRACTION_BITS
    k, r = t >> EXP_FRACTION_BITS, t & (one - 1)
    c1, c2, c3 = POW2_COEFFICIENTS
    acc = c2 + round_shift(c3 * r, EXP_FRACTION_BITS)
    acc = c1 + round_shift(acc * r, EXP_FRACTION_BITS)
    fraction = one + round_shift(acc * r, EXP_FRACTION_BITS)
    return np.where(k > 32, 0, round_shift(fraction, np.minimum(k, 32)))


def base2_exponent(product, e):
    """The base-2 exponent ``t = product * 2**(e - 4)`` (16 fraction bits from the multiplier's 20
    and the score exponent ``e``), rounded, capped at ``MAX_BASE2_EXPONENT``."""
    shift = LOG2E_FRACTION_BITS - EXP_FRACTION_BITS - e
    right = round_shift(product, np.clip(shift, 0, 62))
    left = np.clip(-shift, 0, 40)
    left = np.where(product > (MAX_BASE2_EXPONENT >> left), MAX_BASE2_EXPONENT, product << left)
    return np.minimum(np.where(shift >= 0, right, left), MAX_BASE2_EXPONENT)


def log2e_multiplier(scale):
    """``C = round(scale * log2(e) * 2**20)``, the integer multiplier that turns a score distance
    into a base-2 exponent (an offline conversion); ``ValueError`` for a ``scale`` that is not a
    positive finite number or gives ``C`` outside ``[1, 2**31)``."""
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number, not {scale!r}")
    multiplier = round(scale * math.log2(math.e) * 2**LOG2E_FRACTION_BITS)
    if not 1 <= multiplier < 2**31:
        raise ValueError(f"scale {scale} gives a log2(e) multiplier outside [1, 2**31)")
    return multiplier


def softmax_int(q, e, out_bits=8, axis=-1, scale=1.0, normalise="reciprocal"):
    """``(p, p_exp)`` with ``p * 2.0**p_exp`` ~ ``softmax(scale * q * 2.0**e)`` along ``axis``.

    ``p``: unsigned ``out_bits``-bit integers (int64 array, shape of ``q``); ``p_exp``: one
    exponent per row (``q``'s shape with ``axis`` of length 1). ``e``: an integer or an integer
    array broadcastable to ``q`` and constant along ``axis``; ``scale``: a positive float folded
    offline into the ``log2(e)`` multiplier; ``normalise``: ``"reciprocal"`` (multiply-only,
    the default) or ``"divide"`` (one integer division per row). Raises ``ValueError`` for
    non-integer ``q`` and bad arguments.
    """
    q = integer_array("q", q)
    e = exponent_array("e", e, q.shape)
    check_int("out_bits", out_bits, 2, 16)
    check_choice("normalise", normalise, NORMALISATIONS)
    if q.ndim == 0 or not -q.ndim <= axis < q.ndim:
        raise ValueError(f"axis must index the {q.ndim} dimensions of q, not {axis!r}")
    if q.shape[axis] == 0:
        raise ValueError("q must have at least one element along axis")
    e = np.broadcast_to(e, q.shape)
    row_e = np.take(e, [0], axis=axis)
    if np.any(e != row_e):
        raise ValueError("e must be the same along axis (one exponent per row)")
    multiplier = log2e_multiplier(scale)
    product = (q.max(axis=axis, keepdims=True) - q) * multiplier  # < 2**32 * 2**31: exact
    exponentials = pow2_negative(base2_exponent(product, row_e))
    total = exponentials.sum(axis=axis, keepdims=True)
    length = bit_length(total)
    if normalise == "divide":
        inverse = (np.int64(1) << (16 + length)) // total
    else:
        inverse = reciprocal(round_shift(total, length - 16))
    p = saturate(round_shift(exponentials * inverse, 33 - out_bits), out_bits, signed=False)
    return p, -(out_bits + length - 17)
