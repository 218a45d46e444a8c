"""Shared checks for the RTL tests: run a stream on a backend, compare with the golden model.

:func:`sim.checker.check_stream` verifies the values, their order, and that each result appears
exactly ``LATENCY`` cycles after the beat that completes it. Failures name the seed, the first
failing result and its cycle.
"""

import numpy as np

from sim.checker import check_stream
from sim.rtl_amaranth import simulate
from sim.sdr import SdrConfig, encode, sdr_matmul
from sim.streams import drained, encoder_beats, sdr_mac_beats

__all__ = ["check_outputs", "run_checked", "random_sdr_operands", "sdr_case", "encoder_case"]


def check_outputs(outputs, stream, expected, latency, is_mac, seed):
    """Assert that ``outputs`` carry ``expected`` on exactly the right cycles."""
    check = check_stream(outputs, stream, expected, latency, is_mac)
    assert check.passed, f"seed {seed}: {check.mismatches} mismatches; first: {check.first}"


def run_checked(unit, beats, seed, backend=simulate, is_mac=True):
    """Drain ``beats`` through ``unit`` on ``backend`` and check every result and its timing."""
    beats = drained(beats, unit.LATENCY)
    outputs = backend(unit, beats.stream)
    check_outputs(outputs, beats.stream, beats.expected, unit.LATENCY, is_mac, seed)
    return outputs


def random_sdr_operands(rng, rows, k, cfg):
    """Integers spread over every flag value (random right shifts), razored with ``cfg``."""
    top = 2 ** (cfg.base_bits - 1)
    values = rng.integers(-top, top, size=(rows, k))
    values >>= rng.integers(0, cfg.base_bits, size=(rows, 1))
    values[rng.random((rows, k)) < 0.1] = 0
    return encode(values, cfg)


def sdr_case(unit, rng, m, n, groups):
    """Random SDR operands shaped for ``unit`` and the stream that multiplies them."""
    params = unit.parameters
    k = params["GROUP"] * groups
    a_cfg = SdrConfig(params["A_BITS"], params["MAG_BITS"], params["GROUP"])
    w_cfg = SdrConfig(params["W_BITS"], params["MAG_BITS"], params["GROUP"])
    ta = random_sdr_operands(rng, m, k, a_cfg)
    tw = random_sdr_operands(rng, n, k, w_cfg)
    expected = sdr_matmul(ta, tw, acc_bits=params["ACC_BITS"])
    return sdr_mac_beats(ta, tw, params["LANES"], expected)


def encoder_case(unit, x):
    """Stream of groups ``x`` for an ``sdr_encoder`` and the codes the golden model gives."""
    p = unit.parameters
    golden = encode(
        np.asarray(x), SdrConfig(p["BASE_BITS"], p["MAG_BITS"], p["GROUP"], p["ROUNDING"])
    )
    return encoder_beats(x, golden.code, golden.flag)
