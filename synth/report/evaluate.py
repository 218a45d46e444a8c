"""Evaluate one unit: pipelining, area, timing, gate-level power with the clock, OpenSTA.

With a Liberty library: the pipelining policy (:mod:`synth.flow.pipelining`) picks the unit's
registers unless the parameters fix them; the chosen implementation's area comes per block from
its cells (:mod:`synth.gates.attribution`); every seed's workload runs through the mapped
netlist (:mod:`synth.gates.gatelevel`, every result checked against the golden model) and its
activity becomes power (:mod:`synth.power.model`) plus the clock network
(:mod:`synth.power.clock`); OpenSTA gets the same per-net activity for its own figure, and the
power model is rerun with OpenSTA 2.0.17's conventions to show where the two differ. A unit
that misses the clock is flagged and its power also given at its own fmax. The result is a plain
record (dicts, lists and :class:`~synth.quantity.Quantity`) for the report writers. A step whose
tool is missing is skipped with a note saying what to install.
"""

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hw.designs import DESIGNS, RAP_DESIGNS, build, elaborated
from hw.export import export
from sim.util.tables import counted
from sim.util.tools import find_tool

from ..flow.areas import read_area
from ..flow.implementation import block_areas, implement
from ..flow.pipelining import choose_pipeline
from ..flow.sta import run_sta, write_activity_script, write_power_liberty
from ..flow.yosys import ABC_CLEANUP, synthesize
from ..gates.activity import Activity
from ..gates.blocks import category
from ..gates.gatelevel import run_gate_level
from ..gates.gatesim import CLOCK_PORT
from ..gates.logicsim import compile_netlist
from ..library.liberty import load_liberty
from ..power.clock import clock_tree
from ..power.model import LIBERTY, OPENSTA_2_0_17, Conditions, estimate_power
from ..quantity import Quantity
from .compactor import COMPACTOR, checker
from .compactor import REGISTERS as COMPACTOR_REGISTERS
from .rap_rows import REGISTERS
from .stimulus import (
    DEFAULT_BEATS,
    DEFAULT_SEEDS,
    DEFAULT_STREAMS,
    operand_sqnr,
    operands_name,
    workload_stimulus,
)

__all__ = [
    "Setup",
    "unit_tag",
    "evaluate_unit",
    "DEFAULT_CONDITIONS",
    "POWER_PARTS",
    "COMPARED",
]

#: 100 MHz clock, 0.1 ns input transition, 0.05 pF on every output.
DEFAULT_CONDITIONS = Conditions(clock_period=10e-9, input_transition=0.1e-9, output_load=0.05e-12)
#: Parts of a unit's power (mW), in report order; their sum is ``total``.
POWER_PARTS = (
    "logic_internal",
    "switching",
    "leakage",
    "clock_pins",
    "clock_nets",
    "clock_buffers",
)
#: Components compared with OpenSTA (which prices no clock tree and no clock net).
COMPARED = ("internal", "switching", "leakage", "total")
_NO_LIBERTY = (
    "no Liberty library (generic mode): {what} needs one; apt-get install "
    "qflow-tech-osu018 or pass --liberty PATH"
)


@dataclass(frozen=True)
class Setup:
    """What every unit of one report shares."""

    liberty: Path | None
    conditions: Conditions = DEFAULT_CONDITIONS
    seeds: tuple = DEFAULT_SEEDS
    streams: int = DEFAULT_STREAMS
    beats: int = DEFAULT_BEATS


@lru_cache(maxsize=2)
def _library(path):
    return load_liberty(path)


def unit_tag(design, parameters):
    """Short name of a unit and its size: ``sdr_mac_L16``, ``sdr_encoder_G16``,
    ``sdr_engine_C4_L16``, ``row_compactor_R128_K7``."""
    if design == COMPACTOR:
        return f"{design}_R{parameters['ROWS']}_K{parameters['K']}"
    if "COLS" in parameters:
        return f"{design}_C{parameters['COLS']}_L{parameters['LANES']}"
    if "LANES" in parameters:
        return f"{design}_L{parameters['LANES']}"
    return f"{design}_G{parameters.get('GROUP', 16)}"


def _area_record(implementation, source):
    stat = source(implementation.synthesis.stat_flat)
    unit = "um^2"
    blocks = {
        name: {
            "category": category(name),
            "logic": Quantity(parts["logic"], unit, stat),
            "registers": Quantity(parts["registers"], unit, stat),
        }
        for name, parts in block_areas(implementation).items()
    }
    registers = sum(parts["registers"].value for parts in blocks.values())
    return {
        "total": Quantity(implementation.area, unit, stat),
        "registers": Quantity(registers, unit, stat),
        "cells": len(implementation.netlist.instances),
        "flip_flops": implementation.flip_flops,
        "blocks": blocks,
    }


