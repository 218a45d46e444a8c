"""Gate-level activity and power: bit-exact multi-stream netlist runs, power that adds up and
follows activity, the clock network, state-dependent internal power, the wire-load model, and
OpenSTA agreeing on a unit with a multiplier once its conventions are applied."""

import dataclasses
import functools

import numpy as np
import pytest

from sim.util.tools import find_tool
from sim.verify.streams import MacBeats
from synth.flow.implementation import implement
from synth.flow.sta import run_sta, write_activity_script, write_power_liberty
from synth.gates.activity import Activity
from synth.gates.gatelevel import run_gate_level
from synth.gates.gatesim import GateSimError, cell_models
from synth.gates.logicsim import compile_netlist
from synth.gates.netlist import Instance, Netlist
from synth.library.liberty import PowerArc, WireLoad, default_liberty, ihp_liberty, load_liberty
from synth.power.clock import ClockTree, clock_tree
from synth.power.model import (
    COMPONENTS,
    OPENSTA_2_0_17,
    Conditions,
    _arc_weights,
    _liberty_weights,
    estimate_power,
)
from synth.report.evaluate import DEFAULT_CONDITIONS
from synth.report.stimulus import workload_stimulus

LIBERTY = default_liberty()
pytestmark = pytest.mark.skipif(
    LIBERTY is None, reason="OSU 0.18 um Liberty not installed (apt-get install qflow-tech-osu018)"
)
needs_sta = pytest.mark.skipif(
    find_tool("sta") is None, reason="OpenSTA not installed (apt-get install opensta)"
)
IHP, IHP_FOUND = ihp_liberty()


@dataclasses.dataclass
class Run:
    implementation: object
    program: object
    stimulus: object
    activity: object
    power: object

    def power_of(self, activity):
        im = self.implementation
        return estimate_power(im.library, im.netlist, activity, DEFAULT_CONDITIONS, im.shares)


def _run(implementation, stimulus):
    program = compile_netlist(implementation.library, implementation.netlist)
    activity = run_gate_level(
        implementation.unit, implementation.netlist, program, stimulus, is_mac=True
    )
    power = estimate_power(
        implementation.library,
        implementation.netlist,
        activity,
        DEFAULT_CONDITIONS,
        implementation.shares,
    )
    return Run(implementation, program, stimulus, activity, power)


@pytest.fixture(scope="module", params=[("osu018", LIBERTY), ("ihp", IHP)], ids=lambda p: p[0])
def mapped(request, tmp_path_factory):
    """int8_mac with 2 lanes and no pipeline register: multipliers, tree, accumulator."""
    name, liberty = request.param
    if name == "ihp" and not IHP_FOUND:
        pytest.skip(f"IHP SG13G2 Liberty not at {IHP} (set QRAZOR_IHP_LIBERTY)")
    implementation = implement(
        "int8_mac",
        {"LANES": 2, "PIPELINE": "none"},
        load_liberty(liberty),
        DEFAULT_CONDITIONS,
        tmp_path_factory.mktemp(f"int8_mac_{name}"),
        timing=find_tool("sta") is not None,
    )
    unit = implementation.unit
    stimulus = workload_stimulus("int8_mac", unit.parameters, unit.LATENCY, 0, 16, 256)
    return _run(implementation, stimulus)


def test_every_stream_is_bit_exact_and_a_wrong_result_is_caught(mapped):
    stimulus = mapped.stimulus
    assert stimulus.streams == 16 and all(len(b.expected) == 2 for b in stimulus.beats)
    wrong = dataclasses.replace(
        stimulus,
        beats=stimulus.beats[:3]
        + (MacBeats(stimulus.beats[3].stream, stimulus.beats[3].expected + 1),)
        + stimulus.beats[4:],
    )
    im = mapped.implementation
    with pytest.raises(GateSimError, match="stream 3: 2 of 2 results differ"):
        run_gate_level(im.unit, im.netlist, mapped.program, wrong, is_mac=True)


def test_power_is_positive_and_adds_up_over_blocks(mapped):
    power, activity = mapped.power, mapped.activity
    clock = mapped.implementation.netlist.ports["clk"][1][0]
    window = mapped.stimulus.window
    assert activity.rises[clock] == activity.falls[clock] == activity.cycles
    assert activity.cycles == (window[1] - window[0]) * mapped.stimulus.streams
    assert all(power.total[key] > 0 for key in COMPONENTS)
    for key in COMPONENTS:
        assert power.total[key] == pytest.approx(
            sum(parts[key] for kinds in power.blocks.values() for parts in kinds.values())
        )
    assert {"products", "tree_level1", "accumulator"} <= set(power.blocks)
    assert 0 < power.clock_internal < power.total["internal"]
    assert power.input_switching > 0 and power.clock_net_switching > 0


