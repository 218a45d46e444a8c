"""Run a Yosys script through pyosys in a child process.

pyosys prints every pass to stdout with no switch to stop it (YosysHQ/yosys#1056), and a failing
pass ends the whole process (``log_error`` exits). So each script runs in a child Python process
whose stdout goes to a log file; the parent turns a failure into :class:`YosysError` carrying the
``ERROR:`` line of the log. Results come back through files the script writes.
"""

import os
import subprocess
import sys
from importlib.metadata import version

__all__ = ["YosysError", "run_script", "yosys_version"]


class YosysError(RuntimeError):
    """A Yosys pass failed; the message is Yosys' own error line and the log path."""


def yosys_version():
    """Version of the Yosys inside pyosys, e.g. ``0.70``."""
    return version("pyosys")


def run_script(commands, log_path):
    """Run Yosys ``commands`` (strings, in order) on a fresh design, logging to ``log_path``."""
    result = subprocess.run(
        [sys.executable, "-m", "hw.yosys", os.fspath(log_path)],
        input="\n".join(commands),
        text=True,
        capture_output=True,
        check=False,
    )
    if result.returncode:
        with open(log_path, encoding="utf-8", errors="replace") as log:
            errors = [line.strip() for line in log if line.startswith("ERROR:")]
        reason = errors[-1] if errors else (result.stderr.strip() or f"exit {result.returncode}")
        raise YosysError(f"{reason} (yosys log: {log_path})")


def _child(log_path):
    from pyosys import libyosys as ys

    with open(log_path, "wb") as log:
        os.dup2(log.fileno(), 1)
    design = ys.Design()
    for command in sys.stdin.read().splitlines():
        ys.run_pass(command, design)
    ys.log_flush()


if __name__ == "__main__":
    _child(sys.argv[1])
