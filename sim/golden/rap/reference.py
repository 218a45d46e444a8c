"""Float64 references of the RAP kernels, for measuring their error (not used by them)."""

import math

import numpy as np

__all__ = ["softmax", "gelu", "layernorm"]

_ERF = np.frompyfunc(math.erf, 1, 1)


def softmax(x, axis=-1):
    shifted = np.exp(x - x.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def gelu(x):
    """The exact (erf) GELU, ``x/2 (1 + erf(x / sqrt 2))``, with ``math.erf``."""
    x = np.asarray(x, np.float64)
    return 0.5 * x * (1.0 + _ERF(x / math.sqrt(2.0)).astype(np.float64))


def layernorm(x, weight, bias, eps=1e-12):
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * weight + bias
