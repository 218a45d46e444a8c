"""Cycle model of the integer engines ``int8_engine`` and ``int4_engine``: COLS ``int8_mac`` /
``int4_mac`` columns on one broadcast activation stream (the integer MAC model, with the columns
as a leading stream axis)."""

import numpy as np

from sim.cycle_models import int_mac
from sim.cycle_models.structure import COLUMN_PARAMETERS, COLUMN_UNIT, per_column

__all__ = ["simulate"]


def simulate(module, parameters, stream):
    """Per-cycle ``out_valid``/``out`` of integer engine ``module`` (``int8_engine``,
    ``int4_engine``) with ``parameters``; ``out`` is ``(..., cycles, COLS)``."""
    cols, lanes = parameters["COLS"], parameters["LANES"]
    w = np.asarray(stream["w"], np.int64)
    w = np.moveaxis(w.reshape(w.shape[:-1] + (cols, lanes)), -2, -3)
    columns = {
        "a": per_column(np.asarray(stream["a"], np.int64), cols, lanes=True),
        "w": w,
        **{
            port: per_column(np.asarray(stream[port], np.int64), cols)
            for port in ("in_valid", "in_last", "rst")
            if port in stream
        },
    }
    column = {name: parameters[name] for name in COLUMN_PARAMETERS[module]}
    outputs = int_mac.simulate(COLUMN_UNIT[module], column, columns)
    return {
        "out_valid": outputs["out_valid"][..., 0, :],
        "out": np.moveaxis(outputs["out"], -2, -1),
    }
