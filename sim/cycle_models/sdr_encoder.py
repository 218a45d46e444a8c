"""Cycle model of ``sdr_encoder``.

The razoring is modelled as the unit computes it (SPEC 2, step by step on whole arrays), not by
calling the golden :func:`sim.sdr.encode` (a SWAR add-and-shift written for speed), so that the
equality tests between this model, the golden model and the RTL compare three implementations.
"""

import numpy as np

from sim.cycle_models.common import delayed, resets_before, same_epoch
from sim.cycle_models.structure import latency

__all__ = ["simulate", "razor"]


def razor(x, base_bits, mag_bits, rounding):
    """``(code, flag)`` of groups ``x[..., G]``: ``code[..., G]`` ``{sign, q}``, ``flag[...]``.

    Magnitudes clamped to ``2**(B-1)-1``; the group's OR has bit length L; flag = max(0, L-M);
    the (M+1)-bit window ``m[flag-1 : flag+M]`` is the top M bits plus a rounding bit
    (``nearest`` adds it, saturating at ``2**M - 1``); a zero drops its sign.
    """
    x = np.asarray(x, np.int64)
    mags = np.minimum(np.abs(x), (1 << (base_bits - 1)) - 1)
    group_or = np.bitwise_or.reduce(mags, axis=-1)
    length = np.zeros(group_or.shape, np.int64)
    for bit in range(base_bits - 1):
        length = np.where(group_or >> bit & 1, bit + 1, length)
    flag = np.maximum(length - mag_bits, 0)
    window = (mags << 1) >> flag[..., None]  # m[flag-1 : flag+M], with m[-1] = 0
    top = window >> 1
    if rounding == "nearest":
        mag_max = (1 << mag_bits) - 1
        top = np.where(top < mag_max, top + (window & 1), top)
    sign = (x < 0) & (top != 0)
    return (sign.astype(np.int64) << mag_bits) | top, flag


def simulate(parameters, stream):
    """Per-cycle ``code``/``flag``/``out_valid`` of an ``sdr_encoder`` with ``parameters``.

    The data registers load on every cycle, valid or not, so ``code``/``flag`` follow the input
    ``LATENCY`` cycles earlier whatever ``in_valid`` was; a reset clears them to 0.
    """
    p = parameters
    cycles = latency("sdr_encoder", p)
    x = np.asarray(stream["x"], np.int64)
    rst = np.asarray(stream.get("rst", np.zeros(x.shape[:-1], np.int64)), bool)
    valid = np.asarray(stream["in_valid"], bool) & ~rst
    code, flag = razor(x, p["BASE_BITS"], p["MAG_BITS"], p["ROUNDING"])
    alive = same_epoch(resets_before(rst), cycles)
    code = np.moveaxis(delayed(np.moveaxis(code, -1, 0), cycles), 0, -1)
    return {
        "code": np.where(alive[..., None], code, 0),
        "flag": np.where(alive, delayed(flag, cycles), 0),
        "out_valid": (alive & delayed(valid, cycles)).astype(np.int64),
    }
