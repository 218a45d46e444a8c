"""Bit-parallel gate-level simulation: Liberty expressions, cell functions against the cells'
Verilog models, whole netlists against Icarus, streams against single runs, and refusals."""

import json
import subprocess

import numpy as np
import pytest

from hw.designs import build, elaborated
from hw.export import export
from hw.interface import port_layout
from sim.util.tools import find_tool
from sim.verify.ports import unpack_lanes
from synth.flow.yosys import synthesize
from synth.gates.activity import Activity, read_activity
from synth.gates.gatesim import (
    CLOCK_PORT,
    NETLIST_SCOPE,
    GateRun,
    cell_models,
    check_results,
    simulate_netlist,
)
from synth.gates.logicsim import compile_netlist, simulate
from synth.gates.netlist import read_netlist
from synth.library.cellfunc import ONE, ZERO, compile_function, parse_expression
from synth.library.liberty import default_liberty, ihp_liberty, load_liberty
from synth.power.model import estimate_power
from synth.report.evaluate import DEFAULT_CONDITIONS
from synth.report.stimulus import workload_stimulus

OSU018 = default_liberty()
IHP, IHP_FOUND = ihp_liberty()
LIBRARIES = {
    "osu018": pytest.param(
        OSU018,
        marks=pytest.mark.skipif(
            OSU018 is None,
            reason="OSU 0.18 um Liberty not installed (apt-get install qflow-tech-osu018)",
        ),
    ),
    "ihp": pytest.param(
        IHP,
        marks=pytest.mark.skipif(
            not IHP_FOUND, reason=f"IHP SG13G2 Liberty not at {IHP} (set QRAZOR_IHP_LIBERTY)"
        ),
    ),
}
needs_icarus = pytest.mark.skipif(
    find_tool("iverilog") is None or find_tool("vvp") is None,
    reason="Icarus Verilog not installed (apt-get install iverilog)",
)
needs_osu018 = pytest.mark.skipif(
    OSU018 is None, reason="OSU 0.18 um Liberty not installed (apt-get install qflow-tech-osu018)"
)


def _truth(function, count):
    """Truth table (one 0/1 per input combination ``k``, input ``i`` = bit ``i`` of ``k``)."""
    k = np.arange(2**count)
    columns = [np.where((k >> i) & 1, ONE, ZERO) for i in range(count)]
    return (np.broadcast_to(function(*columns), k.shape) & np.uint64(1)).astype(int)


# --- Liberty expressions -------------------------------------------------------------------

OPERATORS = [
    ("!A", lambda a, b, c: not a),
    ("A'", lambda a, b, c: not a),
    ("A & B", lambda a, b, c: a and b),
    ("A*B", lambda a, b, c: a and b),
    ("A B", lambda a, b, c: a and b),
    ("A(B)", lambda a, b, c: a and b),
    ("(A)(B)", lambda a, b, c: a and b),
    ("A !B", lambda a, b, c: a and not b),
    ("A | B", lambda a, b, c: a or b),
    ("A+B", lambda a, b, c: a or b),
    ("A ^ B", lambda a, b, c: a != b),
    ("0", lambda a, b, c: False),
    ("1", lambda a, b, c: True),
    ("A + 1", lambda a, b, c: True),
    ("A 0", lambda a, b, c: False),
    # precedence: NOT, then XOR, then AND (also juxtaposition), then OR
    ("A + B C", lambda a, b, c: a or (b and c)),
    ("A B + C", lambda a, b, c: (a and b) or c),
    ("A * B ^ C", lambda a, b, c: a and (b != c)),
    ("A ^ B * C", lambda a, b, c: (a != b) and c),
    ("A B ^ C", lambda a, b, c: a and (b != c)),
    ("A ^ B + C", lambda a, b, c: (a != b) or c),
    ("A | B ^ C", lambda a, b, c: a or (b != c)),
    ("!A ^ B", lambda a, b, c: (not a) != b),
    ("!A B", lambda a, b, c: (not a) and b),
    ("A B'", lambda a, b, c: a and not b),
    ("A' ^ B", lambda a, b, c: (not a) != b),
    ("!A'", lambda a, b, c: a),
    ("(A + B)'", lambda a, b, c: not (a or b)),
    ("!(A + B) C", lambda a, b, c: (not (a or b)) and c),
    ("(A + B) C", lambda a, b, c: (a or b) and c),
    ("A ^ B ^ C", lambda a, b, c: (a != b) != c),
    ("A+B+C", lambda a, b, c: a or b or c),
    ("(!((C A) + (!C B)))", lambda a, b, c: not (a if c else b)),  # osu018 MUX2X1
]


