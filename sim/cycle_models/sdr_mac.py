"""Cycle model of ``sdr_mac`` (and the lane arithmetic shared with ``decompress_mac``)."""

import numpy as np

from sim.cycle_models.common import (
    count_since,
    delayed,
    fresh_running_sum,
    resets_before,
    same_epoch,
)
from sim.cycle_models.structure import latency, sdr_shifter_width
from sim.golden.integer import wrap_signed

__all__ = ["simulate", "signed_codes", "accumulator_output"]


def signed_codes(code, mag_bits):
    """``(-1)**sign * q`` of ``(1+M)``-bit codes, int64."""
    code = np.asarray(code, np.int64)
    mag = code & ((1 << mag_bits) - 1)
    return np.where(code >> mag_bits & 1, -mag, mag)


def _narrow_signed(code, mag_bits):
    """``(-1)**sign * q`` in the narrowest signed dtype that holds ``2**M - 1`` squared."""
    dtype = np.int16 if mag_bits <= 7 else np.int32
    code = np.asarray(code).astype(dtype)
    mag = code & ((1 << mag_bits) - 1)
    negative = code >> mag_bits
    return (mag ^ -negative) + negative  # conditional two's-complement negate


def lane_products_sum(a_code, w_code, mag_bits):
    """Per-beat sum over lanes of the sign-magnitude code products, int64 ``[..., cycles]``."""
    products = _narrow_signed(a_code, mag_bits) * _narrow_signed(w_code, mag_bits)
    return products.sum(axis=-1, dtype=np.int64)


def accumulator_output(term, add, last, rst, latency, acc_bits):
    """``out``/``out_valid`` of an accumulator fed ``term`` on beat cycles, LATENCY cycles later.

    ``add`` marks the beats whose term reaches the accumulator; ``last`` (with ``add``) ends a dot
    product. A reset loses every result whose output would come after it.
    """
    acc = fresh_running_sum(term, add, last & add, rst)
    alive = same_epoch(resets_before(rst), latency)
    out = np.where(alive, delayed(wrap_signed(acc, acc_bits), latency), 0)
    out_valid = alive & delayed((add & last).astype(bool), latency)
    return {"out_valid": out_valid.astype(np.int64), "out": out}


def simulate(parameters, stream):
    """Per-cycle ``out_valid``/``out`` of an ``sdr_mac`` with ``parameters`` on ``stream``."""
    p = parameters
    rst = np.asarray(stream.get("rst", np.zeros_like(stream["in_valid"])), bool)
    valid = np.asarray(stream["in_valid"], bool) & ~rst
    last = np.asarray(stream["in_last"], bool)
    beat_sum = lane_products_sum(stream["a_code"], stream["w_code"], p["MAG_BITS"])
    beats_per_group = p["GROUP"] // p["LANES"]
    position = count_since(valid, last, rst) % beats_per_group
    group_end = valid & (last | (position == beats_per_group - 1))
    group_total = fresh_running_sum(beat_sum, valid, group_end, rst)
    shift = np.asarray(stream["a_flag"], np.int64) + np.asarray(stream["w_flag"], np.int64)
    shifted = wrap_signed(group_total << shift, sdr_shifter_width(p))
    return accumulator_output(shifted, group_end, last, rst, latency("sdr_mac", p), p["ACC_BITS"])
