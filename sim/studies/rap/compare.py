"""RAP against a conventional PTQ AMS-PiM and a GPU estimate on the same inference.

Every PiM design runs the whole model through :func:`~sim.rap.pim_matmul`, noise-free and at
the stated noise (referred to the ADC's input range, and, for the 4-bit RAP and the
conventional design, to the bit-line's), so that accuracy, energy and latency come from the
same runs. The GPU row is a roofline estimate (:func:`~sim.rap.system.gpu_estimate`); its
accuracy is not simulated.
"""

from sim.studies.rap.sweep import summarise
from sim.system.rap.costs import adc_area_um2
from sim.system.rap.system import conventional_system, gpu_estimate, rap_system, run_system

__all__ = ["design_runs", "compare_rows", "ENERGY_GROUPS"]

#: Report columns: energy components summed into groups.
ENERGY_GROUPS = {
    "ADC": ("tiles.adc",),
    "array": ("tiles.bitline", "tiles.wordline"),
    "shift-add": ("tiles.shift_add",),
    "writes + buffers": ("tiles.weight_writes", "tiles.buffers"),
    "between tiles": None,  # every "between." component
}


def design_runs(adc_bits, rows, noise, seed=0):
    """``[(system, noise label)]`` of the comparison, in report order: every design noise-free,
    then at ``noise`` of the ADC's swing, then RAP at 4 bits (or the first of ``adc_bits``) and
    the conventional design at ``noise`` of the bit-line's swing."""
    levels = [(0.0, "adc")] + ([(noise, "adc"), (noise, "bitline")] if noise else [])
    runs = []
    for level, reference in levels:
        pim = {"noise_swing": level, "noise_reference": reference, "seed": seed}
        label = "none" if level == 0 else f"{100 * level:g} % of the {reference} swing"
        chosen = adc_bits if reference == "adc" else ([4] if 4 in adc_bits else adc_bits[:1])
        runs += [(rap_system(bits, rows, **pim), label) for bits in chosen]
        runs.append((conventional_system(rows, **pim), label))
    return runs


def _groups(energy):
    groups = {}
    for group, parts in ENERGY_GROUPS.items():
        if parts is None:
            groups[group] = sum(v for k, v in energy.items() if k.startswith("between."))
        else:
            groups[group] = sum(energy.get(part, 0.0) for part in parts)
    return {k: v * 1e-6 for k, v in groups.items()}  # uJ


def _adc_area_mm2(system, static_tiles):
    config = system.pim
    adcs = static_tiles * (config.columns // config.adc_share)
    return adcs * adc_area_um2(config.adc_bits, config.adc_model) * 1e-6


def compare_rows(workload, adc_bits, rows, noise, gpu, seed=0, progress=None):
    """One row per design run, then the GPU estimate; ``progress(done)`` after each run."""
    result = []
    for done, (system, label) in enumerate(design_runs(adc_bits, rows, noise, seed), 1):
        run = run_system(workload.model, workload.token_ids, system)
        result.append(
            {
                "design": system.key,
                "description": system.description,
                "noise": label,
                **summarise(run),
                "energy_uj_by_group": _groups(run["energy_pj"]),
                "adc_area_mm2": _adc_area_mm2(system, run["static_tiles"]),
                "static_tiles": run["static_tiles"],
                "layers": _layer_rows(run),
            }
        )
        if progress:
            progress(done)
    estimate = gpu_estimate(workload.model.encoder.config, workload.token_ids, gpu)
    result.append(
        {
            "design": f"gpu ({estimate['gpu']}, {estimate['dtype']})",
            "description": f"roofline estimate, {estimate['bound']}-bound; {estimate['note']}",
            "noise": "n/a",
            "mean_cosine": None,
            "min_cosine": None,
            "energy_uj": estimate["energy_j"] * 1e6,
            "latency_us": estimate["latency_s"] * 1e6,
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