@pytest.mark.parametrize("expression, expected", OPERATORS, ids=[o[0] for o in OPERATORS])
def test_every_operator_and_precedence_rule(expression, expected):
    function = compile_function(expression, ("A", "B", "C"))
    want = [int(bool(expected(k & 1, k >> 1 & 1, k >> 2 & 1))) for k in range(8)]
    assert _truth(function, 3).tolist() == want


def test_trees_show_the_grouping():
    assert parse_expression("A + B C ^ D") == (
        "or",
        ("var", "A"),
        ("and", ("var", "B"), ("xor", ("var", "C"), ("var", "D"))),
    )
    assert parse_expression("A ^ B ^ C")[1] == ("xor", ("var", "A"), ("var", "B"))  # left first
    assert parse_expression("D[0] & x.y") == ("and", ("var", "D[0]"), ("var", "x.y"))


def test_a_function_takes_positional_arrays_or_a_dict():
    function = compile_function("!(A B)", ("B", "A"))
    a, b = np.array([0b1100], np.uint64), np.array([0b1010], np.uint64)
    assert function.inputs == ("B", "A")
    assert int(function(b, a)[0] & np.uint64(15)) == 0b0111
    assert int(function({"A": a, "B": b})[0] & np.uint64(15)) == 0b0111
    assert compile_function("B + A").inputs == ("A", "B")  # sorted by default


@pytest.mark.parametrize(
    "expression, reason",
    [
        ("A +", "ends early"),
        ("(A B", "missing '\\)'"),
        ("A B)", "unexpected '\\)'"),
        ("A $ B", "unexpected '\\$'"),
        ("", "empty"),
        ("A + C", "uses C, not among A, B"),
    ],
)
def test_a_bad_expression_names_the_cell_and_pin(expression, reason):
    with pytest.raises(ValueError, match=f"^cell NAND9 pin Y: .*{reason}"):
        compile_function(expression, ("A", "B"), cell="NAND9", pin="Y")


# --- Liberty cells against their Verilog models --------------------------------------------


def _combinational(library):
    return [
        cell
        for cell in library.cells.values()
        if not cell.is_sequential
        and cell.outputs()
        and all(pin.direction in ("input", "output") for pin in cell.pins.values())
    ]


def _model_truth_tables(cells, models, folder):
    """``{cell: {pin: "01z..."}}`` from Icarus running the Verilog models on every input."""
    width = max(len(cell.inputs()) for cell in cells)
    lines = ["`timescale 1ns / 1ps", "module truth;", f"  reg [{max(width - 1, 0)}:0] i;"]
    shown = []
    for n, cell in enumerate(cells):
        connections = [f".{pin.name}(i[{k}])" for k, pin in enumerate(cell.inputs())]
        for pin in cell.outputs():
            lines.append(f"  wire o{n}_{pin.name};")
            connections.append(f".{pin.name}(o{n}_{pin.name})")
            shown.append(f"o{n}_{pin.name}")
        lines.append(f"  {cell.name} u{n} ({', '.join(connections)});")
    lines += [
        "  integer k;",
        "  initial begin",
        f"    for (k = 0; k < {2**width}; k = k + 1) begin",
        f'      i = k; #1 $display("{"%b" * len(shown)}", {", ".join(shown)});',
        "    end",
        "  end",
        "endmodule",
    ]
    bench = folder / "truth.v"
    bench.write_text("\n".join(lines) + "\n")
    binary = folder / "truth.vvp"
    subprocess.run(["iverilog", "-o", str(binary), str(bench), str(models)], check=True)
    rows = subprocess.run(
        ["vvp", "-n", str(binary)], check=True, capture_output=True, text=True
    ).stdout.split()
    columns = ["".join(row[i] for row in rows) for i in range(len(shown))]
    tables, column = {}, iter(columns)
    for cell in cells:
        tables[cell.name] = {pin.name: next(column) for pin in cell.outputs()}
    return tables


