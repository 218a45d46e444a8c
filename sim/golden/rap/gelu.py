"""Integer GELU (SPEC section 8): I-BERT's i-GELU, ``x/2 (1 + erf(x / sqrt 2))`` with
``erf(u) ~ sgn(u) [a (min(|u|, -b) + b)**2 + 1]``, ``a = -0.2888``, ``b = -1.769`` (Kim et al.,
"I-BERT: Integer-only BERT Quantization", ICML 2021, eq. 8; its largest error against the exact
GELU is 0.018, near x = 2.35).

For ``x = q * 2**e``: ``|u|`` in 14 fraction bits from one multiply by ``round(2**16 / sqrt 2)``
and a shift by ``e`` (capped at ``-b``), the erf polynomial with the 14-bit constants ``a`` and
``-b``, then ``y = round(q (2**14 + sgn(q) erf) / 2**15)``: ``y * 2**e`` ~ ``gelu(x)`` on the
input's own grid (``y_exp = e``; ``|y| <= |q|``).
"""

import numpy as np

from sim.golden.rap.fixed import exponent_array, integer_array, plain_exponent, round_shift

__all__ = ["gelu_int", "ERF_A", "ERF_B", "INV_SQRT2", "GELU_FRACTION_BITS"]

#: Fraction bits of ``u`` and of the erf value.
GELU_FRACTION_BITS = 14
#: ``a`` and ``-b`` of i-GELU in 14 fraction bits; ``1/sqrt(2)`` in 16.
ERF_A = round(-0.2888 * 2**14)
ERF_B = round(1.769 * 2**14)
INV_SQRT2 = round(2**16 / np.sqrt(2))


def gelu_int(q, e):
    """``(y, y_exp)`` with ``y * 2.0**y_exp`` ~ ``gelu(q * 2.0**e)`` (erf form); ``y_exp = e``.

    ``e``: an integer or an integer array broadcastable to ``q``. Raises ``ValueError`` for a
    non-integer ``q`` or a bad exponent.
    """
    q = integer_array("q", q)
    exponent = exponent_array("e", e, q.shape)
    e = np.broadcast_to(exponent, q.shape)
    fraction = GELU_FRACTION_BITS
    # |u| = |x| / sqrt 2 with 14 fraction bits: |q| * INV_SQRT2 * 2**(e + 14 - 16), capped.
    shift = 16 - fraction - e
    magnitude = np.abs(q) * INV_SQRT2  # < 2**31 * 2**16: exact
    left = np.clip(-shift, 0, 40)
    u = np.where(
        shift >= 0,
        round_shift(magnitude, np.clip(shift, 0, 62)),
        np.where(magnitude > (ERF_B >> left), ERF_B, magnitude << left),
    )
    v = np.minimum(u, ERF_B) - ERF_B  # min(|u|, -b) + b, <= 0
    erf = (1 << fraction) + round_shift(ERF_A * v * v, 2 * fraction)
    erf = np.where(q < 0, -erf, erf)
    y = round_shift(q * ((1 << fraction) + erf), fraction + 1)
    return y, plain_exponent(exponent)
