"""Per-cycle input streams for the units, built from GEMM operands, with optional bubbles.

A MAC stream runs every dot product ``a[m] . w[n]`` (row-major over ``(m, n)``) as ``K / LANES``
beats, back to back; ``in_last`` marks each dot product's final beat. Bubbles are idle cycles
(``in_valid=0``) carrying random garbage on every other input, to prove that they change nothing.
"""

from dataclasses import dataclass

import numpy as np

from sim.golden.formats import check_int
from sim.golden.sdr import SdrTensor

__all__ = [
    "MacBeats",
    "sdr_mac_beats",
    "int_mac_beats",
    "encoder_beats",
    "sdr_engine_beats",
    "int_engine_beats",
    "with_bubbles",
    "concatenated",
    "drained",
    "after_reset",
    "reset_between",
    "tiled_beats",
]


@dataclass(frozen=True, eq=False)
class MacBeats:
    """A stream (see :mod:`sim.verify.ports`) and, in order, the results it must produce."""

    stream: dict
    expected: np.ndarray

    @property
    def cycles(self):
        return len(self.stream["in_valid"])


def _all_pairs(a_rows, w_rows):
    """Rows of every dot product ``a[m] . w[n]``, row-major over ``(m, n)``: two (M*N, ...)."""
    m, n = len(a_rows), len(w_rows)
    a = np.broadcast_to(a_rows[:, None], (m, n) + a_rows.shape[1:]).reshape(
        (m * n,) + a_rows.shape[1:]
    )
    w = np.broadcast_to(w_rows[None, :], (m, n) + w_rows.shape[1:]).reshape(
        (m * n,) + w_rows.shape[1:]
    )
    return a, w