@needs_icarus
@pytest.mark.parametrize("liberty", LIBRARIES.values(), ids=LIBRARIES.keys())
def test_every_combinational_cell_matches_its_verilog_model(liberty, tmp_path):
    """osu018 ships vendor models (gate primitives); IHP's are built by Yosys' own Liberty
    reader. Every input combination of every output pin; three-state outputs where driven."""
    library = load_liberty(liberty)
    cells = _combinational(library)
    tables = _model_truth_tables(cells, cell_models(liberty, tmp_path), tmp_path)
    checked = 0
    for cell in cells:
        names = tuple(pin.name for pin in cell.inputs())
        for pin in cell.outputs():
            model = tables[cell.name][pin.name][: 2 ** len(names)]
            ours = _truth(
                compile_function(pin.function, names, cell=cell.name, pin=pin.name), len(names)
            )
            driven = [i for i, value in enumerate(model) if value != "z"]
            assert "x" not in model and (driven or pin.three_state), (cell.name, pin.name, model)
            assert len(driven) == len(model) or pin.three_state, (cell.name, pin.name, model)
            assert "".join(str(ours[i]) for i in driven) == "".join(model[i] for i in driven), (
                cell.name,
                pin.name,
            )
            checked += 1
    assert checked == sum(len(cell.outputs()) for cell in cells) >= 30


# --- Liberty and netlist extensions --------------------------------------------------------


@needs_osu018
def test_liberty_functions_and_flip_flops_of_osu018():
    library = load_liberty(OSU018)
    assert library.cell("AOI21X1").pins["Y"].function == "(!((A B)+C))"
    assert library.cell("NAND2X1").pins["A"].function is None
    assert library.cell("TBUFX1").pins["Y"].three_state == "(!EN)"
    flop = library.cell("DFFPOSX1").ff
    assert (flop.state, flop.next_state, flop.clocked_on) == (("DS0000", "P0002"), "D", "CLK")
    assert library.cell("DFFPOSX1").pins["Q"].function == "DS0000"
    sr = library.cell("DFFSR").ff
    assert (sr.clear, sr.preset, sr.clear_preset_var1, sr.clear_preset_var2) == (
        "(!R)",
        "(!S)",
        "L",
        None,
    )
    assert library.cell("LATCH").has_latch and library.cell("LATCH").ff is None
    assert not library.cell("NAND2X1").has_latch and library.cell("NAND2X1").ff is None


@pytest.mark.skipif(not IHP.is_file(), reason=f"IHP SG13G2 Liberty not at {IHP}")
def test_the_scan_flop_is_read_from_the_cell_not_its_test_cell():
    flop = load_liberty(IHP).cell("sg13g2_sdfbbp_1").ff
    assert flop.state == ("IQ", "IQN")
    assert flop.next_state == "(SCE*SCD)+(!SCE*D)"  # the test_cell's ff says "D"
    assert (flop.clear, flop.preset) == ("!RESET_B", "!SET_B")
    assert (flop.clear_preset_var1, flop.clear_preset_var2) == ("H", "L")


def _netlist_file(folder, cells, inputs=("a", "b"), outputs=("y",)):
    """A Yosys-JSON netlist: ports ``clk`` (bit 2), ``inputs`` (bits 3...), ``outputs`` (next),
    and ``cells`` as ``{name: (type, {pin: bit or "0"/"1"})}``."""
    ports = {"clk": {"direction": "input", "bits": [2]}}
    bit = 3
    for direction, names in (("input", inputs), ("output", outputs)):
        for name in names:
            ports[name] = {"direction": direction, "bits": [bit]}
            bit += 1
    module = {
        "ports": ports,
        "cells": {
            name: {"type": kind, "attributes": {}, "connections": {p: [b] for p, b in pins.items()}}
            for name, (kind, pins) in cells.items()
        },
        "netnames": {name: {"bits": port["bits"]} for name, port in ports.items()},
    }
    path = folder / "netlist.json"
    path.write_text(json.dumps({"modules": {"top": module}}))
    return read_netlist(path, "top")


def test_constant_pins_are_kept_apart(tmp_path):
    netlist = _netlist_file(
        tmp_path,
        {"u": ("AOI22X1", {"A": "0", "B": "1", "C": "x", "D": "z", "Y": 5})},
        outputs=(),
    )
    (instance,) = netlist.instances
    assert instance.pins == {"A": None, "B": None, "C": None, "D": None, "Y": 5}
    assert instance.constants == {"A": 0, "B": 1, "C": 0, "D": 0}


