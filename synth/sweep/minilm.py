"""Optional end-to-end accuracy: MiniLM (all-MiniLM-L6-v2) sentence-embedding cosine to FP32
with every linear layer run on the operands a unit consumes.

It depends on the operand format only (GROUP, MAG_BITS, A_BITS for ``sdr_mac``; the width for
an integer baseline), not on LANES or the library, so the sweep computes it once per format.
It takes tens of seconds per QRazor format and needs the model package
(:mod:`sim.accuracy.minilm`).
"""

import hashlib
import json
import re

import numpy as np
from threadpoolctl import threadpool_limits

from sim.workloads.llm_gemm import Workload
from sim.workloads.minilm import load_minilm
from sim.workloads.schemes import golden_product, integer_gemm, qrazor_gemm
from sim.workloads.sentences import SENTENCE_SET, SENTENCES

from ..report.stimulus import INT_WIDTHS

__all__ = ["operand_format", "format_key", "model_available", "run_cosine"]


def operand_format(design, parameters):
    """The operand format of a point, as a plain dict (the unit of MiniLM work)."""
    if design in INT_WIDTHS:
        return {"scheme": "integer", "bits": INT_WIDTHS[design]}
    return {
        "scheme": "qrazor",
        "GROUP": parameters["GROUP"],
        "MAG_BITS": parameters["MAG_BITS"],
        "A_BITS": parameters["A_BITS"],
        "W_BITS": parameters.get("W_BITS", 8),
    }


def format_key(fmt):
    """File-name-safe cache key of an operand format and the sentence set."""
    text = json.dumps({"format": fmt, "sentences": SENTENCE_SET}, sort_keys=True)
    name = "_".join(f"{k}{v}" for k, v in sorted(fmt.items()))
    return (
        f"minilm__{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}__"
        + (hashlib.sha256(text.encode()).hexdigest()[:12])
    )


def model_available():
    """``None`` when the model loads, else the reason it does not (with the install hint)."""
    try:
        load_minilm()
    except ImportError as error:
        return str(error)
    return None


def _gemm(fmt):
    def product(name, x, weight):
        workload = Workload(x, weight, seed=0)  # sim.schemes reads only the operands
        if fmt["scheme"] == "integer":
            gemm = integer_gemm(workload, fmt["bits"], fmt["bits"])
        else:
            gemm = qrazor_gemm(
                workload, fmt["GROUP"], fmt["MAG_BITS"], a_bits=fmt["A_BITS"], w_bits=fmt["W_BITS"]
            )
        return gemm.rescale(golden_product(gemm))

    return product


def run_cosine(fmt):
    """Mean and minimum cosine over the sentence set (a Dask task); errors become a record."""
    try:
        model = load_minilm()
        with threadpool_limits(1):  # float sums in one order, in any worker
            reference = np.asarray(model.embed(SENTENCES), np.float64)
            embeddings = np.asarray(model.embed(SENTENCES, _gemm(fmt)), np.float64)
        norms = np.linalg.norm(embeddings, axis=1) * np.linalg.norm(reference, axis=1)
        cosines = np.sum(embeddings * reference, axis=1) / norms
        return {
            "format": fmt,
            "status": "ok",
            "error": None,
            "mean": float(cosines.mean()),
            "min": float(cosines.min()),
        }
    except Exception as error:  # noqa: BLE001 - recorded with its error
        return {
            "format": fmt,
            "status": "failed",
            "error": f"{type(error).__name__}: {error}",
            "mean": None,
            "min": None,
        }
