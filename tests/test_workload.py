import numpy as np
import pytest

from sim.util.tables import counted
from sim.workloads.encoder_models import load_workload
from sim.workloads.llm_gemm import llm_workload


def test_same_seed_same_bytes_and_shape():
    a, b = llm_workload(4, 256, 8, seed=3), llm_workload(4, 256, 8, seed=3)
    assert a.shape == (4, 256, 8)
    assert a.activations.tobytes() == b.activations.tobytes()
    assert a.weights.tobytes() == b.weights.tobytes()
    assert llm_workload(4, 256, 8, seed=4).activations.tobytes() != a.activations.tobytes()


def test_outlier_channels_dominate_the_bulk():
    w = llm_workload(64, 1024, 16, seed=1)
    assert len(w.outlier_channels) == 8
    column_peak = np.abs(w.activations).max(axis=0)
    bulk = np.delete(column_peak, w.outlier_channels)
    assert column_peak[list(w.outlier_channels)].min() > 5 * np.median(bulk)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(k=100), "k must be a multiple of the group size 16, not 100"),
        (dict(m=0), r"m must be >= 1, not 0"),
        (dict(seed=-1), r"seed must be >= 0, not -1"),
    ],
)
def test_bad_shapes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        llm_workload(**kwargs)


def test_counts_are_singular_at_one():
    assert [counted(n, "sentence") for n in (0, 1, 2)] == [
        "0 sentences",
        "1 sentence",
        "2 sentences",
    ]
    one = load_workload("synthetic", 0, 1).description
    assert one.startswith("1 random token sequence (seed 0), ") and one.endswith(" tokens")
    assert load_workload("synthetic", 0, 2).description.startswith("2 random token sequences")


def test_more_sentences_than_exist_are_refused():
    with pytest.raises(ValueError, match=r"--sentences must be in \[1, 8\], not 9"):
        load_workload("synthetic", 0, 9)
