"""Proofs that an AIG's outputs are constant 0, by ABC's ``&cec -m`` (pyosys' ``yosys-abc``).

``&cec`` proves a combinational miter by FRAIGing: it finds candidate equivalent internal nodes
by simulation and proves them by SAT from the inputs up, so two circuits that share internal
functions are compared cone by cone, not output by output. A sequential AIG is first unrolled
from its initial state for a number of cycles (``frames -i``; ``fold`` turns assumptions into
the property first); its outputs, one per assertion and cycle, are ORed into one. Yosys writes
the AIG (:func:`aiger_commands`): registers start from their ``init`` value, or from any value
(an extra input) without one.
"""

import re
import time
from pathlib import Path

from .runner import run_abc, run_yosys
from .sat import elaborate

__all__ = ["aiger_commands", "prove_zero", "prove_each"]

_VERDICT = re.compile(r"Networks are (equivalent|NOT EQUIVALENT|UNDECIDED)")


def aiger_commands(path, names=None):
    """Yosys commands that write the flattened, techmapped top module to ``path`` as an AIG
    (assertions become outputs); with ``names`` (a path), as ASCII AIGER with the map of its
    inputs' names there (for :func:`.aiger.tie_inputs`)."""
    ascii_map = f"-ascii -map {Path(names).resolve()} " if names else ""  # Yosys keeps quotes
    return ["dffunmap", "aigmap", f'write_aiger -zinit {ascii_map}"{Path(path).resolve()}"']


def prove_zero(aig, log_path, time_limit, cycles=None):
    """``"proven"`` when every output of ``aig`` is 0 (in each of its first ``cycles`` cycles,
    for a sequential one), ``"failed"`` when one can be 1, else ``"unknown"`` (time limit or
    undecided); and the :class:`~.runner.Run`."""
    aig = Path(aig).resolve()
    if cycles is None:
        commands = [f'&r "{aig}"', "&cec -m"]
    else:
        unroll = ["fold", "strash", f"frames -F {cycles} -i", "orpos", "strash", "&get"]
        commands = [f'read_aiger "{aig}"', *unroll, "&cec -m"]
    run = run_abc(commands, log_path, time_limit)
    if not run.ok:
        return "unknown", run
    with open(log_path, encoding="utf-8", errors="replace") as log:
        verdicts = _VERDICT.findall(log.read())
    last = verdicts[-1] if verdicts else "UNDECIDED"
    return {"equivalent": "proven", "NOT EQUIVALENT": "failed"}.get(last, "unknown"), run


def prove_each(prepare, top, settings, workdir, time_limit, cycles):
    """Prove the assertions of ``top`` for ``cycles`` cycles from reset at each of ``settings``
    (``{parameter: value}`` of ``top``), each unrolled and proven by ``&cec``.

    ``prepare``: Yosys commands that read the design (``top`` last, so that each setting
    elaborates it afresh over the units they prepared once). Returns ``(status, setting, why)``:
    ``("proven", None, "")``, ``("failed", setting, "")`` for the first that fails, or
    ``("unknown", setting or None, why)``.
    """
    workdir = Path(workdir)
    commands = [*prepare, "design -save read"]
    for index, setting in enumerate(settings):
        commands += ["design -load read", *elaborate(top, setting), "techmap"]
        commands += aiger_commands(workdir / f"setting{index}.aig")
    start = time.perf_counter()
    run = run_yosys(commands, workdir / "aiger.log", time_limit)
    if not run.ok:
        why = f"time limit ({time_limit:g} s) reached" if run.timed_out else run.error
        return "unknown", None, f"no check ran: {why}"
    for index, setting in enumerate(settings):
        remaining = max(1.0, time_limit - (time.perf_counter() - start))
        aig, log = workdir / f"setting{index}.aig", workdir / f"setting{index}.log"
        status, run = prove_zero(aig, log, remaining, cycles)
        if status == "unknown":
            why = f"time limit ({time_limit:g} s) reached" if run.timed_out else "undecided"
            return "unknown", setting, why
        if status == "failed":
            return "failed", setting, ""
    return "proven", None, ""