def _timing_record(implementation, source):
    sta = implementation.timing
    points = implementation.path_blocks()
    library = implementation.library
    instances = {i.name: i for i in implementation.netlist.instances}

    def on_clock(pin):
        name, _, port = pin.partition("/")
        if not port:
            return name == CLOCK_PORT
        return library.cell(instances[name].cell).pins[port].is_clock

    path = [(pin, block) for pin, _, block in points if not on_clock(pin)] or [
        (pin, block) for pin, _, block in points
    ]
    delay = sta.critical_delay
    return {
        "clock_period": Quantity(sta.period * 1e9, "ns", "stated"),
        "worst_slack": Quantity(sta.slack * 1e9, "ns", source(sta.results)),
        "critical_path_delay": Quantity(delay * 1e9, "ns", source(sta.results)),
        "fmax": Quantity(1e-6 / delay, "MHz", source(sta.results)),
        "meets_clock": sta.slack >= 0,
        "startpoint": path[0][0],
        "endpoint": path[-1][0],
        "start_block": path[0][1],
        "end_block": path[-1][1],
        "path_report": source(sta.path_report),
    }


def _summed(activities):
    """One :class:`Activity` of several runs (counts and duty-weighted samples add up)."""
    rises, falls, high, cycles = {}, {}, {}, 0
    for activity in activities:
        for bit, count in activity.rises.items():
            rises[bit] = rises.get(bit, 0) + count
        for bit, count in activity.falls.items():
            falls[bit] = falls.get(bit, 0) + count
        for bit, duty in activity.duty.items():
            high[bit] = high.get(bit, 0.0) + duty * activity.cycles
        cycles += activity.cycles
    duty = {bit: value / cycles for bit, value in high.items()}
    return Activity(rises, falls, duty, cycles, counted(len(activities), "seed"))


def _parts(result, tree):
    """Power parts (W) of :data:`POWER_PARTS` plus ``total`` and ``input_ports``."""
    parts = {
        "logic_internal": result.total["internal"] - result.clock_internal,
        "switching": result.total["switching"],
        "leakage": result.total["leakage"] + tree.buffer_leakage,
        "clock_pins": result.clock_internal,
        "clock_nets": tree.net_switching,
        "clock_buffers": tree.buffer_internal,
    }
    parts["total"] = sum(parts.values())
    parts["input_ports"] = result.input_switching
    return parts


def _tree(implementation, conditions):
    library = implementation.library
    sinks, capacitance = 0, 0.0
    for instance in implementation.netlist.instances:
        for name, pin in library.cell(instance.cell).pins.items():
            if pin.is_clock and instance.pins.get(name) is not None:
                sinks += 1
                capacitance += pin.capacitance
    return clock_tree(library, capacitance, sinks, implementation.area, conditions)


def _milliwatts(parts, source):
    return {key: Quantity(value * 1e3, "mW", source) for key, value in parts.items()}


def _blocks_record(result, source):
    return {
        name: {
            "category": category(name),
            **{
                kind: Quantity(sum(kinds.get(kind, {}).values()) * 1e3, "mW", source)
                for kind in ("logic", "registers")
            },
        }
        for name, kinds in sorted(result.blocks.items())
    }


def _opensta_record(implementation, activity, conditions, result, workdir, source):
    """OpenSTA's power with the measured activity, beside the gate-level figure with the
    Liberty conventions and with OpenSTA 2.0.17's."""
    library, netlist = implementation.library, implementation.netlist
    script = write_activity_script(library, netlist, activity, workdir / "activity.tcl")
    power_lib = write_power_liberty(library, workdir / "power.lib")
    sta = run_sta(
        library,
        implementation.synthesis.netlist,
        implementation.design,
        conditions,
        workdir / "sta_power",
        workdir / "activity.tcl",
        liberty_path=power_lib,
    )
    emulated = _power(implementation, activity, conditions, OPENSTA_2_0_17)

    def core(power):
        figures = dict(power.total)
        figures["total"] = sum(power.total.values())
        return figures

    ours, theirs, as_sta = core(result), dict(sta.power), core(emulated)
    rows = {
        key: {
            "gate_level": Quantity(ours[key] * 1e3, "mW", source(activity.source)),
            "opensta": Quantity(theirs[key] * 1e3, "mW", source(sta.results)),
            "gate_level_with_opensta_conventions": Quantity(
                as_sta[key] * 1e3, "mW", "synth.power.OPENSTA_2_0_17"
            ),
            "ratio": ours[key] / theirs[key] if theirs[key] else None,
            "ratio_with_opensta_conventions": as_sta[key] / theirs[key] if theirs[key] else None,
        }
        for key in COMPARED
    }
    return {"annotated_pins": script, "components": rows}


