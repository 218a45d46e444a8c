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

__all__ = ["aiger_commands", "prove_zero", "stopped", "prove_cases", "prove_each"]

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


def stopped(run, time_limit, otherwise):
    """Why ``run`` gave no verdict: the time limit, or ``otherwise``."""
    return f"time limit ({time_limit:g} s) reached" if run.timed_out else otherwise


def prove_cases(cases, time_limit, cycles, start):
    """Prove the AIGs of ``cases`` (``(setting, path)`` pairs, which may be produced one at a
    time) by :func:`prove_zero`, each logging beside its file, within what is left of
    ``time_limit`` since ``start`` (``time.perf_counter()``). Returns ``(status, setting, why)``:
    ``("proven", None, "")``, ``("failed", setting, "")`` for the first that fails, or
    ``("unknown", setting, why)``."""
    for setting, aig in cases:
        remaining = max(1.0, time_limit - (time.perf_counter() - start))
        status, run = prove_zero(aig, Path(aig).with_suffix(".log"), remaining, cycles)
        if status == "unknown":
            return "unknown", setting, stopped(run, time_limit, "undecided")
        if status == "failed":
            return "failed", setting, ""
    return "proven", None, ""


def prove_each(prepare, top, settings, workdir, time_limit, cycles):
    """Prove the assertions of ``top`` for ``cycles`` cycles from reset at each of ``settings``
    (``{parameter: value}`` of ``top``), each unrolled and proven by ``&cec``.

    ``prepare``: Yosys commands that read the design (``top`` last, so that each setting
    elaborates it afresh over the units they prepared once). Returns ``(status, setting, why)``
    as :func:`prove_cases` does, or ``("unknown", None, why)`` when no AIG was written.
    """
    workdir = Path(workdir)
    aigs = [workdir / f"setting{index}.aig" for index in range(len(settings))]
    commands = [*prepare, "design -save read"]
    for setting, aig in zip(settings, aigs, strict=True):
        commands += ["design -load read", *elaborate(top, setting), "techmap"]
        commands += aiger_commands(aig)
    start = time.perf_counter()
    run = run_yosys(commands, workdir / "aiger.log", time_limit)
    if not run.ok:
        return "unknown", None, f"no check ran: {stopped(run, time_limit, run.error)}"
    return prove_cases(zip(settings, aigs, strict=True), time_limit, cycles, start)
