"""Run a unit's Amaranth description on a per-cycle stream in the Amaranth simulator."""

import contextlib
import os

from amaranth import Cat, ClockDomain, Module, Value
from amaranth.sim import Simulator

from hw.interface import port_layout
from sim.verify.ports import pack_fields, unpack_lanes

__all__ = ["simulate"]

#: Cycles between two progress reports.
PROGRESS_EVERY = 256
#: Simulated clock period (seconds); only the VCD time axis depends on it.
CLOCK_PERIOD = 1e-8


def simulate(unit, stream, vcd_path=None, progress=None):
    """Drive ``stream`` (see :mod:`sim.ports`) into ``unit``; return its per-cycle outputs.

    Cycle ``c`` of the result holds the outputs during cycle ``c``, when the inputs of row ``c``
    are applied (they are sampled by the edge that ends it). Vector outputs come back as
    ``(cycles, lanes)`` arrays, scalars as ``(cycles,)``. ``progress(cycles_done)`` is called now
    and then if given.
    """
    layout = port_layout(unit)
    m = Module()
    m.domains.sync = domain = ClockDomain()
    m.submodules.unit = unit
    # All inputs (reset included) are set as one Cat, and all outputs read as one: the simulator
    # settles the design once per ctx.set, so this is several times faster than one set per port.
    inputs = [("rst", 1, None)] + [
        (name, spec[1], spec[2]) for name, spec in layout.items() if spec[0] == "input"
    ]
    outputs = [name for name, spec in layout.items() if spec[0] == "output"]
    words, _ = pack_fields(stream, inputs)
    ports = {name: getattr(unit, name) for name in layout}
    ports["rst"] = domain.rst
    driven = Cat(*(Value.cast(ports[name]) for name, _, _ in inputs))
    observed = Cat(*(Value.cast(ports[name]) for name in outputs))
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
    for name in outputs:
        _, width, count, signed = layout[name]
        total = width * (count or 1)
        values = [(sample >> offset) & ((1 << total) - 1) for sample in samples]
        offset += total
        lanes = unpack_lanes(values, width, count or 1, signed)
        result[name] = lanes[:, 0] if count is None else lanes
    return result