def test_dynamic_power_scales_with_activity(mapped):
    doubled = mapped.power_of(mapped.activity.scaled(2))
    assert doubled.total["switching"] == pytest.approx(2 * mapped.power.total["switching"])
    assert doubled.total["internal"] == pytest.approx(2 * mapped.power.total["internal"])
    assert doubled.total["leakage"] == pytest.approx(mapped.power.total["leakage"])


def test_constant_inputs_leave_only_leakage_and_clock_power(mapped):
    idle = [
        MacBeats(
            {
                port: np.zeros_like(values) if port != "rst" else values
                for port, values in beats.stream.items()
            },
            np.zeros(0, np.int64),
        )
        for beats in mapped.stimulus.beats
    ]
    stimulus = dataclasses.replace(mapped.stimulus, beats=tuple(idle))
    im = mapped.implementation
    activity = run_gate_level(im.unit, im.netlist, mapped.program, stimulus, is_mac=True)
    power = mapped.power_of(activity)
    assert power.total["switching"] == 0 and power.input_switching == 0
    assert power.total["internal"] > 0
    assert power.total["leakage"] == pytest.approx(mapped.power.total["leakage"], rel=0.05)
    assert power.watts < mapped.power.watts


def test_the_clock_tree_grows_with_its_sinks():
    library = load_liberty(LIBERTY)
    small = clock_tree(library, 34 * 0.028, 34, 20_000.0, DEFAULT_CONDITIONS)
    large = clock_tree(library, 340 * 0.028, 340, 200_000.0, DEFAULT_CONDITIONS)
    assert small.levels == (5, 1) and large.levels == (43, 6, 1)
    assert small.wire_length_um == pytest.approx(1.5 * (34 * 20_000 / 0.7) ** 0.5)
    wire = (
        small.wire_capacitance
        + 34 * 0.028e-12
        + 6 * library.cell(small.buffer).inputs()[0].capacitance * 1e-12
    )
    assert small.net_switching == pytest.approx(wire * 1.8**2 * 1e8)
    assert 0 < small.total < large.total and small.buffer_internal > 0
    assert clock_tree(library, 0.0, 0, 100.0, DEFAULT_CONDITIONS).total == 0


def test_state_dependent_groups_weigh_their_state():
    """Two groups ``when B`` / ``when !B`` of one arc, B high a quarter of the time; a default
    group shares what the states leave."""
    arcs = [PowerArc("A", None, None, "B"), PowerArc("A", None, None, "!B")]
    instance = Instance("u", "cell", "top", {"A": 1, "B": 2, "Y": 3})
    activity = dataclasses.make_dataclass("A", ["duty", "rises", "falls"])(
        {1: 0.5, 2: 0.25}, {}, {}
    )
    activity.toggles = lambda bit: 0
    pin = dataclasses.make_dataclass("P", ["direction"])("output")
    assert _liberty_weights(pin, arcs, instance, activity) == pytest.approx([0.25, 0.75])
    partial = [PowerArc("A", None, None, "B"), PowerArc("A", None, None, None)]
    assert _liberty_weights(pin, partial, instance, activity) == pytest.approx([0.25, 0.75])
    tied = Instance("u", "cell", "top", {"A": 1, "Y": 3}, {"B": 1})
    assert _liberty_weights(pin, arcs, tied, activity) == pytest.approx([1.0, 0.0])


def test_the_wire_load_follows_openstas_rule():
    model = WireLoad("1k", 0.0002, 10.9, ((1.0, 9.93), (5.0, 59.59), (20.0, 215.6)))
    assert model.net_capacitance(1) == pytest.approx(9.93 * 0.0002)
    assert model.net_capacitance(3) == pytest.approx((9.93 + 59.59) / 2 * 0.0002)
    assert model.net_capacitance(22) == pytest.approx((215.6 + 2 * 10.9) * 0.0002)
    assert model.net_capacitance(0) == 0.0  # 9.93 - 10.9 < 0: clamped


@needs_sta
def test_opensta_with_the_same_activity_agrees_once_its_conventions_are_applied(mapped, tmp_path):
    """On a unit with multipliers: OpenSTA annotated pin by pin equals the gate-level model
    run with OpenSTA 2.0.17's conventions, component by component; switching and leakage need
    no convention at all."""
    im, activity = mapped.implementation, mapped.activity
    script = tmp_path / "activity.tcl"
    annotated = write_activity_script(im.library, im.netlist, activity, script)
    outputs = sum(len(im.library.cell(i.cell).outputs()) for i in im.netlist.instances)
    assert annotated == outputs + sum(
        len(bits) for name, (d, bits) in im.netlist.ports.items() if d == "input" and name != "clk"
    )
    sta = run_sta(
        im.library,
        im.synthesis.netlist,
        "int8_mac",
        DEFAULT_CONDITIONS,
        tmp_path / "sta",
        script,
        liberty_path=write_power_liberty(im.library, tmp_path / "power.lib"),
    )
    assert sta.annotated_pins == annotated
    emulated = estimate_power(
        im.library, im.netlist, activity, DEFAULT_CONDITIONS, im.shares, conventions=OPENSTA_2_0_17
    )
    for key in COMPONENTS:
        assert emulated.total[key] == pytest.approx(sta.power[key], rel=0.03), key
    assert mapped.power.total["switching"] == pytest.approx(sta.power["switching"], rel=0.15)
    assert mapped.power.total["leakage"] == pytest.approx(sta.power["leakage"], rel=1e-4)
    # Without the annotations' effect, OpenSTA's own propagation would give other activities:
    # the power run's Liberty differs from the library only in combinational functions.
    original = im.library.path.read_text(errors="replace").splitlines()
    changed = (tmp_path / "power.lib").read_text().splitlines()
    assert len(original) == len(changed)
    assert {a.split(":")[0].strip() for a, b in zip(original, changed, strict=True) if a != b} == {
        "function"
    }


