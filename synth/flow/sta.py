"""Static timing and the power cross-check with OpenSTA (``sta``, Debian ``opensta``).

The checked-in ``synth/scripts/sta.tcl`` sets the clock and I/O constraints, writes OpenSTA's
own path report, and writes the numbers as JSON through OpenSTA's Tcl API (``find_timing_paths``,
``sta::vertex_worst_arrival_path``, ``sta::design_power``), so nothing is scraped from report text.

Power: every net's measured activity (transitions per clock period) and duty go onto its driver
pin (or input port) with ``sta::set_power_pin_activity``, the same activity the gate-level figure
uses. OpenSTA 2.0.17 (Debian opensta 0~20191111) would overwrite those annotations: its
propagation (``PropActivityVisitor::visit`` in ``power/Power.cc``) sets every combinational
output to the activity it computes from the cell's ``function`` (later OpenSTA releases keep
user activities), and its ``set_power_activity -pins`` refers to an unset ``$pins`` variable. The
power run therefore reads a copy of the Liberty (:func:`write_power_liberty`) in which each
combinational output's ``function`` is the pin itself: the propagation then returns the annotated
activity unchanged. Functions matter to OpenSTA's power only there and in weighting internal-power
arcs, which with a self-referencing function fall back to equal weights (see the report's notes).
"""

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sim.util.tools import find_tool

from ..gates.gatesim import CLOCK_PORT
from ..templates import render

__all__ = [
    "StaError",
    "StaResult",
    "sta_version",
    "write_activity_script",
    "write_power_liberty",
    "run_sta",
]

#: Workaround for OpenSTA 2.0.17 (Debian opensta 0~20191111): its Verilog reader rejects the
#: ``signed`` keyword in declarations (a syntax error), which a gate netlist does not need.
_SIGNED = re.compile(r"^(\s*(?:input|output|inout|wire|reg))\s+signed\b", re.MULTILINE)


class StaError(RuntimeError):
    """OpenSTA failed or wrote no results."""


@dataclass(frozen=True)
class StaResult:
    """Worst setup path (seconds; ``path``: ``(pin, worst arrival)`` from start to end) and power
    by component (W)."""

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


def _tcl_name(name):
    """A netlist name as OpenSTA's ``get_pins``/``get_ports`` take it (braces around it)."""
    return "{" + name + "}"


def write_activity_script(library, netlist, activity, path):
    """Write the Tcl that puts every net's measured activity on its driver; return the count.

    Drivers are cell output pins and top-level input ports; the clock is left out (its activity
    comes from the clock definition).
    """
    lines = []

    def figures(bit):
        return f"{activity.toggles(bit) / activity.cycles:.6g} {activity.duty.get(bit, 0.0):.6g}"

    for port, (direction, bits) in sorted(netlist.ports.items()):
        if direction != "input" or port == CLOCK_PORT:
            continue
        for index, bit in enumerate(bits):
            if bit is not None:
                name = _tcl_name(port if len(bits) == 1 else f"{port}[{index}]")
                activity_, duty = figures(bit).split()
                lines.append(
                    f"set_power_activity -input_ports [get_ports {name}] "
                    f"-activity {activity_} -duty {duty}"
                )
    for instance in netlist.instances:
        for pin in library.cell(instance.cell).outputs():
            bit = instance.pins.get(pin.name)
            if bit is not None:
                name = _tcl_name(f"{instance.name}/{pin.name}")
                lines.append(f"sta::set_power_pin_activity [get_pins {name}] {figures(bit)}")
    lines.append(f"set annotated {len(lines)}")
    Path(path).write_text("\n".join(lines) + "\n")
    return len(lines) - 1


_GROUP = re.compile(r'\b(cell|pin)\s*\(\s*"?([^")\s]+)"?\s*\)\s*\{')
_FUNCTION = re.compile(r'(\bfunction\s*:\s*)"[^"]*"')


def _group_end(text, start):
    """Index just past the ``}`` closing the group whose ``{`` is at ``start - 1``."""
    depth, index = 1, start
    while depth:
        match = re.compile(r'[{}]|"[^"]*"|/\*.*?\*/', re.DOTALL).search(text, index)
        if match is None:
            raise ValueError(f"unbalanced braces after offset {start}")
        depth += {"{": 1, "}": -1}.get(match.group(), 0)
        index = match.end()
    return index


def write_power_liberty(library, path):
    """Write the Liberty OpenSTA's power run reads: ``library``'s file with every combinational
    output pin's ``function`` replaced by the pin's own name (see the module docstring). Only
    those attributes change; the rest of the file is copied as it is."""
    text = Path(library.path).read_text(encoding="utf-8", errors="replace")
    pieces, index = [], 0
    for match in _GROUP.finditer(text):
        if match.group(1) != "cell" or match.start() < index:
            continue
        cell = library.cells.get(match.group(2))
        end = _group_end(text, match.end())
        if cell is None or cell.is_sequential:
            continue
        body = text[match.end() : end]
        edited, position = [], 0
        for pin in _GROUP.finditer(body):
            pin_cell = cell.pins.get(pin.group(2))
            if pin.group(1) != "pin" or pin_cell is None or pin_cell.direction != "output":
                continue
            pin_end = _group_end(body, pin.end())
            edited.append(body[position : pin.end()])
            own = f'"{pin.group(2)}"'
            edited.append(
                _FUNCTION.sub(lambda m, own=own: m.group(1) + own, body[pin.end() : pin_end])
            )
            position = pin_end
        edited.append(body[position:])
        pieces += [text[index : match.end()], "".join(edited)]
        index = end
    pieces.append(text[index:])
    Path(path).write_text("".join(pieces), encoding="utf-8")
    return Path(path)


def run_sta(
    library, netlist_path, top, conditions, workdir, activity_script=None, liberty_path=None
):
    """Run OpenSTA on the flat ``netlist_path``; with ``activity_script``, also report power.

    ``liberty_path`` is the Liberty OpenSTA reads (default ``library.path``; the power run passes
    :func:`write_power_liberty`'s copy). Raises :class:`StaError` when ``sta`` is missing or fails.
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
            liberty=Path(liberty_path or library.path).resolve(),
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
    power = (
        dict(
            zip(
                ("internal", "switching", "leakage", "total"),
                data["design_power"][:4],
                strict=True,
            )
        )
        if activity_script
        else None
    )
    return StaResult(
        conditions.clock_period,
        data["slack"],
        data["arrival"],
        tuple((pin, arrival) for pin, arrival in data["path"]),
        power,
        data["annotated_pins"],
        **files,
    )
