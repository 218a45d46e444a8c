"""Stage 1 of QRazor: absmax (symmetric, round-half-away-from-zero) integer quantization.

``q = clip(round_half_away(x / s), -(2**(B-1)-1), 2**(B-1)-1)`` with ``s = max|x| / (2**(B-1)-1)``
over each scaling granule; an all-zero granule gets ``s = 1`` (SPEC section 1).
"""

import numpy as np

from sim.golden.checks import finite_float_array
from sim.golden.formats import check_int, symmetric_max

__all__ = ["absmax_quantize", "dequantize", "round_half_away"]

#: Widest integer grid ``absmax_quantize`` produces (results are held in int32).
MAX_QUANT_BITS = 32


def round_half_away(values):
    """Round to the nearest integer, ties away from zero (not NumPy's ties-to-even)."""
    magnitude = np.abs(values)
    whole = np.floor(magnitude)
    # The fraction is exact (Sterbenz); floor(|v| + 0.5) would round 0.49999999999999994 up.
    return np.copysign(whole + (magnitude - whole >= 0.5), values)


def _storage_dtype(bits):
    return np.int8 if bits <= 8 else np.int16 if bits <= 16 else np.int32


def absmax_quantize(x, bits, axis=None):
    """Quantize ``x`` to signed ``bits``-wide integers with absmax scaling.

    Parameters
    ----------
    x : array_like of float
        Values to quantize; must be finite.
    bits : int
        Integer width B, 2 to 32. QRazor uses 8 for weights and KV cache, 16 for activations.
    axis : int or None
        The axis the absmax is taken over. ``None``: one scale for the whole tensor.
        For activations ``[tokens, K]``, ``axis=-1`` gives one scale per token (row);
        for weights ``[N, K]``, ``axis=-1`` gives one scale per output channel;
        ``axis=0`` gives one scale per column.

    Returns
    -------
    q : ndarray
        Integers in ``[-(2**(B-1)-1), 2**(B-1)-1]``, dtype int8, int16 or int32 (the narrowest
        that holds B bits), shape of ``x``.
    scale : ndarray of float64
        Scale per granule, with ``axis`` kept as length 1 so that ``q * scale`` broadcasts
        (shape ``()`` for ``axis=None``).
    """
    check_int("bits", bits, 2, MAX_QUANT_BITS)
    x = finite_float_array("x", x)
    if x.size == 0:
        raise ValueError("x must not be empty")
    if axis is not None:
        if isinstance(axis, bool) or not isinstance(axis, int) or not -x.ndim <= axis < x.ndim:
            raise ValueError(
                f"axis must be None or an integer in [{-x.ndim}, {x.ndim - 1}], not {axis!r}"
            )
    qmax = symmetric_max(bits)
    absmax = np.max(np.abs(x), axis=axis, keepdims=axis is not None)
    step = absmax / qmax
    # An all-zero granule gets scale 1 (SPEC 1), and so does one whose absmax is so small (a
    # subnormal) that the step underflows to 0: its values all quantize to 0 either way.
    scale = np.where(step > 0, step, 1.0)
    q = np.clip(round_half_away(x / scale), -qmax, qmax)
    return q.astype(_storage_dtype(bits)), scale


def dequantize(q, scale):
    """Map integers back to reals: ``q * scale`` in float64."""
    return np.asarray(q, dtype=np.float64) * np.asarray(scale, dtype=np.float64)
