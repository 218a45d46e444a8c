"""The records of ``python -m sim.rap``'s three studies (plain dicts the report writers read)."""

import functools

from sim.studies.rap.compare import compare_rows, design_runs
from sim.studies.rap.findings import claims, compare_findings, sweep_findings
from sim.studies.rap.study import captured_errors, kernel_errors, variant_cosines
from sim.studies.rap.sweep import run_sweep, sweep_points
from sim.system.rap.costs import CONSTANTS, constants_table
from sim.system.rap.encoder import ABLATIONS, VARIANTS
from sim.system.rap.system import FP32_OPS, NONLINEAR_CLOCK_HZ, NONLINEAR_LANES, rap_system
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
    "Every product of the encoder runs through sim.rap.pim_matmul (bit-sliced W8 tiles; "
    "bit-serial inputs razored inside the tile, eMSB windows or SDR codes for RAP, every bit "
    "of the 8-bit integer for the conventional design; bit-sparse partials or every row at "
    "once; the column ADC model with its noise); cosines are to the FP32 model.",
    "Energy constants come from different nodes (ADC and array: ISAAC, 32 nm; digital ops and "
    "SRAM: Horowitz, 45 nm; shift-add, the row compactor and the integer units: this project's "
    "IHP SG13G2 130 nm synthesis) and are not rescaled; every design is charged the same ones.",
    "Latency at equal ADC count: every design has the tile default of 16 ADCs per 128 "
    "bit-lines (8 bit-lines per ADC, converted in turn), as the conventional design. At equal "
    "ADC area: each design gets as many ADCs per tile as the conventional design's 16 8-bit "
    "ADCs' area buys at its own bits (ISAAC's 8-bit SAR area scaled by 2**(bits - 8)), at most "
    "one per bit-line; a partial (dense: a driven plane) takes one ADC cycle per bit-line an "
    "ADC serves. Energy is the same in both: the energy per conversion does not depend on the "
    "ADC count (no leakage is modelled).",
    "Noise 'of the bitline swing' (the default) is a fraction of the most rows one conversion "
    "activates: k for sparse RAP, rows for the dense designs; at a fixed voltage swing, fewer "
    "active rows leave more margin per cell (the patents' premise). 'Of the adc swing' is a "
    "fraction of the ADC's input range (2**bits - 1 steps low-range, the active rows "
    "full-range). Gain spread is relative; offset spread is a fraction of the same swing.",
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


def _placeholder_notes():
    """A note for every constant still marked as a placeholder."""
    return [
        f"{c.name} = {c.value:g} {c.unit} is a PLACEHOLDER ({c.source}): every figure that "
        "charges it (the compactor column, hence sparse RAP's totals) moves with it."
        for c in CONSTANTS.values()
        if "PLACEHOLDER" in c.source
    ]


def _workload(kind, seed, sentences=None):
    return load_workload(kind, seed, sentences)


#: The steps of ``accuracy_record`` (its ``progress`` total): each pipeline, then the kernels.
ACCURACY_STEPS = len(VARIANTS) + len(ABLATIONS) + 1


def accuracy_record(workload, seed, progress=None):
    """Kernel errors and variant cosines (``python -m sim.rap accuracy``); ``progress(done)``
    after each of the ``ACCURACY_STEPS``."""
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
        for key, (text, cosines) in variant_cosines(model, token_ids, progress=progress).items()
    ]
    kernels = kernel_errors(seed) + captured_errors(model, token_ids)
    if progress:
        progress(ACCURACY_STEPS)
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
        if "energy_uj_by_group" in row:
            other = row["energy_uj"] - row["energy_uj_by_group"]["shift-add"] * (1 - theirs / ours)
            parts.append(f"{row['design']} ({row['noise']}) {other:.1f} uJ")
    return (
        f"Shift-add at Horowitz's 45 nm int32 add ({theirs} pJ) instead of this project's "
        f"{ours} pJ (130 nm, with registers): " + "; ".join(parts) + "."
    )


def _joined(values, unit=""):
    return ", ".join(f"{v:g}{unit}" for v in values) or "none"


def compare_record(workload, seed, gpu, sentences=None, progress=None, **designs):
    """RAP vs conventional PiM vs GPU (``python -m sim.rap compare``); ``designs``: the keyword
    arguments of :func:`~sim.studies.rap.compare.design_runs` but ``seed``."""
    chosen = _workload(workload, seed, sentences)
    runs = design_runs(**designs, seed=seed)
    table = compare_rows(chosen, runs, gpu, progress)
    headline_bits, rows = designs.get("headline_bits", 3), designs["rows"]
    headline = rap_system(headline_bits, rows).key
    noise, reference = designs["noise"], designs.get("noise_reference", "bitline")
    return {
        "generator": "python -m sim.rap compare",
        "workload": chosen.description,
        "provenance": chosen.provenance,
        "settings": {
            "RAP ADC bits (k = 2**bits - 1)": _joined(designs["adc_bits"]),
            "sign modes": ", ".join(designs.get("sign_modes", ("split", "twos"))) or "none",
            "headline ADC bits (narrow eMSB, SDR and noisy rows)": headline_bits,
            "narrow eMSB input bits": _joined(designs.get("emsb_bits", (4, 6))),
            "SDR input bits": _joined(designs.get("sdr_bits", (4,))),
            "dense ablation ADC bits": _joined(designs.get("dense_bits", (3, 5))),
            "rows": rows,
            "noise": f"{100 * noise:g} % of the {reference} swing" if noise else "none",
            "seed": seed,
            "GPU": gpu,
        },
        "headline": headline,
        "findings": compare_findings(table, headline),
        "claims": claims(table),
        "rows": table,
        "constants": constants_table(),
        "notes": [*PIM_NOTES, *_placeholder_notes(), _shift_add_note(table)],
    }


def pim_record(
    workload, seed, grid, noise_reference="bitline", sentences=4, workers=1, progress=None
):
    """The sweep (``python -m sim.rap pim``); ``grid``: the keyword arguments of
    :func:`~sim.studies.rap.sweep.sweep_points` but ``noise_reference`` and ``seed``."""
    chosen = _workload(workload, seed, sentences)
    points = sweep_points(**grid, noise_reference=noise_reference, seed=seed)
    load = functools.partial(load_workload, workload, seed, sentences)
    results = run_sweep(points, load, workers, progress)
    return {
        "generator": "python -m sim.rap pim",
        "workload": chosen.description,
        "provenance": chosen.provenance,
        "settings": {
            "RAP ADC bits (k = 2**bits - 1)": _joined(grid["adc_bits"]),
            "extra k": _joined(grid.get("extra_k", ())),
            "dense ablation ADC bits": _joined(grid.get("dense_bits", ())),
            "conventional ADC bits": _joined(grid.get("conventional_bits", (8,))),
            "rows": _joined(grid["rows"]),
            "noise": _joined([100 * n for n in grid["noises"]], " %"),
            "gain and offset spread": _joined([100 * n for n in grid.get("spreads", (0,))], " %"),
            "noise reference": noise_reference,
            "seed": seed,
        },
        "findings": sweep_findings(results),
        "points": results,
        "constants": constants_table(),
        "notes": [*PIM_NOTES, *_placeholder_notes()],
    }
