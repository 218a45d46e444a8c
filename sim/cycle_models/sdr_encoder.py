"""Cycle model of ``sdr_encoder``."""

import numpy as np

from ..formats import SdrConfig
from ..sdr import encode
from .common import delayed, resets_before, same_epoch

__all__ = ["simulate"]


def simulate(unit, stream):
    """Per-cycle ``code``/``flag``/``out_valid`` of ``unit`` (a :class:`hw.sdr_encoder.SdrEncoder`).

    The data registers load on every cycle, valid or not, so ``code``/``flag`` follow the input
    ``LATENCY`` cycles earlier whatever ``in_valid`` was; a reset clears them to 0.
    """
    p = unit.parameters
    x = np.asarray(stream["x"], np.int64)
    rst = np.asarray(stream.get("rst", np.zeros(x.shape[:-1], np.int64)), bool)
    valid = np.asarray(stream["in_valid"], bool) & ~rst
    razored = encode(x, SdrConfig(p["BASE_BITS"], p["MAG_BITS"], p["GROUP"], p["ROUNDING"]))
    alive = same_epoch(resets_before(rst), unit.LATENCY)
    code = np.moveaxis(
        delayed(np.moveaxis(razored.code.astype(np.int64), -1, 0), unit.LATENCY), 0, -1
    )
    flag = delayed(razored.flag[..., 0].astype(np.int64), unit.LATENCY)
    return {
        "code": np.where(alive[..., None], code, 0),
        "flag": np.where(alive, flag, 0),
        "out_valid": (alive & delayed(valid, unit.LATENCY)).astype(np.int64),
    }
