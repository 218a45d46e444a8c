"""The argument parser of the ``synth`` CLIs: :class:`sim.util.cli.UsageParser`, shared with
the ``sim`` CLIs (a usage error is one line, exit status 2)."""

from sim.util.cli import UsageParser

__all__ = ["UsageParser"]
