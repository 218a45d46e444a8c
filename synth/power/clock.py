"""Power of a unit's clock network: flip-flop clock pins, the clock nets, a clock-tree estimate.

The mapped netlist has an ideal clock: one net from the ``clk`` port to every flip-flop. A real
unit drives its flip-flops through a buffer tree, which this module estimates:

* fan-out: each buffer drives at most ``fanout`` loads (flip-flop clock pins at the leaves,
  buffer inputs above), so level 1 has ``ceil(N / fanout)`` buffers, level 2
  ``ceil(level1 / fanout)`` and so on up to one root buffer, which the ``clk`` port drives;
* wire: an H-tree reaching N sinks spread over a square of area ``A`` has a total length of
  about ``1.5 * sqrt(N * A)`` (each of its levels adds ``1.5 * side * 2**level``; summed, that is
  ``1.5 * side * sqrt(N)``), ``A`` being the unit's cell area over the placement utilization;
  its capacitance is ``wire_capacitance_per_um`` times that length, shared by the leaf nets;
* buffer: the smallest non-inverting buffer of the library whose output transition at the leaf
  load is at most ``slew_target``;
* every clock net makes one rise and one fall per cycle: ``C V**2`` per cycle for its pin and wire
  capacitance; every buffer its ``rise_power + fall_power`` per cycle at its load and input slew,
  plus its leakage.

Flip-flop clock-pin internal energy comes from the gate-level power model (the clock pins'
``internal_power`` tables, one rise and one fall per cycle). Every constant is in
:data:`CLOCK_TREE_CONSTANTS` with its source.
"""

import math
from dataclasses import dataclass

__all__ = ["CLOCK_TREE_CONSTANTS", "ClockTree", "clock_tree"]

#: ``name: (value, unit, source)`` of every constant of the estimate.
CLOCK_TREE_CONSTANTS = {
    "fanout": (
        8,
        "loads per buffer",
        "IHP SG13G2 Liberty default_max_fanout (8); the OSU 0.18 um Liberty states none, the "
        "same 8 is used",
    ),
    "wire_capacitance_per_um": (
        0.2e-15,
        "F/um",
        "Weste & Harris, CMOS VLSI Design, 4th ed. (2011), Sec. 6.2.2: about 0.2 fF/um for "
        "minimum-pitch wires across a broad range of processes",
    ),
    "placement_utilization": (
        0.7,
        "cell area / placed area",
        "a typical standard-cell placement density (assumption)",
    ),
    "h_tree_length_factor": (
        1.5,
        "x sqrt(N A)",
        "H-tree geometry (derived in synth/power/clock.py; cf. Bakoglu, Circuits, Interconnections "
        "and Packaging for VLSI, 1990, ch. 8)",
    ),
    "slew_target": (0.3e-9, "s", "clock transition target at the leaves (assumption)"),
}


def _constant(name):
    return CLOCK_TREE_CONSTANTS[name][0]


@dataclass(frozen=True)
class ClockTree:
    """The estimated tree and its power (W) by part.

    ``net_switching`` covers every clock net (flip-flop clock pins, buffer inputs, wire; the
    ``clk`` port's net to the root buffer included); ``buffer_internal`` and ``buffer_leakage``
    the buffers' own power. ``levels`` lists the buffer count per level, leaves first.
    """

    sinks: int
    buffer: str
    levels: tuple
    wire_length_um: float
    wire_capacitance: float
    net_switching: float
    buffer_internal: float
    buffer_leakage: float

    @property
    def total(self):
        return self.net_switching + self.buffer_internal + self.buffer_leakage

    def as_record(self):
        return {
            "sinks": self.sinks,
            "buffer_cell": self.buffer,
            "buffers_per_level": list(self.levels),
            "wire_length_um": self.wire_length_um,
            "wire_capacitance_F": self.wire_capacitance,
        }


def _buffers(library):
    """Non-inverting one-input cells (``function`` is their input), smallest area first."""
    found = []
    for cell in library.cells.values():
        inputs, outputs = cell.inputs(), cell.outputs()
        if cell.is_sequential or len(inputs) != 1 or len(outputs) != 1:
            continue
        pin = outputs[0]
        if (pin.function or "").strip() == inputs[0].name and pin.transitions and pin.power:
            found.append(cell)
    return sorted(found, key=lambda cell: (cell.area, cell.name))


def _transition(pin, load, slew):
    values = [table.at(load, slew) for _, rise, fall in pin.transitions for table in (rise, fall)]
    return sum(values) / len(values)


def _choose_buffer(library, load, slew, target):
    buffers = _buffers(library)
    if not buffers:
        raise ValueError(f"{library.path}: the library has no non-inverting buffer cell")
    for cell in buffers:
        if _transition(cell.outputs()[0], load, slew) <= target:
            return cell
    return min(buffers, key=lambda cell: _transition(cell.outputs()[0], load, slew))


def _buffer_energy(library, cell, load, slew):
    """Internal energy (J) of one rise and one fall of ``cell``'s output."""
    energy = 0.0
    for arc in cell.outputs()[0].power:
        for table in (arc.rise, arc.fall):
            if table is not None:
                energy += table.at(load, slew) / len(cell.outputs()[0].power)
    return energy * library.energy_scale


def clock_tree(library, clock_pin_capacitance, sinks, cell_area_um2, conditions):
    """:class:`ClockTree` for ``sinks`` flip-flops whose clock pins load ``clock_pin_capacitance``
    (library units, summed) in a unit of ``cell_area_um2``, at ``conditions``."""
    _, clock_slew, _ = conditions.in_library_units(library)
    frequency = 1 / conditions.clock_period
    volts2 = library.voltage**2
    if sinks == 0:
        return ClockTree(0, "", (), 0.0, 0.0, 0.0, 0.0, 0.0)
    fanout = _constant("fanout")
    placed = cell_area_um2 / _constant("placement_utilization")
    length = _constant("h_tree_length_factor") * math.sqrt(sinks * placed)
    wire = _constant("wire_capacitance_per_um") * length / library.capacitance_scale
    levels = [math.ceil(sinks / fanout)]
    while levels[-1] > 1:
        levels.append(math.ceil(levels[-1] / fanout))
    leaf_load = (clock_pin_capacitance + wire) / levels[0]
    target = _constant("slew_target") / library.time_scale
    cell = _choose_buffer(library, leaf_load, clock_slew, target)
    buffer_input = cell.inputs()[0].capacitance
    capacitance, buffer_energy, leakage = clock_pin_capacitance + wire, 0.0, 0.0
    # A level's buffers share the inputs of the level below them.
    loads = [leaf_load] + [
        below * buffer_input / count for below, count in zip(levels[:-1], levels[1:], strict=True)
    ]
    for count, load in zip(levels, loads, strict=True):
        buffer_energy += count * _buffer_energy(library, cell, load, clock_slew)
        leakage += count * cell.leakage * library.leakage_scale
        capacitance += count * buffer_input  # each buffer's input pin: the net above it
    return ClockTree(
        sinks,
        cell.name,
        tuple(levels),
        length,
        wire * library.capacitance_scale,
        capacitance * library.capacitance_scale * volts2 * frequency,
        buffer_energy * frequency,
        leakage,
    )