def _at_fmax(parts, fmax_hz, conditions):
    """Power parts at the unit's own fmax: every dynamic part scales with the clock."""
    scale = fmax_hz * conditions.clock_period
    return {
        key: value if key == "leakage" else value * scale
        for key, value in parts.items()
        if key != "input_ports"
    }


def _power(implementation, activity, conditions, conventions=LIBERTY):
    return estimate_power(
        implementation.library,
        implementation.netlist,
        activity,
        conditions,
        implementation.shares,
        conventions=conventions,
    )


def _results(design, unit):
    """What :func:`sim.checker.check_stream` checks: ``True`` for a MAC, ``False`` for the
    encoder, the unit's :class:`~sim.checker.Results` for a RAP row unit; ``row_compactor``
    checks itself (:func:`synth.report.compactor.checker`)."""
    if design == COMPACTOR:
        return checker(unit.parameters)
    if design in RAP_DESIGNS:
        return unit.RESULTS
    return design != "sdr_encoder"


def _power_record(implementation, setup, workdir, source):
    design, unit = implementation.design, implementation.unit
    program = compile_netlist(implementation.library, implementation.netlist)
    tree = _tree(implementation, setup.conditions)
    per_seed, activities, stimuli = {}, [], []
    for seed in setup.seeds:
        stimulus = workload_stimulus(
            design, unit.parameters, unit.LATENCY, seed, setup.streams, setup.beats
        )
        activity = run_gate_level(
            unit, implementation.netlist, program, stimulus, _results(design, unit)
        )
        per_seed[seed] = _parts(_power(implementation, activity, setup.conditions), tree)
        activities.append(activity)
        stimuli.append(stimulus)
    activity = _summed(activities)
    result = _power(implementation, activity, setup.conditions)
    parts = _parts(result, tree)
    stimulus = stimuli[0]
    per_operation = setup.conditions.clock_period / stimulus.operations_per_cycle
    label = f"gate-level activity, seeds {', '.join(map(str, setup.seeds))}"
    record = {
        "workload": stimulus.workload,
        "operation": stimulus.operation,
        **({"passes": unit.RESULTS.passes} if design in RAP_DESIGNS else {}),
        "operations_per_cycle": stimulus.operations_per_cycle,
        "seeds": list(setup.seeds),
        "streams": stimulus.streams,
        "window_cycles": stimulus.window[1] - stimulus.window[0],
        "check": (
            f"bit-exact: all {sum(len(b.expected) for s in stimuli for b in s.beats)} results "
            "equal the golden model's, each LATENCY cycles after its "
            + ("beat of the row's last pass" if design in RAP_DESIGNS else "last beat")
            if design != COMPACTOR
            else f"bit-exact: all {sum(len(b.expected) for s in stimuli for b in s.beats)} "
            "partials equal the golden split's, and every output (ready included) equals the "
            "handshake's on every cycle"
        ),
        "gate_level": _milliwatts(parts, label),
        "per_seed": {
            str(seed): Quantity(values["total"] * 1e3, "mW", f"seed {seed}")
            for seed, values in per_seed.items()
        },
        "energy_per_operation": Quantity(
            parts["total"] * per_operation * 1e12, f"pJ/{stimulus.operation}", label
        ),
        **(
            {
                "energy_per_operation_without_clock": Quantity(
                    (parts["total"] - sum(parts[key] for key in POWER_PARTS if "clock" in key))
                    * per_operation
                    * 1e12,
                    f"pJ/{stimulus.operation}",
                    label,
                )
            }
            if design == COMPACTOR
            else {}
        ),
        "energy_per_operation_with_inputs": Quantity(
            (parts["total"] + parts["input_ports"]) * per_operation * 1e12,
            f"pJ/{stimulus.operation}",
            label,
        ),
        "clock_tree": tree.as_record(),
        "blocks": _blocks_record(result, label),
    }
    if find_tool("sta"):
        record["opensta"] = _opensta_record(
            implementation, activity, setup.conditions, result, workdir, source
        )
    timing = implementation.timing
    if timing is not None and timing.slack < 0:
        fmax = 1 / timing.critical_delay
        at_fmax = _at_fmax(parts, fmax, setup.conditions)
        record["at_fmax"] = {
            "fmax": Quantity(fmax * 1e-6, "MHz", source(timing.results)),
            "power": _milliwatts(at_fmax, "scaled to fmax"),
            "energy_per_operation": Quantity(
                at_fmax["total"] / fmax / stimulus.operations_per_cycle * 1e12,
                f"pJ/{stimulus.operation}",
                "scaled to fmax",
            ),
        }
    return record


