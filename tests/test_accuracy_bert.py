"""The NumPy BERT forward pass on a tiny random encoder (no model package needed)."""

import math

import numpy as np
import pytest

from sim.workloads.bert import (
    LINEAR_NAMES,
    BertConfig,
    BertEncoder,
    _layer_norm,
    _softmax,
    float_gemm,
    gelu,
)

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


def test_layer_norm_and_softmax_by_hand():
    # Row [1, 3]: mean 2, deviations -1, 1, variance 1; eps 3 gives sqrt(1 + 3) = 2, so -0.5, 0.5;
    # times gamma (2, 2) plus beta (1, 0): 0, 1. Row [5, 5]: variance 0, eps alone: beta.
    x = np.array([[1, 3], [5, 5]], np.float32)
    y = _layer_norm(x, np.float32([2, 2]), np.float32([1, 0]), 3.0)
    np.testing.assert_allclose(y, [[0, 1], [1, 0]], atol=1e-7)
    # exp(0), exp(ln 3) share 1 + 3: 1/4, 3/4. Row [1000, 1000]: 1/2 each, but exp(1000)
    # overflows float32 and exp(-1000) is 0, so each row is shifted by its own maximum.
    scores = np.array([[0, np.log(3)], [1000, 1000]], np.float32)
    np.testing.assert_allclose(_softmax(scores), [[0.25, 0.75], [0.5, 0.5]], rtol=1e-6)


def test_config_fields_defaults_and_refusals():
    assert BertConfig.from_json(CONFIG) == BertConfig(
        hidden=8, heads=2, layers=2, intermediate=16, eps=1e-12
    )
    # A config that leaves the checked keys out means BERT's defaults: bert, gelu, absolute.
    checked = ("model_type", "hidden_act", "position_embedding_type")
    lean = {key: value for key, value in CONFIG.items() if key not in checked}
    assert BertConfig.from_json(lean) == BertConfig.from_json(CONFIG)
    for key, expected, other in (
        ("model_type", "bert", "roberta"),
        ("position_embedding_type", "absolute", "relative_key"),
    ):
        with pytest.raises(ValueError, match=f"config {key} must be '{expected}', not '{other}'"):
            BertConfig.from_json({**CONFIG, key: other})


def test_float32_whatever_the_weights_and_hook_give():
    """float64 weights and a float64 hook: every linear layer still sees float32 inputs and
    weights, and the embeddings are float32; a float32 checkpoint tensor is not copied."""
    weights = tiny_weights()
    wide = {name: tensor.astype(np.float64) for name, tensor in weights.items()}
    seen = set()

    def wide_gemm(name, x, weight):
        seen.add((x.dtype.name, weight.dtype.name))
        return x.astype(np.float64) @ weight.T.astype(np.float64)

    got = BertEncoder(BertConfig.from_json(CONFIG), wide).embed(SENTENCES, wide_gemm)
    assert seen == {("float32", "float32")} and got.dtype == np.float32
    name = "encoder.layer.0.attention.self.query.weight"
    narrow = BertEncoder(BertConfig.from_json(CONFIG), weights)
    assert np.shares_memory(narrow.tensor(name), weights[name])


def test_attention_hook_sees_every_head_product():
    """Per layer and sentence of t tokens, the hook gets each head's Q_h (t x 4) against K_h
    (t x 4), then its float32 probabilities P_h (t x t, rows summing to 1: softmax in float32
    whatever the hook returned) against V_h^T (4 x t); float64 products give the float32 pass."""
    seen, probabilities = [], []

    def record(name, a, b):
        seen.append((name, a.shape, b.shape))
        if name.endswith("context"):
            probabilities.append(a)
        return a.astype(np.float64) @ b.T.astype(np.float64)

    got = encoder().embed(SENTENCES, attention=record)
    head_dim = 8 // 2
    expected = []
    for layer in range(2):
        for t in (len(s) for s in SENTENCES):
            expected += [(f"layer.{layer}.scores", (t, head_dim), (t, head_dim))] * 2
            expected += [(f"layer.{layer}.context", (t, t), (head_dim, t))] * 2
    assert seen == expected
    assert all(p.dtype == np.float32 for p in probabilities)
    for p in probabilities:
        np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-6)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, encoder().embed(SENTENCES), atol=1e-5)
