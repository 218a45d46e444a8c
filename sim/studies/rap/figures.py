"""The figures the ``compare`` and ``pim`` studies keep of one whole inference on tiles
(:func:`~sim.system.rap.system.run_system`): accuracy, energy, latency at equal ADC count and at
equal ADC area per tile, conversions, partials per plane, and the bit sparsity of the planes."""

import numpy as np

from sim.golden.rap.row_split import partial_count
from sim.system.rap.system import conventional_system, equal_adc_area

__all__ = ["summarise", "equal_area_latency_s", "popcount_summary"]


def equal_area_latency_s(ledger, config, adc_share):
    """Tile latency (s) of the products in ``ledger`` (run with ``config``) had every tile
    ``columns / adc_share`` ADCs instead: a partial (dense: a driven plane) takes ``adc_share``
    ADC cycles, so each product's ADC cycles scale by ``adc_share / config.adc_share``; the
    write cycles of dynamic matrices do not change."""
    total = 0.0
    for entry in ledger.values():
        total += entry["cycles"] / config.adc_share * adc_share + entry["write_cycles"]
    return total / config.adc_rate_hz


def popcount_summary(histogram, k, word_lines):
    """Bit sparsity of the planes counted in ``histogram`` (planes by popcount, 0..rows) for
    partials of at most ``k`` rows out of ``word_lines`` in use: ``planes``, ``mean_popcount``
    (over every plane inside a window), ``density`` (mean popcount / word-lines), ``over_k``
    (share of planes with more than ``k`` ones), ``partials_per_plane`` (``ceil(c / k)`` per
    plane with ``c`` > 0 ones), ``p90`` and ``max`` popcount."""
    counts = np.asarray(histogram, np.int64)
    ones = np.arange(len(counts))
    planes = int(counts.sum())
    driven = int(counts[1:].sum())
    mean = float((counts * ones).sum() / max(planes, 1))
    return {
        "planes": planes,
        "mean_popcount": mean,
        "density": mean / max(word_lines, 1),
        "over_k": float(counts[k + 1 :].sum() / max(planes, 1)),
        "partials_per_plane": float((counts * partial_count(ones, k)).sum() / max(driven, 1)),
        "p90": int(np.searchsorted(np.cumsum(counts), 0.9 * planes)) if planes else 0,
        "max": int(ones[counts > 0].max(initial=0)),
    }


def summarise(run, system):
    """The figures of one run of ``system`` kept by sweeps and tables (plain numbers).

    ``latency_us``: at the tile default of ADCs (equal ADC count); ``latency_equal_area_us``:
    with as many ADCs per tile as the conventional design's ADC area buys at this design's bits
    (:func:`~sim.system.rap.system.equal_adc_area`); both include the units between tiles."""
    ledger = run["ledger"]
    entries = ledger.values()
    conversions = sum(entry["conversions"] for entry in entries)
    partials = sum(entry["partials"] for entry in entries)
    driven = sum(entry["planes_driven"] for entry in entries)
    between_us = run["latency_s"]["between"] * 1e6
    config = system.pim
    area = equal_adc_area(system, conventional_system(config.rows)).pim
    return {
        "mean_cosine": float(run["cosines"].mean()),
        "min_cosine": float(run["cosines"].min()),
        "energy_uj": sum(run["energy_pj"].values()) * 1e-6,
        "tiles_energy_uj": sum(v for k, v in run["energy_pj"].items() if k.startswith("tiles."))
        * 1e-6,
        "latency_us": sum(run["latency_s"].values()) * 1e6,
        "latency_equal_area_us": equal_area_latency_s(ledger, config, area.adc_share) * 1e6
        + between_us,
        "adcs_per_tile": config.adcs_per_tile,
        "adcs_per_tile_equal_area": area.adcs_per_tile,
        "conversions": int(conversions),
        "partials": int(partials),
        "planes_driven": int(driven),
        "partials_per_plane": partials / max(driven, 1),
        "clip_rate": sum(entry["clipped"] for entry in entries) / max(conversions, 1),
    }
