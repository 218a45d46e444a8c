"""Cycle model of ``sdr_engine``: COLS ``sdr_mac`` columns on one broadcast stream of activation
codes and flags (the ``sdr_mac`` model, with the columns as a leading stream axis). No encoder:
the activations arrive razored (SPEC 10)."""

import numpy as np

from sim.cycle_models import sdr_mac
from sim.cycle_models.structure import COLUMN_PARAMETERS, per_column

__all__ = ["simulate", "column_streams"]


def column_streams(parameters, stream):
    """The stream every column sees, as ``(..., COLS, cycles[, lanes])`` arrays: the broadcast
    activation codes and flag, ``in_valid``, ``in_last`` and the reset, and the column's own
    weight codes (lanes ``c * LANES`` on) and flag."""
    cols, lanes = parameters["COLS"], parameters["LANES"]
    w_code = np.asarray(stream["w_code"], np.int64)
    columns = {
        "a_code": per_column(np.asarray(stream["a_code"], np.int64), cols, lanes=True),
        "w_code": np.moveaxis(w_code.reshape(w_code.shape[:-1] + (cols, lanes)), -2, -3),
        "w_flag": np.moveaxis(np.asarray(stream["w_flag"], np.int64), -1, -2),
    }
    for port in ("a_flag", "in_valid", "in_last", "rst"):
        if port in stream:
            columns[port] = per_column(np.asarray(stream[port], np.int64), cols)
    return columns


def simulate(parameters, stream):
    """Per-cycle ``out_valid``/``out`` of an ``sdr_engine`` with ``parameters`` on ``stream``;
    ``out`` is ``(..., cycles, COLS)``."""
    column = {name: parameters[name] for name in COLUMN_PARAMETERS["sdr_engine"]}
    outputs = sdr_mac.simulate(column, column_streams(parameters, stream))
    return {
        "out_valid": outputs["out_valid"][..., 0, :],
        "out": np.moveaxis(outputs["out"], -2, -1),
    }
