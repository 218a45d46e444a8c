"""RAP against a conventional PTQ AMS-PiM and a GPU estimate on the same inference.

Every PiM design runs the whole model through :func:`~sim.rap.pim_matmul`: RAP (eMSB inputs,
split and two's-complement driving, bit-sparse partials of at most ``k = 2**b - 1`` rows read by a
``b``-bit low-range ADC), its ablations (narrower eMSB windows, SDR inputs, and the dense
low-range design that activates every row and lets the ADC clip) and the conventional design
(exact 8-bit inputs, dense, 8-bit full-range ADC, DQ-Q, FP32 units); noise-free, then the
headline RAP and the conventional design at the stated noise. Accuracy, energy and latency come
from the same runs. Latency is given at equal ADC count (every design at the tile default of
``columns / adc_share`` ADCs, the conventional design's) and at equal ADC area per tile
(:func:`~sim.system.rap.system.equal_adc_area` against the conventional design), both from one
run: a product's ADC cycles scale with its bit-lines per ADC. The GPU row is a roofline estimate
(:func:`~sim.system.rap.system.gpu_estimate`); its accuracy is not simulated.
"""

import numpy as np

from sim.studies.rap.figures import popcount_summary, summarise
from sim.system.rap.costs import adc_area_um2
from sim.system.rap.system import conventional_system, gpu_estimate, rap_system, run_system

__all__ = ["ENERGY_GROUPS", "design_runs", "compare_rows", "design_row"]

#: Report columns: energy components (keys of ``run["energy_pj"]``) summed into groups.
ENERGY_GROUPS = {
    "ADC": ("tiles.adc",),
    "compactor": ("tiles.compactor",),
    "partial-sum adds": ("tiles.partial_sum_adds",),
    "word-line": ("tiles.wordline",),
    "bit-line": ("tiles.bitline",),
    "shift-add": ("tiles.shift_add",),
    "writes": ("tiles.weight_writes",),
    "buffers": ("tiles.buffers",),
    "between tiles": None,  # every "between." component
}


def design_runs(
    adc_bits,
    rows,
    noise,
    seed=0,
    headline_bits=3,
    dense_bits=(3, 5),
    noise_reference="bitline",
    sign_modes=("split", "twos"),
    emsb_bits=(4, 6),
    sdr_bits=(4,),
):
    """``[(system, noise label)]`` of the comparison, in report order.

    Noise-free: RAP with 8-bit eMSB inputs, sparse, at every ``adc_bits`` (k = 2**b - 1), in
    every ``sign_modes`` (split, then two's complement); RAP with ``emsb_bits``-bit eMSB and
    ``sdr_bits``-bit SDR inputs at ``headline_bits``; the dense low-range ablation at every
    ``dense_bits``; the conventional design. With ``noise`` > 0, the headline RAP (8-bit eMSB,
    split, sparse, ``headline_bits``) and the conventional design again at ``noise`` of the
    ``noise_reference`` swing."""
    quiet = {"noise_swing": 0.0, "noise_reference": noise_reference, "seed": seed}
    runs = [
        (rap_system(bits, rows, sign_mode=sign, **quiet), "none")
        for sign in sign_modes
        for bits in adc_bits
    ]
    runs += [(rap_system(headline_bits, rows, target_bits=t, **quiet), "none") for t in emsb_bits]
    runs += [
        (rap_system(headline_bits, rows, input_format="sdr", target_bits=t, **quiet), "none")
        for t in sdr_bits
    ]
    runs += [(rap_system(bits, rows, mvm="dense", **quiet), "none") for bits in dense_bits]
    runs.append((conventional_system(rows, **quiet), "none"))
    if noise:
        noisy = {**quiet, "noise_swing": noise}
        label = f"{100 * noise:g} % of the {noise_reference} swing"
        runs.append((rap_system(headline_bits, rows, **noisy), label))
        runs.append((conventional_system(rows, **noisy), label))
    return runs


