"""The engines' results for whole GEMMs at once (transaction level), from the engines' datapaths.

The cycle models (:mod:`sim.cycle_models`) follow an engine cycle by cycle; a whole transformer
is too many cycles for them (all-MiniLM-L6-v2 on the sentence set is about 5 x 10^7 beats of a
4 x 16 engine). These functions compute the same results per dot product, with the arithmetic the
engines do and none of the golden model's code:

- ``sdr_engine``: the activations arrive as SDR codes and flags (razored once where they were
  produced, SPEC 10); per group, the sign-magnitude code products of every (row, column) pair
  are summed, shifted by both flags and wrapped to the shifter's width, and the groups are
  accumulated and wrapped to ACC_BITS, as a column does. When the shifter is wide enough for
  every shifted group sum (its width is not capped at ACC_BITS,
  :func:`~sim.cycle_models.structure.sdr_shifter_width`), no group sum wraps and the shift
  distributes over the sum: ``(sum a w) << (fa + fw) = sum (a << fa)(w << fw)``, one matrix
  product of the shifted codes (the identity the formal ``datapath`` proofs show); otherwise one
  product per group. Products go through float64, exact while every sum stays below 2**53
  (checked);
- ``int8_engine`` / ``int4_engine``: the integer products of a row and a column summed and
  wrapped to ACC_BITS.

When an engine's results appear is the schedule's business (:func:`sim.engine.tiling.plan`);
:mod:`sim.engine.runner` checks both against the cycle models on sampled tiles.
"""

import numpy as np

from sim.cycle_models.sdr_mac import signed_codes
from sim.cycle_models.structure import sdr_shifter_width
from sim.golden.integer import wrap_signed

__all__ = ["sdr_engine_results", "int_engine_results"]


def _exact_product(a, b):
    """``a @ b.T`` of int arrays through float64; raises ``ValueError`` unless every partial sum
    is below 2**53 (then the float64 product is exact)."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    bound = int(np.abs(a).max(initial=0)) * int(np.abs(b).max(initial=0)) * a.shape[-1]
    if bound >= 2**53:
        raise ValueError(f"a float64 product of these operands may be inexact (bound {bound})")
    product = a.astype(np.float64) @ b.astype(np.float64).T
    return product.astype(np.int64)


def sdr_engine_results(parameters, a_code, a_flag, w_code, w_flag):
    """``[M, N]`` results of ``sdr_engine`` (SPEC-named ``parameters``) for SDR activations
    (codes ``a_code`` ``[M, K]``, flags ``a_flag`` ``[M, K / GROUP]``) and SDR weights (codes
    ``w_code`` ``[N, K]``, flags ``w_flag`` ``[N, K / GROUP]``)."""
    p = parameters
    group = p["GROUP"]
    a_code = np.asarray(a_code, np.int64)
    m, k = a_code.shape
    a_value = signed_codes(a_code.reshape(m, k // group, group), p["MAG_BITS"])
    a_flag = np.asarray(a_flag, np.int64)
    w_value = signed_codes(np.asarray(w_code).reshape(-1, k // group, group), p["MAG_BITS"])
    w_flag = np.asarray(w_flag, np.int64)
    width = sdr_shifter_width(p)
    if width < p["ACC_BITS"]:  # no shifted group sum wraps: one product of shifted codes
        a_shifted = (a_value << a_flag[..., None]).reshape(m, k)
        w_shifted = (w_value << w_flag[..., None]).reshape(len(w_value), k)
        return wrap_signed(_exact_product(a_shifted, w_shifted), p["ACC_BITS"])
    total = np.zeros((m, len(w_value)), np.int64)
    for g in range(k // group):
        partial = _exact_product(a_value[:, g], w_value[:, g])
        shift = a_flag[:, g, None] + w_flag[None, :, g]
        total = wrap_signed(total + wrap_signed(partial << shift, width), p["ACC_BITS"])
    return total


def int_engine_results(parameters, a, w):
    """``[M, N]`` results of ``int8_engine`` / ``int4_engine`` for integer ``a`` ``[M, K]`` and
    ``w`` ``[N, K]`` (INT8 or INT4)."""
    return wrap_signed(_exact_product(a, w), parameters["ACC_BITS"])
