"""Cycle model of ``sdr_engine``: the on-chip encoder and group buffer, then COLS ``sdr_mac``
columns (the ``sdr_mac`` model, with the columns as a leading stream axis)."""

import numpy as np

from sim.cycle_models import sdr_mac
from sim.cycle_models.common import count_since, delayed
from sim.cycle_models.sdr_encoder import razor
from sim.cycle_models.structure import COLUMN_PARAMETERS, per_column

__all__ = ["simulate", "column_streams"]


def _later(values):
    """``values`` ``(..., cycles, lanes)`` one cycle later (a register; 0 before)."""
    return np.moveaxis(delayed(np.moveaxis(values, -1, 0), 1), 0, -1)


def column_streams(parameters, stream):
    """The stream every column sees, as ``(..., COLS, cycles[, lanes])`` arrays: the codes and
    flag of each beat's group (the encoder's at the group's first beat, the buffer's later),
    the weights, ``in_valid`` and ``in_last``, all one cycle late as the engine's registers
    give them, and the reset as it is."""
    p = parameters
    cols, lanes = p["COLS"], p["LANES"]
    beats = p["GROUP"] // lanes
    x = np.asarray(stream["x"], np.int64)
    rst = np.asarray(stream.get("rst", np.zeros(x.shape[:-1], np.int64)), bool)
    valid = np.asarray(stream["in_valid"], bool) & ~rst
    last = np.asarray(stream["in_last"], bool) & ~rst
    position = count_since(valid, last, rst) % beats
    code, flag = razor(x, p["A_BITS"], p["MAG_BITS"], p["ROUNDING"])
    starts = np.where(valid & (position == 0), np.arange(valid.shape[-1]), -1)
    start = np.maximum(np.maximum.accumulate(starts, axis=-1), 0)  # each beat's group start
    code = np.take_along_axis(code, start[..., None], axis=-2)
    code = code.reshape(code.shape[:-1] + (beats, lanes))
    a_code = np.take_along_axis(code, position[..., None, None], axis=-2)[..., 0, :]
    a_flag = np.take_along_axis(flag, start, axis=-1)
    w_code = _later(np.asarray(stream["w_code"], np.int64))
    w_code = np.moveaxis(w_code.reshape(w_code.shape[:-1] + (cols, lanes)), -2, -3)
    return {
        "a_code": per_column(_later(a_code), cols, lanes=True),
        "a_flag": per_column(delayed(a_flag, 1), cols),
        "w_code": w_code,
        "w_flag": np.moveaxis(_later(np.asarray(stream["w_flag"], np.int64)), -1, -2),
        "in_valid": per_column(delayed(valid.astype(np.int64), 1), cols),
        "in_last": per_column(delayed(last.astype(np.int64), 1), cols),
        "rst": per_column(rst.astype(np.int64), cols),
    }


def simulate(parameters, stream):
    """Per-cycle ``out_valid``/``out`` of an ``sdr_engine`` with ``parameters`` on ``stream``;
    ``out`` is ``(..., cycles, COLS)``."""
    column = {name: parameters[name] for name in COLUMN_PARAMETERS["sdr_engine"]}
    outputs = sdr_mac.simulate(column, column_streams(parameters, stream))
    return {
        "out_valid": outputs["out_valid"][..., 0, :],
        "out": np.moveaxis(outputs["out"], -2, -1),
    }
