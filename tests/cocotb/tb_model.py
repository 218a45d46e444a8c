"""Transaction-level reference models of the units, over the golden model (no cocotb here).

A transaction is what the input monitor collects from the unit's pins up to a result boundary
(a valid ``in_last`` beat of a MAC, every valid beat of the encoder): ``{port: array}`` with one
row per valid beat, ``(beats, lanes)`` for vector ports and ``(beats,)`` for scalars. A model
turns it into a :class:`Prediction`: the result the unit must show with ``out_valid`` (a tuple of
ints in output-port order) and the features functional coverage samples.

The results come from :mod:`sim.sdr` and :mod:`sim.golden`, never from the cycle model.
"""

from dataclasses import dataclass, field

import numpy as np

from sim.golden import int_matmul, wrap_signed
from sim.golden.formats import SdrConfig
from sim.sdr import SdrTensor, encode, sdr_matmul

__all__ = [
    "Features",
    "Prediction",
    "SdrDotModel",
    "IntDotModel",
    "EncoderModel",
    "SdrEngineModel",
    "IntEngineModel",
    "MODELS",
    "rounding_overflows",
]


@dataclass
class Features:
    """What coverage samples of one transaction (unused fields stay empty)."""

    a_flags: set = field(default_factory=set)
    w_flags: set = field(default_factory=set)
    sign_pairs: set = field(default_factory=set)
    wrapped: bool = False
    flag: int = 0
    rounding_overflow: bool = False
    most_negative: bool = False
    all_zero: bool = False


@dataclass(frozen=True)
class Prediction:
    """The result a transaction must produce, and its coverage features."""

    result: tuple
    features: Features


def _sign_pairs(a_negative, w_negative):
    a, w = np.asarray(a_negative, int).tolist(), np.asarray(w_negative, int).tolist()
    return set(zip(a, w, strict=True))


def _dot(exact, acc_bits):
    """``(wrapped result, whether the accumulator wrapped)``."""
    wrapped = int(wrap_signed(np.int64(exact), acc_bits))
    return wrapped, wrapped != exact


class SdrDotModel:
    """``sdr_mac`` and ``decompress_mac``: ``sum(x^a * x^w)`` of the codes (SPEC section 3)."""

    def __init__(self, parameters):
        p = parameters
        self.a_config = SdrConfig(p["A_BITS"], p["MAG_BITS"], p["GROUP"])
        self.w_config = SdrConfig(p["W_BITS"], p["MAG_BITS"], p["GROUP"])
        self.beats_per_group = p["GROUP"] // p["LANES"]
        self.acc_bits = p["ACC_BITS"]

    def _tensor(self, codes, flags, config):
        return SdrTensor.from_code(
            codes.reshape(1, -1), flags[:: self.beats_per_group][None], config
        )

    def predict(self, txn):
        ta = self._tensor(txn["a_code"], txn["a_flag"], self.a_config)
        tw = self._tensor(txn["w_code"], txn["w_flag"], self.w_config)
        result, wrapped = _dot(int(sdr_matmul(ta, tw)[0, 0]), self.acc_bits)
        features = Features(
            a_flags=set(ta.flag[0].tolist()),
            w_flags=set(tw.flag[0].tolist()),
            sign_pairs=_sign_pairs(ta.sign[0], tw.sign[0]),
            wrapped=wrapped,
        )
        return Prediction((result,), features)


class IntDotModel:
    """``int8_mac`` / ``int4_mac``: the two's-complement dot product, wrapped to ACC_BITS."""

    def __init__(self, parameters):
        self.acc_bits = parameters["ACC_BITS"]

    def predict(self, txn):
        a, w = txn["a"].reshape(1, -1), txn["w"].reshape(1, -1)
        result, wrapped = _dot(int(int_matmul(a, w, acc_bits=None)[0, 0]), self.acc_bits)
        features = Features(sign_pairs=_sign_pairs(a[0] < 0, w[0] < 0), wrapped=wrapped)
        return Prediction((result,), features)


