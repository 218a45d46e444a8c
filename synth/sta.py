"""Static timing and the power cross-check with OpenSTA (``sta``, Debian ``opensta``).

The checked-in ``synth/scripts/sta.tcl`` sets the clock and I/O constraints, writes OpenSTA's
own path report, and writes the numbers as JSON through OpenSTA's Tcl API (``find_timing_paths``,
``sta::design_power``), so nothing is scraped from report text.

Power: the measured activity of every input bit goes in with ``set_power_activity -input_ports``
(transitions per clock period, and duty); OpenSTA propagates it through the logic itself.
OpenSTA 2.0.17 (Debian opensta 0~20191111) cannot take the activity of internal nets: its
propagation (``PropActivityVisitor::visit`` in ``power/Power.cc``) overwrites the activity of
every cell output pin, annotated or not, and its ``set_power_activity -pins`` refers to an unset
``$pins`` variable. So its figure is a vectorless estimate seeded with the measured inputs, and
the ratio to the gate-level figure measures both the activity estimate and the power model.
"""

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sim.tools import find_tool

from .gatesim import CLOCK_PORT
from .templates import render

__all__ = ["StaError", "StaResult", "sta_version", "write_activity_script", "run_sta"]

#: Workaround for OpenSTA 2.0.17 (Debian opensta 0~20191111): its Verilog reader rejects the
#: ``signed`` keyword in declarations (a syntax error), which a gate netlist does not need.
_SIGNED = re.compile(r"^(\s*(?:input|output|inout|wire|reg))\s+signed\b", re.MULTILINE)


class StaError(RuntimeError):
    """OpenSTA failed or wrote no results."""


@dataclass(frozen=True)
class StaResult:
    """Worst setup path (seconds, pins from start to end) and power by component (W)."""

    period: float
    slack: float
    arrival: float
    path: tuple
    power: dict | None
    annotated_pins: int
    results: Path
    path_report: Path

    @property
    def critical_delay(self):
        """Shortest clock period that meets every setup check: ``period - slack``."""
        return self.period - self.slack


def sta_version():
    """``sta -version`` text (``2.0.17``), or ``None`` when OpenSTA is not on PATH."""
    if find_tool("sta") is None:
        return None
    result = subprocess.run(
        ["sta", "-version"], capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    return result.stdout.strip() or None


def write_activity_script(netlist, activity, path):
    """Write the Tcl that sets every input bit's measured activity; return the bit count.

    The clock is left out: its activity comes from the clock definition.
    """
    lines = []
    for port, (direction, bits) in sorted(netlist.ports.items()):
        if direction != "input" or port == CLOCK_PORT:
            continue
        for index, bit in enumerate(bits):
            name = port if len(bits) == 1 else f"{port}[{index}]"
            lines.append(
                f"set_power_activity -input_ports [get_ports {{{name}}}] -activity "
                f"{activity.toggles(bit) / activity.cycles:.6g} -duty "
                f"{activity.duty.get(bit, 0.0):.6g}"
            )
    lines.append(f"set annotated {len(lines)}")
    Path(path).write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def run_sta(library, netlist_path, top, conditions, workdir, activity_script=None):
    """Run OpenSTA on the flat ``netlist_path``; with ``activity_script``, also report power.

    Raises :class:`StaError` when ``sta`` is missing or fails.
    """
    if find_tool("sta") is None:
        raise StaError("OpenSTA (sta) is not on PATH (apt-get install opensta)")
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    netlist = workdir / "netlist_sta.v"
    netlist.write_text(_SIGNED.sub(r"\1", Path(netlist_path).read_text()))
    period, input_transition, output_load = conditions.in_library_units(library)
    files = {"results": workdir / "sta.json", "path_report": workdir / "sta_path.txt"}
    script = workdir / "sta.tcl"
    script.write_text(
        render(
            "sta.tcl",
            liberty=Path(library.path).resolve(),
            netlist=netlist,
            top=top,
            period=f"{period:.6g}",
            input_delay=0,
            output_delay=0,
            input_transition=f"{input_transition:.6g}",
            output_load=f"{output_load:.6g}",
            activity=Path(activity_script).resolve() if activity_script else "",
            **files,
        )
    )
    files["results"].unlink(missing_ok=True)
    result = subprocess.run(
        ["sta", "-no_init", "-no_splash", "-exit", str(script)],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    (workdir / "sta.log").write_text(result.stdout + result.stderr)
    errors = [
        line for line in (result.stdout + result.stderr).splitlines() if line.startswith("Error")
    ]
    if result.returncode or errors or not files["results"].exists():
        reason = errors[0] if errors else f"exit {result.returncode}, no results"
        raise StaError(f"OpenSTA failed: {reason} (log: {workdir / 'sta.log'})")
    data = json.loads(files["results"].read_text())
    power = dict(
        zip(("internal", "switching", "leakage", "total"), data["design_power"][:4], strict=True)
    )
    return StaResult(
        conditions.clock_period,
        data["slack"],
        data["arrival"],
        tuple(data["path"]),
        power if activity_script else None,
        data["annotated_pins"],
        **files,
    )
