"""A local Dask cluster whose run can be interrupted without leaving anything behind.

Its workers' temporary files (Yosys and OpenSTA runs, Dask's own scratch space) go into one
private folder that is removed when the cluster closes, also when a SIGINT or SIGTERM ends the
run and the workers are killed before their own clean-up; the cluster's logs below ERROR are
silenced, so an interrupted run ends with the CLI's one line (sim.util.cli).
"""

import logging
import shutil
import tempfile
from contextlib import contextmanager

__all__ = ["local_client"]


@contextmanager
def local_client(workers):
    """A ``distributed.Client`` of a new ``LocalCluster`` of ``workers`` single-threaded worker
    processes on loopback (no dashboard)."""
    from distributed import Client, LocalCluster

    scratch = tempfile.mkdtemp(prefix="qrazor-dask-")
    try:
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                host="127.0.0.1",
                dashboard_address=":0",
                silence_logs=logging.ERROR,
                local_directory=scratch,
                env={"TMPDIR": scratch},
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
