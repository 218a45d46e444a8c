"""Random operands for the units and the streams that feed them, with their golden results.

Shared by the tests, the regression script and the benches: each ``*_case`` returns a
:class:`sim.streams.MacBeats` (per-cycle stream + expected results, in order).
"""

import numpy as np

from sim.golden.integer import int_matmul
from sim.golden.sdr import SdrConfig, encode, sdr_matmul
from sim.verify.streams import (
    encoder_beats,
    int_engine_beats,
    int_mac_beats,
    sdr_engine_beats,
    sdr_mac_beats,
)

__all__ = [
    "random_shifted",
    "random_sdr_operands",
    "sdr_case",
    "int_case",
    "encoder_case",
    "random_groups",
    "sdr_engine_case",
    "int_engine_case",
]


def random_shifted(rng, shape, bits, zeros=0.0):
    """Random ``bits``-bit two's-complement integers of ``shape``, each run along the last axis
    shifted right by its own random 0 .. ``bits - 1`` (so that every magnitude range, and every
    SDR flag value, occurs); then a ``zeros`` fraction of them set to 0 (no draw when 0)."""
    top = 1 << (bits - 1)
    values = rng.integers(-top, top, size=shape)
    values >>= rng.integers(0, bits, size=(*shape[:-1], 1))
    if zeros:
        values[rng.random(shape) < zeros] = 0
    return values


def random_sdr_operands(rng, rows, k, cfg):
    """Integers spread over every flag value (random right shifts), razored with ``cfg``."""
    return encode(random_shifted(rng, (rows, k), cfg.base_bits, zeros=0.1), cfg)


def sdr_case(unit, rng, m, n, groups):
    """Random SDR operands shaped for ``unit`` (``sdr_mac``, ``decompress_mac``) and the stream
    that multiplies them."""
    params = unit.parameters
    k = params["GROUP"] * groups
    a_cfg = SdrConfig(params["A_BITS"], params["MAG_BITS"], params["GROUP"])
    w_cfg = SdrConfig(params["W_BITS"], params["MAG_BITS"], params["GROUP"])
    ta = random_sdr_operands(rng, m, k, a_cfg)
    tw = random_sdr_operands(rng, n, k, w_cfg)
    expected = sdr_matmul(ta, tw, acc_bits=params["ACC_BITS"])
    return sdr_mac_beats(ta, tw, params["LANES"], expected)


def int_case(unit, rng, m, n, beats):
    """Random two's-complement operands for ``int8_mac`` / ``int4_mac`` (``beats`` beats per dot
    product) and their stream."""
    top = 8 if unit.MODULE_NAME == "int4_mac" else 128
    k = unit.parameters["LANES"] * beats
    a, w = rng.integers(-top, top, size=(m, k)), rng.integers(-top, top, size=(n, k))
    expected = int_matmul(a, w, unit.parameters["ACC_BITS"])
    return int_mac_beats(a, w, unit.parameters["LANES"], expected)


def random_groups(rng, count, group, base_bits):
    """``(count, group)`` integers of the base, each group scaled by a random right shift (so
    every flag value occurs), with exact zeros and ``-2**(B-1)`` mixed in."""
    x = random_shifted(rng, (count, group), base_bits, zeros=0.05)
    x[rng.random(x.shape) < 0.002] = -(1 << (base_bits - 1))
    return x


def encoder_case(unit, x):
    """Stream of groups ``x`` for an ``sdr_encoder`` and the codes the golden model gives."""
    p = unit.parameters
    golden = encode(
        np.asarray(x), SdrConfig(p["BASE_BITS"], p["MAG_BITS"], p["GROUP"], p["ROUNDING"])
    )
    return encoder_beats(x, golden.code, golden.flag)


def sdr_engine_case(unit, rng, m, groups):
    """SDR activation codes ``[m, K]`` (INT activations over every flag value, -2**(B-1) and
    zeros, razored by the golden encoder as the producer side does) and random SDR weights of
    every column of an ``sdr_engine``; the results through ``sdr_matmul``."""
    p = unit.parameters
    k = p["GROUP"] * groups
    x = random_groups(rng, m * groups, p["GROUP"], p["A_BITS"]).reshape(m, k)
    ta = encode(x, SdrConfig(p["A_BITS"], p["MAG_BITS"], p["GROUP"]))
    tw = random_sdr_operands(rng, p["COLS"], k, SdrConfig(p["W_BITS"], p["MAG_BITS"], p["GROUP"]))
    return sdr_engine_beats(ta, tw, p["LANES"], sdr_matmul(ta, tw, acc_bits=p["ACC_BITS"]))


def int_engine_case(unit, rng, m, beats):
    """Random rows ``[m, LANES * beats]`` of the engine's integers (INT8 for ``int8_engine``,
    INT4 for ``int4_engine``) against every column's."""
    p = unit.parameters
    top = 8 if unit.MODULE_NAME == "int4_engine" else 128
    k = p["LANES"] * beats
    a, w = rng.integers(-top, top, (m, k)), rng.integers(-top, top, (p["COLS"], k))
    return int_engine_beats(a, w, p["LANES"], int_matmul(a, w, p["ACC_BITS"]))
