"""The GEMMs of a transformer forward pass, run through an engine: all-MiniLM-L6-v2 on the
accuracy study's sentence set, or LLM-like synthetic layers of a stated shape.

Every GEMM is named ``layer.<i>.<kind>``. MiniLM's are its 36 linear layers (query, key, value,
attention output, FFN in and out, per layer) and, per layer, every head's attention products of
every sentence summed into ``layer.<i>.scores`` (``Q_h K_h^T``) and ``layer.<i>.context``
(``P_h V_h``). K and V take the weight side of those products, as the paper's KV cache does: in
``sdr_engine`` they are INT8 razored to SDR codes (K per token, V per channel), Q and P INT16
activations razored once, as they are produced (SPEC 10). The forward pass runs on each engine's
results, so the embedding at its end carries every GEMM's error (softmax, GELU and LayerNorm stay
float32).

The synthetic model is a decoder layer of LLaMA-7B's shape (hidden 4096, 32 heads of 128, FFN
11008 with gate, up and down projections) on a prompt of ``seq_len`` tokens (prefill, no causal
skipping: the engine computes every score). Its operands are drawn by :func:`sim.workload.
llm_workload` (Gaussian bulk, outlier channels) and softmax rows of Gaussian scores, for a sample
of rows and output channels only; cycles and traffic are those of the whole GEMM
(:func:`sim.engine.runner.run_gemm`'s ``shape``), and the 32 heads' products are counted as 32
times one head's.
"""

from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from sim.golden.formats import check_int
from sim.system.engine.runner import GemmRun, run_gemm
from sim.workloads.llm_gemm import llm_workload

__all__ = ["SYNTHETIC_MODELS", "SyntheticShape", "minilm_runs", "synthetic_runs"]


@dataclass(frozen=True)
class SyntheticShape:
    """A decoder layer's shape: ``hidden``, ``heads``, ``ffn`` (gated: gate, up, down)."""

    name: str
    hidden: int
    heads: int
    ffn: int
    source: str

    @property
    def head_dim(self):
        return self.hidden // self.heads


SYNTHETIC_MODELS = {
    "llama-7b": SyntheticShape(
        "LLaMA-7B",
        4096,
        32,
        11008,
        "H. Touvron et al., 'LLaMA: Open and Efficient Foundation Language Models', 2023, "
        "Table 2 (6.7B: dimension 4096, 32 heads, 32 layers); FFN 11008 = the released "
        "checkpoint's intermediate_size",
    )
}


class _Recorder:
    """Runs every GEMM of a pass on ``engine`` and sums the runs per name.

    The runs go on one BLAS thread: the golden model's many small per-group products are up to
    20x slower on OpenBLAS threads when another process holds a core (measured here), and every
    product is of integers, exact in any order."""

    def __init__(self, engine, check_tiles, backends, seed, progress=None):
        self.engine, self.check_tiles, self.backends = engine, check_tiles, backends
        self.rng = np.random.default_rng(seed)
        self.runs, self.progress = {}, progress

    def __call__(self, name, x, w, shape=None, attention=False, repeat=1):
        """Run one GEMM (``attention``: K is padded and the weights are on chip)."""
        first = name not in self.runs
        run, out = run_gemm(
            self.engine,
            x,
            w,
            shape,
            pad_k=attention,
            check_tiles=self.check_tiles if first else 0,
            backends=self.backends,
            rng=self.rng,
            dram=not attention,
        )
        if repeat > 1:
            run = run.repeated(repeat)
        self.runs.setdefault(name, GemmRun()).add(run)
        if self.progress:
            self.progress(name)
        return out


def minilm_runs(model, sentences, engine, check_tiles=1, backends=(), seed=0, progress=None):
    """``({name: GemmRun}, embeddings)`` of ``model`` (:class:`sim.accuracy.minilm.MiniLM`) on
    ``sentences`` with every GEMM on ``engine``. The first call of each name runs
    ``check_tiles`` tiles cycle by cycle."""
    record = _Recorder(engine, check_tiles, backends, seed, progress)

    def linear(name, x, w):
        return record(name, x, w)

    def attention(name, x, w):
        return record(name, x, w, attention=True)

    with threadpool_limits(limits=1, user_api="blas"):  # see _Recorder
        embeddings = model.embed(sentences, linear, attention)
    return record.runs, embeddings


def _softmax_rows(rng, rows, length):
    scores = rng.standard_normal((rows, length)) * 2.0
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    return probs / probs.sum(axis=1, keepdims=True)


def synthetic_gemms(shape, seq_len, sample_rows, sample_cols, seed=0):
    """``[(name, x, w, (M, K, N), pad_k, repeat)]`` of one decoder layer: the sampled operands of
    each GEMM, its whole shape, whether K may be padded, and how many heads repeat it."""
    for name, value in (
        ("seq_len", seq_len),
        ("sample_rows", sample_rows),
        ("sample_cols", sample_cols),
    ):
        check_int(name, value, 1)
    rng = np.random.default_rng(seed)
    m = seq_len
    rows = min(sample_rows, m)
    d, f, hd = shape.hidden, shape.ffn, shape.head_dim
    gemms = []
    for kind, k, n in (
        ("q_proj", d, d),
        ("k_proj", d, d),
        ("v_proj", d, d),
        ("o_proj", d, d),
        ("gate_proj", d, f),
        ("up_proj", d, f),
        ("down_proj", f, d),
    ):
        work = llm_workload(rows, k, min(sample_cols, n), seed=int(rng.integers(2**31)))
        gemms.append((kind, work.activations, work.weights, (m, k, n), False, 1))
    q = llm_workload(rows, hd, 1, seed=int(rng.integers(2**31))).activations
    keys = llm_workload(min(sample_cols, m), hd, 1, seed=int(rng.integers(2**31))).activations
    gemms.append(("scores", q, keys, (m, hd, m), True, shape.heads))
    values = llm_workload(m, hd, 1, seed=int(rng.integers(2**31))).activations
    channels = values.T[: min(sample_cols, hd)]
    gemms.append(("context", _softmax_rows(rng, rows, m), channels, (m, m, hd), True, shape.heads))
    return [(f"layer.0.{kind}", *rest) for kind, *rest in gemms]


def synthetic_runs(gemms, engine, check_tiles=1, backends=(), seed=0, progress=None):
    """``{name: GemmRun}`` of :func:`synthetic_gemms` on ``engine``."""
    record = _Recorder(engine, check_tiles, backends, seed, progress)
    with threadpool_limits(limits=1, user_api="blas"):  # see _Recorder
        for name, x, w, shape, attention, repeat in gemms:
            record(name, x, w, shape, attention, repeat)
    return record.runs
