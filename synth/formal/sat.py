"""Bounded model checks and k-induction of a design's assertions with Yosys' ``sat``.

The design is a top module whose ``$assert`` cells state the property and whose ``$assume``
cells constrain its inputs (read with ``read_verilog -formal``; Yosys 0.70 reads them as
``$check`` cells, which ``chformal -lower`` turns back into ``$assert``/``$assume``). Registers
start from their ``init`` value where they have one and from any value otherwise, so a wrapper
resets its unit itself in cycle 0 with a ``started`` register (``init`` 0).

A bounded check (BMC) proves the assertions for every input sequence of ``depth`` cycles and,
when they fail, dumps the first counterexample (``-dump_json``) with its inputs per cycle.
k-induction (``-tempinduct``) then extends a passing check to every cycle.
"""

import time
from pathlib import Path

from .result import Outcome
from .runner import run_yosys
from .wavejson import read_counterexample

__all__ = ["read_sources", "elaborate", "formal_design", "check_assertions"]


def read_sources(sources):
    """Commands that read ``sources`` (``(path, formal)`` pairs: ``formal`` files are read with
    ``-formal``)."""
    return [
        f'read_verilog {"-formal" if formal else "-sv"} "{Path(path).resolve()}"'
        for path, formal in sources
    ]


def elaborate(top, parameters=None):
    """Commands that set ``top``'s ``parameters`` (``{name: int}``) and flatten it with its
    assertions lowered."""
    settings = [f"chparam -set {name} {value} {top}" for name, value in (parameters or {}).items()]
    return [*settings, f"hierarchy -top {top}", "proc", "chformal -lower", "flatten", "opt_clean"]


def formal_design(sources, top, parameters=None):
    """Commands that read ``sources`` (:func:`read_sources`) and elaborate ``top``."""
    return [*read_sources(sources), *elaborate(top, parameters)]


def _sat(top, *options):
    return " ".join(["sat", "-prove-asserts", "-set-assumes", *options, "-verify", top])


def check_assertions(commands, top, inputs, depth, workdir, time_limit, induction=None):
    """Check the assertions of ``top`` (built by ``commands``) for ``depth`` cycles from its
    initial state and, with ``induction`` (the longest induction to try), for every cycle.

    ``inputs`` name the top-level inputs a counterexample lists. Returns an :class:`Outcome`.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    dump = workdir / "counterexample.json"
    dump.unlink(missing_ok=True)
    start = time.perf_counter()
    bmc = run_yosys(
        [*commands, _sat(top, f"-seq {depth}", "-show-inputs", f'-dump_json "{dump}"')],
        workdir / "bmc.log",
        time_limit,
    )
    if bmc.timed_out:
        return Outcome("unknown", f"time limit ({time_limit:g} s) reached in a {depth}-cycle BMC")
    if bmc.error:
        if dump.is_file():
            cycles = read_counterexample(dump, inputs)
            return Outcome("failed", f"counterexample within {depth} cycles from reset", cycles)
        return Outcome("unknown", f"BMC stopped: {bmc.error}")
    bounded = f"no counterexample in {depth} cycles from reset (BMC)"
    if induction is None:
        return Outcome("proven", f"bounded: {bounded}")
    remaining = max(1.0, time_limit - (time.perf_counter() - start))
    step = run_yosys(
        [*commands, _sat(top, "-tempinduct", f"-maxsteps {induction}")],
        workdir / "induction.log",
        remaining,
    )
    if step.ok:
        closed = f"k-induction closed within {induction} steps"
        return Outcome("proven", f"every cycle: {closed}; {bounded}")
    why = "the time limit" if step.timed_out else f"no induction closed within {induction} steps"
    return Outcome("unknown", f"{bounded}, but not for every cycle: {why}")
