"""Gate-level activity and power: bit-exact multi-stream netlist runs, power that adds up and
follows activity, the clock network, state-dependent internal power, the wire-load model, and
OpenSTA agreeing on a unit with a multiplier once its conventions are applied."""

import dataclasses

import numpy as np
import pytest

from sim.util.tools import find_tool
from sim.verify.streams import MacBeats
from synth.flow.implementation import implement
from synth.flow.sta import run_sta, write_activity_script, write_power_liberty
from synth.gates.gatelevel import run_gate_level
from synth.gates.gatesim import GateSimError, cell_models
from synth.gates.logicsim import compile_netlist
from synth.gates.netlist import Instance
from synth.library.liberty import PowerArc, WireLoad, default_liberty, ihp_liberty, load_liberty
from synth.power.clock import clock_tree
from synth.power.model import COMPONENTS, OPENSTA_2_0_17, _liberty_weights, estimate_power
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
