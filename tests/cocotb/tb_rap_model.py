"""Transaction-level models and stimulus of the RAP row units' bench (no cocotb here).

A transaction is one output beat as the input monitor sees it: the row's first-pass elements
(``row``) and exponent (``e``), the beat's index in the row's last pass (``beat``), and for
``int_layernorm`` that beat's ``gamma`` and ``beta``; for ``int_gelu`` the beat itself. A model
turns it into the result the unit must show (lanes, exponent, ``out_last``) straight from the
golden kernels of :mod:`sim.rap`. The stimulus builds its streams with :mod:`sim.rap.streams`.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from sim.golden.rap.layernorm import IN_BITS as LAYERNORM_BITS
from sim.rap import gelu_int, layernorm_int, softmax_int
from sim.verify.rap_streams import exact_parameters, gelu_beats, layernorm_beats, softmax_beats
from sim.verify.streams import concatenated, with_bubbles

__all__ = ["Prediction", "MODELS", "STIMULI", "PASSES"]

#: Passes per row of each unit.
PASSES = {"int_gelu": 1, "int_softmax": 3, "int_layernorm": 2}
#: Mean bubbles per beat of the random segments: none, some, many.
BUBBLE_RATES = (0.0, 0.5, 2.0)
#: Exponents of the random rows (the golden kernels take |e| <= 64).
EXPONENTS = (-64, -30, -20, -16, -12, -8, -4, 0, 3, 4, 5, 64)


@dataclass(frozen=True)
class Prediction:
    """The result a transaction must produce, and its coverage features (:mod:`tb_coverage`)."""

    result: tuple
    features: SimpleNamespace = field(default_factory=SimpleNamespace)


def _sign(value):
    return "-" if value < 0 else "0" if value == 0 else "+"


def _features(txn, last, one_beat_row, **more):
    """What every RAP unit's coverage samples: the row exponent's sign, a row of one beat per
    pass or of several, whether the beat ends its row, the signs among the beat's inputs."""
    return SimpleNamespace(
        e_sign=_sign(int(txn["e"][0])),
        row_beats="1" if one_beat_row else "2+",
        out_last=bool(last),
        x_signs={_sign(int(v)) for v in txn["x"]},
        **more,
    )


def _row_features(txn, lanes, last, **more):
    """:func:`_features` of a unit that sees its whole row first, and whether it is constant."""
    row = txn["row"]
    constant = bool(np.all(row == row[0]))
    return _features(txn, last, len(row) == lanes, constant_row=constant, **more)


def _result(lanes, exponent, last, features):
    """``exponent``: a scalar, or the one-element per-row exponent of a 1-D golden call."""
    values = (*(int(v) for v in lanes), int(np.asarray(exponent).item()), int(last))
    return Prediction(values, features)


class GeluModel:
    def __init__(self, parameters):
        self.lanes = parameters["LANES"]

    def predict(self, txn):
        y, _ = gelu_int(txn["x"], int(txn["e"][0]))
        last = txn["last"][0]
        one_beat = int(txn["beat"][0]) == 0 and last
        return _result(y, txn["e"][0], last, _features(txn, last, one_beat))


class SoftmaxModel:
    def __init__(self, parameters):
        self.lanes, self.out_bits = parameters["LANES"], parameters["OUT_BITS"]
        self.scale, self.max_row = parameters["SCALE"], parameters["MAX_ROW"]

    def predict(self, txn):
        p, p_exp = softmax_int(txn["row"], int(txn["e"][0]), self.out_bits, scale=self.scale)
        beat = int(txn["beat"][0])
        lanes = p[beat * self.lanes : (beat + 1) * self.lanes]
        last = (beat + 1) * self.lanes == len(p)
        full = len(p) == self.max_row
        return _result(lanes, p_exp, last, _row_features(txn, self.lanes, last, full_row=full))


class LayernormModel:
    """One beat's outputs depend on the row's statistics and on that beat's gamma and beta
    only: the golden runs on the whole row with the other columns' parameters at 0."""

    def __init__(self, parameters):
        self.lanes, self.eps, self.d = parameters["LANES"], parameters["EPS"], parameters["D"]

    def predict(self, txn):
        beat = int(txn["beat"][0])
        columns = slice(beat * self.lanes, (beat + 1) * self.lanes)
        gamma, beta = np.zeros(self.d, np.int64), np.zeros(self.d, np.int64)
        gamma[columns], beta[columns] = txn["gamma"], txn["beta"]
        weight, bias = exact_parameters(gamma, beta)
        y, y_exp = layernorm_int(txn["row"][None], int(txn["e"][0]), weight, bias, self.eps)
        last = (beat + 1) * self.lanes == self.d
        return _result(y[0, columns], y_exp, last, _row_features(txn, self.lanes, last))


MODELS = {"int_gelu": GeluModel, "int_softmax": SoftmaxModel, "int_layernorm": LayernormModel}


