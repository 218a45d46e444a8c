"""Integer LayerNorm without a divider or a square root (SPEC section 8).

Over the last axis, ``d`` values ``x = q * 2**e`` per row (``q`` 16-bit: requantize first):

1. one pass of sums, ``s1 = sum(q)`` and ``s2 = sum(q**2)``, exact in 64 bits;
2. ``d**2`` times the variance, ``v = d s2 - s1**2`` (exact: the integer mean and variance
   without any 1/d), plus ``eps`` in the same units (``eps`` converted once to a 16-bit
   mantissa and an exponent, times ``d**2``, shifted by ``2e``);
3. ``1/sqrt(v)`` from ``v``'s leading one (an even shift to ``m`` in [1/4, 1)) and
   :func:`~sim.rap.fixed.inverse_sqrt` (a 16-entry table and two multiply-only Newton steps);
4. ``n = (d q - s1) / sqrt(v)`` (the normalised value, exactly ``(x - mean) / std`` before
   rounding) with 12 fraction bits, then ``y = n gamma + beta`` with ``gamma`` and ``beta``
   converted once to integers with 12 fraction bits; ``y_exp = -12``.

A row whose values are all equal has ``v = 0``: ``n = 0`` and ``y = beta``. ``normalise="divide"``
replaces step 3 by an exact integer square root and one integer division per row (the
I-BERT-style baseline).
"""

import math

import numpy as np

from sim.golden.formats import check_choice
from sim.golden.rap.fixed import (
    bit_length,
    exponent_array,
    integer_array,
    inverse_sqrt,
    round_shift,
)

__all__ = [
    "layernorm_int",
    "layernorm_parameters",
    "OUT_FRACTION_BITS",
    "PARAMETER_FRACTION_BITS",
    "MAX_ROW",
    "IN_BITS",
    "eps_mantissa_exponent",
]

#: Fraction bits of the output ``y``, of ``n`` and of the converted ``gamma`` / ``beta``.
OUT_FRACTION_BITS = PARAMETER_FRACTION_BITS = 12
#: Width of the input integers.
IN_BITS = 16
#: Longest row.
MAX_ROW = 4096
NORMALISATIONS = ("newton", "divide")


def _parameters(name, values, d):
    array = np.asarray(values, np.float64)
    if array.shape != (d,) or not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be {d} finite values (one per column), not {array.shape}")
    converted = np.round(array * 2**PARAMETER_FRACTION_BITS).astype(np.int64)
    if np.abs(converted).max(initial=0) >= 2**20:
        raise ValueError(f"{name} must lie within +-256 for its 12-fraction-bit conversion")
    return converted


def layernorm_parameters(weight, bias, d):
    """``(gamma, beta)``: the integers (12 fraction bits, int64 arrays of ``d``) that
    :func:`layernorm_int` converts ``weight`` and ``bias`` to (the RTL takes these). Raises
    ``ValueError`` as :func:`layernorm_int` does."""
    return _parameters("weight", weight, d), _parameters("bias", bias, d)


def eps_mantissa_exponent(eps):
    """``(M, E)`` with ``eps ~ M * 2**E`` and ``M`` 16 bits (an offline conversion).

    A shared contract (hence public): the golden LayerNorm here, the cycle model
    (sim.cycle_models.rap_rows) and the RTL (hw.rap.layernorm, hw.rap.inverse_sqrt) all convert
    ``eps`` with it and agree bit for bit through it. Import it; never copy it.
    """
    if not (isinstance(eps, int | float) and math.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps must be a finite number >= 0, not {eps!r}")
    if eps == 0:
        return 0, 0
    _, exponent = math.frexp(eps)
    return round(eps * 2.0 ** (16 - exponent)), exponent - 16


def _isqrt(value):
    """Exact integer square root of a non-negative int64 array (below 2**62)."""
    root = np.floor(np.sqrt(value.astype(np.float64))).astype(np.int64)
    root = np.where(root * root > value, root - 1, root)
    return np.where((root + 1) * (root + 1) <= value, root + 1, root)


def _scaled_inverse_sqrt(v, normalise):
    """``(r, shift)`` with ``r * 2**-shift`` ~ ``2**12 / sqrt(v)`` (``v >= 1``)."""
    half = (bit_length(v) + 1) >> 1  # v = m * 4**half, m in [1/4, 1)
    if normalise == "divide":
        # m with 30 fraction bits, its 15-bit integer square root, one division:
        # 1/sqrt(v) = 2**(15 - half) / isqrt(m * 2**30) = (2**46 // isqrt) * 2**(-31 - half).
        m = np.minimum(round_shift(v, 2 * half - 30), (1 << 30) - 1)
        return (np.int64(1) << 46) // _isqrt(m), 31 + half - OUT_FRACTION_BITS
    m = np.minimum(round_shift(v, 2 * half - 16), (1 << 16) - 1)
    # 1/sqrt(v) = inverse_sqrt(m) * 2**(-16 - half)
    return inverse_sqrt(m), 16 + half - OUT_FRACTION_BITS


def layernorm_int(q, e, weight, bias, eps=1e-12, normalise="newton"):
    """``(y, y_exp)`` with ``y * 2.0**y_exp`` ~ LayerNorm of ``q * 2.0**e`` over the last axis.

    ``q``: 16-bit integers (``requantize`` first); ``weight`` and ``bias``: float arrays (one
    value per column, within +-256), converted once inside; ``e``: an integer or an integer
    array broadcastable to ``q`` and constant along the last axis; ``y_exp`` =
    ``-OUT_FRACTION_BITS``. Raises ``ValueError`` for a non-integer or too wide ``q`` and bad
    arguments.
    """
    q = integer_array("q", q, 2 ** (IN_BITS - 1))
    if q.ndim == 0 or not 1 <= q.shape[-1] <= MAX_ROW:
        raise ValueError(f"q must have rows of 1 to {MAX_ROW} values, not shape {q.shape}")
    e = np.broadcast_to(exponent_array("e", e, q.shape), q.shape)[..., :1]
    check_choice("normalise", normalise, NORMALISATIONS)
    d = q.shape[-1]
    gamma, beta = layernorm_parameters(weight, bias, d)
    mantissa, exponent = eps_mantissa_exponent(eps)
    s1 = q.sum(axis=-1, keepdims=True)
    v = d * (q * q).sum(axis=-1, keepdims=True) - s1 * s1
    v = v + round_shift(np.int64(mantissa * d * d), np.clip(2 * e - exponent, -20, 62))
    r, shift = _scaled_inverse_sqrt(np.maximum(v, 1), normalise)
    normalised = round_shift((d * q - s1) * r, shift)
    y = normalised * gamma + (beta << OUT_FRACTION_BITS)
    return round_shift(y, PARAMETER_FRACTION_BITS), -OUT_FRACTION_BITS
