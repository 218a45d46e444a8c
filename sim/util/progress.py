"""A progress bar on stderr that appears only once a run has lasted more than a second."""

import sys
import threading

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["LazyProgress"]

#: Runs shorter than this show no bar.
SHOW_AFTER_SECONDS = 1.0


class LazyProgress:
    """Context manager: ``task(description, total)`` returns an ``update(done)`` callable.

    The bars are drawn from a second after entering (a timer, so a step that updates nothing for
    a while, such as a Verilator build, still shows its bar and elapsed time), and never when
    stderr is not a terminal.
    """

    def __init__(self):
        console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self._lock = threading.Lock()
        self._timer = threading.Timer(SHOW_AFTER_SECONDS, self._show)
        self._timer.daemon = True
        self._shown = self._closed = False

    def _show(self):
        with self._lock:
            if not self._closed:
                self._progress.start()
                self._shown = True

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._shown:
                self._progress.stop()

    def note(self, text):
        """A line of log on stderr, printed above the bars once they are drawn."""
        with self._lock:
            if self._shown:
                self._progress.console.print(text, markup=False, highlight=False)
                return
        print(text, file=sys.stderr, flush=True)

    def task(self, description, total):
        """Add a task; the returned callable sets its completed count."""
        task_id = self._progress.add_task(description, total=total)
        return lambda done: self._progress.update(task_id, completed=done)
