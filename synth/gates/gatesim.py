"""Simulate a mapped netlist with Icarus Verilog on a per-cycle stream; check it bit-exactly.

The testbench (``synth/scripts/gate_tb.v``) reads one input vector per cycle, records the outputs
of every cycle and dumps the nets of the netlist to a VCD over the activity window: by default
the cycles from the second after the reset cycle on, so that releasing the reset (and, here,
leaving x) is not counted as activity. Its timing is :mod:`synth.gates.logicsim`'s: the inputs
of cycle ``t`` change at the rising edge that starts it, in the same time step as the flip-flops
load, so every net settles once per cycle and the VCD holds one transition at most per net and
cycle.
Cells are simulated with the library's Verilog models (the Debian OSU 0.18 um package ships
them); for a library without models, Yosys builds them from the Liberty cell functions.
Icarus rather than Yosys ``sim``: it runs the vendor's own cell models and is as fast (300
cycles of ``int8_mac`` at LANES=16: 25 s against 29 s; both are event-driven, and zero-delay
multiplier arrays re-evaluate each gate many times per cycle). Verilator would run faster but
took longer than 2 minutes just to compile that netlist on two cores.
"""

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hw.interface import port_layout
from hw.yosys import run_script
from sim.util.tools import find_tool
from sim.verify.checker import check_stream
from sim.verify.ports import pack_fields, unpack_lanes

from ..templates import render

__all__ = [
    "GateSimError",
    "GateRun",
    "cell_models",
    "simulate_netlist",
    "check_results",
    "CLOCK_PORT",
    "RESET_PORT",
    "NETLIST_SCOPE",
]

CLOCK_PORT, RESET_PORT = "clk", "rst"
#: Simulated half clock period (ns); the simulation is zero-delay, so only the VCD axis uses it.
HALF_PERIOD_NS = 5
#: VCD time ticks per nanosecond (the testbench's `timescale 1ns / 1ps).
VCD_TICKS_PER_NS = 1000
#: Instance path of the netlist in the testbench.
NETLIST_SCOPE = "gate_tb.dut"


class GateSimError(RuntimeError):
    """Icarus failed, or the netlist's results differ from the golden model's."""


@dataclass(frozen=True)
class GateRun:
    """Per-cycle outputs of one gate-level run and the VCD of its nets.

    ``known[port]`` is False in cycles where the port had x or z bits. The VCD holds the
    transitions into cycles ``window_start`` .. ``cycles - 1``: ``window_cycles`` clock cycles,
    VCD times ``window`` (picoseconds).
    """

    outputs: dict
    known: dict
    vcd: Path
    cycles: int
    window_start: int = 2

    @property
    def window_cycles(self):
        return self.cycles - self.window_start

    @property
    def window(self):
        period = 2 * HALF_PERIOD_NS * VCD_TICKS_PER_NS
        return period * self.window_start, period * self.cycles


def cell_models(liberty, workdir):
    """Verilog models of the Liberty cells: ``<stem>.v`` beside the Liberty, else built by Yosys."""
    beside = Path(liberty).with_suffix(".v")
    if beside.is_file():
        return beside
    models = Path(workdir).resolve() / "cell_models.v"
    script = render("cell_models.ys", liberty=Path(liberty).resolve(), models=models)
    run_script(
        [line for line in script.splitlines() if line and not line.startswith("#")],
        Path(workdir).resolve() / "cell_models.log",
    )
    return models


def _input_fields(unit):
    """``[(port, width, lane_width, lanes)]`` in vector order: reset first, then the inputs."""
    fields = [(RESET_PORT, 1, 1, None)]
    for name, (direction, width, lanes, _) in port_layout(unit).items():
        if direction == "input":
            fields.append((name, width * (lanes or 1), width, lanes))
    return fields


def _output_fields(unit):
    return [
        (name, width * (lanes or 1), width, lanes, signed)
        for name, (direction, width, lanes, signed) in port_layout(unit).items()
        if direction == "output"
    ]


def _connections(fields, vector):
    lines, offset = [], 0
    for field in fields:
        name, width = field[0], field[1]
        lines.append(f",\n    .{name}({vector}[{offset + width - 1}:{offset}])")
        offset += width
    return "".join(lines), offset


