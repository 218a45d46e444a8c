"""What every command line shares: one-line usage errors and a clean end on SIGINT / SIGTERM.

:class:`UsageParser` is the ``argparse`` parser of every CLI: a usage error is one line
``error: ... (see --help)`` with exit status 2; ``--help`` is argparse's own. :func:`cli_main`
wraps a CLI's ``main(argv)``: while it runs, SIGINT raises :class:`KeyboardInterrupt` and SIGTERM
:class:`Terminated`, so ``finally`` blocks and context managers remove their temporary files and
``*.partial`` folders; the run then ends with one line on stderr and exit status 130 (SIGINT) or
143 (SIGTERM), without a traceback. A run that keeps something on purpose (synth.sweep's cache of
finished points) re-raises the interrupt with a text that says what and where.
"""

import argparse
import copy
import functools
import signal
import sys
import threading
import warnings

__all__ = [
    "DefaultsHelpFormatter",
    "UsageParser",
    "Terminated",
    "cli_main",
    "fill_defaults",
    "INTERRUPTED",
    "TERMINATED",
]

#: Exit statuses of a run ended by SIGINT and by SIGTERM (128 + the signal number).
INTERRUPTED = 128 + signal.SIGINT
TERMINATED = 128 + signal.SIGTERM


class UsageParser(argparse.ArgumentParser):
    """Usage errors as one line, exit status 2; a value given twice to an option that takes a
    list (``nargs`` ``+`` or ``*``, added with this parser's ``add_argument``) is one of them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.list_options = []

    def add_argument(self, *args, **kwargs):
        action = super().add_argument(*args, **kwargs)
        if action.nargs in ("+", "*"):
            self.list_options.append(action)
        return action

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        for action in self.list_options:
            values = getattr(namespace, action.dest, None)
            if isinstance(values, list):
                repeated = [v for i, v in enumerate(values) if v in values[:i]]
                if repeated:
                    option = "/".join(action.option_strings) or action.dest
                    self.error(f"argument {option}: {repeated[0]} given twice")
        return namespace, extras

    def error(self, message):
        self.exit(2, f"error: {message} (see --help)\n")


def fill_defaults(args, defaults):
    """Set every option of ``defaults`` (``{dest: value}``) the user did not give (``None``, the
    parser's default for them) to a copy of its value; return the flags of those given
    (``--seq-len``), for the caller to refuse the ones its mode does not use."""
    given = []
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, copy.copy(value))
        else:
            given.append("--" + name.replace("_", "-"))
    return given


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """``--help`` lines end with ``(default: X)``, once: not where the help already names its
    default, not for a default of None or a flag's False; a list default as its values, space
    separated, as one would type them."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if (
            "default" in text.lower()
            or default is None
            or default is False
            or default is argparse.SUPPRESS
            or action.option_strings == []
        ):
            return text
        shown = " ".join(map(str, default)) if isinstance(default, list | tuple) else default
        return f"{text} (default: {shown})".strip()


class Terminated(BaseException):
    """Raised in the main thread when the process receives SIGTERM."""


def _terminate(signum, frame):
    raise Terminated()


def _interrupt(signum, frame):
    raise KeyboardInterrupt()


def _kept(stop):
    """What an interrupted run left: the interrupt's own text (a run that keeps a cache raises
    it again with what it kept), else that nothing was written."""
    return str(stop) or "no output written"


def cli_main(main):
    """Decorate ``main(argv=None)``: SIGINT / SIGTERM end it with one line and exit 130 / 143
    (the handlers are installed for the call and the previous ones put back afterwards; outside
    the main thread nothing is installed)."""

    @functools.wraps(main)
    def wrapper(argv=None):
        installed = threading.current_thread() is threading.main_thread()
        if installed:
            previous = {
                signal.SIGINT: signal.signal(signal.SIGINT, _interrupt),
                signal.SIGTERM: signal.signal(signal.SIGTERM, _terminate),
            }
        try:
            return main(argv)
        except KeyboardInterrupt as stop:
            warnings.simplefilter("ignore")  # objects the run left half-built warn as they go
            print(f"interrupted (SIGINT): stopped, {_kept(stop)}", file=sys.stderr)
            return INTERRUPTED
        except Terminated as stop:
            warnings.simplefilter("ignore")
            print(f"terminated (SIGTERM): stopped, {_kept(stop)}", file=sys.stderr)
            return TERMINATED
        finally:
            if installed:
                for number, handler in previous.items():
                    signal.signal(number, handler)

    return wrapper
