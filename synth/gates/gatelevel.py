"""A unit's stimulus through its mapped netlist (:mod:`synth.gates.logicsim`), checked bit-exactly.

Port values become bit planes (lane ``i`` of a vector port at bits ``[i*W +: W]``, SPEC section
5) for all streams at once; the outputs come back as lane values and every stream is checked
against the golden model's results with :func:`sim.checker.check_stream` (value, order, cycle).
The measured activity gets the clock added: one rise and one fall per cycle, duty 0.5.
"""

from dataclasses import replace

import numpy as np

from hw.interface import port_layout
from sim.verify.checker import check_stream

from .gatesim import CLOCK_PORT, GateSimError
from .logicsim import simulate

__all__ = ["run_gate_level", "with_clock"]


def _bits(values, width, lanes):
    """``(cycles, streams, lanes * width)`` bits of ``(streams, cycles[, lanes])`` values."""
    values = np.asarray(values, np.int64).reshape(values.shape[0], values.shape[1], lanes or 1)
    bits = (values[..., None] >> np.arange(width)) & 1
    return np.swapaxes(bits.reshape(bits.shape[0], bits.shape[1], -1), 0, 1).astype(np.uint8)


def _values(bits, width, lanes, signed):
    """``(streams, cycles[, lanes])`` int64 lane values of ``(cycles, streams, bits)``."""
    cycles, streams, _ = bits.shape
    lanes_bits = bits.reshape(cycles, streams, lanes or 1, width).astype(np.int64)
    values = (lanes_bits << np.arange(width)).sum(axis=-1)
    if signed:
        values -= lanes_bits[..., -1] << width
    values = np.swapaxes(values, 0, 1)
    return values[..., 0] if lanes is None else values


def with_clock(activity, netlist):
    """``activity`` with the clock net toggling twice per cycle (duty 0.5)."""
    bits = [b for b in netlist.ports.get(CLOCK_PORT, ("input", []))[1] if b is not None]
    clock = dict.fromkeys(bits, activity.cycles)
    return replace(
        activity,
        rises={**activity.rises, **clock},
        falls={**activity.falls, **clock},
        duty={**activity.duty, **dict.fromkeys(bits, 0.5)},
    )


def run_gate_level(unit, netlist, program, stimulus, is_mac):
    """Run ``stimulus`` (:class:`synth.stimulus.Stimulus`) through ``program`` (compiled from
    ``netlist``); return the activity (clock included). Raises :class:`GateSimError` on any
    result that differs from the golden model's, naming the stream. ``is_mac`` is what
    :func:`sim.checker.check_stream` takes, or a function ``(outputs, stream, expected) ->
    Check`` for a unit that checks itself."""
    layout = port_layout(unit)
    stacked = stimulus.stacked()
    inputs = {"rst": _bits(stacked["rst"], 1, None)}
    for name, (direction, width, lanes, _) in layout.items():
        if direction == "input":
            inputs[name] = _bits(stacked[name], width, lanes)
    run = simulate(program, inputs, stimulus.window)
    outputs = {
        name: _values(run.outputs[name], width, lanes, signed)
        for name, (direction, width, lanes, signed) in layout.items()
        if direction == "output"
    }
    for index, beats in enumerate(stimulus.beats):
        ours = {name: values[index] for name, values in outputs.items()}
        if callable(is_mac):  # a unit with its own checker (row_compactor's handshake)
            check = is_mac(ours, beats.stream, beats.expected)
        else:
            check = check_stream(ours, beats.stream, beats.expected, unit.LATENCY, is_mac)
        if not check.passed:
            raise GateSimError(
                f"stream {index}: {check.mismatches} of {check.results} results differ from "
                f"the golden model; first: {check.first}"
            )
    return with_clock(run.activity, netlist)
