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
from pathlib import Path

from .runner import run_abc

__all__ = ["aiger_commands", "prove_zero"]

_VERDICT = re.compile(r"Networks are (equivalent|NOT EQUIVALENT|UNDECIDED)")


def aiger_commands(path):
    """Yosys commands that write the flattened, techmapped top module to ``path`` as an AIG
    (assertions become outputs)."""
    return ["dffunmap", "aigmap", f'write_aiger -zinit "{Path(path).resolve()}"']


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
