"""Logical equivalence of a synthesized netlist with its RTL: register correspondence proven
combinationally by ABC's ``&cec``.

The RTL (gold) is flattened the way the synthesis flow flattens it (block outputs kept, nets
split to bits with ``_<bit>`` names, identifiers unescaped), so that its registers carry the
netlist's names, and its multipliers are built as the flow builds them (with the flow's
``booth``, Yosys' ``booth`` pass: radix-4 Booth partial products; that pass is trusted, not
proven here). The netlist (gate) is read with its library's cells as logic (``read_liberty``
without ``-lib``: each cell's ``function``, ``ff`` and ``latch`` groups) and flattened.

Every register of either side must have one of the same name on the other
(``expose -shared -evert-dff``): its output becomes an input shared by both sides, its next
state an output. ``&cec`` then proves the miter of the two: every output and every register's
next state equal as functions of the inputs (``rst`` included) and the registers. So two
copies that start from the same state (reset sets every register it resets to the same value
in both) never differ. When the proof fails, a BMC of the two against each other from reset
looks for a real counterexample (a difference of two unreachable states would not be one).
"""

import re
import time
from pathlib import Path

from ..flow.yosys import FLOW
from .cec import aiger_commands, prove_zero, stopped
from .result import Outcome
from .runner import run_yosys
from .sat import check_assertions, formal_design
from .verilog import STARTED, bus, declare, instance

__all__ = ["gold_commands", "gate_commands", "prove_lec", "miter_verilog"]

#: The flip-flop and latch cell types left after ``techmap`` and ``dffunmap``.
_STATE_CELLS = ("t:$_*FF*", "t:$_DLATCH*", "t:$_SR_*")


def _state_cells(module="*"):
    return " ".join(f"{module}/{pattern}" for pattern in _STATE_CELLS)


def gold_commands(rtl, booth=False):
    """Read ``rtl`` as module ``gold``, flattened and named as the synthesis flow names it
    (with ``booth``, its multipliers in Booth form as the flow builds them)."""
    return [
        f'read_verilog -sv "{rtl.verilog.resolve()}"',
        f"hierarchy -top {rtl.module}",
        "proc",
        *(["booth"] if booth else []),
        "setattr -set keep 1 o:*",
        "flatten -scopename -noscopeinfo",
        "opt_clean -purge",
        "splitnets -format _",
        "opt_clean -purge",
        "rename -unescape",
        f"rename {rtl.module} gold",
        "design -stash gold",
    ]


def gate_commands(netlist, liberty, module):
    """Read gate-level ``netlist`` of ``module`` with ``liberty``'s cells as logic, as ``gate``."""
    return [
        f'read_liberty -ignore_miss_func "{Path(liberty).resolve()}"',
        f'read_verilog "{Path(netlist).resolve()}"',
        f"hierarchy -top {module}",
        "flatten",
        "opt_clean",
        f"rename {module} gate",
        "design -stash gate",
    ]


def _both(rtl, netlist, liberty, booth=False):
    return [
        *gold_commands(rtl, booth),
        *gate_commands(netlist, liberty, rtl.module),
        "design -copy-from gold -as gold gold",
        "design -copy-from gate -as gate gate",
    ]


def miter_verilog(rtl):
    """``lec_miter``: gold and gate on the same inputs, reset in cycle 0, every output equal
    from cycle 1 on."""
    text = "module lec_miter (\n  input clk"
    text += "".join(f",\n  input {bus(w)}{n}" for n, w in rtl.inputs())
    text += "\n);\n" + STARTED
    compared = []
    for copy in ("gold", "gate"):
        connections = {"clk": "clk", "rst": "rst", **{n: n for n, _ in rtl.inputs()}}
        for name, width in rtl.outputs():
            text += declare("wire", f"{copy}_{name}", width)
            connections[name] = f"{copy}_{name}"
        text += instance(copy, f"{copy}_unit", connections)
    for name, _ in rtl.outputs():
        compared.append(f"gold_{name} == gate_{name}")
    text += f"  always @* if (started) assert ({' && '.join(compared)});\nendmodule\n"
    return text


def _count(path):
    with open(path, encoding="utf-8") as file:
        return int(re.search(r"(\d+) objects", file.read()).group(1))