def _scores(rng, count, bits):
    top = 1 << (bits - 1)
    return rng.integers(-top, top, size=count) >> rng.integers(0, bits)


def _segments(rng, vectors, make):
    """About ``vectors`` output beats in segments of rows, each with its own bubble rate."""
    parts, left = [], vectors
    while left > 0:
        part = make(rng, int(rng.integers(1, 9)))
        parts.append(with_bubbles(part, rng, float(rng.choice(BUBBLE_RATES))))
        left -= len(part.expected)
    return concatenated(parts)


class GeluStimulus:
    def __init__(self, parameters):
        self.lanes, self.bits = parameters["LANES"], parameters["IN_BITS"]

    def _rows(self, rng, rows):
        x = [_scores(rng, self.lanes * int(rng.integers(1, 5)), self.bits) for _ in range(rows)]
        e = [rng.choice(EXPONENTS, size=len(row) // self.lanes) for row in x]
        return gelu_beats(x, e, self.lanes)

    def directed(self, rng, vectors):
        """The extremes and zero under the extreme exponents, back to back, then stalled."""
        top = 1 << (self.bits - 1)
        values = np.array([-top, -top + 1, -1, 0, 1, top - 1])
        rows = [np.resize(values, self.lanes * 6)] * 4
        e = [np.resize(EXPONENTS, 6)[::-1], np.resize(EXPONENTS, 6)] * 2
        dense = gelu_beats(rows, e, self.lanes)
        return concatenated([dense, with_bubbles(dense, rng, 1.0)])

    def random(self, rng, vectors):
        return _segments(rng, vectors, self._rows)


class SoftmaxStimulus:
    def __init__(self, parameters):
        p = parameters
        self.lanes, self.bits, self.max_row = p["LANES"], p["IN_BITS"], p["MAX_ROW"]
        self.out_bits, self.scale = p["OUT_BITS"], p["SCALE"]

    def _beats(self, rows, e, rng):
        return softmax_beats(rows, e, self.lanes, self.out_bits, self.scale, rng=rng)

    def _rows(self, rng, count):
        beats = int(self.max_row // self.lanes)
        rows = [
            _scores(rng, self.lanes * int(rng.integers(1, beats + 1)), self.bits)
            for _ in range(count)
        ]
        return self._beats(rows, rng.choice(EXPONENTS, size=count), rng)

    def directed(self, rng, vectors):
        """Equal scores, an outlier over minimums, all minimums, a row of MAX_ROW, one-beat
        rows, the extreme exponents; back to back, then stalled."""
        low, high = -(1 << (self.bits - 1)), (1 << (self.bits - 1)) - 1
        outlier = np.full(2 * self.lanes, low)
        outlier[1] = high
        rows = [
            np.full(self.lanes, 7),
            outlier,
            np.full(self.lanes, low),
            _scores(rng, self.max_row // self.lanes * self.lanes, self.bits),
            *[_scores(rng, self.lanes, self.bits) for _ in range(3)],
        ]
        dense = self._beats(rows, [-4, -64, 64, -12, 5, 4, 0], rng)
        return concatenated([dense, with_bubbles(dense, rng, 1.0)])

    def random(self, rng, vectors):
        return _segments(rng, vectors, self._rows)


class LayernormStimulus:
    def __init__(self, parameters):
        self.lanes, self.d, self.eps = parameters["LANES"], parameters["D"], parameters["EPS"]

    def _beats(self, rows, e, weight, bias, rng):
        return layernorm_beats(rows, e, weight, bias, self.lanes, self.eps, rng=rng)

    def _rows(self, rng, count):
        rows = np.stack([_scores(rng, self.d, LAYERNORM_BITS) for _ in range(count)])
        weight, bias = rng.normal(1, 0.5, self.d), rng.normal(0, 0.5, self.d)
        return self._beats(rows, rng.choice(EXPONENTS, size=count), weight, bias, rng)

    def directed(self, rng, vectors):
        """Equal values, an outlier at the extremes with the widest gamma and beta, all
        minimums; back to back, then stalled."""
        low = -(1 << (LAYERNORM_BITS - 1))
        outlier = np.full(self.d, low)
        outlier[-1] = -low - 1
        rows = np.stack([np.full(self.d, 5), outlier, np.full(self.d, low)])
        top = (1 << 20) - 1
        weight, bias = exact_parameters(np.full(self.d, top), np.full(self.d, -top))
        dense = self._beats(rows, [-8, -64, 64], weight, bias, rng)
        return concatenated([dense, with_bubbles(dense, rng, 1.0)])

    def random(self, rng, vectors):
        return _segments(rng, vectors, self._rows)


STIMULI = {
    "int_gelu": GeluStimulus,
    "int_softmax": SoftmaxStimulus,
    "int_layernorm": LayernormStimulus,
}
