"""Shared checks for the RTL tests: run a stream through a backend and compare with the golden model.

Every check verifies the values, their order, and that each result appears exactly ``LATENCY``
cycles after the beat that completes it (``in_last`` for a MAC, every beat for the encoder).
Failures name the seed, the first failing result and its cycle.
"""

import numpy as np

from sim.rtl_amaranth import simulate
from sim.sdr import SdrConfig, encode, sdr_matmul
from sim.streams import drained, encoder_beats, sdr_mac_beats

__all__ = ["completion_cycles", "check_outputs", "run_checked", "random_sdr_operands",
           "sdr_case", "encoder_case"]


def completion_cycles(stream, is_mac):
    """Cycles of the beats that complete a result: valid ``in_last`` beats (MAC) or valid beats."""
    done = stream["in_valid"].astype(bool)
    if is_mac:
        done &= stream["in_last"].astype(bool)
    return np.flatnonzero(done)


def surviving(stream, is_mac, latency):
    """Indices (in completion order) of results no reset wipes out, and their output cycles.

    Resets sit on idle cycles. A reset during cycle ``c`` clears every register at the edge
    ending ``c``: it loses each result in flight, whose output would appear after ``c``.
    """
    ends = completion_cycles(stream, is_mac)
    resets = np.flatnonzero(stream.get("rst", np.zeros(len(ends), int)))
    assert not stream["in_valid"][resets].any(), "the harness expects resets on idle cycles"
    lost = [np.any((resets >= end) & (resets < end + latency)) for end in ends]
    keep = np.flatnonzero(~np.array(lost, dtype=bool))
    return keep, ends[keep] + latency


def check_outputs(outputs, value, stream, expected, latency, is_mac, seed):
    """Assert that ``outputs`` (per-cycle dict) carry ``expected`` at the right cycles."""
    valid_cycles = np.flatnonzero(outputs["out_valid"])
    keep, due = surviving(stream, is_mac, latency)
    got = value(outputs)[valid_cycles]
    want = np.asarray(expected)[keep]
    assert len(got) == len(want), (
        f"seed {seed}: {len(got)} results, expected {len(want)} (out_valid cycles "
        f"{valid_cycles[:8].tolist()}..., due {due[:8].tolist()}...)")
    mismatch = np.flatnonzero(np.any((got != want).reshape(len(got), -1), axis=1))
    if len(mismatch):
        i = mismatch[0]
        raise AssertionError(f"seed {seed}: result {keep[i]} at cycle {valid_cycles[i]} is "
                             f"{got[i].tolist()}, golden model says {want[i].tolist()}")
    assert np.array_equal(valid_cycles, due), (
        f"seed {seed}: results at cycles {valid_cycles[:8].tolist()}..., expected LATENCY="
        f"{latency} after their last beat: {due[:8].tolist()}...")


def mac_value(outputs):
    return outputs["out"]


def encoder_value(outputs):
    return np.concatenate([outputs["code"], outputs["flag"][:, None]], axis=1)


def run_checked(unit, beats, seed, backend=simulate, is_mac=True):
    """Drain ``beats`` through ``unit`` on ``backend`` and check every result and its timing."""
    beats = drained(beats, unit.LATENCY)
    outputs = backend(unit, beats.stream)
    check_outputs(outputs, mac_value if is_mac else encoder_value, beats.stream, beats.expected,
                  unit.LATENCY, is_mac, seed)
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
    golden = encode(np.asarray(x), SdrConfig(p["BASE_BITS"], p["MAG_BITS"], p["GROUP"],
                                             p["ROUNDING"]))
    return encoder_beats(x, golden.code, golden.flag)
