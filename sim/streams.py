"""Per-cycle input streams for the units, built from GEMM operands, with optional bubbles.

A MAC stream runs every dot product ``a[m] . w[n]`` (row-major over ``(m, n)``) as ``K / LANES``
beats, back to back; ``in_last`` marks each dot product's final beat. Bubbles are idle cycles
(``in_valid=0``) carrying random garbage on every other input, to prove that they change nothing.
"""

from dataclasses import dataclass

import numpy as np

from .formats import check_int

__all__ = ["MacBeats", "sdr_mac_beats", "int_mac_beats", "encoder_beats", "with_bubbles",
           "drained", "with_reset"]


@dataclass(frozen=True, eq=False)
class MacBeats:
    """A stream (see :mod:`sim.ports`) and, in order, the results it must produce."""

    stream: dict
    expected: np.ndarray

    @property
    def cycles(self):
        return len(self.stream["in_valid"])


def _dot_product_beats(a_rows, w_rows, lanes):
    """Beat-major lane arrays for every (m, n) pair: shapes ``(M*N*K/lanes, lanes)``."""
    m, k = a_rows.shape[0], a_rows.shape[-1]
    n = w_rows.shape[0]
    if k % lanes:
        raise ValueError(f"K ({k}) must be a multiple of lanes ({lanes})")
    a = np.broadcast_to(a_rows[:, None, :], (m, n, k)).reshape(-1, lanes)
    w = np.broadcast_to(w_rows[None, :, :], (m, n, k)).reshape(-1, lanes)
    return a, w


def _control(beats, beats_per_product):
    last = np.zeros(beats, np.int64)
    last[beats_per_product - 1 :: beats_per_product] = 1
    return np.ones(beats, np.int64), last


def sdr_mac_beats(ta, tw, lanes, expected):
    """Stream for ``sdr_mac``/``decompress_mac`` computing ``ta @ tw.T`` (2-D SdrTensors)."""
    check_int("lanes", lanes, 1)
    a_code, w_code = _dot_product_beats(ta.code, tw.code, lanes)
    group = ta.config.group
    k = ta.shape[-1]
    a_flag = np.repeat(ta.flag, group // lanes, axis=-1)  # flag of every beat of a row
    w_flag = np.repeat(tw.flag, group // lanes, axis=-1)
    a_flag, w_flag = (f.reshape(len(f), 1, -1) for f in (a_flag, w_flag))
    m, n = ta.shape[0], tw.shape[0]
    a_flag = np.broadcast_to(a_flag, (m, n, a_flag.shape[-1])).reshape(-1)
    w_flag = np.broadcast_to(w_flag.transpose(1, 0, 2), (m, n, w_flag.shape[-1])).reshape(-1)
    valid, last = _control(len(a_code), k // lanes)
    stream = {"in_valid": valid, "in_last": last, "a_code": a_code, "w_code": w_code,
              "a_flag": a_flag, "w_flag": w_flag}
    return MacBeats(stream, np.asarray(expected).reshape(-1))


def int_mac_beats(a, w, lanes, expected):
    """Stream for ``int8_mac`` computing ``a @ w.T`` (2-D integer arrays)."""
    check_int("lanes", lanes, 1)
    a_lanes, w_lanes = _dot_product_beats(np.asarray(a), np.asarray(w), lanes)
    valid, last = _control(len(a_lanes), a.shape[-1] // lanes)
    stream = {"in_valid": valid, "in_last": last, "a": a_lanes, "w": w_lanes}
    return MacBeats(stream, np.asarray(expected).reshape(-1))


def encoder_beats(x, expected_code, expected_flag):
    """Stream for ``sdr_encoder``: one group of ``x`` ``(beats, G)`` per cycle."""
    stream = {"in_valid": np.ones(len(x), np.int64), "x": np.asarray(x, np.int64)}
    expected = np.concatenate([np.asarray(expected_code).reshape(len(x), -1),
                               np.asarray(expected_flag).reshape(len(x), 1)], axis=1)
    return MacBeats(stream, expected)


def _garbage_like(values, rng):
    """Random values in the range the port's values span (at least 0..1)."""
    lo, hi = min(int(values.min()), 0), max(int(values.max()), 1)
    return rng.integers(lo, hi + 1, size=values.shape)


def with_bubbles(beats, rng, rate):
    """Insert idle cycles: before each beat, a geometric number of bubbles with mean ``rate``."""
    count = len(beats.stream["in_valid"])
    gaps = rng.geometric(1.0 / (1.0 + rate), size=count) - 1 if rate > 0 else np.zeros(count, int)
    positions = np.arange(count) + np.cumsum(gaps)
    total = count + int(gaps.sum())
    stream = {}
    for port, values in beats.stream.items():
        filled = _garbage_like(values, rng).astype(np.int64)
        filled = np.resize(filled, (total,) + values.shape[1:]) if total else filled[:0]
        filled[positions] = values
        stream[port] = filled
    stream["in_valid"] = np.zeros(total, np.int64)
    stream["in_valid"][positions] = 1
    return MacBeats(stream, beats.expected)


def drained(beats, cycles):
    """``beats`` followed by ``cycles`` idle cycles, so that the last results leave the pipeline."""
    stream = {}
    for port, values in beats.stream.items():
        stream[port] = np.concatenate([values, np.zeros((cycles,) + values.shape[1:], np.int64)])
    return MacBeats(stream, beats.expected)


def with_reset(stream, cycles):
    """Copy of ``stream`` with ``rst`` high on the given cycles."""
    stream = dict(stream)
    rst = np.zeros(len(stream["in_valid"]), np.int64)
    rst[list(cycles)] = 1
    stream["rst"] = rst
    return stream
