"""Shared checks for the RTL tests: run a stream on a backend, compare with the golden model.

:func:`sim.checker.check_stream` verifies the values, their order, and that each result appears
exactly ``LATENCY`` cycles after the beat that completes it. Failures name the seed, the first
failing result and its cycle.
"""

from sim.verify.checker import check_stream
from sim.verify.rtl_amaranth import simulate
from sim.verify.streams import drained

__all__ = ["check_outputs", "run_checked"]


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
