"""Synthesize one exported unit with Yosys (pyosys) from a checked-in script template.

With a Liberty library the flow maps flip-flops (``dfflibmap``) and logic (``abc -liberty``),
reports area with ``stat -json -liberty`` per module (pipeline block) and for the flattened
design, and writes the flat netlist as Verilog (for Icarus and OpenSTA) and JSON (connectivity).
Without one, the generic flow maps to Yosys' internal gates and reports transistor estimates.
"""

from dataclasses import dataclass
from pathlib import Path

from hw.yosys import run_script

from .templates import render

__all__ = ["Synthesis", "synthesize"]


@dataclass(frozen=True)
class Synthesis:
    """Files one synthesis run wrote (``None`` where the mode writes no such file)."""

    top: str
    liberty: Path | None
    log: Path
    stat_blocks: Path
    stat_flat: Path | None = None
    stat_registers: Path | None = None
    netlist: Path | None = None
    netlist_json: Path | None = None

    @property
    def generic(self):
        return self.liberty is None


def synthesize(verilog, top, workdir, liberty=None):
    """Run the Liberty flow (or the generic one when ``liberty`` is ``None``) into ``workdir``.

    Raises :class:`hw.yosys.YosysError` with Yosys' error line when a pass fails.
    """
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    files = {"stat_blocks": workdir / "stat_blocks.json"}
    if liberty is None:
        files["stat_registers"] = workdir / "stat_registers.json"
        script = render("synth_generic.ys", verilog=Path(verilog).resolve(), top=top, **files)
    else:
        files.update(
            stat_flat=workdir / "stat_flat.json",
            netlist=workdir / "netlist.v",
            netlist_json=workdir / "netlist.json",
        )
        script = render(
            "synth_liberty.ys",
            verilog=Path(verilog).resolve(),
            top=top,
            liberty=Path(liberty).resolve(),
            netlist_attr=workdir / "netlist_attributes.v",
            **files,
        )
    (workdir / "synth.ys").write_text(script)
    log = workdir / "yosys.log"
    run_script([line for line in script.splitlines() if line and not line.startswith("#")], log)
    return Synthesis(top, None if liberty is None else Path(liberty), log, **files)