def _generic_record(design, parameters, workdir, source):
    """Unit and area record of the generic mode (Yosys' internal gates, per block)."""
    unit = elaborated(build(design, **parameters))
    export([design], workdir, **unit.parameters)
    synthesis = synthesize(workdir / f"{design}.v", design, workdir / "synth")
    area = read_area(synthesis, source)
    blocks = {
        name: {"category": category(name), **parts} for name, parts in sorted(area.blocks.items())
    }
    return unit, {
        "total": area.total,
        "registers": area.registers,
        "cells": area.cells,
        "blocks": blocks,
    }


def evaluate_unit(design, parameters, setup, out_dir):
    """Record of unit ``design`` with SPEC-named ``parameters`` under ``setup``.

    Without ``PIPELINE`` in ``parameters`` the pipelining policy chooses it (the RAP row units
    have no such parameter: every step registered, :data:`~synth.report.rap_rows.REGISTERS`).
    Work files go to
    ``out_dir/work/<tag>/``; sources in the record are relative to ``out_dir``.
    """
    out_dir = Path(out_dir)
    tag = unit_tag(design, parameters)
    workdir = out_dir / "work" / tag
    workdir.mkdir(parents=True, exist_ok=True)

    def source(path):
        return os.path.relpath(path, out_dir)

    record = {"design": design, "tag": tag, "notes": [], "timing": None, "power": None}
    if setup.liberty is None:
        unit, area = _generic_record(design, parameters, workdir, source)
        record.update(
            parameters=dict(unit.parameters), latency=unit.LATENCY, area=area, pipelining=None
        )
        record["notes"].append(_NO_LIBERTY.format(what="timing, pipelining and power"))
        return record
    library = _library(setup.liberty)
    if not find_tool("sta"):
        record["notes"].append(
            "OpenSTA (sta) not on PATH: no timing, no pipelining policy (every cut registered) "
            "and no power cross-check; apt-get install opensta"
        )
        cuts = {"PIPELINE": "all"} if "PIPELINE" in DESIGNS[design].PARAMETERS else {}
        implementation = implement(
            design,
            {**cuts, **parameters},
            library,
            setup.conditions,
            workdir,
            timing=False,
        )
        choice = None
    elif "PIPELINE" in parameters or "PIPELINE" not in DESIGNS[design].PARAMETERS:
        implementation = implement(design, parameters, library, setup.conditions, workdir)
        choice = None
    else:
        choice = choose_pipeline(design, parameters, library, setup.conditions, workdir)
        implementation = choice.implementation
    unit = implementation.unit
    if implementation.synthesis.abc_cleanup:
        record["notes"].append(f"{tag}: {ABC_CLEANUP}")
    record.update(
        parameters=dict(unit.parameters),
        latency=unit.LATENCY,
        pipelining=choice.as_record() if choice else None,
        area=_area_record(implementation, source),
    )
    if implementation.timing is not None:
        record["timing"] = _timing_record(implementation, source)
        if implementation.timing.slack < 0:
            record["notes"].append(
                f"{tag} misses the {1e-6 / setup.conditions.clock_period:g} MHz clock "
                f"(worst slack {implementation.timing.slack * 1e9:.2f} ns): its power is also "
                "given at its own fmax"
            )
    if design in RAP_DESIGNS:
        record["registers"] = REGISTERS[design]
    elif design == COMPACTOR:
        record["registers"] = COMPACTOR_REGISTERS
    elif design != "sdr_encoder":
        sqnr = [operand_sqnr(design, unit.parameters, seed) for seed in setup.seeds]
        record["accuracy"] = {
            "operands": operands_name(design, unit.parameters),
            "sqnr_db": Quantity(sum(sqnr) / len(sqnr), "dB", "default GEMM, mean over the seeds"),
        }
    record["power"] = _power_record(implementation, setup, workdir, source)
    return record