def test_cell_models_are_built_from_the_liberty_when_none_ship_with_it(tmp_path):
    copy = tmp_path / "library.lib"
    copy.write_text(LIBERTY.read_text())
    models = cell_models(copy, tmp_path)
    assert models.parent == tmp_path and "module DFFPOSX1" in models.read_text()


TINY_LIBERTY = """library (tiny) {
  time_unit : "1ns" ;
  leakage_power_unit : "1nW" ;
  capacitive_load_unit (1, pf) ;
  voltage_unit : "1V" ;
  nom_voltage : 2.0 ;
  cell (BUFX1) {
    area : 10 ;
    cell_leakage_power : 3.0 ;
    pin (A) { direction : input ; capacitance : 0.01 ; }
    pin (Y) {
      direction : output ;
      function : "A" ;
      timing () {
        related_pin : "A" ;
        rise_transition (scalar) { values ("0.1") ; }
        fall_transition (scalar) { values ("0.1") ; }
      }
      internal_power () {
        related_pin : "A" ;
        rise_power (scalar) { values ("0.5") ; }
        fall_power (scalar) { values ("0.25") ; }
      }
    }
  }
}
"""


def test_clock_tree_buffer_power_by_hand_on_a_one_buffer_library(tmp_path):
    """A synthetic library with one buffer whose tables are constants, so every figure follows
    by hand from the Liberty numbers:

    * 9 sinks, fan-out 8: ceil(9/8) = 2 leaf buffers + 1 root = 3 buffers, levels (2, 1);
    * energy unit = capacitive_load_unit x voltage_unit**2 = 1 pF x 1 V**2 = 1 pJ; one rise
      (0.5 pJ) and one fall (0.25 pJ) per buffer per cycle: 0.75 pJ; at 10 ns (100 MHz):
      buffer_internal = 3 buffers x 0.75e-12 J x 1e8 /s = 2.25e-4 W;
    * leakage 3.0 in units of 1 nW per buffer: buffer_leakage = 3 x 3 nW = 9e-9 W;
    * nets: 9 clock pins of 0.02 pF, wire 1.5 sqrt(9 x 1000 um2 / 0.7) um x 0.2 fF/um, and the
      3 buffer inputs of 0.01 pF, switched at (2 V)**2 x 1e8 /s.
    """
    path = tmp_path / "tiny.lib"
    path.write_text(TINY_LIBERTY)
    library = load_liberty(path)
    tree = clock_tree(library, 9 * 0.02, 9, 1000.0, DEFAULT_CONDITIONS)
    assert tree.buffer == "BUFX1" and tree.levels == (2, 1)
    assert tree.buffer_internal == pytest.approx(3 * 0.75e-12 * 1e8)
    assert tree.buffer_leakage == pytest.approx(3 * 3e-9)
    wire = 1.5 * (9 * 1000 / 0.7) ** 0.5 * 0.2e-15
    assert tree.wire_capacitance == pytest.approx(wire)
    assert tree.net_switching == pytest.approx((9 * 0.02e-12 + wire + 3 * 0.01e-12) * 4 * 1e8)
    assert tree.total == pytest.approx(tree.net_switching + 2.25e-4 + 9e-9)


def _liberty_cell(name, area, leakage, inputs, function, transition=None, power=(), extra=""):
    """A Liberty cell: ``inputs`` ``(pin, capacitance)``, one output ``Y`` of ``function``, a
    timing arc whose rise and fall transition tables are ``transition`` (a template with
    ``{kind}``) and one internal_power group per ``(when, rise table, fall table)`` of
    ``power``."""
    pins = "".join(
        f"pin ({pin}) {{ direction : input ; capacitance : {c} ; }}\n" for pin, c in inputs
    )
    related = f'related_pin : "{inputs[0][0]}" ;'
    timing = ""
    if transition:
        rise, fall = (
            transition.replace("{kind}", k) for k in ("rise_transition", "fall_transition")
        )
        timing = f"timing () {{ {related} {rise} {fall} }}"
    arcs = "".join(
        f"internal_power () {{ {related} {when} {rise.replace('{kind}', 'rise_power')} "
        f"{fall.replace('{kind}', 'fall_power')} }}\n"
        for when, rise, fall in power
    )
    return (
        f"cell ({name}) {{ area : {area} ; cell_leakage_power : {leakage} ; {extra}\n{pins}"
        f'pin (Y) {{ direction : output ; function : "{function}" ; {timing}\n{arcs}}} }}\n'
    )


