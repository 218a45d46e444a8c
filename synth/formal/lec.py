"""Logical equivalence of a synthesized netlist with its RTL (Yosys ``equiv_*``).

The RTL (gold) is flattened the way the synthesis flow flattens it (block outputs kept, nets
split to bits with ``_<bit>`` names, identifiers unescaped), so that its registers carry the
netlist's names; the netlist (gate) is read with its library's cells as logic
(``read_liberty`` without ``-lib``: each cell's ``function``, ``ff`` and ``latch`` groups) and
flattened. ``equiv_make`` pairs every output and every register of the same name;
``equiv_induct`` proves each pair equal in every cycle in which all pairs were equal in the
cycle before (register correspondence: the next-state and output functions are equivalent), so
both designs, started from the same state, never differ. When a pair is not proven, a BMC of the
two against each other from reset looks for a real counterexample.
"""

import re
import time
from pathlib import Path

from .result import Outcome
from .runner import run_yosys
from .sat import check_assertions, formal_design
from .verilog import STARTED, bus, declare, instance

__all__ = ["gold_commands", "gate_commands", "prove_lec", "miter_verilog"]


def gold_commands(rtl):
    """Read ``rtl`` as module ``gold``, flattened and named as the synthesis flow names it."""
    return [
        f'read_verilog -sv "{rtl.verilog.resolve()}"',
        f"hierarchy -top {rtl.module}",
        "proc",
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


def _both(rtl, netlist, liberty):
    return [
        *gold_commands(rtl),
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


_UNPROVEN = re.compile(r"Unproven \$equiv \S+ \\(\S+)_gold")


def _unproven(status_path):
    with open(status_path, encoding="utf-8", errors="replace") as file:
        names = _UNPROVEN.findall(file.read())
    return sorted(set(re.sub(r" \[\d+\]$", "", name) for name in names))


def prove_lec(rtl, netlist, liberty, workdir, time_limit, bmc_depth):
    """Prove ``netlist`` (gate Verilog on ``liberty``) equivalent to ``rtl``.

    ``proven`` when ``equiv_induct`` proves every pair; otherwise ``failed`` with the
    counterexample a ``bmc_depth``-cycle BMC finds, or ``unknown``.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    status = workdir / "equiv_status.txt"
    start = time.perf_counter()
    run = run_yosys(
        [
            *_both(rtl, netlist, liberty),
            "equiv_make gold gate equiv",
            "hierarchy -top equiv",
            "async2sync",
            "equiv_induct -seq 1",
            f'tee -q -o "{status}" equiv_status',
            "equiv_status -assert",
        ],
        workdir / "equiv.log",
        time_limit,
    )
    if run.ok:
        with open(status, encoding="utf-8") as file:
            pairs = re.search(r"Found (\d+) \$equiv cells", file.read())
        count = pairs.group(1) if pairs else "all"
        return Outcome(
            "proven",
            f"every cycle: equiv_induct proved all {count} output and register pairs "
            "(matched by name) equal",
        )
    if run.timed_out:
        return Outcome("unknown", f"time limit ({time_limit:g} s) reached in equiv_induct")
    why = run.error
    if status.is_file():
        names = _unproven(status)
        why = f"equiv_induct left {len(names)} signal(s) unproven: {', '.join(names[:6])}"
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
