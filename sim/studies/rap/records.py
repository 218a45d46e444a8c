"""The records of ``python -m sim.rap``'s three studies (plain dicts the report writers read)."""

import functools

from sim.studies.rap.compare import compare_rows
from sim.studies.rap.study import captured_errors, kernel_errors, variant_cosines
from sim.studies.rap.sweep import run_sweep, sweep_points
from sim.system.rap.costs import CONSTANTS, constants_table
from sim.system.rap.system import FP32_OPS, NONLINEAR_CLOCK_HZ, NONLINEAR_LANES
from sim.workloads.encoder_models import load_workload

__all__ = ["accuracy_record", "compare_record", "pim_record"]

ACCURACY_NOTES = (
    "Integer GEMMs are computed exactly (float64 BLAS where every partial sum stays below "
    "2**53, int64 otherwise): the results are the integers an integer datapath gives.",
    "Between the embedding lookup and the pooled output, the rap* variants use integer "
    "operations only (no float, no division); i-bert divides once per row in softmax and "
    "LayerNorm; dq-q and its ablations run the named kernels in float64.",
    "The pooled output is the sum of the tokens' vectors: the mean's 1/n and the final L2 "
    "normalisation (done in float for the cosine) are scales the cosine ignores.",
)
PIM_NOTES = (
    "Every product of the encoder runs through sim.rap.pim_matmul (bit-sliced W8 tiles, "
    "bit-serial inputs, the column ADC model with its noise); cosines are to the FP32 model.",
    "Energy constants come from different nodes (ADC and array: ISAAC, 32 nm; digital ops and "
    "SRAM: Horowitz, 45 nm; shift-add and the integer units: this project's IHP SG13G2 130 nm "
    "synthesis) and are not rescaled; every design is charged the same ones.",
    "Noise 'of the adc swing' is a fraction of the ADC's full-scale input (2**bits - 1 steps "
    "for a low-range ADC, rows for a full-range one): a low-range ADC behind a gain stage. "
    "'Of the bitline swing' is a fraction of the bit-line's whole range (rows steps) for every "
    "ADC: the same analog noise seen by a finer ADC. The two bracket the error resiliency.",
    "Conventional design: DQ-Q charged per product result "
    f"({FP32_OPS['dq_q'][1]} FP32 multiplies and {FP32_OPS['dq_q'][0]} add), FP32 softmax, "
    "GELU, LayerNorm and residual adds at our per-element operation counts "
    f"{ {k: v for k, v in FP32_OPS.items() if k != 'dq_q'} } (adds, multiplies).",
    "Between the tiles, RAP's integer units are charged this project's whole synthesized units "
    "(130 nm, one element per beat, registers and clock network included) while the "
    "conventional FP32 units are charged Horowitz's 45 nm per-operation datapath energies (no "
    "registers, no clock): the mismatch favours the conventional design in 'between tiles'.",
    f"Between-tile units run {NONLINEAR_LANES} elements per cycle at "
    f"{NONLINEAR_CLOCK_HZ / 1e6:g} MHz for both designs; tiles' latency is their ADC cycles "
    "at the ADC rate, products one after another.",
)


def _workload(kind, seed, sentences=None):
    return load_workload(kind, seed, sentences)


def accuracy_record(workload, seed):
    """Kernel errors and variant cosines (``python -m sim.rap accuracy``)."""
    chosen = _workload(workload, seed)
    model, token_ids = chosen.model, chosen.token_ids
    variants = [
        {
            "key": key,
            "description": text,
            "mean": float(cosines.mean()),
            "min": float(cosines.min()),
            "cosines": [float(c) for c in cosines],
        }
        for key, (text, cosines) in variant_cosines(model, token_ids).items()
    ]
    kernels = kernel_errors(seed) + captured_errors(model, token_ids)
    return {
        "generator": "python -m sim.rap accuracy",
        "workload": chosen.description,
        "provenance": chosen.provenance,
        "kernels": [k.as_record() for k in kernels],
        "variants": variants,
        "notes": list(ACCURACY_NOTES),
    }