def _by_load(values, index="0, 1", template="by_load"):
    """A table template over the output load (pF), ``{kind}`` left for the table's name."""
    return "{kind} (" + template + f') {{ index_1 ("{index}") ; values ("{values}") ; }}'


def _two_buffer_liberty():
    """Two buffers whose transition and energy grow linearly with the load L (pF), so that every
    level's load shows in the figures, and a smaller decoy of each kind that is no clock buffer.

    BUFX1: transition 0.1 + 2 L ns (exactly 0.3 at the grid point L = 0.1); one power arc, rise
    0.5 + L and fall 0.25 + 0.5 L pJ: 0.75 + 1.5 L pJ per cycle; input 0.01 pF; leakage 1 nW.
    BUFX4: transition 0.05 + 0.25 L ns; two power arcs (when A: rise and fall 1 + 2 L; when !A:
    3 + 2 L), averaged: (2 + 4 L + 6 + 4 L) / 2 = 4 + 4 L pJ per cycle; input 0.04 pF; 4 nW.
    """
    scalar = '{kind} (scalar) { values ("0.01") ; }'
    power = [("", scalar, scalar)]
    power_table = functools.partial(_by_load, template="by_load_power")
    cells = [
        _liberty_cell("INVX1", 1, 0.1, [("A", 0.001)], "!A", scalar, power),
        _liberty_cell("PASS2", 2, 0.1, [("A", 0.001), ("B", 0.001)], "A", scalar, power),
        _liberty_cell(
            "LATCHY",
            3,
            0.1,
            [("A", 0.001)],
            "A",
            scalar,
            power,
            'latch (IQ, IQN) { enable : "A" ; data_in : "A" ; }',
        ),
        _liberty_cell("NOPOWER", 4, 0.1, [("A", 0.001)], "A", scalar),
        _liberty_cell(
            "BUFX1",
            10,
            1.0,
            [("A", 0.01)],
            "A",
            _by_load("0.1, 0.3, 2.1", "0, 0.1, 1"),
            [("", power_table("0.5, 1.5"), power_table("0.25, 0.75"))],
        ),
        _liberty_cell(
            "BUFX4",
            40,
            4.0,
            [("A", 0.04)],
            "A",
            # over the load and the input slew (flat in the slew): the slew is passed along
            '{kind} (by_load_slew) { index_1 ("0, 1") ; index_2 ("0, 1") ; '
            'values ("0.05, 0.05", "0.3, 0.3") ; }',
            [
                ('when : "A" ;', power_table("1, 3"), power_table("1, 3")),
                ('when : "!A" ;', power_table("3, 5"), power_table("3, 5")),
            ],
        ),
    ]
    return (
        'library (two) { time_unit : "1ns" ; leakage_power_unit : "1nW" ;\n'
        'capacitive_load_unit (1, pf) ; voltage_unit : "1V" ; nom_voltage : 1.0 ;\n'
        "lu_table_template (by_load) { variable_1 : total_output_net_capacitance ; }\n"
        "lu_table_template (by_load_slew) { variable_1 : total_output_net_capacitance ; "
        "variable_2 : input_net_transition ; }\n"
        "power_lut_template (by_load_power) { variable_1 : total_output_net_capacitance ; }\n"
        + "".join(cells)
        + "}\n"
    )


@pytest.fixture
def two_buffers(tmp_path):
    path = tmp_path / "two.lib"
    path.write_text(_two_buffer_liberty())
    return load_liberty(path)


def test_a_three_level_tree_by_hand_with_load_dependent_buffers(two_buffers):
    """100 sinks of 0.002 pF (0.2 pF) in 70 um^2 of cells: placed 100 um^2 per sink, wire
    1.5 sqrt(100 x 70 / 0.7) = 150 um x 0.2 fF/um = 0.03 pF. Fan-out 8: levels ceil(100/8) = 13,
    ceil(13/8) = 2, 1. Leaf load (0.2 + 0.03) / 13 pF: BUFX1's transition 0.1 + 2 x 0.0177 =
    0.135 ns meets 0.3 ns, and the four smaller cells are no buffers (an inverter, a two-input
    cell, a latch, a cell without power tables). Loads: 0.23/13 at the leaves, 13 x 0.01 / 2 =
    0.065 at level 2, 2 x 0.01 = 0.02 at the root. Energy per cycle 0.75 + 1.5 L pJ per buffer:
    13 x 0.75 + 1.5 x 0.23 + 2 x (0.75 + 1.5 x 0.065) + 0.75 + 1.5 x 0.02 = 12.57 pJ, at
    100 MHz 1.257 mW. Nets: 0.2 + 0.03 + 16 x 0.01 = 0.39 pF x 1 V^2 x 1e8 = 39 uW. Leakage:
    16 x 1 nW."""
    tree = clock_tree(two_buffers, 100 * 0.002, 100, 70.0, DEFAULT_CONDITIONS)
    assert (tree.sinks, tree.buffer, tree.levels) == (100, "BUFX1", (13, 2, 1))
    assert tree.wire_length_um == pytest.approx(150.0)
    assert tree.wire_capacitance == pytest.approx(0.03e-12)
    assert tree.buffer_internal == pytest.approx(12.57e-12 * 1e8)
    assert tree.net_switching == pytest.approx(0.39e-12 * 1e8)
    assert tree.buffer_leakage == pytest.approx(16e-9)
    assert tree.as_record() == {
        "sinks": 100,
        "buffer_cell": "BUFX1",
        "buffers_per_level": [13, 2, 1],
        "wire_length_um": tree.wire_length_um,
        "wire_capacitance_F": tree.wire_capacitance,
    }


