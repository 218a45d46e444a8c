"""The sweep run: the points cache and the Dask cluster that evaluates what it lacks.

Every finished point (and MiniLM format) is written to ``<out>/points/<key>.json`` as soon as
it finishes, by this process (workers need no shared file system); a later run loads those and
submits only the rest, so a run whose points are all cached starts no cluster at all. A failed
point is cached with its error like any other, and re-run only on request (``retry_failed``).
"""

import json
from contextlib import contextmanager
from pathlib import Path

from sim.util.dask_cluster import local_client
from sim.util.files import write_atomic

from .grid import point_order
from .minilm import format_key, operand_format, run_cosine
from .points import failed_record, point_key, run_point

__all__ = ["POINTS", "open_client", "run_points"]

#: The cache folder's name inside the output folder.
POINTS = "points"
#: Seconds to wait for a ``--scheduler`` to answer.
CONNECT_TIMEOUT = 20


@contextmanager
def open_client(scheduler=None, workers=2):
    """A Dask client: of the cluster at ``scheduler``, or of a new local cluster of ``workers``
    single-threaded workers (:func:`sim.util.dask_cluster.local_client`)."""
    from distributed import Client

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as error:
            raise ValueError(f"--scheduler {scheduler}: cannot connect ({error})") from error
        with client:
            yield client
        return
    with local_client(workers) as client:
        yield client


def _load(path):
    """A cached record, or ``None`` when absent or unreadable (then it is recomputed)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _plain(record):
    """The record as it reads back from its cache file (so cached and fresh runs agree)."""
    return json.loads(json.dumps(record, sort_keys=True))


def _weight(task):
    """Larger units first, so that the workers finish together."""
    design, parameters = task[0], task[1]
    return -parameters.get("LANES", 1) * (2 if design == "sdr_mac" else 1)


def run_points(
    points,
    setups,
    out,
    scheduler=None,
    workers=2,
    retry_failed=False,
    minilm=False,
    progress=None,
    client_factory=open_client,
):
    """Records of every ``(design, parameters)`` of ``points`` on every ``(Library, Setup)`` of
    ``setups``, cached in ``out/points``, and the MiniLM records per format when ``minilm``.

    Returns ``(records, cosines, counts)``: the point records in library and grid order,
    ``{format key: record}``, and ``{"cached", "computed", "failed"}`` of this run.
    ``progress(done, total)`` after each point.
    """
    cache = Path(out) / POINTS
    cache.mkdir(parents=True, exist_ok=True)
    records, pending = {}, []
    for library, setup in setups:
        for design, parameters in sorted(points, key=point_order):
            key = point_key(design, parameters, library, setup)
            record = _load(cache / f"{key}.json")
            if record is None or (retry_failed and record.get("status") != "ok"):
                pending.append((design, dict(parameters), library, setup, key))
            else:
                records[key] = record
    formats = {}
    if minilm:
        for design, parameters in points:
            fmt = operand_format(design, parameters)
            formats[format_key(fmt)] = fmt
    cosines, pending_formats = {}, []
    for key, fmt in sorted(formats.items()):
        record = _load(cache / f"{key}.json")
        if record is None or (retry_failed and record.get("status") != "ok"):
            pending_formats.append((key, fmt))
        else:
            cosines[key] = record
    counts = {"cached": len(records) + len(cosines), "computed": 0, "failed": 0}
    total = len(records) + len(pending) + len(formats)
    if progress:
        progress(counts["cached"], total)
    if pending or pending_formats:
        with client_factory(scheduler, workers) as client:
            futures = {}
            for task in sorted(pending, key=_weight):
                future = client.submit(run_point, task, key=f"sweep-{task[-1]}", pure=False)
                futures[future] = ("point", task)
            for key, fmt in pending_formats:
                future = client.submit(run_cosine, fmt, key=f"sweep-{key}", pure=False)
                futures[future] = ("minilm", (key, fmt))
            from distributed import as_completed

            for future in as_completed(list(futures)):
                kind, task = futures[future]
                try:
                    record = future.result()
                except Exception as error:  # noqa: BLE001 - a lost worker fails its point only
                    if kind == "point":
                        record = failed_record(*task[:3], task[-1], error)
                    else:
                        record = {"format": task[1], "status": "failed", "mean": None}
                        record.update(min=None, error=f"{type(error).__name__}: {error}")
                record = _plain(record)
                key = task[-1] if kind == "point" else task[0]
                write_atomic(cache / f"{key}.json", json.dumps(record, indent=1, sort_keys=True))
                (records if kind == "point" else cosines)[key] = record
                counts["computed"] += 1
                counts["failed"] += record["status"] != "ok"
                if progress:
                    progress(counts["cached"] + counts["computed"], total)
    ordered = []
    for library, setup in setups:
        for design, parameters in sorted(points, key=point_order):
            ordered.append(records[point_key(design, parameters, library, setup)])
    counts["failed_total"] = sum(r["status"] != "ok" for r in ordered)
    return ordered, cosines, counts
