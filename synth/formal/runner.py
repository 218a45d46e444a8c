"""Yosys scripts and ABC commands under a time limit, each in a child process.

:func:`hw.yosys.run_script` waits for Yosys however long it takes; a proof must not. Here the
child (``python -m hw.yosys LOG`` with the commands on its standard input, as :mod:`hw.yosys`,
or pyosys' ``yosys-abc``) runs in a session of its own, so that a run past its time limit is
ended with every process it started.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

__all__ = ["Run", "run_yosys", "run_abc"]


@dataclass(frozen=True)
class Run:
    """How a run ended: ``error`` is Yosys' last ``ERROR:`` line or ABC's failure (``None``
    when it finished), ``timed_out`` whether the time limit ended it."""

    log: Path
    seconds: float
    timed_out: bool = False
    error: str | None = None

    @property
    def ok(self):
        return not self.timed_out and self.error is None


def _end(child):
    """End ``child`` and every process of its session."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.communicate()


def _run(argv, text, stdout, log_path, time_limit):
    """Run ``argv`` with ``text`` on its standard input for at most ``time_limit`` seconds;
    returns the :class:`Run` and the child's standard error."""
    start = time.perf_counter()
    child = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = child.communicate(text, timeout=time_limit)
    except subprocess.TimeoutExpired:
        _end(child)
        return Run(log_path, time.perf_counter() - start, timed_out=True), ""
    except BaseException:  # interrupted: leave no solver running
        _end(child)
        raise
    seconds = time.perf_counter() - start
    if not child.returncode:
        return Run(log_path, seconds), stderr
    return Run(log_path, seconds, error=f"exit {child.returncode}"), stderr


def run_yosys(commands, log_path, time_limit):
    """Run Yosys ``commands`` (strings, in order) on a fresh design for at most ``time_limit``
    seconds, logging to ``log_path``."""
    log_path = Path(log_path)
    argv = [sys.executable, "-m", "hw.yosys", os.fspath(log_path)]
    run, stderr = _run(argv, "\n".join(commands), subprocess.DEVNULL, log_path, time_limit)
    if run.error is None:
        return run
    errors = []
    if log_path.is_file():
        with open(log_path, encoding="utf-8", errors="replace") as log:
            errors = [line.strip() for line in log if line.startswith("ERROR:")]
    reason = errors[-1] if errors else (stderr.strip() or run.error)
    return Run(log_path, run.seconds, error=reason)


def _abc_binary():
    """The ``yosys-abc`` executable inside the pyosys package."""
    return Path(find_spec("pyosys").submodule_search_locations[0]) / "yosys-abc"


def run_abc(commands, log_path, time_limit):
    """Run ABC ``commands`` (strings, joined by ``;``) for at most ``time_limit`` seconds,
    its output in ``log_path``."""
    log_path = Path(log_path)
    with open(log_path, "w", encoding="utf-8") as log:
        argv = [os.fspath(_abc_binary()), "-c", "; ".join(commands)]
        run, stderr = _run(argv, "", log, log_path, time_limit)
    if run.error is None:
        return run
    return Run(log_path, run.seconds, error=stderr.strip() or run.error)