def test_a_heavier_leaf_takes_the_stronger_buffer_and_its_averaged_arcs(two_buffers):
    """The same tree with 0.02 pF clock pins: leaf load 2.03 / 13 = 0.156 pF, BUFX1 0.41 ns
    misses 0.3 ns, BUFX4 0.089 ns meets it. Loads 2.03/13, 13 x 0.04 / 2 = 0.26, 2 x 0.04 = 0.08;
    energy 4 + 4 L pJ: 13 x 4 + 4 x 2.03 + 2 x (4 + 1.04) + 4 + 0.32 = 74.52 pJ, 7.452 mW.
    Nets: 2.0 + 0.03 + 16 x 0.04 = 2.67 pF: 267 uW. Leakage 16 x 4 nW."""
    tree = clock_tree(two_buffers, 100 * 0.02, 100, 70.0, DEFAULT_CONDITIONS)
    assert (tree.buffer, tree.levels) == ("BUFX4", (13, 2, 1))
    assert tree.buffer_internal == pytest.approx(74.52e-12 * 1e8)
    assert tree.net_switching == pytest.approx(2.67e-12 * 1e8)
    assert tree.buffer_leakage == pytest.approx(64e-9)


@pytest.mark.parametrize(
    "pins_pf, chosen",
    [
        (0.1, "BUFX1"),  # 8 sinks, no wire: leaf load 0.1 pF, BUFX1 at exactly 0.3 ns meets it
        (8.0, "BUFX4"),  # leaf load 8 pF: neither meets 0.3 ns (16.1, 2.05 ns), the faster
    ],
)
def test_the_buffer_is_the_smallest_that_meets_the_slew_or_else_the_fastest(
    two_buffers, pins_pf, chosen
):
    tree = clock_tree(two_buffers, pins_pf, 8, 0.0, DEFAULT_CONDITIONS)
    assert (tree.levels, tree.buffer) == ((1,), chosen)


def test_no_sinks_no_tree_and_no_buffer_no_estimate(two_buffers, tmp_path):
    empty = clock_tree(two_buffers, 0.0, 0, 70.0, DEFAULT_CONDITIONS)
    assert empty == ClockTree(0, "", (), 0.0, 0.0, 0.0, 0.0, 0.0) and empty.total == 0.0
    path = tmp_path / "inverters.lib"
    path.write_text(_two_buffer_liberty().split("cell (PASS2)")[0] + "}\n")
    with pytest.raises(
        ValueError, match=rf"^{path}: the library has no non-inverting buffer cell$"
    ):
        clock_tree(load_liberty(path), 0.1, 8, 0.0, DEFAULT_CONDITIONS)