def _run(command, what):
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise GateSimError(f"{what} failed: {lines[0] if lines else f'exit {result.returncode}'}")
    return result


def _read_outputs(path, fields, cycles):
    lines = Path(path).read_text().split()
    if len(lines) != cycles:
        raise GateSimError(f"{path}: {len(lines)} output cycles, expected {cycles}")
    outputs, known, end = {}, {}, len(lines[0])
    for name, width, lane_width, lanes, signed in fields:
        texts = [line[end - width : end] for line in lines]
        end -= width
        known[name] = np.array(["x" not in t and "z" not in t for t in texts])
        values = [int(t, 2) if ok else 0 for t, ok in zip(texts, known[name], strict=True)]
        unpacked = unpack_lanes(values, lane_width, lanes or 1, signed)
        outputs[name] = unpacked[:, 0] if lanes is None else unpacked
    return outputs, known


def simulate_netlist(unit, top, netlist, models, stream, workdir, window_start=2):
    """Run ``stream`` through the mapped ``netlist`` of ``unit``; return a :class:`GateRun`.

    The VCD holds the activity from cycle ``window_start`` on (at least 1: the transitions into a
    cycle need the one before; by default 2, after the reset cycle 0 and its release). Needs
    ``iverilog`` and ``vvp`` on PATH. Raises :class:`GateSimError` when they fail.
    """
    for tool in ("iverilog", "vvp"):
        if find_tool(tool) is None:
            raise GateSimError(f"{tool} is not on PATH (apt-get install iverilog)")
    workdir = Path(workdir).resolve()
    inputs, outputs = _input_fields(unit), _output_fields(unit)
    words, in_width = pack_fields(
        stream, [(name, lane_width, lanes) for name, _, lane_width, lanes in inputs]
    )
    if not 1 <= window_start < len(words):
        raise ValueError(f"window_start must be 1 to {len(words) - 1}, not {window_start}")
    digits = (in_width + 3) // 4
    vectors = workdir / "vectors.hex"
    vectors.write_text("".join(f"{word:0{digits}x}\n" for word in words))
    in_connections, _ = _connections(inputs, "in")
    out_connections, out_width = _connections(outputs, "out")
    paths = {
        "vectors": vectors,
        "outputs": workdir / "outputs.txt",
        "vcd": workdir / "activity.vcd",
    }
    bench = workdir / "gate_tb.v"
    bench.write_text(
        render(
            "gate_tb.v",
            cycles=len(words),
            half_period=HALF_PERIOD_NS,
            first=window_start,
            in_msb=in_width - 1,
            out_msb=out_width - 1,
            top=top,
            connections=in_connections + out_connections,
            **paths,
        )
    )
    binary = workdir / "gate_tb.vvp"
    _run(
        [
            "iverilog",
            "-g2005",
            "-o",
            str(binary),
            "-s",
            "gate_tb",
            str(bench),
            str(netlist),
            str(models),
        ],
        "iverilog",
    )
    _run(["vvp", "-n", str(binary)], "vvp")
    values, known = _read_outputs(paths["outputs"], outputs, len(words))
    return GateRun(values, known, paths["vcd"], len(words), window_start)


def check_results(run, beats, latency, is_mac):
    """Raise :class:`GateSimError` unless the netlist produced ``beats.expected`` bit-exactly.

    :func:`sim.checker.check_stream` checks every result's value, their order, and that each
    appears ``latency`` cycles after the beat that completes it; here, in addition, no output may
    be unknown (x) after the reset cycle where a result is due.
    """
    if not run.known["out_valid"][1:].all():
        raise GateSimError("out_valid is unknown (x) after the reset cycle")
    valid = np.flatnonzero(run.outputs["out_valid"])
    unknown = [port for port, known in run.known.items() if not known[valid].all()]
    if unknown:
        raise GateSimError(f"{', '.join(unknown)} unknown (x) in a cycle with out_valid")
    check = check_stream(run.outputs, beats.stream, beats.expected, latency, is_mac)
    if not check.passed:
        raise GateSimError(
            f"{check.mismatches} of {check.results} results differ from the "
            f"golden model; first: {check.first}"
        )
