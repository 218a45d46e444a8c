"""Evaluate one unit: export, synthesize, simulate at gate level, estimate power, run OpenSTA.

The result is a plain record (dicts, lists and :class:`~synth.quantity.Quantity`) that the
report writers turn into JSON, CSV and Markdown. A step whose tool or library is missing is
skipped with a note saying what to install; a gate-level result that differs from the golden
model is an error, never a note.
"""

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hw.designs import build, elaborated
from hw.export import export
from sim.tools import find_tool

from .activity import read_activity
from .areas import read_area
from .blocks import category
from .flow import synthesize
from .gatesim import CLOCK_PORT, NETLIST_SCOPE, cell_models, check_results, simulate_netlist
from .liberty import load_liberty
from .netlist import read_netlist
from .power import COMPONENTS, Conditions, estimate_power
from .quantity import Quantity
from .sta import run_sta, write_activity_script
from .stimulus import DEFAULT_DOT_PRODUCTS, workload_stimulus

__all__ = ["Setup", "unit_tag", "evaluate_unit", "DEFAULT_CONDITIONS"]

#: 100 MHz clock, 0.1 ns input transition, 0.05 pF on every output.
DEFAULT_CONDITIONS = Conditions(clock_period=10e-9, input_transition=0.1e-9, output_load=0.05e-12)
_NO_LIBERTY = (
    "no Liberty library (generic mode): {what} needs one; apt-get install "
    "qflow-tech-osu018 or pass --liberty PATH"
)


@dataclass(frozen=True)
class Setup:
    """What every unit of one report shares."""

    liberty: Path | None
    conditions: Conditions = DEFAULT_CONDITIONS
    dot_products: int = DEFAULT_DOT_PRODUCTS
    seed: int = 0
    keep_vcd: bool = False


@lru_cache(maxsize=2)
def _library(path):
    return load_liberty(path)


def unit_tag(design, parameters):
    """Short name of a unit and its size: ``sdr_mac_L16``, ``sdr_encoder_G16``."""
    if "LANES" in parameters:
        return f"{design}_L{parameters['LANES']}"
    return f"{design}_G{parameters['GROUP']}"


def _area_record(area):
    blocks = {
        name: {"category": category(name), **parts} for name, parts in sorted(area.blocks.items())
    }
    return {"total": area.total, "registers": area.registers, "cells": area.cells, "blocks": blocks}


def _timing_record(sta, netlist, library, source):
    instances = {instance.name: instance for instance in netlist.instances}

    def on_clock(pin):
        name, _, port = pin.partition("/")
        if not port:
            return name == CLOCK_PORT
        return library.cell(instances[name].cell).pins[port].is_clock

    def block(pin):
        name, _, port = pin.partition("/")
        return instances[name].block if port else "top-level port"

    path = [pin for pin in sta.path if not on_clock(pin)] or list(sta.path)
    delay = sta.critical_delay
    return {
        "clock_period": Quantity(sta.period * 1e9, "ns", "stated"),
        "worst_slack": Quantity(sta.slack * 1e9, "ns", source(sta.results)),
        "critical_path_delay": Quantity(delay * 1e9, "ns", source(sta.results)),
        "fmax": Quantity(1e-6 / delay, "MHz", source(sta.results)),
        "startpoint": path[0],
        "endpoint": path[-1],
        "start_block": block(path[0]),
        "end_block": block(path[-1]),
        "path_report": source(sta.path_report),
    }


def _power_record(result, stimulus, run, conditions, source_vcd):
    seconds = run.window_cycles * conditions.clock_period
    gate = {key: Quantity(result.total[key] * 1e3, "mW", source_vcd) for key in COMPONENTS}
    gate["total"] = Quantity(result.watts * 1e3, "mW", source_vcd)
    gate["clock_pin_internal"] = Quantity(result.clock_internal * 1e3, "mW", source_vcd)
    gate["external_nets_switching"] = Quantity(result.external_switching * 1e3, "mW", source_vcd)
    blocks = {
        name: {
            "category": category(name),
            **{
                kind: Quantity(sum(kinds.get(kind, {}).values()) * 1e3, "mW", source_vcd)
                for kind in ("logic", "registers")
            },
        }
        for name, kinds in sorted(result.blocks.items())
    }
    energy = result.watts * seconds / stimulus.operations
    return {
        "workload": stimulus.workload,
        "operation": stimulus.operation,
        "operations": stimulus.operations,
        "cycles": run.window_cycles,
        "gate_level": gate,
        "blocks": blocks,
        "energy_per_operation": Quantity(energy * 1e12, f"pJ/{stimulus.operation}", source_vcd),
    }