@needs_osu018
def test_output_bits_tied_to_constants(tmp_path):
    module = {
        "ports": {
            "a": {"direction": "input", "bits": [3]},
            "y": {"direction": "output", "bits": ["1", "0", 4, "x"]},
        },
        "cells": {"i": {"type": "INVX1", "attributes": {}, "connections": {"A": [3], "Y": [4]}}},
        "netnames": {},
    }
    path = tmp_path / "netlist.json"
    path.write_text(json.dumps({"modules": {"top": module}}))
    netlist = read_netlist(path, "top")
    assert netlist.port_constants == {"y": {0: 1, 1: 0, 3: 0}}
    run = simulate(compile_netlist(load_liberty(OSU018), netlist), {"a": [[[0]], [[1]]]}, (1, 2))
    assert run.outputs["y"][:, 0].tolist() == [[1, 0, 1, 0], [1, 0, 0, 0]]


# --- whole netlists against Icarus ---------------------------------------------------------


def _input_bits(unit, stream):
    """``{port: (cycles, 1, width) bits}`` of a one-stream ``stream`` (lane values per cycle)."""
    bits = {}
    for name, (direction, width, lanes, _) in port_layout(unit).items():
        if direction == "input":
            values = np.asarray(stream[name], np.int64).reshape(len(stream[name]), lanes or 1)
            bits[name] = ((values[..., None] >> np.arange(width)) & 1).reshape(len(values), 1, -1)
    bits["rst"] = np.asarray(stream["rst"]).reshape(-1, 1, 1)
    return bits


def _port_values(unit, outputs, stream=0):
    """Lane values of one stream's output bits, as :class:`~synth.gates.gatesim.GateRun` holds
    them."""
    values = {}
    for name, (direction, width, lanes, signed) in port_layout(unit).items():
        if direction == "output":
            bits = outputs[name][:, stream, :].astype(object)
            words = [sum(int(b) << i for i, b in enumerate(row)) for row in bits]
            unpacked = unpack_lanes(words, width, lanes or 1, signed)
            values[name] = unpacked[:, 0] if lanes is None else unpacked
    return values


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    """Synthesize each (design, LANES, library) once for the module."""
    cache = {}

    def get(design, lanes, liberty):
        key = design, lanes, str(liberty)
        if key not in cache:
            folder = tmp_path_factory.mktemp(f"{design}_L{lanes}")
            export([design], folder, LANES=lanes)
            synthesis = synthesize(folder / f"{design}.v", design, folder / "synth", liberty)
            cache[key] = (
                elaborated(build(design, LANES=lanes)),
                synthesis,
                read_netlist(synthesis.netlist_json, design),
                load_liberty(liberty),
                folder,
            )
        return cache[key]

    return get


@needs_icarus
@pytest.mark.parametrize("liberty", LIBRARIES.values(), ids=LIBRARIES.keys())
@pytest.mark.parametrize("design, lanes", [("int8_mac", 1), ("sdr_mac", 4)])
def test_netlist_runs_equal_icarus_bit_for_bit_and_toggle_for_toggle(
    design, lanes, liberty, synthesized
):
    unit, synthesis, netlist, library, folder = synthesized(design, lanes, liberty)
    stimulus = workload_stimulus(design, unit.parameters, unit.LATENCY, seed=0, streams=1, beats=1)
    beats = stimulus.beats[0]
    # Icarus starts every flip-flop at x, we at 0, so the window starts where Icarus knows every
    # net: reset in cycle 0, valid beats from cycle 1 on, and after LATENCY edges every pipeline
    # register has been loaded from x-free values (sdr_mac differs at first = LATENCY). Both
    # sides count V_{t-1} -> V_t for first <= t < cycles: the VCD starts half-way through cycle
    # first - 1 (its initial values are V_{first-1}) and holds the edges from cycle first on.
    first = unit.LATENCY + 1
    gate_dir = folder / f"gate_{library.name}"
    gate_dir.mkdir()
    icarus = simulate_netlist(
        unit,
        design,
        synthesis.netlist,
        cell_models(liberty, gate_dir),
        beats.stream,
        gate_dir,
        window_start=first,
    )
    cycles = icarus.cycles
    run = simulate(
        compile_netlist(library, netlist), _input_bits(unit, beats.stream), (first, cycles)
    )

    ours = _port_values(unit, run.outputs)
    for port, known in icarus.known.items():
        assert known[first - 1 :].all(), port
        np.testing.assert_array_equal(ours[port][known], icarus.outputs[port][known], err_msg=port)
    known = {port: np.ones(cycles, bool) for port in ours}
    check_results(GateRun(ours, known, None, cycles), beats, unit.LATENCY, is_mac=True)

    reference = read_activity(
        icarus.vcd, netlist, NETLIST_SCOPE, icarus.window, icarus.window_cycles, "icarus"
    )
    power = estimate_power(library, netlist, reference, DEFAULT_CONDITIONS)
    clock = netlist.ports[CLOCK_PORT][1][0]
    assert reference.rises.pop(clock) == reference.falls.pop(clock) == cycles - first
    assert reference.duty.pop(clock) == pytest.approx(0.5)
    assert run.activity.cycles == reference.cycles == cycles - first
    assert run.activity.rises == reference.rises and run.activity.falls == reference.falls
    assert run.activity.duty.keys() == reference.duty.keys()
    for bit, duty in reference.duty.items():
        assert run.activity.duty[bit] == pytest.approx(duty, abs=1e-9), bit
    assert sum(reference.rises.values()) > 10 * (cycles - first)  # a busy window, not an idle one
    # The same power once the clock's one rise and fall per cycle are added back.
    clocked = Activity(
        {**run.activity.rises, clock: run.activity.cycles},
        {**run.activity.falls, clock: run.activity.cycles},
        {**run.activity.duty, clock: 0.5},
        run.activity.cycles,
        run.activity.source,
    )
    ours_power = estimate_power(library, netlist, clocked, DEFAULT_CONDITIONS)
    assert ours_power.total == pytest.approx(power.total, rel=1e-12)


