"""The ADC-bits x noise x rows sweep of two tile families on a whole encoder inference.

``"low"``: RAP's razored 4-bit inputs, a low-range ADC, zero planes skipped, integer kernels.
``"full"``: a conventional PiM's 8-bit inputs, a full-range ADC of the same bits, DQ-Q with FP32
units. Each point runs the model end to end through :func:`~sim.rap.pim_matmul` and keeps the
cosines to FP32, the energy, latency and clip rate. Points run in this process or, with
``workers > 1``, on a Dask ``LocalCluster`` on loopback (one BLAS thread per worker); results
are in point order either way, and every point is seeded by its own configuration.
"""

import itertools

from sim.system.rap.system import conventional_system, rap_system, run_system

__all__ = ["FAMILIES", "sweep_points", "run_point", "run_sweep"]

FAMILIES = ("low", "full")


def sweep_points(adc_bits, noises, rows, noise_reference="adc", seed=0):
    """Every point as a plain dict, in a fixed order."""
    return [
        {
            "family": family,
            "adc_bits": bits,
            "noise_swing": noise,
            "rows": r,
            "noise_reference": noise_reference,
            "seed": seed,
        }
        for family, r, noise, bits in itertools.product(FAMILIES, rows, noises, adc_bits)
    ]


def _system(point):
    pim = {
        "noise_swing": point["noise_swing"],
        "noise_reference": point["noise_reference"],
        "seed": point["seed"],
    }
    if point["family"] == "low":
        return rap_system(point["adc_bits"], point["rows"], **pim)
    return conventional_system(point["rows"], point["adc_bits"], **pim)


def summarise(run):
    """The figures of one :func:`~sim.rap.system.run_system` result kept by sweeps and tables."""
    ledger = run["ledger"].values()
    conversions = sum(entry["conversions"] for entry in ledger)
    return {
        "mean_cosine": float(run["cosines"].mean()),
        "min_cosine": float(run["cosines"].min()),
        "energy_uj": sum(run["energy_pj"].values()) * 1e-6,
        "tiles_energy_uj": sum(v for k, v in run["energy_pj"].items() if k.startswith("tiles."))
        * 1e-6,
        "latency_us": sum(run["latency_s"].values()) * 1e6,
        "conversions": int(conversions),
        "clip_rate": sum(entry["clipped"] for entry in ledger) / max(conversions, 1),
    }


def run_point(point, load):
    """Figures of one point; ``load()`` gives the :class:`~sim.rap.workloads.Workload`."""
    workload = load()
    run = run_system(workload.model, workload.token_ids, _system(point))
    return {**point, **summarise(run)}


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
    from dask.distributed import Client, LocalCluster, as_completed

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        futures = client.map(_single_threaded, points, load=load, pure=False)
        for done, _ in enumerate(as_completed(futures), 1):
            if progress:
                progress(done)
        return client.gather(futures)
