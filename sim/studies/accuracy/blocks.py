"""Block-scaled 4-bit formats: RTN INT per group and OCP MX (MXINT4, MXFP4), and their GEMM.

Every block format here is stored as integer codes with one scale per group of G along the last
(reduction) axis: element ``i`` stands for ``codes[i] * scale[i // G]``. MX element values are
integer multiples of the element's smallest step (``2**code_exp``), so FP4 E2M1 codes are the
values doubled (``0, 1, 2, 3, 4, 6, 8, 12``) and the dot product of two blocks is an exact
integer sum of code products, scaled once per group (see :func:`block_matmul`).
"""

from dataclasses import dataclass

import numpy as np

from sim.golden.checks import finite_float_array, reduction_length
from sim.golden.formats import GROUPS, check_choice, check_int
from sim.golden.integer import FLOAT64_EXACT, group_scaled_matmul
from sim.golden.quant import absmax_quantize
from sim.studies.accuracy.formats import E8M0_EXPONENTS, ElementFormat

__all__ = ["BlockTensor", "rtn_quantize", "mx_quantize", "element_codes", "block_matmul"]


@dataclass(frozen=True, eq=False)
class BlockTensor:
    """Integer codes ``[rows, K]``, one float scale per group (``scale``: ``[rows, K // G]``)."""

    codes: np.ndarray
    scale: np.ndarray
    group: int

    def dequantize(self):
        """The values the codes stand for, float64 ``[rows, K]``."""
        return self.codes * np.repeat(self.scale, self.group, axis=-1)


def _blocks(name, x, group):
    """``x`` as float64 ``[rows, K // G, G]``, checked (2-D, finite, K a multiple of G)."""
    check_choice("group", group, GROUPS)
    x = finite_float_array(name, x)
    if x.ndim != 2:
        raise ValueError(f"{name} must be 2-D [rows, K], not shape {x.shape}")
    reduction_length(name, x, group)
    return x.reshape(x.shape[0], -1, group)


def rtn_quantize(x, group, bits=4):
    """Round-to-nearest ``bits``-wide integers with one absmax scale per group along K.

    ``q = round_half_away(x / s)`` on ``[-(2**(bits-1)-1), 2**(bits-1)-1]`` with
    ``s = max|x| / (2**(bits-1)-1)`` per group (SPEC section 1 applied per group; an all-zero
    group gets ``s = 1``). The scale stays float64.
    """
    check_int("bits", bits, 2, 16)
    blocks = _blocks("x", x, group)
    q, scale = absmax_quantize(blocks, bits, axis=-1)
    return BlockTensor(q.reshape(blocks.shape[0], -1).astype(np.int64), scale[..., 0], group)


def element_codes(values, element):
    """Round scaled values to ``element`` codes: nearest, ties to even, clamped to the largest.

    Float elements take the exponent ``max(floor(log2|v|), emin)``, so values below the smallest
    normal fall on the subnormal grid; integer elements use one fixed step.
    """
    magnitude = np.minimum(np.abs(values), element.max_value)  # clamp first: a grid point
    if element.exponent_bits == 0:
        exponent = np.zeros(magnitude.shape, np.int64)
    else:
        exponent = np.maximum(np.frexp(magnitude)[1].astype(np.int64) - 1, element.emin)
    steps = np.rint(np.ldexp(magnitude, element.mantissa_bits - exponent))  # ties to even
    codes = steps.astype(np.int64) << (exponent - element.emin)
    return np.where(values < 0, -codes, codes)


def mx_quantize(x, group, element):
    """OCP MX quantization (MX v1.0 section 6.3): one E8M0 scale per group of G along K.

    The shared exponent is ``floor(log2(max|x|)) - emax_elem`` over the group, clamped below to
    -127 (E8M0's smallest; an all-zero group gets -127 too); the elements ``x / 2**shared`` are
    rounded by :func:`element_codes`.

    Raises
    ------
    ValueError
        If a group's shared exponent would exceed 127 (the E8M0 NaN code).
    """
    if not isinstance(element, ElementFormat):
        raise ValueError(f"element must be an ElementFormat, not {type(element).__name__}")
    blocks = _blocks("x", x, group)
    amax = np.max(np.abs(blocks), axis=-1)
    low, high = E8M0_EXPONENTS
    floor_log2 = np.frexp(amax)[1].astype(np.int64) - 1
    shared = np.where(amax > 0, floor_log2 - element.emax, low)
    if np.any(shared > high):
        raise ValueError(f"x must stay below 2**{high + element.emax + 1} for an E8M0 scale")
    shared = np.maximum(shared, low)
    codes = element_codes(np.ldexp(blocks, -shared[..., None]), element)
    return BlockTensor(
        codes.reshape(blocks.shape[0], -1), np.ldexp(1.0, shared + element.code_exp), group
    )


def _exact_in_one_gemm(ta, tw):
    """True when ``ta.dequantize() @ tw.dequantize().T`` in float64 is exact (any summation order).

    With power-of-two scales every term is an integer multiple of ``2**e_lo`` (the smallest scale
    product of non-zero groups); if ``K * max|code_a| * max|code_w| * 2**(e_hi - e_lo) < 2**53``,
    every partial sum is such a multiple below ``2**53 * 2**e_lo``, so float64 holds it exactly.
    """
    exponents = []
    for t in (ta, tw):
        fraction, exponent = np.frexp(t.scale)
        if np.any(fraction != 0.5):
            return False
        live = np.any(t.codes.reshape(t.scale.shape + (t.group,)) != 0, axis=-1)
        if not live.any():
            return True  # an all-zero operand: the product is exactly zero
        exponents.append((int(exponent[live].min()), int(exponent[live].max())))
    (a_lo, a_hi), (w_lo, w_hi) = exponents
    bound = ta.codes.shape[1] * int(np.abs(ta.codes).max()) * int(np.abs(tw.codes).max())
    return bound << (a_hi + w_hi - a_lo - w_lo) < FLOAT64_EXACT


def block_matmul(ta, tw):
    """``ta @ tw.T`` for block tensors: exact integer group sums, scaled once per group.

    ``y[r, n] = sum_g sa[r, g] * sw[n, g] * sum_{i in g} ca[r, i] * cw[n, i]`` (``s``: scales,
    ``c``: codes).
    Group sums of 4-bit codes (``|code| <= 12``, ``G <= 128``) are exact in float64 BLAS. With
    power-of-two scales (MX) whose range keeps every partial sum below 2**53 ulps, the whole
    product is one exact float64 GEMM of the scaled codes (see :func:`_exact_in_one_gemm`).
    Otherwise (RTN float scales) each group's exact sum is scaled and the groups are summed in
    float64.

    Parameters
    ----------
    ta : BlockTensor, ``[rows, K]``
    tw : BlockTensor, ``[N, K]``, same group size

    Returns
    -------
    ndarray of float64, ``[rows, N]``
    """
    for name, value in (("ta", ta), ("tw", tw)):
        if not isinstance(value, BlockTensor):
            raise ValueError(f"{name} must be a BlockTensor, not {type(value).__name__}")
    if ta.group != tw.group:
        raise ValueError(f"ta and tw must share the group size: {ta.group} != {tw.group}")
    if ta.codes.shape[1] != tw.codes.shape[1]:
        raise ValueError(f"ta and tw must share K: {ta.codes.shape[1]} != {tw.codes.shape[1]}")
    if _exact_in_one_gemm(ta, tw):
        return ta.dequantize() @ tw.dequantize().T
    return group_scaled_matmul(ta.codes, tw.codes, ta.scale, tw.scale, ta.group)
