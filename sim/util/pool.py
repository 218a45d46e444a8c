"""A process pool that a SIGINT or SIGTERM stops at once, leaving no worker (or tool it started)
writing behind the caller's back.

Each worker leads a process group of its own and ignores SIGINT (the parent handles Ctrl-C, see
:func:`sim.util.cli.cli_main`). When the ``with`` body ends with an exception (an interrupt
included), every worker's group is sent SIGTERM (the worker and the Yosys, OpenSTA or solver runs
it started), pending tasks are cancelled and the workers are reaped before the exception goes on,
so the caller's clean-up (removing a ``*.partial`` folder) is not raced by a worker still writing.
"""

import os
import signal
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

__all__ = ["process_pool"]


def _worker_setup():
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop(pool):
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public accessor
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=10)


@contextmanager
def process_pool(jobs):
    """A :class:`~concurrent.futures.ProcessPoolExecutor` of ``jobs`` workers, stopped whole on
    any exception in the body."""
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_setup)
    try:
        yield pool
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
