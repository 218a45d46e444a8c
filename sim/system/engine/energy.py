"""Energy of engine runs: the engine's gate-level energy per cycle from ``synth.report`` times
cycles, plus its buffers' and DRAM's energy per bit from cited figures.

Engine figures come from a report folder written by ``python -m synth.report --designs
sdr_engine int8_engine`` (``<folder>/<library>/report.json``): the unit record whose parameters
equal the engine's. Its gate-level power on the report's workload (every column busy every
cycle, clock network included) times the clock period is the energy of one cycle; every cycle of
a run is charged at that rate, the pipeline drain included (an upper bound for the drain). The
power splits into the MAC columns' logic, the encoder's logic, every flip-flop but its clock pin
(registers), the clock network (the flip-flops' clock pins, clock nets and buffers) and the rest
(the clock buffers' leakage, "other").

Memories (:mod:`sim.costs`, 45 nm figures, not rescaled to the standard-cell library's node):
every activation and weight bit a schedule reads from the on-chip buffers costs an 8 KB SRAM
read; every weight bit of a linear layer is fetched from DRAM once per pass (the weights do not
fit on chip; activations and the attention operands K and V stay on chip).
"""

import json
from dataclasses import dataclass
from pathlib import Path

from sim.system.memory import MEMORY_CONSTANTS

__all__ = ["EngineFigures", "COMPONENTS", "engine_figures", "run_energy_pj", "MEMORY_USED"]

#: Energy components, in plot order.
COMPONENTS = ("MAC columns", "encoder", "registers", "clock", "other", "SRAM reads", "DRAM")
#: The memory constants an energy uses.
MEMORY_USED = ("sram_read_pj_per_bit", "dram_pj_per_bit")
_CLOCK = ("clock_pins", "clock_nets", "clock_buffers")


@dataclass(frozen=True)
class EngineFigures:
    """One engine's gate-level figures: energy per cycle by component (pJ), area, timing."""

    tag: str
    library: str
    per_cycle_pj: dict
    area_um2: float
    meets_clock: bool
    clock_mhz: float
    source: str

    @property
    def total_per_cycle_pj(self):
        return sum(self.per_cycle_pj.values())


def _split(power, period_ns):
    """Energy per cycle (pJ) of a record's power (mW) by component."""
    gate = power["gate_level"]
    parts = dict.fromkeys(COMPONENTS[:5], 0.0)
    for block, values in power["blocks"].items():
        logic = "encoder" if block.startswith("encoder") else "MAC columns"
        parts[logic] += values["logic"]["value"]
        parts["registers"] += values["registers"]["value"]
    parts["registers"] -= gate["clock_pins"]["value"]  # the flip-flops' clock pins: clock
    parts["clock"] = sum(gate[name]["value"] for name in _CLOCK)
    parts["other"] = gate["total"]["value"] - sum(parts.values())
    return {name: value * period_ns for name, value in parts.items()}


def engine_figures(folder, module, parameters):
    """``{library: EngineFigures}`` of ``module`` with ``parameters`` in report ``folder``.

    Raises ``ValueError`` when the folder holds no report or no record of this engine (the
    message says which command writes one)."""
    folder = Path(folder)
    command = "python -m synth.report --designs sdr_engine int8_engine -o " + str(folder)
    reports = sorted(folder.glob("*/report.json"))
    if not reports:
        raise ValueError(f"--report {folder}: no <library>/report.json in it; run: {command}")
    figures = {}
    for path in reports:
        with open(path, encoding="utf-8") as file:
            report = json.load(file)
        period = report["conditions"]["clock_period"]["value"]
        for unit in report["units"]:
            if unit["design"] != module or unit.get("power") is None:
                continue
            if any(unit["parameters"].get(k) != v for k, v in parameters.items()):
                continue
            library = report["library"]["name"]
            figures[library] = EngineFigures(
                unit["tag"],
                library,
                _split(unit["power"], period),
                unit["area"]["total"]["value"],
                bool(unit["timing"]["meets_clock"]),
                1e3 / period,
                str(path),
            )
    if not figures:
        given = " ".join(f"{k}={v}" for k, v in parameters.items())
        raise ValueError(
            f"--report {folder}: no gate-level record of {module} with {given}; run: {command}"
        )
    return figures


def run_energy_pj(figures, run):
    """``{component: pJ}`` of a :class:`~sim.engine.runner.GemmRun` on an engine with
    ``figures`` (:class:`EngineFigures`)."""
    energy = {name: value * run.cycles for name, value in figures.per_cycle_pj.items()}
    sram = MEMORY_CONSTANTS["sram_read_pj_per_bit"].value
    energy["SRAM reads"] = (run.activation_bits + run.weight_bits) * sram
    energy["DRAM"] = run.dram_bits * MEMORY_CONSTANTS["dram_pj_per_bit"].value
    return energy
