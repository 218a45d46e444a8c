"""Average power of a mapped netlist from measured per-net activity and the Liberty tables.

For every cell instance, over the simulated window (the default :data:`LIBERTY` conventions):

* internal energy of each output pin: its rises times the ``rise_power`` table and its falls times
  the ``fall_power`` table, at the net's load and the related input's transition, averaged over
  the arcs (``related_pin``) weighted by how often each related input toggled;
* internal energy of input pins that carry their own tables (a flip-flop's clock and data pins):
  rises and falls of the input net times its ``rise_power``/``fall_power``;
* state-dependent groups (``when``): among the groups of one pin and related pin, each weighs the
  probability of its state, computed from the measured duty of the pins it names as if they were
  independent; groups without ``when`` share what the states leave (Liberty's default group);
* switching energy of each driven net: ``C V^2 / 2`` per transition, ``C`` the sum of the input
  capacitances it drives, plus the stated load on top-level outputs, plus the wire capacitance of
  the library's ``default_wire_load`` model for the net's fan-out in cell pins (when it names
  one: IHP SG13G2 does, OSU 0.18 um does not; OpenSTA adds the same);
* leakage: ``cell_leakage_power``.

Transitions (slews) are one level deep: a net's slew is its driver's ``rise_transition``/
``fall_transition`` at the net's load with the stated input transition at the driver's inputs;
top-level inputs and the clock have the stated input transition. The clock is ideal here (one
net, no tree: :mod:`synth.power.clock` prices the clock network). Nets driven from outside the unit
(its data inputs and its clock) have no driving cell here; their ``C V^2 / 2`` energy is
reported apart, the data inputs' and the clock net's each, as OpenSTA does not count it either.
Per block, each instance's energy is split by its shares (:mod:`synth.gates.attribution`).

:data:`OPENSTA_2_0_17` computes the same figure with the conventions of the OpenSTA that Debian
ships (``power/Power.cc`` of 0~20191111), to show where the two differ and by how much.
"""

from collections import defaultdict
from dataclasses import dataclass

from ..library.cellfunc import parse_expression, probability

__all__ = [
    "Conditions",
    "Conventions",
    "LIBERTY",
    "OPENSTA_2_0_17",
    "PowerResult",
    "COMPONENTS",
    "estimate_power",
]

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
class Conventions:
    """How the Liberty tables become energy.

    ``per_transition``: ``"own"`` charges a rise with the ``rise_power`` table and a fall with the
    ``fall_power`` table; ``"sum"`` charges every transition with both. ``input_pin_duty``: the
    weight of an input pin's (non-clock) internal-power group. ``clock_pin_slew``: ``"stated"``
    (the clock transition of :class:`Conditions`) or ``"zero"``. ``arc_weights``: ``"toggles"``
    (each related input's share of the toggles) or ``"equal"``. ``pin_capacitance``:
    ``"nominal"`` (``capacitance``) or ``"max"`` (:attr:`synth.liberty.Pin.capacitance_max`).
    ``states``: ``"liberty"`` (state-dependent groups by state probability, the default groups on
    the rest, module docstring) or ``"opensta"`` (every group of a pin weighs its state's
    probability, or ``input_pin_duty``, or 1 for a clock, without normalisation).
    """

    name: str
    per_transition: str
    input_pin_duty: float
    clock_pin_slew: str
    arc_weights: str
    pin_capacitance: str
    states: str


#: The model of this project (module docstring).
LIBERTY = Conventions(
    "Liberty tables per transition", "own", 1.0, "stated", "toggles", "nominal", "liberty"
)
#: OpenSTA 2.0.17 (Debian opensta 0~20191111), read from its power/Power.cc and checked on this
#: project's netlists: ``findInputInternalPower`` and ``findOutputInternalPower`` add the
#: rise and fall energies and charge the sum per transition (later releases average them,
#: ``energy /= tr_count``); an input pin's group without ``when`` gets duty 0.5 and a clock pin's
#: 1.0; the ideal clock's pins have zero slew (``set_clock_transition`` does not reach them);
#: with the self-referencing functions of the power run (:mod:`synth.flow.sta`) every arc of an
#: output weighs its ``when`` state's probability or 0.5, not normalised (a single-arc inverter
#: counts half its energy, an XOR's six arcs three times); a pin tied to a constant counts as duty
#: 0.5 in those states; a maximum analysis loads nets with each pin's largest capacitance.
#: Every group of a pin counts (state-dependent ones by their state's probability, the others in
#: full), which for a flip-flop whose pins also have a default group counts that energy twice.
OPENSTA_2_0_17 = Conventions(
    "OpenSTA 2.0.17's conventions", "sum", 0.5, "zero", "equal", "max", "opensta"
)


