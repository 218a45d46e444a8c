"""An engine's gate-level figures, read from a ``synth.report`` folder.

Engine figures come from a report folder written by ``python -m synth.report --designs
sdr_engine int8_engine int4_engine`` (``<folder>/<library>/report.json``): the unit record whose
parameters equal the engine's. Its gate-level power on the report's workload (every column busy
every cycle, clock network included) times the clock period is the energy of one cycle. The
power splits into the MAC columns' logic, every flip-flop but its clock pin (registers), the
clock network (the flip-flops' clock pins, clock nets and buffers) and the rest (the clock
buffers' leakage, "other"). The system around the engine is costed by :mod:`sim.system.zigzag`.
"""

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EngineFigures", "COMPONENTS", "engine_figures"]

#: Energy components of one cycle.
COMPONENTS = ("MAC columns", "registers", "clock", "other")
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
    parts = dict.fromkeys(COMPONENTS, 0.0)
    for values in power["blocks"].values():
        parts["MAC columns"] += values["logic"]["value"]
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
    command = "python -m synth.report --designs sdr_engine int8_engine int4_engine -o " + str(
        folder
    )
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
