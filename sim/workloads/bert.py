"""A NumPy BERT encoder with sentence-transformers pooling, and a hook on every linear layer.

The forward pass follows Hugging Face ``BertModel`` (post-LayerNorm, absolute positions, exact
erf GELU) in float32, then mean pooling over the tokens and L2 normalisation, as
sentence-transformers' ``Pooling(mean)`` + ``Normalize`` modules do for all-MiniLM-L6-v2.

Every linear layer's GEMM ``x @ weight.T`` goes through a hook ``gemm(name, x, weight)``; the
bias is added afterwards in float32. The attention products (``Q K^T``, ``P V``), softmax,
LayerNorm and GELU always run in float32: only linear layers are quantized.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["LINEAR_NAMES", "BertConfig", "BertEncoder", "float_gemm", "gelu"]

#: The six linear layers of one encoder layer, in execution order.
LINEAR_NAMES = ("query", "key", "value", "attn_out", "ffn_in", "ffn_out")
#: Their tensor prefixes inside ``encoder.layer.<i>.`` of a Hugging Face BERT checkpoint.
_CHECKPOINT_NAMES = {
    "query": "attention.self.query",
    "key": "attention.self.key",
    "value": "attention.self.value",
    "attn_out": "attention.output.dense",
    "ffn_in": "intermediate.dense",
    "ffn_out": "output.dense",
}
#: Abramowitz & Stegun 7.1.26: erf(x) ~ 1 - t*P(t)*exp(-x*x), t = 1/(1 + p*x); |error| <= 1.5e-7.
_ERF_P = 0.3275911
_ERF_COEFFICIENTS = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)


def gelu(x):
    """Exact (erf) GELU ``x/2 * (1 + erf(x/sqrt 2))``, float32 result.

    erf comes from Abramowitz & Stegun 7.1.26 in float64 (absolute error <= 1.5e-7, about one
    float32 ulp near 1): NumPy has no erf, and SciPy is not worth its size for one function.
    """
    z = np.abs(x.astype(np.float64)) / np.sqrt(2.0)
    t = 1.0 / (1.0 + _ERF_P * z)
    poly = 0.0
    for coefficient in _ERF_COEFFICIENTS:
        poly = poly * t + coefficient
    erf = np.copysign(1.0 - poly * t * np.exp(-z * z), x)
    return (0.5 * x * (1.0 + erf)).astype(np.float32)


def float_gemm(name, x, weight):
    """The float32 linear-layer GEMM ``x @ weight.T`` (the default hook)."""
    return x @ weight.T


def _layer_norm(x, gamma, beta, eps):
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + np.float32(eps)) * gamma + beta


def _softmax(scores):
    scores = scores - scores.max(axis=-1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class BertConfig:
    """Shape of a BERT encoder, read from a Hugging Face ``config.json``."""

    hidden: int
    heads: int
    layers: int
    intermediate: int
    eps: float

    @classmethod
    def from_json(cls, config):
        """Build from a parsed ``config.json``; refuse what this forward pass does not do."""
        expected = {
            "model_type": "bert",
            "hidden_act": "gelu",
            "position_embedding_type": "absolute",
        }
        for key, value in expected.items():
            if config.get(key, value) != value:
                raise ValueError(f"config {key} must be {value!r}, not {config[key]!r}")
        return cls(
            config["hidden_size"],
            config["num_attention_heads"],
            config["num_hidden_layers"],
            config["intermediate_size"],
            float(config["layer_norm_eps"]),
        )


class BertEncoder:
    """BERT encoder + mean pooling + L2 normalisation over float32 NumPy weights.

    Parameters
    ----------
    config : BertConfig
    weights : dict of str to ndarray
        Hugging Face tensor names (``embeddings.word_embeddings.weight``, ``encoder.layer.0...``).
    """

    def __init__(self, config, weights):
        self.config = config
        self._weights = weights
        missing = [name for name in self._required_names() if name not in weights]
        if missing:
            raise ValueError(f"weights lack {len(missing)} BERT tensors, e.g. {missing[0]!r}")

    def _required_names(self):
        names = [
            f"embeddings.{part}"
            for part in (
                "word_embeddings.weight",
                "position_embeddings.weight",
                "token_type_embeddings.weight",
                "LayerNorm.weight",
                "LayerNorm.bias",
            )
        ]
        for layer in range(self.config.layers):
            prefix = f"encoder.layer.{layer}."
            for checkpoint_name in _CHECKPOINT_NAMES.values():
                names += [prefix + checkpoint_name + ".weight", prefix + checkpoint_name + ".bias"]
            names += [
                prefix + f"{block}.LayerNorm.{p}"
                for block in ("attention.output", "output")
                for p in ("weight", "bias")
            ]
        return names

    def tensor(self, name):
        """Checkpoint tensor ``name`` as float32 (``embeddings.LayerNorm.weight``, ...)."""
        return self._weights[name].astype(np.float32, copy=False)

    def linear_layers(self):
        """``[(name, weight [N, K], bias [N])]`` of every linear layer (``layer.<i>.<kind>``)."""
        return [
            (
                f"layer.{layer}.{kind}",
                self.tensor(f"encoder.layer.{layer}.{_CHECKPOINT_NAMES[kind]}.weight"),
                self.tensor(f"encoder.layer.{layer}.{_CHECKPOINT_NAMES[kind]}.bias"),
            )
            for layer in range(self.config.layers)
            for kind in LINEAR_NAMES
        ]

    def _embeddings(self, token_ids):
        rows = [
            self.tensor("embeddings.word_embeddings.weight")[ids]
            + self.tensor("embeddings.position_embeddings.weight")[: len(ids)]
            for ids in token_ids
        ]
        x = np.concatenate(rows) + self.tensor("embeddings.token_type_embeddings.weight")[0]
        return _layer_norm(
            x,
            self.tensor("embeddings.LayerNorm.weight"),
            self.tensor("embeddings.LayerNorm.bias"),
            self.config.eps,
        )

    def _attention(self, q, k, v, bounds, matmul=None):
        """Scaled dot-product self-attention within each sentence (no padding, so no mask).

        ``matmul(kind, x, weight) -> x @ weight.T``, if given, computes every head's scores
        (``kind`` ``"scores"``: ``Q_h K_h^T``) and context (``"context"``: ``P_h V_h``, as
        ``P_h (V_h^T)^T``) one head and sentence at a time; by default all heads at once in
        float32."""
        heads, hidden = self.config.heads, self.config.hidden
        head_dim = hidden // heads
        scale = np.float32(np.sqrt(head_dim))
        out = np.empty_like(q)
        for start, stop in bounds:
            qs, ks, vs = (
                m[start:stop].reshape(stop - start, heads, head_dim).transpose(1, 0, 2)
                for m in (q, k, v)
            )
            if matmul is None:
                probs = _softmax(qs @ ks.transpose(0, 2, 1) / scale)
                context = probs @ vs
            else:
                scores = np.stack([matmul("scores", qs[h], ks[h]) for h in range(heads)])
                probs = _softmax(np.asarray(scores, np.float32) / scale)
                context = np.stack([matmul("context", probs[h], vs[h].T) for h in range(heads)])
            out[start:stop] = (
                np.asarray(context, np.float32).transpose(1, 0, 2).reshape(stop - start, hidden)
            )
        return out

    def embed(self, token_ids, gemm=float_gemm, attention=None):
        """Normalised mean-pooled sentence embeddings, float32 ``[sentences, hidden]``.

        Parameters
        ----------
        token_ids : sequence of 1-D int arrays
            One array of token ids per sentence (``[CLS] ... [SEP]``, no padding).
        gemm : callable
            ``gemm(name, x, weight) -> x @ weight.T`` for every linear layer, ``x`` float32
            ``[tokens, K]`` holding the tokens of all sentences; may return any float dtype.
        attention : callable, optional
            ``attention(name, x, weight) -> x @ weight.T`` for every head's attention products
            (``name`` ``layer.<i>.scores`` or ``layer.<i>.context``); default: float32.
        """
        lengths = [len(ids) for ids in token_ids]
        ends = np.cumsum(lengths)
        bounds = list(zip(ends - lengths, ends, strict=True))
        x = self._embeddings(token_ids)
        layers = iter(self.linear_layers())

        def linear(inputs):
            name, weight, bias = next(layers)
            return np.asarray(gemm(name, inputs, weight), np.float32) + bias

        for layer in range(self.config.layers):
            prefix = f"encoder.layer.{layer}."
            q, k, v = linear(x), linear(x), linear(x)
            matmul = None
            if attention is not None:

                def matmul(kind, a, b, layer=layer):
                    return attention(f"layer.{layer}.{kind}", a, b)

            attended = linear(self._attention(q, k, v, bounds, matmul))
            x = _layer_norm(
                x + attended,
                self.tensor(prefix + "attention.output.LayerNorm.weight"),
                self.tensor(prefix + "attention.output.LayerNorm.bias"),
                self.config.eps,
            )
            hidden = linear(gelu(linear(x)))
            x = _layer_norm(
                x + hidden,
                self.tensor(prefix + "output.LayerNorm.weight"),
                self.tensor(prefix + "output.LayerNorm.bias"),
                self.config.eps,
            )
        pooled = np.stack([x[start:stop].mean(axis=0) for start, stop in bounds])
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
