"""Gate-level activity and power: bit-exact netlist runs, consistent and activity-driven power,
and OpenSTA agreeing on what both compute the same way."""

import dataclasses
import subprocess

import numpy as np
import pytest

from hw.designs import build, elaborated
from hw.export import export
from sim.streams import MacBeats
from sim.tools import find_tool
from synth.activity import read_activity
from synth.evaluate import DEFAULT_CONDITIONS
from synth.flow import synthesize
from synth.gatesim import NETLIST_SCOPE, GateSimError, cell_models, check_results, simulate_netlist
from synth.liberty import default_liberty, load_liberty
from synth.netlist import read_netlist
from synth.power import COMPONENTS, estimate_power
from synth.sta import run_sta, write_activity_script
from synth.stimulus import workload_stimulus

LIBERTY = default_liberty()
pytestmark = [
    pytest.mark.skipif(
        LIBERTY is None,
        reason="OSU 0.18 um Liberty not installed (apt-get install qflow-tech-osu018)",
    ),
    pytest.mark.skipif(
        find_tool("iverilog") is None or find_tool("vvp") is None,
        reason="Icarus Verilog not installed (apt-get install iverilog)",
    ),
]
needs_sta = pytest.mark.skipif(
    find_tool("sta") is None, reason="OpenSTA not installed (apt-get install opensta)"
)
SEED = 0


@dataclasses.dataclass
class Mapped:
    unit: object
    netlist: object
    synthesis: object
    library: object
    folder: object

    def run(self, stream, name):
        folder = self.folder / name
        folder.mkdir()
        return simulate_netlist(
            self.unit,
            "int8_mac",
            self.synthesis.netlist,
            cell_models(LIBERTY, folder),
            stream,
            folder,
        )

    def power(self, run):
        activity = read_activity(
            run.vcd, self.netlist, NETLIST_SCOPE, run.window, run.window_cycles, "test"
        )
        return activity, estimate_power(self.library, self.netlist, activity, DEFAULT_CONDITIONS)


@pytest.fixture(scope="module")
def mapped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("int8_mac_L1")
    export(["int8_mac"], folder, LANES=1)
    unit = elaborated(build("int8_mac", LANES=1))
    synthesis = synthesize(folder / "int8_mac.v", "int8_mac", folder / "synth", LIBERTY)
    return Mapped(
        unit,
        read_netlist(synthesis.netlist_json, "int8_mac"),
        synthesis,
        load_liberty(LIBERTY),
        folder,
    )


@pytest.fixture(scope="module")
def workload(mapped):
    stimulus = workload_stimulus("int8_mac", mapped.unit.parameters, mapped.unit.LATENCY, 1, SEED)
    run = mapped.run(stimulus.beats.stream, "workload")
    return stimulus, run, *mapped.power(run)


def _idle_stream(beats):
    """The same length as ``beats``, reset first, then every input held at zero."""
    stream = {port: np.zeros_like(values) for port, values in beats.stream.items()}
    stream["rst"][0] = 1
    return stream


def test_netlist_results_are_bit_exact(mapped, workload):
    stimulus, run, _, _ = workload
    check_results(run, stimulus.beats, mapped.unit.LATENCY, is_mac=True)  # raises on mismatch
    assert run.outputs["out_valid"].sum() == len(stimulus.beats.expected) == 1


def test_a_wrong_golden_result_is_caught(mapped, workload):
    stimulus, run, _, _ = workload
    wrong = MacBeats(stimulus.beats.stream, stimulus.beats.expected + 1)
    with pytest.raises(GateSimError, match="1 of 1 results differ from the golden model"):
        check_results(run, wrong, mapped.unit.LATENCY, is_mac=True)


def test_power_is_positive_and_adds_up(mapped, workload):
    _, run, activity, power = workload
    clock = mapped.netlist.ports["clk"][1][0]
    assert activity.rises[clock] == activity.falls[clock] == activity.cycles == run.window_cycles
    assert all(power.total[key] > 0 for key in COMPONENTS)
    assert power.watts == pytest.approx(sum(power.total.values()))
    for key in COMPONENTS:
        assert power.total[key] == pytest.approx(
            sum(parts[key] for kinds in power.blocks.values() for parts in kinds.values())
        )
    assert 0 < power.clock_internal < power.total["internal"]