def rounding_overflows(x, config):
    """True where rounding to nearest would carry a group's magnitude past ``2**M - 1``."""
    m = np.minimum(np.abs(np.asarray(x, np.int64)), config.base_max)
    lead = int(np.bitwise_or.reduce(m, axis=-1)).bit_length()
    flag = max(0, lead - config.mag_bits)
    return flag > 0 and bool(np.any((m + (1 << (flag - 1))) >> flag > config.mag_max))


class EncoderModel:
    """``sdr_encoder``: one group in, its ``(codes..., flag)`` out (SPEC section 2)."""

    def __init__(self, parameters):
        p = parameters
        self.config = SdrConfig(p["BASE_BITS"], p["MAG_BITS"], p["GROUP"], p["ROUNDING"])

    def predict(self, txn):
        x = txn["x"].reshape(1, -1)
        t = encode(x, self.config)
        flag = int(t.flag[0, 0])
        features = Features(
            flag=flag,
            rounding_overflow=self.config.rounding == "nearest"
            and rounding_overflows(x[0], self.config),
            most_negative=bool(np.any(x == -(1 << (self.config.base_bits - 1)))),
            all_zero=not x.any(),
        )
        return Prediction((*t.code[0].tolist(), flag), features)


def _columns(per_beat, cols):
    """``(COLS, K)`` rows of each column from ``(beats, COLS * lanes)`` per-beat values."""
    beats = len(per_beat)
    return per_beat.reshape(beats, cols, -1).transpose(1, 0, 2).reshape(cols, -1)


class SdrEngineModel:
    """``sdr_engine``: one row of SDR activation codes (the group's flag held over its beats)
    against every column's SDR weights: COLS dot products."""

    def __init__(self, parameters):
        p = parameters
        self.cols, self.acc_bits = p["COLS"], p["ACC_BITS"]
        self.per_group = p["GROUP"] // p["LANES"]
        self.a_config = SdrConfig(p["A_BITS"], p["MAG_BITS"], p["GROUP"])
        self.w_config = SdrConfig(p["W_BITS"], p["MAG_BITS"], p["GROUP"])

    def predict(self, txn):
        ta = SdrTensor.from_code(
            txn["a_code"].reshape(1, -1), txn["a_flag"][:: self.per_group][None], self.a_config
        )
        flags = txn["w_flag"][:: self.per_group].T
        tw = SdrTensor.from_code(_columns(txn["w_code"], self.cols), flags, self.w_config)
        results = [_dot(int(v), self.acc_bits) for v in sdr_matmul(ta, tw)[0]]
        features = Features(
            a_flags=set(ta.flag[0].tolist()),
            w_flags=set(tw.flag.reshape(-1).tolist()),
            sign_pairs=set().union(*(_sign_pairs(ta.sign[0], row) for row in tw.sign)),
            wrapped=any(wrapped for _, wrapped in results),
        )
        return Prediction(tuple(value for value, _ in results), features)


class IntEngineModel:
    """``int8_engine`` / ``int4_engine``: one integer activation row against every column's
    integer weights."""

    def __init__(self, parameters):
        self.cols, self.acc_bits = parameters["COLS"], parameters["ACC_BITS"]

    def predict(self, txn):
        a, w = txn["a"].reshape(1, -1), _columns(txn["w"], self.cols)
        results = [_dot(int(v), self.acc_bits) for v in int_matmul(a, w, acc_bits=None)[0]]
        features = Features(
            sign_pairs=set().union(*(_sign_pairs(a[0] < 0, row < 0) for row in w)),
            wrapped=any(wrapped for _, wrapped in results),
        )
        return Prediction(tuple(value for value, _ in results), features)


#: Reference model of each unit, by Verilog module name.
MODELS = {
    "sdr_mac": SdrDotModel,
    "decompress_mac": SdrDotModel,
    "int8_mac": IntDotModel,
    "int4_mac": IntDotModel,
    "sdr_encoder": EncoderModel,
    "sdr_engine": SdrEngineModel,
    "int8_engine": IntEngineModel,
    "int4_engine": IntEngineModel,
}
