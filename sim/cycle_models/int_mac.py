"""Cycle model of the integer MACs ``int8_mac`` and ``int4_mac``."""

import numpy as np

from sim.cycle_models.sdr_mac import accumulator_output
from sim.cycle_models.structure import latency

__all__ = ["simulate"]


def simulate(module, parameters, stream):
    """Per-cycle ``out_valid``/``out`` of integer baseline ``module`` (``int8_mac``,
    ``int4_mac``) with ``parameters``."""
    rst = np.asarray(stream.get("rst", np.zeros_like(stream["in_valid"])), bool)
    valid = np.asarray(stream["in_valid"], bool) & ~rst
    beat_sum = np.sum(
        np.asarray(stream["a"], np.int64) * np.asarray(stream["w"], np.int64), axis=-1
    )
    return accumulator_output(
        beat_sum,
        valid,
        np.asarray(stream["in_last"], bool),
        rst,
        latency(module, parameters),
        parameters["ACC_BITS"],
    )