@dataclass(frozen=True)
class PowerResult:
    """Average power (W) by component for the unit and per block, over ``cycles`` cycles.

    ``blocks[block][kind][component]``: ``kind`` is ``"registers"`` for sequential cells, else
    ``"logic"``. ``clock_internal`` is the part of ``internal`` spent in clock pins;
    ``input_switching`` and ``clock_net_switching`` the ``C V^2 / 2`` power of the nets driven
    from outside (the data inputs; the clock's net to the clock pins), neither in the total.
    """

    total: dict
    blocks: dict
    clock_internal: float
    input_switching: float
    clock_net_switching: float
    cycles: int

    @property
    def watts(self):
        return sum(self.total.values())


def _nets(library, netlist, output_load, conventions):
    """``(loads, drivers)``: capacitance on each bit and ``{bit: (instance, pin)}``."""
    loads, drivers, fanout = defaultdict(float), {}, defaultdict(int)
    nominal = conventions.pin_capacitance == "nominal"
    for instance in netlist.instances:
        cell = library.cell(instance.cell)
        for name, bit in instance.pins.items():
            if bit is None or name not in cell.pins:
                continue
            pin = cell.pins[name]
            if pin.direction == "input":
                loads[bit] += pin.capacitance if nominal else pin.capacitance_max
                fanout[bit] += 1
            elif pin.direction == "output":
                drivers[bit] = (instance, pin)
    for bit in netlist.output_bits():
        loads[bit] += output_load
    if library.wire_load is not None:
        for bit, count in fanout.items():
            loads[bit] += library.wire_load.net_capacitance(count)
    return loads, drivers


def _slews(loads, drivers, input_transition):
    """Transition time of every driven net (library time unit), one level deep."""
    slews = defaultdict(lambda: input_transition)
    for bit, (_, pin) in drivers.items():
        values = [
            table.at(loads[bit], input_transition)
            for _, rise, fall in pin.transitions
            for table in (rise, fall)
        ]
        if values:
            slews[bit] = sum(values) / len(values)
    return slews


def _state_chance(instance, activity, tied=None):
    """Probability that a pin of ``instance`` is 1: its net's duty; a tied pin's constant, or
    ``tied`` when given (OpenSTA 2.0.17 reads a tied pin as unannotated: duty 0.5)."""

    def chance(name):
        if name in instance.constants:
            return float(instance.constants[name]) if tied is None else tied
        bit = instance.pins.get(name)
        return activity.duty.get(bit, 0.5) if bit is not None else 0.5

    return chance


def _when(arc, chance):
    return probability(parse_expression(arc.when), chance) if arc.when else None


def _liberty_weights(pin, arcs, instance, activity):
    """Per related pin, its share of the toggles (input pins: 1); within it, each state-dependent
    group its state's probability and the default groups the remainder."""
    chance = _state_chance(instance, activity)
    related = sorted({arc.related_pin or "" for arc in arcs})
    if pin.direction == "output" and len(related) > 1:
        toggles = {name: activity.toggles(instance.pins.get(name)) for name in related}
        total = sum(toggles.values())
        share = {n: (t / total if total else 1 / len(related)) for n, t in toggles.items()}
    else:
        share = dict.fromkeys(related, 1 / len(related))
    weights = {}
    for name in related:
        group = [i for i, arc in enumerate(arcs) if (arc.related_pin or "") == name]
        states = {i: _when(arcs[i], chance) for i in group}
        defaults = [i for i in group if states[i] is None]
        covered = sum(p for p in states.values() if p is not None)
        for i in group:
            if states[i] is not None:
                weights[i] = states[i] if defaults or not covered else states[i] / covered
            else:
                weights[i] = max(0.0, 1.0 - covered) / len(defaults)
            weights[i] *= share[name]
    return [weights[i] for i in range(len(arcs))]


def _opensta_weights(pin, arcs, instance, activity, conventions, clock_bits):
    """OpenSTA 2.0.17: each group its state's probability (``when``), else 1 for a clock (pin or
    related pin), else ``input_pin_duty``, without normalisation (later releases divide an
    output's weights by their sum)."""
    chance = _state_chance(instance, activity, tied=0.5)
    duties = []
    for arc in arcs:
        state = _when(arc, chance)
        related = instance.pins.get(arc.related_pin) if arc.related_pin else None
        clock = pin.is_clock if pin.direction == "input" else related in clock_bits
        if state is None:
            state = 1.0 if clock else conventions.input_pin_duty
        duties.append(state)
    return duties


