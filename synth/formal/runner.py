"""A Yosys script under a time limit, run by pyosys in a child process (as :mod:`hw.yosys`).

:func:`hw.yosys.run_script` waits for Yosys however long it takes; a proof must not. Here the
child (``python -m hw.yosys LOG``, commands on its standard input) runs in a session of its own,
so that a run past its time limit is ended with every process it started (ABC included).
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Run", "run_yosys"]


@dataclass(frozen=True)
class Run:
    """How a script ended: ``error`` is Yosys' last ``ERROR:`` line (``None`` when it finished),
    ``timed_out`` whether the time limit ended it."""

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


def run_yosys(commands, log_path, time_limit):
    """Run Yosys ``commands`` (strings, in order) on a fresh design for at most ``time_limit``
    seconds, logging to ``log_path``."""
    log_path = Path(log_path)
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "hw.yosys", os.fspath(log_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = child.communicate("\n".join(commands), timeout=time_limit)
    except subprocess.TimeoutExpired:
        _end(child)
        return Run(log_path, time.perf_counter() - start, timed_out=True)
    except BaseException:  # interrupted: leave no solver running
        _end(child)
        raise
    seconds = time.perf_counter() - start
    if not child.returncode:
        return Run(log_path, seconds)
    errors = []
    if log_path.is_file():
        with open(log_path, encoding="utf-8", errors="replace") as log:
            errors = [line.strip() for line in log if line.startswith("ERROR:")]
    reason = errors[-1] if errors else (stderr.strip() or f"exit {child.returncode}")
    return Run(log_path, seconds, error=reason)