HAND_LIBERTY = """library (hand) {
  time_unit : "1ns" ; leakage_power_unit : "1nW" ; capacitive_load_unit (1, pf) ;
  voltage_unit : "1V" ; nom_voltage : 1.5 ; default_wire_load : "wl" ;
  wire_load ("wl") {
    capacitance : 0.01 ; slope : 1 ; fanout_length (1, 1) ; fanout_length (2, 3) ; }
  lu_table_template (load) { variable_1 : total_output_net_capacitance ; }
  power_lut_template (slew) { variable_1 : input_transition_time ; }
  power_lut_template (load_slew) {
    variable_1 : total_output_net_capacitance ; variable_2 : input_transition_time ; }
  cell (INV) {
    area : 1 ; cell_leakage_power : 2 ;
    pin (A) { direction : input ; capacitance : 0.01 ; rise_capacitance : 0.02 ; }
    pin (Y) {
      direction : output ; function : "!A" ;
      timing () { related_pin : "A" ;
        rise_transition (load) { index_1 ("0, 1") ; values ("0.1, 1.1") ; }
        fall_transition (load) { index_1 ("0, 1") ; values ("0.1, 1.1") ; } }
      internal_power () { related_pin : "A" ;
        rise_power (load_slew) { index_1 ("0, 1") ; index_2 ("0, 1") ; values ("1, 5", "3, 7") ; }
        fall_power (load_slew) {
          index_1 ("0, 1") ; index_2 ("0, 1") ; values ("0.5, 2.5", "1.5, 3.5") ; } }
    }
  }
  cell (DFF) {
    area : 5 ; cell_leakage_power : 5 ;
    ff (IQ, IQN) { next_state : "D" ; clocked_on : "CLK" ; }
    pin (CLK) { direction : input ; clock : true ; capacitance : 0.01 ;
      internal_power () {
        rise_power (slew) { index_1 ("0, 1") ; values ("1, 11") ; }
        fall_power (slew) { index_1 ("0, 1") ; values ("0.5, 10.5") ; } } }
    pin (D) { direction : input ; capacitance : 0.02 ; rise_capacitance : 0.03 ;
      internal_power () {
        rise_power (load_slew) {
          index_1 ("0, 1") ; index_2 ("0, 1") ; values ("0.2, 1.2", "1.2, 2.2") ; } } }
    pin (RN) { direction : input ; capacitance : 0.01 ; }
    pin (Q) {
      direction : output ; function : "IQ" ;
      timing () { related_pin : "CLK" ;
        rise_transition (load) { index_1 ("0, 1") ; values ("0.2, 1.2") ; }
        fall_transition (load) { index_1 ("0, 1") ; values ("0.2, 1.2") ; } }
      internal_power () { related_pin : "CLK" ;
        rise_power (load_slew) { index_1 ("0, 1") ; index_2 ("0, 1") ; values ("2, 7", "4, 9") ; }
        fall_power (load_slew) { index_1 ("0, 1") ; index_2 ("0, 1") ; values ("1, 6", "2, 7") ; } }
      internal_power () { related_pin : "RN" ;
        rise_power (scalar) { values ("1") ; } fall_power (scalar) { values ("1") ; } }
    }
  }
  cell (NOPWR) {
    area : 1 ; cell_leakage_power : 1 ;
    pin (A) { direction : input ; capacitance : 0.01 ; }
    pin (Y) {
      direction : output ; function : "A" ;
      timing () { related_pin : "A" ;
        rise_transition (load) { index_1 ("0, 1") ; values ("0.1, 1.1") ; }
        fall_transition (load) { index_1 ("0, 1") ; values ("0.1, 1.1") ; } }
    }
  }
}
"""


@pytest.fixture
def hand(tmp_path):
    """The library above, with every table linear so that interpolation is exact (L load in pF,
    S slew in ns, energies in pJ = 1 pF x 1 V^2): INV slew 0.1 + L, rise 1 + 2 L + 4 S, fall
    0.5 + L + 2 S; DFF CLK (no related pin, by slew) rise 1 + 10 S, fall 0.5 + 10 S; D rise only
    0.2 + L + S; Q slew 0.2 + L, rise 2 + 2 L + 5 S, fall 1 + L + 5 S, plus a 1 pJ arc related to
    RN, which the netlist leaves unconnected; NOPWR has no internal power. Wire load 0.01 pF per
    unit length, length 1 at fan-out 1, 3 at fan-out 2. Supply 1.5 V (V^2 = 2.25).

    Netlist (clk = net 1, a = 2, b = 8 inputs; q = 5, y = 6 outputs):
    u1 INV A=2 Y=3 (front); u2 DFF Q=5 CLK=1 D=3 (regs; Q listed first); u3 NOPWR with a pin
    VDD=2 the cell lacks (listed first), A=5 Y=6 (back); u4 DFF CLK=1 D=8 Q=7 (regs).
    Activity over 10 cycles (10 ns each, 100 ns): clk 10 rises 10 falls, a 3/2, net 3 2/3,
    q 2/2, y 2/2, b 1/1, net 7 none.
    """
    path = tmp_path / "hand.lib"
    path.write_text(HAND_LIBERTY)
    library = load_liberty(path)
    instances = (
        Instance("u1", "INV", "front", {"A": 2, "Y": 3}),
        Instance("u2", "DFF", "regs", {"Q": 5, "CLK": 1, "D": 3}),
        Instance("u3", "NOPWR", "back", {"VDD": 2, "A": 5, "Y": 6}),
        Instance("u4", "DFF", "regs", {"CLK": 1, "D": 8, "Q": 7}),
    )
    ports = {
        "clk": ("input", [1]),
        "a": ("input", [2]),
        "b": ("input", [8]),
        "q": ("output", [5]),
        "y": ("output", [6]),
    }
    netlist = Netlist("hand", instances, ports, {})
    rises = {1: 10, 2: 3, 3: 2, 5: 2, 6: 2, 8: 1}
    falls = {1: 10, 2: 2, 3: 3, 5: 2, 6: 2, 8: 1}
    duty = {1: 0.5, 2: 0.4, 3: 0.6, 5: 0.5, 6: 0.5, 8: 0.5}
    activity = Activity(rises, falls, duty, 10, "hand")
    conditions = Conditions(10e-9, 0.2e-9, 0.05e-12)
    return library, netlist, activity, conditions


