"""Mapping a GEMM ``out[m, n] = a[m] . w[n]`` (``a`` ``[M, K]``, ``w`` ``[N, K]``) onto an engine
of COLS columns x LANES lanes.

Schedule (output stationary, weights pinned per column tile):

- the N weight rows are cut into ``ceil(N / COLS)`` column tiles; tile ``t`` gives column ``c``
  the row ``w[t * COLS + c]`` (a last, partial tile pads its idle columns with zero weights,
  whose results are dropped and counted as idle MACs);
- per tile, the M activation rows run back to back, each a dot product of ``K / LANES`` beats
  on every column at once (each column's accumulator holds one output: output stationary);
- tiles follow each other with no gap; the last results leave ``LATENCY`` cycles after the last
  beat.

Memory traffic (reads of the on-chip buffers, in bits): every tile streams all M activation rows
again (``sdr_engine``: INT16 values, razored on chip each time; ``int8_engine``: INT8), and
every beat reads COLS x LANES weights (the engine keeps no weights between rows): SDR codes plus
one flag per group, or INT8.
"""

from dataclasses import dataclass

import numpy as np

from ..formats import SdrConfig, check_int
from ..sdr import SdrTensor
from ..streams import concatenated, int8_engine_beats, sdr_engine_beats

__all__ = ["Schedule", "plan", "tiled_beats"]


@dataclass(frozen=True)
class Schedule:
    """Cycles, utilization and buffer traffic of one GEMM on one engine."""

    m: int
    k: int
    n: int
    cols: int
    lanes: int
    latency: int
    activation_bits: float
    weight_bits: float

    @property
    def tiles(self):
        return -(-self.n // self.cols)

    @property
    def beats(self):
        """Valid beats: every tile streams every activation row."""
        return self.tiles * self.m * (self.k // self.lanes)

    @property
    def cycles(self):
        """From the first beat to the last result (tiles back to back, then the drain)."""
        return self.beats + self.latency

    @property
    def macs(self):
        """Useful multiply-accumulates, ``M * N * K``."""
        return self.m * self.n * self.k

    @property
    def utilization(self):
        """Useful MACs over the engine's ``COLS * LANES`` MACs per cycle, drain included."""
        return self.macs / (self.cycles * self.cols * self.lanes)

    @property
    def activation_bits_read(self):
        return self.tiles * self.m * self.k * self.activation_bits

    @property
    def weight_bits_read(self):
        """Every beat's COLS x LANES weights, padded columns included."""
        return self.beats * self.cols * self.lanes * self.weight_bits


def plan(engine, m, k, n):
    """The :class:`Schedule` of ``[m, k] x [n, k]`` on ``engine`` (an ``sdr_engine`` or
    ``int8_engine`` unit). Raises ``ValueError`` when K does not tile the engine."""
    p = engine.parameters
    for name, value in (("m", m), ("k", k), ("n", n)):
        check_int(name, value, 1)
    step = p.get("GROUP", p["LANES"])
    if k % step:
        unit = "group size" if "GROUP" in p else "lanes"
        raise ValueError(
            f"k ({k}) must be a multiple of the {unit} ({step}) of {engine.MODULE_NAME}"
        )
    if engine.MODULE_NAME == "sdr_engine":
        w_config = SdrConfig(p["W_BITS"], p["MAG_BITS"], p["GROUP"])
        activation_bits, weight_bits = p["A_BITS"], w_config.bits_per_element
    else:
        activation_bits, weight_bits = 8, 8
    return Schedule(m, k, n, p["COLS"], p["LANES"], engine.LATENCY, activation_bits, weight_bits)


def _padded(rows, cols):
    """``rows`` (``[N, ...]``) padded with zero rows to a multiple of ``cols``."""
    pad = -len(rows) % cols
    return np.concatenate([rows, np.zeros((pad,) + rows.shape[1:], rows.dtype)]) if pad else rows


def tiled_beats(engine, a, w, expected):
    """The whole schedule as one stream: tile by tile, each activation row against the tile's
    columns. ``sdr_engine``: ``a`` INT ``[M, K]``, ``w`` an SDR tensor ``[N, K]``;
    ``int8_engine``: ``a``, ``w`` INT8. ``expected`` ``[M, N]`` becomes the results in stream
    order, one row of COLS per (tile, m); padded columns expect 0."""
    p = engine.parameters
    cols, lanes = p["COLS"], p["LANES"]
    expected = _padded(np.asarray(expected).T, cols).T  # [M, tiles * COLS]
    parts = []
    for start in range(0, expected.shape[1], cols):
        want = expected[:, start : start + cols]
        if engine.MODULE_NAME == "sdr_engine":
            tile = SdrTensor(
                _padded(w.sign[start : start + cols], cols),
                _padded(w.mag[start : start + cols], cols),
                _padded(w.flag[start : start + cols], cols),
                w.config,
            )
            parts.append(sdr_engine_beats(a, tile, lanes, want))
        else:
            parts.append(int8_engine_beats(a, _padded(w[start : start + cols], cols), lanes, want))
    return concatenated(parts)