# --- bit-parallel streams ------------------------------------------------------------------


@needs_osu018
def test_streams_in_one_run_equal_separate_runs(synthesized):
    _, _, netlist, library, _ = synthesized("int8_mac", 1, OSU018)
    program = compile_netlist(library, netlist)
    rng = np.random.default_rng(7)
    streams, cycles, window = 130, 24, (3, 24)
    inputs = {
        name: rng.integers(0, 2, (cycles, streams, len(rows)), np.uint8)
        for name, rows in program.inputs.items()
    }
    inputs["rst"] = (rng.random((cycles, streams, 1)) < 0.1).astype(np.uint8)
    together = simulate(program, inputs, window)
    assert together.streams == streams and together.activity.cycles == (24 - 3) * streams
    rises, falls, high = {}, {}, {}
    for s in range(streams):
        alone = simulate(
            program, {name: bits[:, s : s + 1] for name, bits in inputs.items()}, window
        )
        for port, bits in together.outputs.items():
            np.testing.assert_array_equal(bits[:, s : s + 1], alone.outputs[port], err_msg=port)
        for bit, n in alone.activity.rises.items():
            rises[bit] = rises.get(bit, 0) + n
        for bit, n in alone.activity.falls.items():
            falls[bit] = falls.get(bit, 0) + n
        for bit, duty in alone.activity.duty.items():
            high[bit] = high.get(bit, 0) + duty * alone.activity.cycles
    assert together.activity.rises == rises and together.activity.falls == falls
    for bit, duty in together.activity.duty.items():
        assert duty * together.activity.cycles == pytest.approx(high[bit], abs=1e-9)


@needs_osu018
def test_the_same_inputs_give_the_same_bytes(synthesized):
    _, _, netlist, library, _ = synthesized("int8_mac", 1, OSU018)
    program = compile_netlist(library, netlist)
    rng = np.random.default_rng(1)
    inputs = {n: rng.integers(0, 2, (10, 70, len(r)), np.uint8) for n, r in program.inputs.items()}
    first, second = simulate(program, inputs, (1, 10)), simulate(program, inputs, (1, 10))
    assert all(first.outputs[p].tobytes() == second.outputs[p].tobytes() for p in first.outputs)
    assert first.activity == second.activity


# --- small hand-made netlists --------------------------------------------------------------


@needs_osu018
def test_timing_of_inputs_flip_flops_and_activity(tmp_path):
    """y = q & b with q <= a: cycle t sees b_t and a_{t-1}; flip-flops start at 0."""
    netlist = _netlist_file(
        tmp_path,
        {
            "ff": ("DFFPOSX1", {"CLK": 2, "D": 3, "Q": 6}),
            "and": ("AND2X1", {"A": 6, "B": 4, "Y": 5}),
        },
    )
    program = compile_netlist(load_liberty(OSU018), netlist)
    a = np.array([1, 1, 0, 1, 1, 0], np.uint8)
    b = np.array([1, 1, 1, 0, 1, 1], np.uint8)
    run = simulate(program, {"a": a.reshape(-1, 1, 1), "b": b.reshape(-1, 1, 1)}, (1, 6))
    q = np.concatenate([[0], a[:-1]])
    assert run.outputs["y"][:, 0, 0].tolist() == (q & b).tolist() == [0, 1, 1, 0, 1, 1]
    # into cycles 1..5, y rises at t = 1 and 4 and falls at t = 3; q falls at 3, rises at 4
    assert (run.activity.rises[5], run.activity.falls[5]) == (2, 1)
    assert (run.activity.rises[6], run.activity.falls[6]) == (2, 1)
    assert run.activity.duty[5] == run.activity.duty[6] == pytest.approx(4 / 5)
    assert run.activity.cycles == 5
    assert 2 not in run.activity.duty  # the clock


