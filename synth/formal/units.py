"""The units under proof: exported RTL (:func:`hw.export.export`) and its synthesized netlist
(the report's flow, :func:`synth.flow.yosys.synthesize`), with the ports and LATENCY from the
unit's description."""

from dataclasses import dataclass
from pathlib import Path

from hw.designs import build, elaborated
from hw.export import describe, export

from ..flow.yosys import synthesize

__all__ = ["Rtl", "export_rtl", "synthesize_rtl", "CONTROL_PORTS"]

#: Ports every unit has besides its operands and results.
CONTROL_PORTS = ("clk", "rst")


@dataclass(frozen=True)
class Rtl:
    """One exported unit: its Verilog file, module name, parameters (as exported), LATENCY and
    ports ``[(name, direction, width)]`` in the description's order."""

    verilog: Path
    module: str
    parameters: dict
    latency: int
    ports: tuple

    def inputs(self):
        """``[(name, width)]`` of the inputs other than ``clk`` and ``rst``."""
        return [(n, w) for n, d, w in self.ports if d == "input" and n not in CONTROL_PORTS]

    def outputs(self):
        """``[(name, width)]`` of the outputs."""
        return [(n, w) for n, d, w in self.ports if d == "output"]


def export_rtl(design, parameters, workdir):
    """Export ``design`` with SPEC-named ``parameters`` into ``workdir``."""
    workdir = Path(workdir)
    unit = elaborated(build(design, **parameters))
    export([design], workdir, **unit.parameters)
    record = describe(unit, design)
    ports = tuple((p["name"], p["direction"], p["width"]) for p in record["ports"])
    return Rtl(workdir / f"{design}.v", design, dict(unit.parameters), unit.LATENCY, ports)


def synthesize_rtl(rtl, liberty, workdir, period=10e-9):
    """The gate-level netlist (Verilog) of ``rtl`` mapped onto ``liberty`` by the report's flow
    at clock ``period`` (s)."""
    return synthesize(rtl.verilog, rtl.module, Path(workdir), liberty, period).netlist
