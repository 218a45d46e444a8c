"""Average power of a mapped netlist from measured per-net activity and the Liberty tables.

For every cell instance, over the simulated window:

* internal energy of each output pin: its rises times the ``rise_power`` table and its falls times
  the ``fall_power`` table, at the net's load and the input transition, averaged over the arcs
  (``related_pin``) weighted by how often each related input toggled;
* internal energy of input pins that carry their own tables (a flip-flop's clock and data pins):
  rises and falls of the input net times its ``rise_power``/``fall_power``;
* switching energy of each driven net: ``C V^2 / 2`` per transition, ``C`` the sum of the input
  capacitances it drives (plus the stated load on top-level outputs; no wire load);
* leakage: ``cell_leakage_power``.

Transitions (slews) are one level deep: a net's slew is its driver's ``rise_transition``/
``fall_transition`` at the net's load with the stated input transition at the driver's inputs;
top-level inputs and the clock have the stated input transition. The clock is ideal (no tree).
Nets driven from outside the unit (its inputs and clock) have no driving cell here; their
``C V^2 / 2`` energy is reported apart, as OpenSTA does not count it either.
"""

from collections import defaultdict
from dataclasses import dataclass

__all__ = ["Conditions", "PowerResult", "COMPONENTS", "estimate_power"]

#: Power components of a result, in report order.
COMPONENTS = ("internal", "switching", "leakage")


@dataclass(frozen=True)
class Conditions:
    """Operating point, in SI units: clock period (s), input transition (s), output load (F).

    OpenSTA gets the same figures.
    """

    clock_period: float
    input_transition: float
    output_load: float

    def in_library_units(self, library):
        """``(period, input transition, output load)`` in the library's time/capacitance units."""
        return (
            self.clock_period / library.time_scale,
            self.input_transition / library.time_scale,
            self.output_load / library.capacitance_scale,
        )


@dataclass(frozen=True)
class PowerResult:
    """Average power (W) by component for the unit and per block, over ``cycles`` cycles.

    ``blocks[block][kind][component]``: ``kind`` is ``"registers"`` for sequential cells, else
    ``"logic"``. ``clock_internal`` is the part of ``internal`` spent in clock pins;
    ``external_switching`` the ``C V^2 / 2`` power of nets driven from outside (inputs and
    clock), not in the total.
    """

    total: dict
    blocks: dict
    clock_internal: float
    external_switching: float
    cycles: int

    @property
    def watts(self):
        return sum(self.total.values())


def _lookup(table, load, slew):
    point = {name: (load if "capacitance" in name else slew) for name in table.variables}
    return table.lookup(**point)


def _nets(library, netlist, output_load):
    """``(loads, drivers)``: capacitance on each bit and ``{bit: (instance, pin)}``."""
    loads, drivers = defaultdict(float), {}
    for instance in netlist.instances:
        cell = library.cell(instance.cell)
        for name, bit in instance.pins.items():
            if bit is None or name not in cell.pins:
                continue
            pin = cell.pins[name]
            if pin.direction == "input":
                loads[bit] += pin.capacitance
            elif pin.direction == "output":
                drivers[bit] = (instance, pin)
    for bit in netlist.output_bits():
        loads[bit] += output_load
    return loads, drivers


def _slews(loads, drivers, input_transition):
    """Transition time of every driven net (library time unit), one level deep."""
    slews = defaultdict(lambda: input_transition)
    for bit, (_, pin) in drivers.items():
        values = [
            _lookup(table, loads[bit], input_transition)
            for _, rise, fall in pin.transitions
            for table in (rise, fall)
        ]
        if values:
            slews[bit] = sum(values) / len(values)
    return slews


def _arc_weights(pin, arcs, instance, activity):
    """Weight of each internal-power group: output arcs by how often their related input
    toggled, input-pin groups (one per ``when`` condition) equally."""
    if pin.direction != "output":
        return [1 / len(arcs)] * len(arcs)
    toggles = [activity.toggles(instance.pins.get(arc.related_pin)) for arc in arcs]
    total = sum(toggles)
    return [t / total if total else 1 / len(arcs) for t in toggles]


def _table_energy(arcs, weights, direction, load, slews, instance, own_slew):
    energy = 0.0
    for arc, weight in zip(arcs, weights, strict=True):
        table = arc.rise if direction == "rise" else arc.fall
        if table is not None and weight:
            slew = (
                slews[instance.pins[arc.related_pin]]
                if arc.related_pin in instance.pins
                else own_slew
            )
            energy += weight * _lookup(table, load, slew)
    return energy


def _pin_energy(library, instance, pin, bit, activity, loads, slews):
    """``(switching, internal)`` energy (J) of one connected pin over the window."""
    rises, falls = activity.rises.get(bit, 0), activity.falls.get(bit, 0)
    switching, load = 0.0, 0.0
    arcs = list(pin.power)
    if pin.direction == "output":
        load = loads[bit]
        switching = 0.5 * load * library.capacitance_scale * library.voltage**2 * (rises + falls)
        arcs = [arc for arc in arcs if arc.related_pin is None or arc.related_pin in instance.pins]
    if not arcs or not rises + falls:
        return switching, 0.0
    weights = _arc_weights(pin, arcs, instance, activity)
    internal = rises * _table_energy(
        arcs, weights, "rise", load, slews, instance, slews[bit]
    ) + falls * _table_energy(arcs, weights, "fall", load, slews, instance, slews[bit])
    return switching, internal * library.energy_scale


def estimate_power(library, netlist, activity, conditions):
    """:class:`PowerResult` of ``netlist`` running with ``activity`` at ``conditions``."""
    _, input_transition, output_load = conditions.in_library_units(library)
    loads, drivers = _nets(library, netlist, output_load)
    slews = _slews(loads, drivers, input_transition)
    seconds = activity.cycles * conditions.clock_period
    energy = defaultdict(lambda: dict.fromkeys(COMPONENTS, 0.0))
    clock_energy = 0.0
    for instance in netlist.instances:
        cell = library.cell(instance.cell)
        block = energy[instance.block, "registers" if cell.is_sequential else "logic"]
        block["leakage"] += cell.leakage * library.leakage_scale * seconds
        for name, bit in instance.pins.items():
            pin = cell.pins.get(name)
            if pin is None or bit is None or (pin.direction == "input" and not pin.power):
                continue
            switching, internal = _pin_energy(library, instance, pin, bit, activity, loads, slews)
            block["switching"] += switching
            block["internal"] += internal
            if pin.is_clock:
                clock_energy += internal
    external = sum(
        0.5 * loads[bit] * library.capacitance_scale * library.voltage**2 * activity.toggles(bit)
        for bit in loads
        if bit not in drivers
    )
    blocks = defaultdict(dict)
    for (name, kind), parts in sorted(energy.items()):
        blocks[name][kind] = {key: value / seconds for key, value in parts.items()}
    total = {
        key: sum(parts[key] for kinds in blocks.values() for parts in kinds.values())
        for key in COMPONENTS
    }
    return PowerResult(
        total, dict(blocks), clock_energy / seconds, external / seconds, activity.cycles
    )
