"""The sweep of the tile model on a whole encoder inference: ADC bits x k x rows x read noise x
gain/offset spread, for three families.

* ``"rap"``: RAP, 8-bit eMSB inputs (split), bit-sparse partials of at most k rows read by a
  low-range ADC (k <= 2**bits - 1: by default ``2**bits - 1``, plus every extra ``k`` that fits),
  integer kernels;
* ``"dense"``: the ablation, the same but every row at once (the low-range ADC clips);
* ``"conventional"``: exact 8-bit inputs, dense, a full-range ADC, DQ-Q with FP32 units.

Noise is a fraction of the swing named by ``noise_reference`` (default the bit-line's: the most
rows one conversion activates); ``spread`` is both the per-column gain spread (relative) and the
offset spread (a fraction of the same swing). Each point runs the model end to end through
:func:`~sim.rap.pim_matmul` and keeps :func:`~sim.studies.rap.figures.summarise`'s figures.
Points run in this process or, with ``workers > 1``, on a Dask ``LocalCluster`` on loopback (one
BLAS thread per worker); results are in point order either way, and every point is seeded by its
own configuration.
"""

import itertools

from sim.studies.rap.figures import summarise
from sim.system.rap.system import conventional_system, rap_system, run_system
from sim.util.dask_cluster import local_client

__all__ = ["FAMILIES", "sweep_points", "run_point", "run_sweep"]

FAMILIES = ("rap", "dense", "conventional")


def _designs(adc_bits, extra_k, dense_bits, conventional_bits):
    """``[(family, adc bits, k)]`` in report order (``k`` None for the dense families)."""
    designs = []
    for bits in adc_bits:
        top = (1 << bits) - 1
        designs += [("rap", bits, k) for k in sorted({top, *(k for k in extra_k if k < top)})]
    designs += [("dense", bits, None) for bits in dense_bits]
    designs += [("conventional", bits, None) for bits in conventional_bits]
    return designs


def sweep_points(
    adc_bits,
    noises,
    rows,
    spreads=(0.0,),
    extra_k=(),
    dense_bits=(),
    conventional_bits=(8,),
    noise_reference="bitline",
    seed=0,
):
    """Every point as a plain dict, in a fixed order: design (family, ADC bits, k), then rows,
    spread and noise. RAP points whose k exceeds ``rows`` are left out."""
    points = []
    designs = _designs(adc_bits, extra_k, dense_bits, conventional_bits)
    for (family, bits, k), r, spread, noise in itertools.product(designs, rows, spreads, noises):
        if k is not None and k > r:
            continue
        points.append(
            {
                "family": family,
                "adc_bits": bits,
                "k": k,
                "rows": r,
                "noise_swing": noise,
                "spread": spread,
                "noise_reference": noise_reference,
                "seed": seed,
            }
        )
    return points


def point_system(point):
    """The :class:`~sim.system.rap.system.PimSystem` of one sweep point."""
    pim = {
        "noise_swing": point["noise_swing"],
        "noise_reference": point["noise_reference"],
        "gain_sigma": point["spread"],
        "offset_sigma": point["spread"],
        "seed": point["seed"],
    }
    if point["family"] == "rap":
        return rap_system(point["adc_bits"], point["rows"], max_active_rows=point["k"], **pim)
    if point["family"] == "dense":
        return rap_system(point["adc_bits"], point["rows"], mvm="dense", **pim)
    return conventional_system(point["rows"], point["adc_bits"], **pim)


def run_point(point, load):
    """Figures of one point; ``load()`` gives the :class:`~sim.rap.workloads.Workload`."""
    workload = load()
    system = point_system(point)
    run = run_system(workload.model, workload.token_ids, system)
    return {**point, "design": system.key, **summarise(run, system)}


def _single_threaded(point, load):
    """:func:`run_point` with one BLAS/OpenMP thread: float sums (the FP32 reference) then add
    in the same order in this process and in any worker, so that results do not depend on
    ``workers``."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return run_point(point, load)


def run_sweep(points, load, workers=1, progress=None):
    """Results of every point, in order; ``progress(done)`` after each. ``load`` must pickle
    (e.g. a ``functools.partial`` of :func:`~sim.rap.workloads.load_workload`)."""
    if workers == 1:
        results = []
        for done, point in enumerate(points, 1):
            results.append(_single_threaded(point, load))
            if progress:
                progress(done)
        return results
    from distributed import as_completed

    with local_client(workers) as client:
        futures = client.map(_single_threaded, points, load=load, pure=False)
        for done, _ in enumerate(as_completed(futures), 1):
            if progress:
                progress(done)
        return client.gather(futures)
