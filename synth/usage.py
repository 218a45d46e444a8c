"""The argument parser of the ``synth`` CLIs: a usage error is one line, exit status 2."""

import argparse

__all__ = ["UsageParser"]


class UsageParser(argparse.ArgumentParser):
    """Usage errors as one line, exit status 2."""

    def error(self, message):
        self.exit(2, f"error: {message} (see --help)\n")