def _groups(energy):
    groups = {}
    for group, parts in ENERGY_GROUPS.items():
        if parts is None:
            groups[group] = sum(v for k, v in energy.items() if k.startswith("between."))
        else:
            groups[group] = sum(energy.get(part, 0.0) for part in parts)
    return {k: v * 1e-6 for k, v in groups.items()}  # uJ


def _products(run, config):
    """Per product kind (``query``, ..., summed over the layers) and for the densest product
    (the most partials per driven plane): :func:`popcount_summary`, the latter with its name."""
    histograms, word_lines, densest = {}, {}, None
    for name, entry in run["ledger"].items():
        lines = min(round(entry["macs"] / entry["results"]), config.rows)  # K, within a chunk
        summary = popcount_summary(entry["popcount_histogram"], config.k, lines)
        if densest is None or summary["partials_per_plane"] > densest["partials_per_plane"]:
            densest = {"product": name, **summary}
        kind = name.split(".", 2)[-1]
        histograms[kind] = histograms.get(kind, 0) + np.asarray(entry["popcount_histogram"])
        word_lines[kind] = lines
    summaries = {
        kind: popcount_summary(histogram, config.k, word_lines[kind])
        for kind, histogram in histograms.items()
    }
    return summaries, densest


def design_row(system, label, run):
    """The report row of ``run`` (of ``system``, at noise ``label``)."""
    config = system.pim
    products, densest = _products(run, config)
    if system.exact_inputs:
        inputs = "exact 8-bit"
    else:
        inputs = system.key.removeprefix("rap-").rsplit("-", 2)[0]
    return {
        "design": system.key,
        "description": system.description,
        "family": "conventional" if system.nonlinear == "fp32" else f"rap-{config.mvm}",
        "noise": label,
        "inputs": inputs,
        "adc_bits": config.adc_bits,
        "k": config.k,
        **summarise(run, system),
        "adc_area_per_tile_um2": config.adcs_per_tile
        * adc_area_um2(config.adc_bits, config.adc_model),
        "energy_uj_by_group": _groups(run["energy_pj"]),
        "static_tiles": run["static_tiles"],
        "products": products,
        "densest": densest,
        "layers": _layer_rows(run),
    }


def compare_rows(workload, runs, gpu, progress=None):
    """One row per ``(system, noise label)`` of ``runs`` (:func:`design_runs`), then the GPU
    estimate; ``progress(done)`` after each run."""
    result = []
    for done, (system, label) in enumerate(runs, 1):
        run = run_system(workload.model, workload.token_ids, system)
        result.append(design_row(system, label, run))
        if progress:
            progress(done)
    estimate = gpu_estimate(workload.model.encoder.config, workload.token_ids, gpu)
    latency_us = estimate["latency_s"] * 1e6
    result.append(
        {
            "design": f"gpu ({estimate['gpu']}, {estimate['dtype']})",
            "description": f"roofline estimate, {estimate['bound']}-bound; {estimate['note']}",
            "family": "gpu",
            "noise": "n/a",
            "mean_cosine": None,
            "min_cosine": None,
            "energy_uj": estimate["energy_j"] * 1e6,
            "latency_us": latency_us,
            "latency_equal_area_us": latency_us,
        }
    )
    return result


def _layer_rows(run):
    """Per encoder layer: cycles, latency (us) and energy (uJ) of its tiles."""
    layers = {}
    for name, entry in run["ledger"].items():
        layer = name.split(".")[1]
        row = layers.setdefault(layer, {"cycles": 0, "latency_us": 0.0, "energy_uj": 0.0})
        row["cycles"] += int(entry["cycles"] + entry["write_cycles"])
        row["latency_us"] += entry["latency_s"] * 1e6
        row["energy_uj"] += sum(v for k, v in entry.items() if k.startswith("energy_pj.")) * 1e-6
    return layers