def _arc_weights(pin, arcs, instance, activity, conventions, clock_bits):
    if conventions.states == "opensta":
        return _opensta_weights(pin, arcs, instance, activity, conventions, clock_bits)
    return _liberty_weights(pin, arcs, instance, activity)


def _table_energy(arcs, weights, tables, load, slew_of):
    """Weighted energy of ``tables`` (``"rise"``/``"fall"`` names) of each arc."""
    energy = 0.0
    for arc, weight in zip(arcs, weights, strict=True):
        for name in tables:
            table = getattr(arc, name)
            if table is not None and weight:
                energy += weight * table.at(load, slew_of(arc))
    return energy


def _pin_energy(library, instance, pin, bit, activity, loads, slews, conventions, clocking):
    """``(switching, internal)`` energy (J) of one connected pin over the window; ``clocking``
    is ``(clock pins' slew, clock bits)``."""
    clock_slew, clock_bits = clocking
    rises, falls = activity.rises.get(bit, 0), activity.falls.get(bit, 0)
    switching, load = 0.0, 0.0
    arcs = list(pin.power)
    if pin.direction == "output":
        load = loads[bit]
        switching = 0.5 * load * library.capacitance_scale * library.voltage**2 * (rises + falls)
        arcs = [arc for arc in arcs if arc.related_pin is None or arc.related_pin in instance.pins]
    if not arcs or not rises + falls:
        return switching, 0.0
    own_slew = clock_slew if pin.is_clock else slews[bit]

    def slew_of(arc):
        related = instance.pins.get(arc.related_pin) if arc.related_pin else None
        if related is None:
            return own_slew
        return clock_slew if related in clock_bits else slews[related]

    weights = _arc_weights(pin, arcs, instance, activity, conventions, clock_bits)
    if conventions.per_transition == "own":
        internal = rises * _table_energy(arcs, weights, ("rise",), load, slew_of)
        internal += falls * _table_energy(arcs, weights, ("fall",), load, slew_of)
    else:
        internal = (rises + falls) * _table_energy(arcs, weights, ("rise", "fall"), load, slew_of)
    return switching, internal * library.energy_scale


def estimate_power(
    library, netlist, activity, conditions, shares=None, clock="clk", conventions=LIBERTY
):
    """:class:`PowerResult` of ``netlist`` running with ``activity`` at ``conditions``.

    ``shares`` maps instance names to ``{block: share}`` (default: each instance's own
    ``block``); ``clock`` names the clock port; ``conventions`` (:data:`LIBERTY` or
    :data:`OPENSTA_2_0_17`) how tables become energy.
    """
    _, input_transition, output_load = conditions.in_library_units(library)
    clock_bits = {b for b in netlist.ports.get(clock, ("input", []))[1] if b is not None}
    clock_slew = input_transition if conventions.clock_pin_slew == "stated" else 0.0
    loads, drivers = _nets(library, netlist, output_load, conventions)
    slews = _slews(loads, drivers, input_transition)
    seconds = activity.cycles * conditions.clock_period
    energy = defaultdict(lambda: dict.fromkeys(COMPONENTS, 0.0))
    clock_energy = 0.0
    for instance in netlist.instances:
        cell = library.cell(instance.cell)
        kind = "registers" if cell.is_sequential else "logic"
        parts = dict.fromkeys(COMPONENTS, 0.0)
        parts["leakage"] = cell.leakage * library.leakage_scale * seconds
        for name, bit in instance.pins.items():
            pin = cell.pins.get(name)
            if pin is None or bit is None or (pin.direction == "input" and not pin.power):
                continue
            switching, internal = _pin_energy(
                library,
                instance,
                pin,
                bit,
                activity,
                loads,
                slews,
                conventions,
                (clock_slew, clock_bits),
            )
            parts["switching"] += switching
            parts["internal"] += internal
            if pin.is_clock:
                clock_energy += internal
        for block, share in (shares[instance.name] if shares else {instance.block: 1}).items():
            for key, value in parts.items():
                energy[block, kind][key] += share * value
    external = {False: 0.0, True: 0.0}
    for bit in loads:
        if bit not in drivers:
            external[bit in clock_bits] += (
                0.5 * loads[bit] * library.capacitance_scale * library.voltage**2
            ) * activity.toggles(bit)
    blocks = defaultdict(dict)
    for (name, kind), parts in sorted(energy.items()):
        blocks[name][kind] = {key: value / seconds for key, value in parts.items()}
    total = {
        key: sum(parts[key] for kinds in blocks.values() for parts in kinds.values())
        for key in COMPONENTS
    }
    return PowerResult(
        total,
        dict(blocks),
        clock_energy / seconds,
        external[False] / seconds,
        external[True] / seconds,
        activity.cycles,
    )