def test_power_by_hand_on_a_tiny_netlist(hand):
    """Input transition 0.2 ns, output load 0.05 pF, nominal pin capacitances.

    Loads: clk 0.01 + 0.01 + wire(2) 0.03 = 0.05; a 0.01 + wire(1) 0.01 = 0.02 (VDD is no pin
    of NOPWR); net 3 0.02 + 0.01 = 0.03; q 0.01 + 0.05 + 0.01 = 0.07; y 0.05; b 0.03; net 7 0.
    Slews: net 3 0.1 + 0.03 = 0.13, the rest of the inputs and the clock 0.2.

    * u1: at L 0.03, S 0.2 (A's slew) rise 1.86, fall 0.93: 2 x 1.86 + 3 x 0.93 = 6.51 pJ;
      switching 0.5 x 0.03 x 2.25 x 5 = 0.16875 pJ.
    * u2: CLK at S 0.2: 10 x 3 + 10 x 2.5 = 55 pJ; D at load 0 (an input pin) and S 0.13:
      2 rises x 0.33 = 0.66 pJ (no fall table); Q at L 0.07 and the clock's 0.2 ns:
      2 x 3.14 + 2 x 2.07 = 10.42 pJ (the RN arc is not connected); 66.08 pJ internal;
      switching 0.5 x 0.07 x 2.25 x 4 = 0.315 pJ.
    * u3: switching 0.5 x 0.05 x 2.25 x 4 = 0.225 pJ, no internal power.
    * u4: CLK 55 pJ, D 1 x 0.4 pJ, Q still: 55.4 pJ.
    * outside: a 0.5 x 0.02 x 2.25 x 5 = 0.1125 pJ and b 0.5 x 0.03 x 2.25 x 2 = 0.0675 pJ;
      clk 0.5 x 0.05 x 2.25 x 20 = 1.125 pJ.

    Over 100 ns, 1 pJ is 10 uW; leakage in nW as stated.
    """
    library, netlist, activity, conditions = hand
    power = estimate_power(library, netlist, activity, conditions)
    assert power.blocks == {
        "back": {
            "logic": {
                "internal": 0.0,
                "switching": pytest.approx(2.25e-6),
                "leakage": pytest.approx(1e-9),
            }
        },
        "front": {
            "logic": {
                "internal": pytest.approx(6.51e-5),
                "switching": pytest.approx(1.6875e-6),
                "leakage": pytest.approx(2e-9),
            }
        },
        "regs": {
            "registers": {
                "internal": pytest.approx(121.48e-5),
                "switching": pytest.approx(3.15e-6),
                "leakage": pytest.approx(10e-9),
            }
        },
    }
    assert power.total == pytest.approx(
        {"internal": 127.99e-5, "switching": 7.0875e-6, "leakage": 13e-9}
    )
    assert power.clock_internal == pytest.approx(110e-5)
    assert power.input_switching == pytest.approx(0.18e-5)
    assert power.clock_net_switching == pytest.approx(1.125e-5)
    assert power.cycles == 10
    # Without a port of that name, the clock net is one more data input.
    unclocked = estimate_power(library, netlist, activity, conditions, clock="ck")
    assert unclocked.clock_net_switching == 0.0
    assert unclocked.input_switching == pytest.approx((0.18 + 1.125) * 1e-5)
    assert unclocked.total == power.total and unclocked.clock_internal == power.clock_internal
    # Shares split an instance's energy between blocks.
    shares = {"u1": {"front": 0.25, "back": 0.75}, "u2": {"regs": 1}, "u3": {"back": 1}}
    shares["u4"] = {"regs": 1}
    split = estimate_power(library, netlist, activity, conditions, shares)
    assert split.blocks["front"]["logic"]["internal"] == pytest.approx(0.25 * 6.51e-5)
    assert split.blocks["back"]["logic"]["switching"] == pytest.approx(
        (0.75 * 0.16875 + 0.225) * 1e-5
    )
    assert split.total == pytest.approx(power.total)


