"""The accuracy study: per-layer GEMM errors and end-to-end embedding similarity per scheme.

Per layer, the reference is the float64 product of the float32 operands captured from the float32
model (bias excluded: it is added in float after the GEMM and is not quantized). Layer averages
weigh every GEMM equally: ``sqnr_db_mean`` is the mean of the per-layer SQNR in dB.
End to end, every linear layer (weights and input activations) runs under the scheme, the rest of
the model in float32, and each sentence's embedding is compared with the float32 one by cosine
similarity.
"""

import contextlib
from dataclasses import asdict, dataclass, field

import numpy as np

from sim.golden.formats import check_int
from sim.studies.accuracy.formats import study_schemes
from sim.studies.accuracy.gemm import gemm_errors, scheme_product
from sim.workloads.bert import float_gemm
from sim.workloads.llm_gemm import llm_workload
from sim.workloads.sentences import SENTENCE_SET, SENTENCES

__all__ = [
    "LayerGemm",
    "Study",
    "single_threaded_blas",
    "capture_gemms",
    "synthetic_gemms",
    "layer_errors",
    "end_to_end_cosines",
    "summarize",
    "model_study",
    "synthetic_study",
]


def single_threaded_blas():
    """Context manager limiting BLAS to one thread (a no-op without ``threadpoolctl``).

    The study runs thousands of small per-group GEMMs; OpenBLAS threads make them several times
    slower, and far slower still when another process holds a core.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


@dataclass(frozen=True, eq=False)
class LayerGemm:
    """One linear layer's GEMM: ``activations [tokens, K] @ weights [N, K].T``, float32 operands."""

    name: str
    activations: np.ndarray
    weights: np.ndarray

    def reference(self):
        """The float64 product of the float32 operands."""
        return self.activations.astype(np.float64) @ self.weights.astype(np.float64).T


@dataclass(frozen=True, eq=False)
class Study:
    """Everything the reports show.

    ``workload`` describes the data (JSON-ready); ``layers`` has one row per (layer, scheme);
    ``summary`` one row per scheme; ``cosines`` maps a scheme key to per-sentence cosines (empty
    for the synthetic workload, which has no end-to-end model).
    """

    workload: dict
    schemes: list
    layers: list
    summary: list
    sentences: tuple = ()
    cosines: dict = field(default_factory=dict)


def capture_gemms(model, sentences):
    """Run ``model`` in float32 on ``sentences``: every linear layer's GEMM, and the embeddings.

    Returns
    -------
    gemms : list of LayerGemm
        In execution order; each holds the input activations of all sentences' tokens.
    embeddings : ndarray, ``[sentences, hidden]``
    """
    gemms = []

    def capture(name, x, weight):
        gemms.append(LayerGemm(name, x, weight))
        return float_gemm(name, x, weight)

    embeddings = model.embed(sentences, capture)
    return gemms, embeddings


def synthetic_gemms(layers, m, k, n, seed, group):
    """``layers`` LLM-like GEMMs (:func:`sim.workload.llm_workload`), seeds ``seed, seed+1...``."""
    check_int("layers", layers, 1)
    gemms = []
    for index in range(layers):
        workload = llm_workload(m, k, n, seed + index, group)
        gemms.append(LayerGemm(f"synthetic.{index}", workload.activations, workload.weights))
    return gemms


def _ignore_progress(done):
    """The default progress callback: does nothing."""


def layer_errors(gemms, schemes, update=_ignore_progress):
    """One row ``{"layer", "scheme", "sqnr_db", "rel_error", "max_rel_error"}`` per GEMM and scheme.

    ``update(done)`` is called after each GEMM with the number of GEMMs done.
    """
    rows = []
    for done, gemm in enumerate(gemms, 1):
        reference = gemm.reference()
        for scheme in schemes:
            approx = scheme_product(scheme, gemm.activations, gemm.weights)
            rows.append(
                {"layer": gemm.name, "scheme": scheme.key, **gemm_errors(reference, approx)}
            )
        update(done)
    return rows


