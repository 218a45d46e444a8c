"""Seeded, LLM-like GEMM workloads shared by the CLI, the benches and the testbenches.

Activations ``[M, K]`` (tokens x hidden) have a Gaussian bulk plus a few outlier channels tens of
times larger, as measured in LLM hidden states (LLM.int8(), SmoothQuant); weights ``[N, K]`` are
Gaussian. The product of interest is ``activations @ weights.T``.
"""

from dataclasses import dataclass

import numpy as np

from sim.golden.formats import check_int

__all__ = ["Workload", "llm_workload", "check_workload_size", "DEFAULT_SHAPE", "MAX_WORKLOAD_BYTES"]

#: Default (M, K, N): 16 tokens, hidden size 512, 64 output channels.
DEFAULT_SHAPE = (16, 512, 64)
#: Largest generated GEMM, in bytes of its float64 operands and product: a guard against shapes
#: that cannot be allocated (the error says how much they would need).
MAX_WORKLOAD_BYTES = 8 << 30


def check_workload_size(m, k, n):
    """Raise ``ValueError`` (naming ``--m``, ``--k``, ``--n`` and the memory needed) when a
    generated ``M x K`` by ``N x K`` GEMM would exceed :data:`MAX_WORKLOAD_BYTES`."""
    needed = 8 * (m * k + n * k + m * n)
    if needed > MAX_WORKLOAD_BYTES:
        raise ValueError(
            f"--m {m} --k {k} --n {n} would need about {needed / 2**30:,.1f} GiB for the "
            f"operands and product alone (the limit is {MAX_WORKLOAD_BYTES / 2**30:g} GiB)"
        )


#: One outlier channel per this many input channels (at least one).
CHANNELS_PER_OUTLIER = 128
#: Outlier channels are this many times the bulk's standard deviation.
OUTLIER_SCALE = 40.0
#: Standard deviation of the weights (typical of trained transformer projections).
WEIGHT_STD = 0.02


@dataclass(frozen=True, eq=False)
class Workload:
    """One GEMM: ``activations [M, K] @ weights[N, K].T``, float32, with the seed that made it."""

    activations: np.ndarray
    weights: np.ndarray
    seed: int
    outlier_channels: tuple = ()

    @property
    def shape(self):
        """``(M, K, N)``."""
        m, k = self.activations.shape
        return m, k, self.weights.shape[0]

    def reference(self):
        """The float64 product ``activations @ weights.T`` every scheme is measured against."""
        return self.activations.astype(np.float64) @ self.weights.astype(np.float64).T


def llm_workload(m=DEFAULT_SHAPE[0], k=DEFAULT_SHAPE[1], n=DEFAULT_SHAPE[2], seed=0, group=16):
    """Draw an LLM-like GEMM of shape ``(m, k, n)``; ``k`` must be a multiple of ``group``."""
    for name, value in (("m", m), ("k", k), ("n", n), ("group", group)):
        check_int(name, value, 1)
    check_int("seed", seed, 0)
    if k % group:
        raise ValueError(f"k must be a multiple of the group size {group}, not {k}")
    rng = np.random.default_rng(seed)
    activations = rng.standard_normal((m, k))
    outliers = np.sort(rng.choice(k, size=max(1, k // CHANNELS_PER_OUTLIER), replace=False))
    channel_gain = OUTLIER_SCALE * (1.0 + rng.random(outliers.size))
    activations[:, outliers] = rng.standard_normal((m, outliers.size)) * 0.25 + np.sign(
        rng.standard_normal(outliers.size)
    )
    activations[:, outliers] *= channel_gain
    weights = rng.standard_normal((n, k)) * WEIGHT_STD
    return Workload(
        activations.astype(np.float32),
        weights.astype(np.float32),
        seed,
        tuple(int(c) for c in outliers),
    )
