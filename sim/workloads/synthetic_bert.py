"""Seeded random BERTs with MiniLM's or BERT-base's shapes, for RAP's studies without a model
package.

Weights are Gaussian with the spread of a trained encoder's (about 0.04 for the matrices, LayerNorm
gains near 1), plus one outlier channel in the embeddings as BERT residual streams have; token ids
are random. The figures it gives exercise every kernel and variant; they are not MiniLM's.
"""

from dataclasses import dataclass

import numpy as np

from sim.workloads.bert import BertConfig, BertEncoder

__all__ = ["SyntheticModel", "random_bert", "SHAPES"]

#: hidden, heads, intermediate, vocabulary, positions: all-MiniLM-L6-v2's and BERT-base's (the
#: vocabulary cut to 1000 token ids).
SHAPES = {
    "minilm": {"hidden": 384, "heads": 12, "intermediate": 1536, "vocab": 1000, "positions": 64},
    "bert-base": {"hidden": 768, "heads": 12, "intermediate": 3072, "vocab": 1000, "positions": 64},
}


@dataclass(frozen=True, eq=False)
class SyntheticModel:
    """The encoder and the token ids of the sentences it is run on."""

    encoder: BertEncoder
    token_ids: list


def random_bert(seed=0, layers=2, sentences=8, tokens=16, shape="minilm"):
    """A :class:`SyntheticModel` of ``shape`` (a key of :data:`SHAPES`) drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    s = SHAPES[shape]
    hidden, inner = s["hidden"], s["intermediate"]

    def matrix(rows, columns, spread=0.04):
        return rng.normal(0, spread, (rows, columns)).astype(np.float32)

    def vector(size, centre=0.0, spread=0.05):
        return (centre + rng.normal(0, spread, size)).astype(np.float32)

    word = matrix(s["vocab"], hidden, 0.05)
    word[:, 7] += 2.0  # an outlier channel
    weights = {
        "embeddings.word_embeddings.weight": word,
        "embeddings.position_embeddings.weight": matrix(s["positions"], hidden, 0.02),
        "embeddings.token_type_embeddings.weight": matrix(2, hidden, 0.01),
        "embeddings.LayerNorm.weight": vector(hidden, 1.0, 0.1),
        "embeddings.LayerNorm.bias": vector(hidden),
    }
    shapes = {
        "attention.self.query": (hidden, hidden),
        "attention.self.key": (hidden, hidden),
        "attention.self.value": (hidden, hidden),
        "attention.output.dense": (hidden, hidden),
        "intermediate.dense": (inner, hidden),
        "output.dense": (hidden, inner),
    }
    for layer in range(layers):
        prefix = f"encoder.layer.{layer}."
        for name, (rows, columns) in shapes.items():
            weights[prefix + name + ".weight"] = matrix(rows, columns, 1 / np.sqrt(columns))
            weights[prefix + name + ".bias"] = vector(rows)
        for block in ("attention.output", "output"):
            weights[prefix + block + ".LayerNorm.weight"] = vector(hidden, 1.0, 0.1)
            weights[prefix + block + ".LayerNorm.bias"] = vector(hidden)
    config = BertConfig(hidden, s["heads"], layers, inner, 1e-12)
    token_ids = [
        rng.integers(0, s["vocab"], int(rng.integers(tokens // 2, tokens + 1)))
        for _ in range(sentences)
    ]
    return SyntheticModel(BertEncoder(config, weights), token_ids)