def _shift_add_note(rows):
    """The sensitivity of the totals to the shift-add constant (Horowitz's int32 add instead)."""
    ours, theirs = CONSTANTS["shift_add_pj"].value, CONSTANTS["int32_add_pj"].value
    parts = []
    for row in rows:
        if "conversions" in row:
            other = row["energy_uj"] - row["conversions"] * (ours - theirs) * 1e-6
            parts.append(f"{row['design']} ({row['noise']}) {other:.1f} uJ")
    return (
        f"Shift-add at Horowitz's 45 nm int32 add ({theirs} pJ) instead of this project's "
        f"{ours} pJ (130 nm, with registers): " + "; ".join(parts) + "."
    )


def compare_record(workload, seed, adc_bits, rows, noise, gpu, sentences=None, progress=None):
    """RAP vs conventional PiM vs GPU (``python -m sim.rap compare``)."""
    chosen = _workload(workload, seed, sentences)
    table = compare_rows(chosen, adc_bits, rows, noise, gpu, seed, progress)
    return {
        "generator": "python -m sim.rap compare",
        "workload": chosen.description,
        "provenance": chosen.provenance,
        "settings": {
            "RAP ADC bits": ", ".join(map(str, adc_bits)),
            "rows": rows,
            "noise": f"{100 * noise:g} % of the swing",
            "seed": seed,
            "GPU": gpu,
        },
        "rows": table,
        "constants": constants_table(),
        "notes": [*PIM_NOTES, _shift_add_note(table)],
    }


def _findings(points):
    """Where the low-range razored design beats the full-range one at equal ADC bits."""
    findings = []
    keyed = {(p["family"], p["rows"], p["noise_swing"], p["adc_bits"]): p for p in points}
    for (family, rows, noise, bits), low in keyed.items():
        if family != "low":
            continue
        full = keyed.get(("full", rows, noise, bits))
        if full is None:
            continue
        low["beats_full"] = low["mean_cosine"] > full["mean_cosine"]
        low["energy_vs_full"] = low["energy_uj"] / full["energy_uj"]
    by_setting = {}
    for p in points:
        if p["family"] == "low":
            by_setting.setdefault((p["rows"], p["noise_swing"]), []).append(p)
    for (rows, noise), chosen in sorted(by_setting.items()):
        wins = [p["adc_bits"] for p in chosen if p["beats_full"]]
        best = max(chosen, key=lambda p: p["mean_cosine"])
        full_best = max(
            (
                p
                for p in points
                if p["family"] == "full" and p["rows"] == rows and p["noise_swing"] == noise
            ),
            key=lambda p: p["mean_cosine"],
        )
        findings.append(
            f"rows {rows}, noise {100 * noise:g} %: low range beats full range at ADC bits "
            f"{wins or 'none'}; best low {best['mean_cosine']:.4f} at {best['adc_bits']} bits "
            f"({best['energy_uj']:.0f} uJ), best full {full_best['mean_cosine']:.4f} at "
            f"{full_best['adc_bits']} bits ({full_best['energy_uj']:.0f} uJ)"
        )
    return findings


def pim_record(
    workload, seed, adc_bits, noises, rows, noise_reference, sentences, workers, progress=None
):
    """The ADC-bits x noise x rows sweep (``python -m sim.rap pim``)."""
    chosen = _workload(workload, seed, sentences)
    points = sweep_points(adc_bits, noises, rows, noise_reference, seed)
    load = functools.partial(load_workload, workload, seed, sentences)
    results = run_sweep(points, load, workers, progress)
    return {
        "generator": "python -m sim.rap pim",
        "workload": chosen.description,
        "provenance": chosen.provenance,
        "settings": {
            "ADC bits": ", ".join(map(str, adc_bits)),
            "noise": ", ".join(f"{100 * n:g} %" for n in noises),
            "rows": ", ".join(map(str, rows)),
            "noise reference": noise_reference,
            "seed": seed,
        },
        "findings": _findings(results),
        "points": results,
        "constants": constants_table(),
        "notes": list(PIM_NOTES),
    }