def test_dynamic_power_scales_with_activity(mapped, workload):
    _, _, activity, power = workload
    doubled = estimate_power(mapped.library, mapped.netlist, activity.scaled(2), DEFAULT_CONDITIONS)
    assert doubled.total["switching"] == pytest.approx(2 * power.total["switching"])
    assert doubled.total["internal"] == pytest.approx(2 * power.total["internal"])
    assert doubled.total["leakage"] == pytest.approx(power.total["leakage"])


def test_constant_inputs_leave_only_leakage_and_clock_power(mapped, workload):
    stimulus, _, _, busy = workload
    run = mapped.run(_idle_stream(stimulus.beats), "idle")
    activity, idle = mapped.power(run)
    assert idle.total["switching"] == 0
    assert idle.total["internal"] == pytest.approx(idle.clock_internal) and idle.clock_internal > 0
    assert idle.total["leakage"] == pytest.approx(busy.total["leakage"])
    assert idle.watts < busy.watts


def _registers_only(folder):
    """A unit whose OpenSTA activity propagation is exact: inverters and flip-flops only."""
    source = folder / "pipe.v"
    source.write_text(
        "module pipe(input clk, input rst, input [7:0] a, output reg [7:0] q);\n"
        "  reg [7:0] r;\n"
        "  always @(posedge clk) begin r <= ~a; q <= ~r; end\nendmodule\n"
    )
    return synthesize(source, "pipe", folder / "synth", LIBERTY)


@needs_sta
def test_opensta_agrees_on_switching_and_leakage_where_its_propagation_is_exact(mapped, tmp_path):
    synthesis = _registers_only(tmp_path)
    netlist = read_netlist(synthesis.netlist_json, "pipe")
    rng = np.random.default_rng(SEED)
    cycles = 200
    bench = tmp_path / "bench.v"
    values = rng.integers(0, 256, cycles)
    (tmp_path / "a.hex").write_text("".join(f"{v:02x}\n" for v in values))
    bench.write_text(
        "`timescale 1ns/1ps\nmodule tb; reg clk = 0; reg [7:0] a; wire [7:0] q; integer i;\n"
        f"reg [7:0] v [0:{cycles - 1}];\npipe dut(.clk(clk), .rst(1'b0), .a(a), .q(q));\n"
        f'initial begin $readmemh("{tmp_path}/a.hex", v); $dumpfile("{tmp_path}/a.vcd");\n'
        f"for (i = 0; i < {cycles}; i = i + 1) begin a = v[i]; #5 clk = 1; #5 clk = 0;\n"
        "if (i == 0) $dumpvars(1, dut); end $finish; end\nendmodule\n"
    )
    subprocess.run(
        [
            "iverilog",
            "-o",
            str(tmp_path / "tb.vvp"),
            str(bench),
            str(synthesis.netlist),
            str(cell_models(LIBERTY, tmp_path)),
        ],
        check=True,
    )
    subprocess.run(["vvp", "-n", str(tmp_path / "tb.vvp")], check=True, capture_output=True)
    activity = read_activity(
        tmp_path / "a.vcd", netlist, "tb.dut", (10_000, cycles * 10_000), cycles - 1, "test"
    )
    ours = estimate_power(mapped.library, netlist, activity, DEFAULT_CONDITIONS)
    script = tmp_path / "activity.tcl"
    assert write_activity_script(netlist, activity, script) == 9  # a[0..7] and rst
    sta = run_sta(
        mapped.library, synthesis.netlist, "pipe", DEFAULT_CONDITIONS, tmp_path / "sta", script
    )
    assert ours.total["switching"] == pytest.approx(sta.power["switching"], rel=0.02)
    assert ours.total["leakage"] == pytest.approx(sta.power["leakage"], rel=1e-5)
    assert sta.critical_delay > 0 and sta.path[-1].endswith("/D")


def test_cell_models_are_built_from_the_liberty_when_none_ship_with_it(tmp_path):
    copy = tmp_path / "library.lib"
    copy.write_text(LIBERTY.read_text())
    models = cell_models(copy, tmp_path)
    assert models.parent == tmp_path and "module DFFPOSX1" in models.read_text()
