"""The NumPy BERT forward pass on a tiny random encoder (no model package needed)."""

import math

import numpy as np
import pytest

from sim.workloads.bert import LINEAR_NAMES, BertConfig, BertEncoder, float_gemm, gelu

CONFIG = {
    "model_type": "bert",
    "hidden_act": "gelu",
    "position_embedding_type": "absolute",
    "hidden_size": 8,
    "num_attention_heads": 2,
    "num_hidden_layers": 2,
    "intermediate_size": 16,
    "layer_norm_eps": 1e-12,
}
VOCAB, POSITIONS = 20, 16


def tiny_weights(seed=0):
    rng = np.random.default_rng(seed)
    h, f = CONFIG["hidden_size"], CONFIG["intermediate_size"]

    def tensor(*shape):
        return rng.standard_normal(shape).astype(np.float32) * 0.5

    weights = {
        "embeddings.word_embeddings.weight": tensor(VOCAB, h),
        "embeddings.position_embeddings.weight": tensor(POSITIONS, h),
        "embeddings.token_type_embeddings.weight": tensor(2, h),
        "embeddings.LayerNorm.weight": 1 + tensor(h),
        "embeddings.LayerNorm.bias": tensor(h),
    }
    shapes = {
        "attention.self.query": (h, h),
        "attention.self.key": (h, h),
        "attention.self.value": (h, h),
        "attention.output.dense": (h, h),
        "intermediate.dense": (f, h),
        "output.dense": (h, f),
    }
    for layer in range(CONFIG["num_hidden_layers"]):
        prefix = f"encoder.layer.{layer}."
        for name, shape in shapes.items():
            weights[prefix + name + ".weight"] = tensor(*shape)
            weights[prefix + name + ".bias"] = tensor(shape[0])
        for block in ("attention.output", "output"):
            weights[prefix + block + ".LayerNorm.weight"] = 1 + tensor(h)
            weights[prefix + block + ".LayerNorm.bias"] = tensor(h)
    return weights


def encoder():
    return BertEncoder(BertConfig.from_json(CONFIG), tiny_weights())


SENTENCES = [np.array([1, 5, 7, 2]), np.array([1, 9, 3, 3, 11, 2]), np.array([1, 4, 2])]


def test_gelu_is_the_erf_gelu():
    x = np.linspace(-8, 8, 4001).astype(np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(float)])
    got = gelu(x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, exact, rtol=1e-6, atol=1e-6)


def test_hook_sees_every_linear_layer_in_order():
    seen = []

    def record(name, x, weight):
        seen.append((name, x.shape, weight.shape))
        return float_gemm(name, x, weight)

    encoder().embed(SENTENCES, record)
    tokens, h, f = sum(len(s) for s in SENTENCES), 8, 16
    kinds = {
        "query": (h, h),
        "key": (h, h),
        "value": (h, h),
        "attn_out": (h, h),
        "ffn_in": (h, f),
        "ffn_out": (f, h),
    }
    expected = [
        (f"layer.{layer}.{kind}", (tokens, k), (n, k))
        for layer in range(2)
        for kind in LINEAR_NAMES
        for k, n in [kinds[kind]]
    ]
    assert seen == expected
    assert [name for name, _, _ in encoder().linear_layers()] == [e[0] for e in expected]


def test_sentences_do_not_see_each_other():
    together = encoder().embed(SENTENCES)
    alone = np.concatenate([encoder().embed([s]) for s in SENTENCES])
    np.testing.assert_allclose(together, alone, atol=2e-6)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1, atol=1e-6)


def test_hook_output_replaces_the_product():
    base = encoder().embed(SENTENCES)
    double = encoder().embed(SENTENCES, lambda n, x, w: x.astype(float) @ w.T.astype(float))
    np.testing.assert_allclose(base, double, atol=1e-5)
    zeroed = encoder().embed(SENTENCES, lambda n, x, w: np.zeros((len(x), len(w))))
    assert not np.allclose(zeroed, base, atol=1e-2)


def test_unsupported_config_and_missing_tensors():
    with pytest.raises(ValueError, match="config hidden_act must be 'gelu', not 'relu'"):
        BertConfig.from_json({**CONFIG, "hidden_act": "relu"})
    weights = tiny_weights()
    del weights["encoder.layer.1.output.dense.bias"]
    with pytest.raises(ValueError, match="weights lack 1 BERT tensors"):
        BertEncoder(BertConfig.from_json(CONFIG), weights)
