"""Cycle model of ``decompress_mac``."""

import numpy as np

from sim.cycle_models.sdr_mac import accumulator_output, signed_codes
from sim.cycle_models.structure import latency
from sim.golden.integer import wrap_signed

__all__ = ["simulate"]


def _decoded(code, flag, mag_bits, base_bits):
    """The decoder's B-bit integers: ``(-1)**s * q << flag`` (wrapping as the RTL register does)."""
    flag = np.asarray(flag, np.int64)[..., None]
    return wrap_signed(signed_codes(code, mag_bits) << flag, base_bits)


def simulate(parameters, stream):
    """Per-cycle ``out_valid``/``out`` of a ``decompress_mac`` with ``parameters``."""
    p = parameters
    rst = np.asarray(stream.get("rst", np.zeros_like(stream["in_valid"])), bool)
    valid = np.asarray(stream["in_valid"], bool) & ~rst
    a = _decoded(stream["a_code"], stream["a_flag"], p["MAG_BITS"], p["A_BITS"])
    w = _decoded(stream["w_code"], stream["w_flag"], p["MAG_BITS"], p["W_BITS"])
    return accumulator_output(
        np.sum(a * w, axis=-1),
        valid,
        np.asarray(stream["in_last"], bool),
        rst,
        latency("decompress_mac", p),
        p["ACC_BITS"],
    )
