"""Run a unit's Amaranth description on a per-cycle stream in the Amaranth simulator."""

import contextlib
import os

import numpy as np
from amaranth import Cat, ClockDomain, Module
from amaranth.hdl import Shape
from amaranth.lib import data
from amaranth.lib.wiring import In
from amaranth.sim import Simulator

from .ports import pack_lanes, stream_cycles, unpack_lanes

__all__ = ["simulate", "port_layout"]

#: Cycles between two progress reports.
PROGRESS_EVERY = 256
#: Simulated clock period (seconds); only the VCD time axis depends on it.
CLOCK_PERIOD = 1e-8


def port_layout(unit):
    """``{port: (direction, lane_width, lane_count, signed)}`` from the unit's signature."""
    layout = {}
    for name, member in unit.signature.members.items():
        direction = "input" if member.flow == In else "output"
        shape = member.shape
        if isinstance(shape, data.ArrayLayout):
            element = Shape.cast(shape.elem_shape)
            layout[name] = (direction, element.width, shape.length, element.signed)
        else:
            shape = Shape.cast(shape)
            layout[name] = (direction, shape.width, None, shape.signed)
    return layout


def _port_values(values, width, count):
    """Per-cycle Python ints for one input port."""
    if count is None:
        return [int(v) & ((1 << width) - 1) for v in np.asarray(values).tolist()]
    return pack_lanes(values, width)


def simulate(unit, stream, vcd_path=None, progress=None):
    """Drive ``stream`` (see :mod:`sim.ports`) into ``unit``; return its per-cycle outputs.

    Cycle ``c`` of the result holds the outputs during cycle ``c``, when the inputs of row ``c``
    are applied (they are sampled by the edge that ends it). Vector outputs come back as
    ``(cycles, lanes)`` arrays, scalars as ``(cycles,)``. ``progress(cycles_done)`` is called now
    and then if given.
    """
    cycles = stream_cycles(stream)
    layout = port_layout(unit)
    m = Module()
    m.domains.sync = domain = ClockDomain()
    m.submodules.unit = unit
    # All inputs (reset included) are set as one Cat, and all outputs read as one: the simulator
    # settles the design once per ctx.set, so this is several times faster than one set per port.
    input_names = [name for name, spec in layout.items() if spec[0] == "input"]
    output_names = [name for name, spec in layout.items() if spec[0] == "output"]
    fields = [(domain.rst, [int(v) for v in stream.get("rst", np.zeros(cycles, np.int64))], 1)]
    for name in input_names:
        _, width, count, _ = layout[name]
        fields.append(
            (
                getattr(unit, name).as_value() if count else getattr(unit, name),
                _port_values(stream[name], width, count),
                width * (count or 1),
            )
        )
    driven = Cat(*(target for target, _, _ in fields))
    words = [0] * cycles
    offset = 0
    for _, values, width in fields:
        for cycle, value in enumerate(values):
            words[cycle] |= value << offset
        offset += width
    observed = Cat(
        *(
            getattr(unit, name).as_value() if layout[name][2] else getattr(unit, name)
            for name in output_names
        )
    )
    samples = []

    async def testbench(ctx):
        for cycle, word in enumerate(words):
            ctx.set(driven, word)
            samples.append(ctx.get(observed))
            await ctx.tick()
            if progress is not None and cycle % PROGRESS_EVERY == 0:
                progress(cycle)

    simulator = Simulator(m)
    simulator.add_clock(CLOCK_PERIOD)
    simulator.add_testbench(testbench)
    if vcd_path is None:
        simulator.run()
    else:
        partial = f"{vcd_path}.partial"
        try:
            with simulator.write_vcd(partial):
                simulator.run()
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.remove(partial)
            raise
        os.replace(partial, vcd_path)
    result, offset = {}, 0
    for name in output_names:
        _, width, count, signed = layout[name]
        total = width * (count or 1)
        values = [(sample >> offset) & ((1 << total) - 1) for sample in samples]
        offset += total
        lanes = unpack_lanes(values, width, count or 1, signed)
        result[name] = lanes[:, 0] if count is None else lanes
    return result