def _write_activity(activity, netlist, path):
    """Per-net ``[rises, falls, duty]`` over the window, by the net's first public name."""
    names = {}
    for name, bits in netlist.wires.items():
        for index, bit in enumerate(bits):
            if bit is not None and bit not in names:
                names[bit] = name if len(bits) == 1 else f"{name}[{index}]"
    nets = {
        names[bit]: [
            activity.rises.get(bit, 0),
            activity.falls.get(bit, 0),
            round(activity.duty.get(bit, 0.0), 6),
        ]
        for bit in sorted(names)
        if bit in activity.duty
    }
    with open(path, "w", encoding="utf-8") as file:
        json.dump({"cycles": activity.cycles, "nets": dict(sorted(nets.items()))}, file, indent=1)
        file.write("\n")


def evaluate_unit(design, parameters, setup, out_dir):
    """Record of unit ``design`` with SPEC-named ``parameters`` under ``setup``.

    Work files go to ``out_dir/work/<tag>/``; sources in the record are relative to ``out_dir``.
    """
    out_dir = Path(out_dir)
    unit = elaborated(build(design, **parameters))
    tag = unit_tag(design, unit.parameters)
    workdir = out_dir / "work" / tag
    workdir.mkdir(parents=True, exist_ok=True)

    def source(path):
        return os.path.relpath(path, out_dir)

    export([design], workdir, **unit.parameters)
    library = _library(setup.liberty) if setup.liberty else None
    synthesis = synthesize(workdir / f"{design}.v", design, workdir / "synth", setup.liberty)
    record = {
        "design": design,
        "tag": tag,
        "parameters": dict(unit.parameters),
        "latency": unit.LATENCY,
        "area": _area_record(read_area(synthesis, source)),
        "timing": None,
        "power": None,
        "notes": [],
    }
    if library is None:
        record["notes"].append(_NO_LIBERTY.format(what="timing and power"))
        return record
    netlist = read_netlist(synthesis.netlist_json, design)
    sta_ready = find_tool("sta") is not None
    if not sta_ready:
        record["notes"].append(
            "OpenSTA (sta) not on PATH: no timing and no power cross-check; apt-get install opensta"
        )
    if find_tool("iverilog") is None or find_tool("vvp") is None:
        record["notes"].append(
            "Icarus Verilog not on PATH: no gate-level activity, no power; apt-get install iverilog"
        )
        if sta_ready:
            sta = run_sta(library, synthesis.netlist, design, setup.conditions, workdir / "sta")
            record["timing"] = _timing_record(sta, netlist, library, source)
        return record
    stimulus = workload_stimulus(
        design, unit.parameters, unit.LATENCY, setup.dot_products, setup.seed
    )
    simdir = workdir / "gate"
    simdir.mkdir(exist_ok=True)
    run = simulate_netlist(
        unit,
        design,
        synthesis.netlist,
        cell_models(setup.liberty, simdir),
        stimulus.beats.stream,
        simdir,
    )
    check_results(run, stimulus.beats, unit.LATENCY, design != "sdr_encoder")
    activity = read_activity(
        run.vcd, netlist, NETLIST_SCOPE, run.window, run.window_cycles, source(run.vcd)
    )
    if not setup.keep_vcd:
        run.vcd.unlink()
    counts = simdir / "activity.json"
    _write_activity(activity, netlist, counts)
    result = estimate_power(library, netlist, activity, setup.conditions)
    record["power"] = _power_record(result, stimulus, run, setup.conditions, source(counts))
    record["power"]["check"] = (
        f"bit-exact: all {len(stimulus.beats.expected)} results equal "
        "the golden model's, each LATENCY cycles after its last beat"
    )
    if sta_ready:
        script = write_activity_script(netlist, activity, simdir / "input_activity.tcl")
        sta = run_sta(
            library,
            synthesis.netlist,
            design,
            setup.conditions,
            workdir / "sta",
            simdir / "input_activity.tcl",
        )
        record["timing"] = _timing_record(sta, netlist, library, source)
        power = record["power"]
        power["opensta"] = {
            key: Quantity(value * 1e3, "mW", source(sta.results))
            for key, value in sta.power.items()
        }
        power["opensta_annotated_inputs"] = script
        power["ratio_gate_level_to_opensta"] = result.watts / sta.power["total"]
    return record