def _beats(per_product, lanes, expected, flags=None):
    """Stream of dot products given as aligned rows ``{port: (D, K)}``, flags ``{port: (D, K/G)}``.

    Each dot product becomes ``K / lanes`` beats; ``in_last`` marks its final beat.
    """
    check_int("lanes", lanes, 1)
    count, k = next(iter(per_product.values())).shape
    if k % lanes:
        raise ValueError(f"K ({k}) must be a multiple of lanes ({lanes})")
    beats = k // lanes
    stream = {port: np.asarray(rows).reshape(-1, lanes) for port, rows in per_product.items()}
    for port, rows in (flags or {}).items():
        stream[port] = np.repeat(np.asarray(rows), beats // rows.shape[1], axis=1).reshape(-1)
    stream["in_valid"] = np.ones(count * beats, np.uint8)
    stream["in_last"] = np.zeros(count * beats, np.uint8)
    stream["in_last"][beats - 1 :: beats] = 1
    return MacBeats(stream, np.asarray(expected).reshape(-1))


def sdr_mac_beats(ta, tw, lanes, expected, pairs="all"):
    """Stream for ``sdr_mac``/``decompress_mac``.

    ``pairs="all"``: every ``ta[m] . tw[n]``, row-major (``expected`` is ``[M, N]``);
    ``pairs="zip"``: ``ta[i] . tw[i]`` only (``expected`` is ``[D]``).
    """
    codes, flags = (ta.code, tw.code), (ta.flag, tw.flag)
    if pairs == "all":
        codes, flags = _all_pairs(*codes), _all_pairs(*flags)
    return _beats(
        {"a_code": codes[0], "w_code": codes[1]},
        lanes,
        expected,
        {"a_flag": flags[0], "w_flag": flags[1]},
    )


def int_mac_beats(a, w, lanes, expected, pairs="all"):
    """Stream for ``int8_mac`` computing ``a @ w.T`` (or ``a[i] . w[i]`` with ``pairs="zip"``)."""
    a, w = np.asarray(a), np.asarray(w)
    if pairs == "all":
        a, w = _all_pairs(a, w)
    return _beats({"a": a, "w": w}, lanes, expected)


def encoder_beats(x, expected_code, expected_flag):
    """Stream for ``sdr_encoder``: one group of ``x`` ``(beats, G)`` per cycle."""
    stream = {"in_valid": np.ones(len(x), np.int64), "x": np.asarray(x, np.int64)}
    expected = np.concatenate(
        [
            np.asarray(expected_code).reshape(len(x), -1),
            np.asarray(expected_flag).reshape(len(x), 1),
        ],
        axis=1,
    )
    return MacBeats(stream, expected)


def _engine_weights(w, lanes):
    """``(M * K/lanes, COLS * lanes)`` per-beat weights of every column from ``w`` ``[COLS, K]``
    (column ``c``'s lanes at ``c * lanes``), the same for each of ``m`` rows: one row's beats."""
    cols, k = w.shape
    return np.asarray(w).reshape(cols, k // lanes, lanes).transpose(1, 0, 2).reshape(k // lanes, -1)


def _engine_stream(stream, m, beats, expected):
    """``stream`` (the operand ports of ``m`` rows of ``beats`` beats each) with ``in_valid`` on
    every beat and ``in_last`` on each row's last; ``expected`` ``[M, COLS]``."""
    stream["in_valid"] = np.ones(m * beats, np.uint8)
    stream["in_last"] = np.zeros(m * beats, np.uint8)
    stream["in_last"][beats - 1 :: beats] = 1
    return MacBeats(stream, np.asarray(expected).reshape(m, -1))


def sdr_engine_beats(ta, tw, lanes, expected):
    """Stream for ``sdr_engine``: each row of SDR activations ``ta`` (``[M, K]``, razored where
    they were produced: the engine reads codes and flags) against every column of ``tw``
    (``[COLS, K]`` SDR weights): LANES activation codes per beat, each group's flags held over
    its beats; ``expected`` is ``[M, COLS]``."""
    m, k = ta.shape
    per_group = tw.config.group // lanes
    stream = {
        "a_code": np.asarray(ta.code).reshape(m * (k // lanes), lanes),
        "a_flag": np.repeat(np.asarray(ta.flag), per_group, axis=1).reshape(-1),
        "w_code": np.tile(_engine_weights(tw.code, lanes), (m, 1)),
        "w_flag": np.tile(np.repeat(np.asarray(tw.flag).T, per_group, axis=0), (m, 1)),
    }
    return _engine_stream(stream, m, k // lanes, expected)


def int_engine_beats(a, w, lanes, expected):
    """Stream for ``int8_engine`` / ``int4_engine``: each row ``a[m]`` (``[M, K]``, INT8 or
    INT4) against every column of ``w`` (``[COLS, K]``); ``expected`` is ``[M, COLS]``."""
    a = np.asarray(a, np.int64)
    m, k = a.shape
    stream = {
        "a": a.reshape(m * (k // lanes), lanes),
        "w": np.tile(_engine_weights(w, lanes), (m, 1)),
    }
    return _engine_stream(stream, m, k // lanes, expected)


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


def concatenated(parts):
    """One stream running ``parts`` (MacBeats with the same ports) back to back."""
    stream = {
        port: np.concatenate([np.asarray(part.stream[port], np.int64) for part in parts])
        for port in parts[0].stream
    }
    return MacBeats(stream, np.concatenate([part.expected for part in parts]))


def drained(beats, cycles):
    """``beats`` followed by ``cycles`` idle cycles, so that the last results leave the pipeline."""
    stream = {}
    for port, values in beats.stream.items():
        stream[port] = np.concatenate(
            [values, np.zeros((cycles,) + values.shape[1:], values.dtype)]
        )
    return MacBeats(stream, beats.expected)


def _with_rst(beats, rst):
    """``beats`` with an ``rst`` entry (last) of value ``rst`` on every cycle."""
    return MacBeats({**beats.stream, "rst": np.full(beats.cycles, rst, np.int64)}, beats.expected)


def after_reset(beats):
    """``beats`` after one idle cycle that holds ``rst=1`` with every input at zero (``rst`` 0
    on the cycles of ``beats``)."""
    reset = MacBeats(
        {
            port: np.zeros((1, *np.shape(values)[1:]), np.int64)
            for port, values in beats.stream.items()
        },
        beats.expected[:0],
    )
    return concatenated([_with_rst(reset, 1), _with_rst(beats, 0)])


def reset_between(*parts):
    """Concatenate streams with one idle cycle holding ``rst=1`` between consecutive parts.

    The reset clears whatever the earlier parts left in the pipeline; ``expected`` is the parts'
    expected results in order (those lost to the reset are for the checker to drop).
    """
    return concatenated([_with_rst(parts[0], 0), *map(after_reset, parts[1:])])


def _padded_rows(rows, cols):
    """``rows`` (``[N, ...]``) padded with zero rows to a multiple of ``cols``."""
    pad = -len(rows) % cols
    return np.concatenate([rows, np.zeros((pad,) + rows.shape[1:], rows.dtype)]) if pad else rows


def _rows(tensor, rows):
    """Rows ``rows`` (a slice) of an SDR tensor or an integer array."""
    if isinstance(tensor, SdrTensor):
        return SdrTensor(tensor.sign[rows], tensor.mag[rows], tensor.flag[rows], tensor.config)
    return tensor[rows]


def _padded_tensor(tensor, cols):
    """:func:`_padded_rows` of an SDR tensor (zero codes and flags) or an integer array."""
    if isinstance(tensor, SdrTensor):
        fields = (tensor.sign, tensor.mag, tensor.flag)
        return SdrTensor(*(_padded_rows(f, cols) for f in fields), tensor.config)
    return _padded_rows(tensor, cols)


def tiled_beats(engine, a, w, expected):
    """The whole schedule as one stream: tile by tile, each activation row against the tile's
    columns. ``sdr_engine``: ``a`` and ``w`` SDR tensors ``[M, K]`` and ``[N, K]`` (the
    activations razored where they were produced); ``int8_engine`` / ``int4_engine``: ``a``,
    ``w`` integers. ``expected`` ``[M, N]`` becomes the results in stream order, one row of COLS
    per (tile, m); padded columns expect 0."""
    p = engine.parameters
    cols, lanes = p["COLS"], p["LANES"]
    expected = _padded_rows(np.asarray(expected).T, cols).T  # [M, tiles * COLS]
    make = sdr_engine_beats if engine.MODULE_NAME == "sdr_engine" else int_engine_beats
    parts = []
    for start in range(0, expected.shape[1], cols):
        tile = _padded_tensor(_rows(w, slice(start, start + cols)), cols)
        parts.append(make(a, tile, lanes, expected[:, start : start + cols]))
    return concatenated(parts)