def _cut_commands(rtl, netlist, liberty, workdir):
    """Both sides with their registers cut into inputs and next-state outputs, the miter of the
    two written to ``lec.aig``; the register counts to ``<side>_registers.txt`` and the outputs
    of the registers without a counterpart to ``unmatched.txt``."""
    counts = [
        f'tee -q -o "{workdir / f"{side}_registers.txt"}" select -count {_state_cells(side)}'
        for side in ("gold", "gate")
    ]
    return [
        *_both(rtl, netlist, liberty, booth=FLOW["booth"]),
        "async2sync",
        "techmap",
        "dffunmap",
        "opt_expr",
        "opt_clean",
        *counts,
        "expose -shared -evert-dff t:$_DFF_P_ t:$_DFF_N_",
        "opt_clean",
        f'tee -q -o "{workdir / "unmatched.txt"}" select -list {_state_cells()} %x:+[Q] w:* %i',
        f"select -assert-none {_state_cells()}",
        "miter -equiv -flatten gold gate lec_cut",
        "hierarchy -top lec_cut",
        "techmap",
        *aiger_commands(workdir / "lec.aig"),
    ]


def _proven(rtl, workdir):
    """The detail of a proven correspondence."""
    registers, rtl_registers = (_count(workdir / f"{s}_registers.txt") for s in ("gate", "gold"))
    if registers != rtl_registers:
        registers = f"{registers} ({rtl_registers} in the RTL)"
    with open(workdir / "cut.log", encoding="utf-8", errors="replace") as log:
        booth = sum(line.startswith("Mapping cell ") and "Booth" in line for line in log)
    outputs = sum(width for _, width in rtl.outputs())
    detail = (
        f"every cycle, from any state the two share: &cec proved the {outputs} output bits and "
        f"the next state of all {registers} register bits (matched by name) equal functions of "
        "the inputs (rst included) and the registers"
    )
    if booth:
        detail += f"; the RTL's {booth} multiplier(s) taken in Yosys' Booth form, as synthesized"
    return detail


def _combinational(rtl, netlist, liberty, workdir, time_limit):
    """The :class:`Outcome` (no counterexample) of the combinational proof under register
    correspondence."""
    cut = run_yosys(_cut_commands(rtl, netlist, liberty, workdir), workdir / "cut.log", time_limit)
    if cut.timed_out:
        return Outcome("unknown", f"time limit ({time_limit:g} s) reached cutting the registers")
    if not cut.ok:
        unmatched = workdir / "unmatched.txt"
        names = unmatched.read_text().split() if unmatched.is_file() else []
        if names:
            return Outcome("unknown", f"registers without a counterpart: {', '.join(names[:6])}")
        return Outcome("unknown", f"cutting the registers stopped: {cut.error}")
    remaining = max(1.0, time_limit - cut.seconds)
    status, run = prove_zero(workdir / "lec.aig", workdir / "cec.log", remaining)
    if status == "proven":
        return Outcome("proven", _proven(rtl, workdir))
    if status == "failed":
        return Outcome("failed", "&cec: an output or a register's next state differs")
    return Outcome("unknown", f"&cec: {stopped(run, time_limit, 'undecided')}")


def prove_lec(rtl, netlist, liberty, workdir, time_limit, bmc_depth):
    """Prove ``netlist`` (gate Verilog on ``liberty``) equivalent to ``rtl``.

    ``proven`` when ``&cec`` proves the register correspondence; otherwise ``failed`` with the
    counterexample a ``bmc_depth``-cycle BMC finds, or ``unknown``.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    combinational = _combinational(rtl, netlist, liberty, workdir, time_limit)
    if combinational.status == "proven" or time.perf_counter() - start >= time_limit:
        return combinational
    why = combinational.detail
    (workdir / "lec_miter.v").write_text(miter_verilog(rtl))
    design = [
        *_both(rtl, netlist, liberty),
        *formal_design([(workdir / "lec_miter.v", True)], "lec_miter"),
        "async2sync",
    ]
    remaining = max(10.0, time_limit - (time.perf_counter() - start))
    outcome = check_assertions(
        design, "lec_miter", [n for n, _ in rtl.inputs()], bmc_depth, workdir / "bmc", remaining
    )
    if outcome.status == "failed":
        return Outcome("failed", f"{why}; {outcome.detail}", outcome.counterexample)
    return Outcome("unknown", f"{why}; {outcome.detail}")
