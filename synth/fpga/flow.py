"""One unit on one FPGA, with or without DSP inference: Yosys (pyosys) maps the unit and,
apart, the serial wrapper (:mod:`.wrapper`); the two netlists are joined and nextpnr places and
routes the whole.

The unit's LUT, carry, FF and DSP counts are Yosys ``stat -json`` of the unit alone; nextpnr's
fmax and site utilisation are of the wrapped design (wrapper included, its cells recorded). Work
files stay in the configuration's folder; the large netlists are deleted once placed (the
recorded Yosys script makes them again).
"""

import json
from pathlib import Path

from hw.yosys import run_script

from ..quantity import Quantity
from .devices import coarse_script
from .nextpnr import REPORT, nextpnr_arguments, read_report, run_nextpnr
from .wrapper import TOP, blackbox_verilog, wrapper_verilog

__all__ = [
    "FpgaError",
    "COUNT_UNITS",
    "check_workaround",
    "synthesis_script",
    "unit_alone",
    "implement",
]

#: Unit of each count in the records.
COUNT_UNITS = {"LUT": "LUT4", "carry": "carry cells", "FF": "flip-flops", "DSP": "DSP blocks"}
_NETLISTS = ("unit.json", "wrapper_mapped.json", "wrapped.json")


class FpgaError(RuntimeError):
    """The flow produced something it cannot account for."""


def check_workaround(device, workdir):
    """Refuse a Yosys whose synthesis step differs from ``device``'s copy of it (the copy that
    runs without :attr:`~synth.fpga.devices.Device.skip_with_dsp`)."""
    if not device.skip_with_dsp:
        return
    log = Path(workdir) / f"help_{device.key}.log"
    run_script([f"help {device.synth.split()[0]}"], log)
    text = log.read_text()
    if coarse_script(text[text.index("[options]") :]) != device.coarse_dsp:
        raise FpgaError(
            f"this Yosys's `{device.synth.split()[0]}` coarse step differs from the copy in "
            "synth/fpga/devices.py (the ice40_dsp workaround): update ICE40_DSP_COARSE"
        )


def synthesis_script(rtl, device, dsp, workdir):
    """Yosys commands: map the unit, map the wrapper against the unit's ports, join them into
    ``wrapped.json``; cell counts to ``*_stat.json``. Paths are absolute, under ``workdir``."""
    w = Path(workdir).resolve()
    return [
        f"read_verilog {Path(rtl.verilog).resolve()}",
        *device.synth_commands(rtl.module, dsp),
        f"tee -q -o {w}/unit_stat.json stat -json",
        f"select {rtl.module}",
        f"write_json -selected {w}/unit.json",
        "design -reset",
        f"read_verilog {w}/wrapper.v",
        *device.synth_commands(TOP, dsp),
        f"write_json {w}/wrapper_mapped.json",
        f"tee -q -o {w}/wrapper_stat.json stat -json",
        "design -reset",
        f"read_json {w}/wrapper_mapped.json",
        # the black box of the unit's ports gives way to the unit's mapped netlist
        f"delete ={rtl.module}",
        f"read_json {w}/unit.json",
        f"hierarchy -top {TOP}",
        "flatten",
        f"tee -q -o {w}/wrapped_stat.json stat -json",
        f"write_json {w}/wrapped.json",
    ]


def _cells(path, exclude=()):
    cells = json.loads(Path(path).read_text())["design"]["num_cells_by_type"]
    return {k: v for k, v in sorted(cells.items()) if not k.startswith("$") and k not in exclude}


def unit_alone(device, counts, table):
    """Whether the unit's own LUT, FF and DSP counts are each within the device's sites
    (``table``: nextpnr's utilisation table), when the wrapped design did not fit."""
    checks = []
    for key in ("LUT", "FF", "DSP"):
        site = device.sites[key]
        available = table.get(site, (0, 0))[1]
        checks.append((counts[key] <= available, f"{key} {counts[key]}", available, site))
    within = all(ok for ok, *_ in checks)
    if within:
        listed = ", ".join(f"{what} <= {n} {site}" for _, what, n, site in checks)
        text = f"the unit alone is within each count ({listed}): it may fit without the wrapper"
    else:
        listed = ", ".join(f"{what} > {n} {site}" for ok, what, n, site in checks if not ok)
        text = f"the unit alone is over too ({listed})"
    return {"within_counts": within, "text": text}


def implement(rtl, device, dsp, workdir, relative):
    """The record of ``rtl`` on ``device`` (``dsp``: with DSP inference). ``relative`` turns a
    text holding absolute work paths into the one the record keeps."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "wrapper.v").write_text(wrapper_verilog(rtl) + blackbox_verilog(rtl))
    script = synthesis_script(rtl, device, dsp, workdir)
    run_script(script, workdir / "yosys.log")
    unit_cells = _cells(workdir / "unit_stat.json")
    wrapper_cells = _cells(workdir / "wrapper_stat.json", exclude=(rtl.module,))
    wrapped_cells = _cells(workdir / "wrapped_stat.json")
    joined = {k: unit_cells.get(k, 0) + wrapper_cells.get(k, 0) for k in wrapped_cells}
    if joined != wrapped_cells or set(unit_cells) | set(wrapper_cells) != set(wrapped_cells):
        raise FpgaError(f"{workdir}: the wrapped netlist is not the unit plus the wrapper")
    synth = device.synth_label(rtl.module, dsp)
    counted = {
        "LUT": " + ".join(
            name if weight == 1 else f"{weight} x {name}" for name, weight in device.lut.items()
        ),
        "carry": " + ".join(device.carry),
        "FF": " + ".join(device.ff),
        "DSP": " + ".join(device.dsp),
    }
    synthesis = {
        "command": synth,
        "script": [relative(c) for c in script],
        "cells": unit_cells,
        **{
            key: Quantity(
                value, COUNT_UNITS[key], f"Yosys `{synth}`, then `stat -json`: {counted[key]}"
            ).as_json()
            for key, value in device.counts(unit_cells).items()
        },
    }
    arguments = nextpnr_arguments(device, "wrapped.json", TOP)
    command = " ".join([device.nextpnr, *arguments])
    status, reason, table = run_nextpnr(device, workdir, "wrapped.json", TOP)
    placement = {"status": status, "reason": reason, "command": command}
    placement["workdir"] = relative(workdir)
    if status == "does not fit":
        placement["unit_alone"] = unit_alone(device, device.counts(unit_cells), table)
    if status == "routed":
        fmax, constraint, clock, utilisation = read_report(workdir / REPORT)
        placement.update(
            fmax=Quantity(
                round(fmax, 2), "MHz", f"`{command}`: {REPORT} fmax[{clock!r}].achieved"
            ).as_json(),
            target=Quantity(constraint, "MHz", f"`{command}`: --freq").as_json(),
            utilisation={
                "unit": "sites (BELs) of the wrapped design",
                "source": f"`{command}`: {REPORT} utilization",
                "bels": utilisation,
            },
        )
    for name in _NETLISTS:
        (workdir / name).unlink(missing_ok=True)
    return {
        "device": device.key,
        "dsp_inference": dsp,
        "synthesis": synthesis,
        "wrapper": {
            "cells": wrapper_cells,
            **{
                key: Quantity(
                    value,
                    COUNT_UNITS[key],
                    f"Yosys `{device.synth_label(TOP, dsp)}` of the wrapper "
                    f"around a black box, then `stat -json`: {counted[key]}",
                ).as_json()
                for key, value in device.counts(wrapper_cells).items()
            },
        },
        "placement": placement,
    }
