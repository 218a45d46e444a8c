"""A progress bar on stderr that appears only once a run has lasted more than a second."""

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

__all__ = ["LazyProgress"]

#: Runs shorter than this show no bar.
SHOW_AFTER_SECONDS = 1.0


class LazyProgress:
    """Context manager: ``task(description, total)`` returns an ``update(done)`` callable.

    Nothing is drawn until the first update that comes more than a second after entering, and
    nothing at all when stderr is not a terminal.
    """

    def __init__(self):
        console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self._start = None
        self._shown = False

    def __enter__(self):
        self._start = time.monotonic()
        return self

    def __exit__(self, *exc):
        if self._shown:
            self._progress.stop()

    def task(self, description, total):
        """Add a task; the returned callable sets its completed count."""
        task_id = self._progress.add_task(description, total=total)

        def update(done):
            if not self._shown and time.monotonic() - self._start > SHOW_AFTER_SECONDS:
                self._progress.start()
                self._shown = True
            self._progress.update(task_id, completed=done)

        return update