def test_power_by_hand_with_opensta_2_0_17s_conventions(hand):
    """The same netlist with OpenSTA 2.0.17's conventions: largest pin capacitances, rise and
    fall tables summed per transition, ideal clock pins at slew 0, weights not normalised.

    Loads: a 0.02 + 0.01 = 0.03, net 3 0.03 + 0.01 = 0.04 (slew 0.14), b 0.04, the others as
    before (CLK and the NOPWR input state no larger capacitance).

    * u1: arc weight 0.5 (A no clock): L 0.04, S 0.2: 1.88 + 0.94 = 2.82, x 0.5 x 5 = 7.05 pJ;
      switching 0.5 x 0.04 x 2.25 x 5 = 0.225 pJ.
    * u2: CLK weight 1 at slew 0: (1 + 0.5) x 20 = 30 pJ; D weight 0.5 at S 0.14:
      0.34 x 0.5 x 5 = 0.85 pJ; Q weight 1 (related to the clock) at L 0.07, S 0:
      (2.14 + 1.07) x 4 = 12.84 pJ: 43.69 pJ; switching 0.315 pJ.
    * u3: 0.225 pJ switching. u4: 30 + 0.4 x 0.5 x 2 = 30.4 pJ.
    * outside: a 0.5 x 0.03 x 2.25 x 5 = 0.16875, b 0.5 x 0.04 x 2.25 x 2 = 0.09 pJ.
    """
    library, netlist, activity, conditions = hand
    power = estimate_power(library, netlist, activity, conditions, conventions=OPENSTA_2_0_17)
    assert power.total == pytest.approx(
        {"internal": 81.14e-5, "switching": 0.765e-5, "leakage": 13e-9}
    )
    assert power.blocks["front"]["logic"]["internal"] == pytest.approx(7.05e-5)
    assert power.clock_internal == pytest.approx(60e-5)
    assert power.input_switching == pytest.approx(0.25875e-5)
    assert power.clock_net_switching == pytest.approx(1.125e-5)


def _weights_activity(duty, toggles):
    activity = Activity({}, {}, duty, 1, "hand")
    return dataclasses.replace(activity, rises=toggles)


def test_liberty_weights_by_hand():
    """Related pins share an output's energy by their toggles (evenly when none toggled), an
    input pin's groups evenly; state groups that cover only part of the states are normalised
    when no default group takes the rest; several default groups split the rest; a pin without
    a duty, or not on the instance, is 1 half the time."""
    output = dataclasses.make_dataclass("P", ["direction"])("output")
    input_pin = dataclasses.make_dataclass("P", ["direction"])("input")
    instance = Instance("u", "cell", "top", {"A": 1, "B": 2, "C": 3, "CK": 4, "Y": 5})
    toggled = _weights_activity({2: 0.25, 3: 0.5}, {1: 3, 2: 1, 4: 20})
    by_pin = [PowerArc("A", None, None), PowerArc("B", None, None)]
    assert _liberty_weights(output, by_pin, instance, toggled) == pytest.approx([0.75, 0.25])
    still = _weights_activity({}, {})
    assert _liberty_weights(output, by_pin, instance, still) == pytest.approx([0.5, 0.5])
    clocked = [PowerArc("CK", None, None), PowerArc(None, None, None)]
    assert _liberty_weights(input_pin, clocked, instance, toggled) == pytest.approx([0.5, 0.5])
    # P(B & C) = 0.25 x 0.5 = 0.125, P(!B & !C) = 0.75 x 0.5 = 0.375: normalised by 0.5
    part = [PowerArc("A", None, None, "B & C"), PowerArc("A", None, None, "!B & !C")]
    assert _liberty_weights(output, part, instance, toggled) == pytest.approx([0.25, 0.75])
    rest = [PowerArc("A", None, None, "B")] + [PowerArc("A", None, None)] * 2
    assert _liberty_weights(output, rest, instance, toggled) == pytest.approx([0.25, 0.375, 0.375])
    # B has no duty and D is no pin of the instance: 0.5 each, 0.5 + 0.5 = 1
    unknown = [PowerArc("A", None, None, "!B"), PowerArc("A", None, None, "D")]
    assert _liberty_weights(output, unknown, instance, still) == pytest.approx([0.5, 0.5])


def test_opensta_weights_by_hand():
    """OpenSTA 2.0.17: a state's probability with a tied pin at 0.5, else 1 for a clock (the
    pin, or the related pin's net), else 0.5, not normalised."""
    output = dataclasses.make_dataclass("P", ["direction", "is_clock"])("output", False)
    instance = Instance("u", "cell", "top", {"A": 1, "B": None, "CK": 4, "Y": 5}, {"B": 1})
    activity = _weights_activity({1: 0.25}, {})
    arcs = [
        PowerArc("A", None, None, "B"),  # tied to 1, read as 0.5
        PowerArc("A", None, None, "!A"),  # 1 - 0.25
        PowerArc("A", None, None),
        PowerArc("CK", None, None),
        PowerArc(None, None, None),
    ]
    weights = _arc_weights(output, arcs, instance, activity, OPENSTA_2_0_17, {4})
    assert weights == pytest.approx([0.5, 0.75, 0.5, 1.0, 0.5])
    clock = dataclasses.make_dataclass("P", ["direction", "is_clock"])("input", True)
    data = dataclasses.make_dataclass("P", ["direction", "is_clock"])("input", False)
    default = [PowerArc(None, None, None)]
    assert _arc_weights(clock, default, instance, activity, OPENSTA_2_0_17, {4}) == [1.0]
    assert _arc_weights(data, default, instance, activity, OPENSTA_2_0_17, {4}) == [0.5]