def end_to_end_cosines(model, sentences, schemes, reference, update=_ignore_progress):
    """Per scheme, the cosine similarity of each sentence's embedding to ``reference``.

    ``update(done)`` is called after each scheme with the number of schemes done.

    Returns
    -------
    dict of scheme key to ndarray ``[sentences]``
    """
    cosines = {}
    reference = np.asarray(reference, np.float64)
    for done, scheme in enumerate(schemes, 1):

        def quantized(name, x, weight, scheme=scheme):
            return scheme_product(scheme, x, weight)

        embeddings = np.asarray(model.embed(sentences, quantized), np.float64)
        norms = np.linalg.norm(embeddings, axis=1) * np.linalg.norm(reference, axis=1)
        cosines[scheme.key] = np.sum(embeddings * reference, axis=1) / norms
        update(done)
    return cosines


def summarize(schemes, rows, cosines):
    """One row per scheme: its formats, layer-averaged errors, and end-to-end cosine spread."""
    summary = []
    for scheme in schemes:
        mine = [row for row in rows if row["scheme"] == scheme.key]
        sqnr = np.array([row["sqnr_db"] for row in mine])
        entry = {
            "scheme": scheme.key,
            "label": scheme.label,
            "family": scheme.family,
            "group": scheme.group,
            "rounding": scheme.rounding,
            "a_bits_per_element": scheme.activation.bits_per_element,
            "w_bits_per_element": scheme.weight.bits_per_element,
            "bits_per_element": scheme.bits_per_element,
            "sqnr_db_mean": float(sqnr.mean()),
            "sqnr_db_min": float(sqnr.min()),
            "rel_error_mean": float(np.mean([row["rel_error"] for row in mine])),
            "max_rel_error_max": float(max(row["max_rel_error"] for row in mine)),
        }
        if scheme.key in cosines:
            cos = cosines[scheme.key]
            entry.update(
                cosine_mean=float(cos.mean()),
                cosine_std=float(cos.std()),
                cosine_min=float(cos.min()),
                cosine_max=float(cos.max()),
            )
        summary.append(entry)
    return summary


def _tracker(progress, description, total):
    return progress.task(description, total) if progress else _ignore_progress


def model_study(model, groups, progress=None):
    """The full study on a loaded model (see :mod:`sim.accuracy.minilm`) over the fixed sentence
    set of :mod:`sim.accuracy.sentences`.

    ``progress``: ``None`` or an object with ``task(description, total) -> update(done)``
    (:class:`sim.progress.LazyProgress`).
    """
    schemes = study_schemes(groups)
    gemms, reference = capture_gemms(model, SENTENCES)
    rows = layer_errors(gemms, schemes, _tracker(progress, "per-layer GEMMs", len(gemms)))
    cosines = end_to_end_cosines(
        model, SENTENCES, schemes, reference, _tracker(progress, "end-to-end runs", len(schemes))
    )
    workload = {
        "kind": "minilm",
        **asdict(model.source),
        "sentence_set": SENTENCE_SET,
        "sentences": len(SENTENCES),
        "tokens": int(gemms[0].activations.shape[0]),
        "linear_layers": len(gemms),
    }
    return Study(workload, schemes, rows, summarize(schemes, rows, cosines), SENTENCES, cosines)


def synthetic_study(groups, layers, m, k, n, seed, progress=None):
    """The per-layer study on ``layers`` seeded LLM-like GEMMs; no model, no end-to-end part."""
    schemes = study_schemes(groups)
    gemms = synthetic_gemms(layers, m, k, n, seed, max(groups))
    rows = layer_errors(gemms, schemes, _tracker(progress, "synthetic GEMMs", len(gemms)))
    workload = {
        "kind": "synthetic",
        "generator": "sim.workloads.llm_gemm.llm_workload",
        "seed": seed,
        "layers": layers,
        "m": m,
        "k": k,
        "n": n,
    }
    return Study(workload, schemes, rows, summarize(schemes, rows, {}))
