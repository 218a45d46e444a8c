"""Per-cycle streams for the RAP row units and, in order, the results the golden kernels give.

The units have no row buffer: the producer streams each row ``passes`` times back to back
(``int_gelu`` 1, ``int_layernorm`` 2, ``int_softmax`` 3), ``LANES`` elements per beat and
``in_last`` on the last beat of every pass. Every beat of the last pass yields one result row:
the output lanes, the output exponent and ``out_last`` (1 on the row's last beat), as
:class:`sim.checker.Results` reads them. The row exponent ``e`` is sampled on a row's first
beat; the builders may put random values on its other beats (``rng``) to show that they are
ignored. Bubbles come from :func:`sim.streams.with_bubbles`.
"""

import numpy as np

from sim.golden.rap import gelu_int, layernorm_int, softmax_int
from sim.golden.rap.layernorm import IN_BITS, PARAMETER_FRACTION_BITS, layernorm_parameters
from sim.verify.streams import MacBeats, concatenated

__all__ = ["gelu_beats", "softmax_beats", "layernorm_beats", "exact_parameters"]

#: Range of the random exponents put on beats that do not carry the row's exponent.
_GARBAGE_EXPONENTS = (-64, 64)


def _check_rows(rows, lanes):
    rows = [np.asarray(row, np.int64).reshape(-1) for row in rows]
    for index, row in enumerate(rows):
        if not len(row) or len(row) % lanes:
            raise ValueError(
                f"row {index} has {len(row)} elements: a row needs a positive multiple of "
                f"lanes ({lanes})"
            )
    return rows


def _passes(row, lanes, passes, exponent, rng, extra=None):
    """The stream of one row streamed ``passes`` times; ``extra`` maps a port to its per-pass
    ``(beats, lanes)`` values (``None``: zeros)."""
    beats = len(row) // lanes
    count = beats * passes
    last = np.zeros(count, np.int64)
    last[beats - 1 :: beats] = 1
    e = np.full(count, exponent, np.int64)
    if rng is not None:
        e[1:] = rng.integers(*_GARBAGE_EXPONENTS, size=count - 1, endpoint=True)
    stream = {
        "x": np.tile(row.reshape(beats, lanes), (passes, 1)),
        "e": e,
        "in_valid": np.ones(count, np.int64),
        "in_last": last,
    }
    for port, per_pass in (extra or {}).items():
        stream[port] = np.concatenate(
            [np.zeros((beats, lanes), np.int64) if p is None else p for p in per_pass]
        )
    return stream


def _results(values, exponent, lanes):
    """Result rows ``[lanes..., exponent, last]`` of one row's output beats."""
    beats = len(values) // lanes
    last = np.zeros((beats, 1), np.int64)
    last[-1] = 1
    return np.concatenate(
        [values.reshape(beats, lanes), np.full((beats, 1), exponent), last], axis=1
    )


def _joined(streams, results):
    return concatenated([MacBeats(s, r) for s, r in zip(streams, results, strict=True)])


def gelu_beats(rows, e, lanes):
    """``int_gelu``: ``rows`` (each a multiple of ``lanes`` elements) at exponent ``e`` (one per
    row, or one per beat: a list of ``(beats,)`` arrays); results of ``gelu_int``."""
    rows = _check_rows(rows, lanes)
    exponents = list(e) if isinstance(e, list | tuple | np.ndarray) else [e] * len(rows)
    streams, results = [], []
    for row, exponent in zip(rows, exponents, strict=True):
        stream = _passes(row, lanes, 1, 0, None)
        stream["e"] = np.broadcast_to(np.asarray(exponent, np.int64), stream["e"].shape).copy()
        y, _ = gelu_int(row, np.repeat(stream["e"], lanes))
        result = _results(y, 0, lanes)
        result[:, lanes] = stream["e"]
        streams.append(stream)
        results.append(result)
    return _joined(streams, results)


def softmax_beats(rows, e, lanes, out_bits=8, scale=1.0, rng=None):
    """``int_softmax``: each row three times (maximum, sum, output), exponent ``e`` (one per row)
    on its first beat; results of ``softmax_int(..., normalise="reciprocal")``."""
    rows = _check_rows(rows, lanes)
    exponents = np.broadcast_to(np.asarray(e, np.int64), (len(rows),))
    streams, results = [], []
    for row, exponent in zip(rows, exponents, strict=True):
        streams.append(_passes(row, lanes, 3, exponent, rng))
        p, p_exp = softmax_int(row, int(exponent), out_bits, scale=scale)
        results.append(_results(p, p_exp, lanes))
    return _joined(streams, results)


def layernorm_beats(rows, e, weight, bias, lanes, eps=1e-12, rng=None):
    """``int_layernorm``: each row twice (sums; then with ``gamma``/``beta``, the integers
    :func:`sim.rap.layernorm.layernorm_parameters` converts ``weight``/``bias`` to), exponent
    ``e`` (one per row) on its first beat; results of ``layernorm_int(..., normalise="newton")``.

    ``weight``/``bias``: one value per column (``(d,)``, every row) or one row per row.
    On pass 1 the ``gamma``/``beta`` ports carry zeros, or random values when ``rng`` is given.
    """
    rows = np.asarray(rows, np.int64)
    d = rows.shape[-1]
    _check_rows(rows, lanes)
    low, high = -(1 << (IN_BITS - 1)), (1 << (IN_BITS - 1)) - 1
    if rows.size and not low <= rows.min() <= rows.max() <= high:
        raise ValueError(f"rows must be {IN_BITS}-bit integers (the unit's x port)")
    exponents = np.broadcast_to(np.asarray(e, np.int64), (len(rows),))
    weight = np.broadcast_to(np.asarray(weight, np.float64), rows.shape)
    bias = np.broadcast_to(np.asarray(bias, np.float64), rows.shape)
    streams, results = [], []
    for row, exponent, w, b in zip(rows, exponents, weight, bias, strict=True):
        gamma, beta = layernorm_parameters(w, b, d)
        first = [None, None]
        if rng is not None:
            first = [rng.integers(-(1 << 20), 1 << 20, size=(d // lanes, lanes)) for _ in range(2)]
        extra = {
            "gamma": [first[0], gamma.reshape(-1, lanes)],
            "beta": [first[1], beta.reshape(-1, lanes)],
        }
        streams.append(_passes(row, lanes, 2, exponent, rng, extra))
        y, y_exp = layernorm_int(row[None], int(exponent), w, b, eps=eps)
        results.append(_results(y[0], y_exp, lanes))
    return _joined(streams, results)


def exact_parameters(gamma, beta):
    """Float ``(weight, bias)`` that convert back exactly to integer ``gamma``/``beta``."""
    scale = 2.0**-PARAMETER_FRACTION_BITS
    return np.asarray(gamma) * scale, np.asarray(beta) * scale