@needs_osu018
@pytest.mark.parametrize(
    "reset, set_, expected",
    [("1", "1", [0, 1, 1, 0]), ("0", "1", [0] * 4), ("1", "0", [1] * 4), ("0", "0", [0] * 4)],
)
def test_constant_clear_and_preset(tmp_path, reset, set_, expected):
    """DFFSR: R and S active low; both active gives clear_preset_var1 = L."""
    netlist = _netlist_file(
        tmp_path,
        {"ff": ("DFFSR", {"CLK": 2, "D": 3, "R": reset, "S": set_, "Q": 4})},
        inputs=("a",),
        outputs=("y",),
    )
    program = compile_netlist(load_liberty(OSU018), netlist)
    run = simulate(program, {"a": np.array([1, 1, 0, 1], np.uint8).reshape(-1, 1, 1)}, (1, 4))
    assert run.outputs["y"][:, 0, 0].tolist() == expected


REFUSED = {
    "latch": ({"l": ("LATCH", {"CLK": 3, "D": 4, "Q": 5})}, "instance l \\(LATCH\\): latches"),
    "loop": (
        {
            "n1": ("NAND2X1", {"A": 3, "B": 7, "Y": 6}),
            "n2": ("NAND2X1", {"A": 6, "B": 4, "Y": 7}),
            "buf": ("BUFX2", {"A": 7, "Y": 5}),
        },
        "combinational loop through instances n(1, n2|2, n1)$",
    ),
    "three-state": (
        {"t": ("TBUFX1", {"A": 3, "EN": 4, "Y": 5})},
        "instance t \\(TBUFX1\\): output Y is three-state",
    ),
    "falling edge": (
        {"f": ("DFFNEGX1", {"CLK": 2, "D": 3, "Q": 5})},
        "instance f \\(DFFNEGX1\\): clocked on a falling edge",
    ),
    "other clock": (
        {"f": ("DFFPOSX1", {"CLK": 4, "D": 3, "Q": 5})},
        "instance f \\(DFFPOSX1\\): clock pin CLK is not connected to the clk port",
    ),
    "clear from a net": (
        {"f": ("DFFSR", {"CLK": 2, "D": 3, "R": 4, "S": "1", "Q": 5})},
        "instance f \\(DFFSR\\): asynchronous clear pin R is driven by a net",
    ),
    "clock as data": (
        {"g": ("AND2X1", {"A": 2, "B": 3, "Y": 5})},
        "instance g \\(AND2X1\\): pin A reads the clock",
    ),
    "two drivers": (
        {"g": ("INVX1", {"A": 3, "Y": 5}), "h": ("INVX1", {"A": 4, "Y": 5})},
        "instance h \\(INVX1\\): output Y shares its net with g",
    ),
}


@needs_osu018
@pytest.mark.parametrize("case", REFUSED, ids=REFUSED)
def test_unsupported_netlists_are_refused_naming_the_instance(tmp_path, case):
    cells, message = REFUSED[case]
    netlist = _netlist_file(tmp_path, cells)
    with pytest.raises(ValueError, match=message):
        compile_netlist(load_liberty(OSU018), netlist)


@needs_osu018
def test_bad_inputs_and_windows_are_refused(tmp_path):
    netlist = _netlist_file(tmp_path, {"g": ("AND2X1", {"A": 3, "B": 4, "Y": 5})})
    program = compile_netlist(load_liberty(OSU018), netlist)
    bits = np.zeros((4, 2, 1), np.uint8)
    with pytest.raises(ValueError, match="missing \\['b'\\]"):
        simulate(program, {"a": bits}, (1, 4))
    with pytest.raises(ValueError, match="input b must have shape \\(cycles, streams, 1\\)"):
        simulate(program, {"a": bits, "b": bits[..., 0]}, (1, 4))
    with pytest.raises(ValueError, match="disagree"):
        simulate(program, {"a": bits, "b": bits[:3]}, (1, 4))
    with pytest.raises(ValueError, match="window must satisfy"):
        simulate(program, {"a": bits, "b": bits}, (0, 4))
