"""Synthesize one exported unit with Yosys (pyosys) from a checked-in script template.

With a Liberty library the flow (``synth/scripts/synth_liberty.ys``) maps multipliers with Booth
encoding, flattens the unit with its block boundaries kept, maps flip-flops (``dfflibmap``) and
logic with ABC's timing-driven script (delay target, buffering, up- and down-sizing), and writes
the flat netlist as Verilog (for OpenSTA and Icarus) and JSON (connectivity, block boundaries)
plus the area from ``stat -json -liberty``. Without one, the generic flow maps to Yosys' internal
gates, keeps the hierarchy and reports transistor estimates per block.

ABC's ``map`` can leave a dangling node, on which ``buffer`` aborts ("node N has no fanout";
Yosys then reports only that it cannot open ABC's output file; the same failure and fix are
described in arch-hdl-lang/arch-com#956). A unit whose Liberty synthesis fails so is run again
with ABC's ``cleanup`` (which removes dangling logic only) between the two, and its
:class:`Synthesis` says so (``abc_cleanup``); every other unit runs the script unchanged.
"""

from dataclasses import dataclass
from pathlib import Path

from hw.yosys import YosysError, run_script

from ..templates import render

__all__ = ["FLOW", "ABC_CLEANUP", "Synthesis", "synthesize", "abc_delay_target"]

#: Share of the clock period ABC may spend in logic: ABC does not see the flip-flops, so the
#: rest is left for their clock-to-Q delay and setup time (OpenSTA then checks the real paths).
LOGIC_SHARE = 0.9
#: The mapping choices of the Liberty flow, the same for every unit (stated in the reports).
FLOW = {
    "booth": True,
    "abc_script": "strash; dch -f; map -D {D}; buffer -p; upsize -D {D}; dnsize -D {D}",
    "logic_share_of_period": LOGIC_SHARE,
}


#: What a unit synthesized with ABC's ``cleanup`` says in its report.
ABC_CLEANUP = (
    "ABC's map left a dangling node on which buffer -p aborts (node has no fanout): this unit "
    "was mapped again with ABC's cleanup (dangling logic only) between map and buffer"
)
#: ABC's message for that failure, in the Yosys log.
_NO_FANOUT = "has no fanout"


def abc_delay_target(period):
    """ABC's delay target (whole picoseconds) for a clock period in seconds."""
    return round(LOGIC_SHARE * period * 1e12)


@dataclass(frozen=True)
class Synthesis:
    """Files one synthesis run wrote (``None`` where the mode writes no such file)."""

    top: str
    liberty: Path | None
    log: Path
    stat_blocks: Path | None = None
    stat_flat: Path | None = None
    stat_registers: Path | None = None
    netlist: Path | None = None
    netlist_json: Path | None = None
    delay_target_ps: int | None = None
    abc_cleanup: bool = False

    @property
    def generic(self):
        return self.liberty is None


def synthesize(verilog, top, workdir, liberty=None, period=10e-9):
    """Run the Liberty flow at clock ``period`` (s), or the generic one when ``liberty`` is
    ``None``, into ``workdir``.

    Raises :class:`hw.yosys.YosysError` with Yosys' error line when a pass fails.
    """
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if liberty is None:
        files = {
            "stat_blocks": workdir / "stat_blocks.json",
            "stat_registers": workdir / "stat_registers.json",
        }
        script = render("synth_generic.ys", verilog=Path(verilog).resolve(), top=top, **files)
        delay = None
    else:
        files = {
            "stat_flat": workdir / "stat_flat.json",
            "netlist": workdir / "netlist.v",
            "netlist_json": workdir / "netlist.json",
        }
        delay = abc_delay_target(period)

        def script_with(cleanup):
            return render(
                "synth_liberty.ys",
                verilog=Path(verilog).resolve(),
                top=top,
                liberty=Path(liberty).resolve(),
                booth="-booth" if FLOW["booth"] else "",
                delay=delay,
                cleanup="cleanup;" if cleanup else "",
                netlist_attr=workdir / "netlist_attributes.v",
                **files,
            )

        script = script_with(False)
    log = workdir / "yosys.log"
    cleanup = False
    try:
        _run(script, workdir, log)
    except YosysError:
        if liberty is None or _NO_FANOUT not in log.read_text(encoding="utf-8", errors="replace"):
            raise
        cleanup = True
        _run(script_with(True), workdir, log)
    return Synthesis(
        top,
        None if liberty is None else Path(liberty),
        log,
        delay_target_ps=delay,
        abc_cleanup=cleanup,
        **files,
    )


def _run(script, workdir, log):
    (workdir / "synth.ys").write_text(script)
    run_script([line for line in script.splitlines() if line and not line.startswith("#")], log)
