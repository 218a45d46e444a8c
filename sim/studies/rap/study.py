"""RAP's accuracy study: each integer kernel against float64 on wide input ranges and on the
tensors a MiniLM forward pass feeds it, and the sentence-embedding cosine of every pipeline
variant and ablation against FP32.

The real tensors are the kernels' inputs in the DQ-Q baseline run (:mod:`sim.rap.encoder`): the
integer attention scores, FFN pre-activations and residual sums, requantized as the integer
pipeline requantizes them (16 bits for GELU and LayerNorm). Each kernel's error is measured on
its own output against the float64 kernel on the same input, so that the figure is the kernel's
and not its input's quantization; the variable-dynamic-range softmax (:func:`~sim.rap.softmax_vdr`)
razors each score row to a window at its effective MSB first, and its error includes that
razoring.
"""

import math
from dataclasses import dataclass

import numpy as np

from sim.golden.rap import reference
from sim.golden.rap.gelu import gelu_int
from sim.golden.rap.layernorm import layernorm_int
from sim.golden.rap.requantize import requantize
from sim.golden.rap.softmax import softmax_int
from sim.golden.rap.softmax_vdr import softmax_vdr
from sim.system.rap.encoder import ABLATIONS, VARIANTS, IntegerEncoder

__all__ = [
    "TARGETS",
    "VDR_TARGET_BITS",
    "KernelError",
    "kernel_errors",
    "captured_errors",
    "variant_cosines",
]

#: The targets of issue 10 (max abs error of softmax's 8-bit output and of GELU on [-8, 8],
#: relative RMS error of LayerNorm); the variable-dynamic-range softmax is held to softmax's.
TARGETS = {
    "softmax": ("max_abs", 2**-6),
    "softmax_vdr": ("max_abs", 2**-6),
    "gelu": ("max_abs", 0.03),
    "layernorm": ("rel_rms", 0.02),
}
#: Window widths of :func:`~sim.rap.softmax_vdr` measured on the captured attention scores.
VDR_TARGET_BITS = (6, 8, 10)


@dataclass(frozen=True)
class KernelError:
    """Errors of one kernel on one input set against float64."""

    kernel: str
    inputs: str
    normalise: str
    count: int
    max_abs: float
    rms: float
    rel_rms: float

    @property
    def meets_target(self):
        figure, limit = TARGETS[self.kernel]
        return getattr(self, figure) <= limit

    def as_record(self):
        figure, limit = TARGETS[self.kernel]
        return {
            "kernel": self.kernel,
            "inputs": self.inputs,
            "normalise": self.normalise,
            "values": self.count,
            "max_abs_error": self.max_abs,
            "rms_error": self.rms,
            "relative_rms_error": self.rel_rms,
            "target": f"{figure} <= {limit:g}",
            "meets_target": self.meets_target,
        }


def _error(kernel, inputs, normalise, approx, exact):
    diff = approx - exact
    rms = float(np.sqrt(np.mean(diff**2)))
    scale = float(np.sqrt(np.mean(exact**2)))
    return KernelError(
        kernel, inputs, normalise, diff.size, float(np.abs(diff).max()), rms, rms / scale
    )


def _softmax_error(q, e, scale, inputs, normalise="reciprocal"):
    p, p_exp = softmax_int(q, e, scale=scale, normalise=normalise)
    exact = reference.softmax(q * np.exp2(np.asarray(e, np.float64)) * scale)
    return _error("softmax", inputs, normalise, p * np.exp2(p_exp), exact)


def _softmax_vdr_error(q, e, scale, target_bits):
    """:func:`softmax_vdr` on integer scores ``q`` with exponents ``e`` (a scalar or one per
    row): each row razored to ``target_bits`` at its effective MSB, against the float64 softmax
    of the unrazored scores (the error includes the razoring)."""
    rows = q.reshape(-1, q.shape[-1])
    exponents = np.broadcast_to(np.asarray(e), q.shape)[..., 0].reshape(-1)
    p = np.empty(rows.shape)
    for value in np.unique(exponents):  # softmax_vdr takes one input exponent per call
        chosen = exponents == value
        p_int, p_exp = softmax_vdr(rows[chosen], target_bits, 8, int(value), scale)
        p[chosen] = p_int * np.exp2(p_exp)
    exact = reference.softmax(rows * np.exp2(exponents[:, None].astype(np.float64)) * scale)
    return _error("softmax_vdr", "", f"vdr, {target_bits}-bit window", p, exact)


def _gelu_error(q, e, inputs):
    y, y_exp = gelu_int(q, e)
    exact = reference.gelu(q * np.exp2(np.asarray(e, np.float64)))
    return _error("gelu", inputs, "i-GELU", y * np.exp2(y_exp), exact)


def _layernorm_error(q, e, weight, bias, inputs, normalise="newton"):
    y, y_exp = layernorm_int(q, e, weight, bias, normalise=normalise)
    exact = reference.layernorm(q * np.exp2(np.asarray(e, np.float64)), weight, bias)
    return _error("layernorm", inputs, normalise, y * np.exp2(y_exp), exact)


def kernel_errors(seed=0):
    """Every kernel on wide synthetic input ranges (seeded)."""
    rng = np.random.default_rng(seed)
    errors = []
    for sigma, e in ((0.5, -12), (4.0, -8), (32.0, -4)):
        x = rng.normal(0, sigma, (512, 128))
        x[::5, 7] += 6 * sigma  # one outlier per fifth row
        q = np.round(x * 2.0**-e).astype(np.int64)
        for normalise in ("reciprocal", "divide"):
            label = f"N(0, {sigma:g}) rows of 128, 1 in 5 with a 6-sigma outlier, e={e}"
            errors.append(_softmax_error(q, e, 1.0, label, normalise))
    for low, high, e in ((-8, 8, -12), (-64, 64, -8)):
        q = np.arange(low << -e, (high << -e) + 1)
        errors.append(_gelu_error(q, e, f"every value of [{low}, {high}] on the 2**{e} grid"))
    d = 384
    weight, bias = rng.normal(1, 0.3, d), rng.normal(0, 0.2, d)
    for sigma, e in ((1.0, -12), (8.0, -8)):
        x = rng.normal(0.2 * sigma, sigma, (512, d))
        x[:, 11] += 20 * sigma  # an outlier channel, as in BERT residual streams
        q = np.clip(np.round(x * 2.0**-e), -(2**15) + 1, 2**15 - 1).astype(np.int64)
        for normalise in ("newton", "divide"):
            label = f"N(0.2s, s={sigma:g}) rows of {d} with a 20-sigma channel, e={e}"
            errors.append(_layernorm_error(q, e, weight, bias, label, normalise))
    return errors


class _Capture:
    """Collects the kernels' inputs of one forward pass (a few per kind are enough)."""

    def __init__(self, limit=200):
        self.seen = {"softmax": [], "gelu": [], "layernorm": []}
        self.limit = limit

    def __call__(self, kind, fixed):
        if len(self.seen[kind]) < self.limit:
            self.seen[kind].append(fixed)


def captured_errors(model, token_ids):
    """Every kernel on the inputs a DQ-Q MiniLM forward pass over ``token_ids`` feeds it."""
    encoder = IntegerEncoder(model.encoder, VARIANTS["dq-q"])
    capture = _Capture()
    encoder.embed(token_ids, capture)
    head = model.encoder.config.hidden // model.encoder.config.heads
    errors = []
    for normalise in ("reciprocal", "divide"):
        parts = [
            _softmax_error(s.q, s.e, 1 / math.sqrt(head), "", normalise)
            for s in capture.seen["softmax"]
        ]
        errors.append(_merged(parts, "softmax", "MiniLM attention scores (Q K^T)", normalise))
    for bits in VDR_TARGET_BITS:
        parts = [
            _softmax_vdr_error(s.q, s.e, 1 / math.sqrt(head), bits) for s in capture.seen["softmax"]
        ]
        errors.append(
            _merged(
                parts,
                "softmax_vdr",
                "MiniLM attention scores (Q K^T), razored per row",
                f"vdr, {bits}-bit window",
            )
        )
    parts = []
    for x in capture.seen["gelu"]:
        q, e = requantize(x.q, x.e, 16)
        parts.append(_gelu_error(q, e, ""))
    errors.append(_merged(parts, "gelu", "MiniLM FFN pre-activations (16-bit)", "i-GELU"))
    norms = list(encoder.norms.values())[1:]
    for normalise in ("newton", "divide"):
        parts = []
        for x, (weight, bias) in zip(capture.seen["layernorm"], norms, strict=False):
            q, e = requantize(x.q, x.e, 16)
            parts.append(_layernorm_error(q, e, weight, bias, "", normalise))
        errors.append(_merged(parts, "layernorm", "MiniLM residual sums (16-bit)", normalise))
    return errors


def _merged(parts, kernel, inputs, normalise):
    count = sum(p.count for p in parts)
    square = sum(p.rms**2 * p.count for p in parts) / count
    signal = sum((p.rms / p.rel_rms) ** 2 * p.count for p in parts if p.rel_rms) / count
    return KernelError(
        kernel,
        inputs,
        normalise,
        count,
        max(p.max_abs for p in parts),
        math.sqrt(square),
        math.sqrt(square / signal),
    )


def variant_cosines(model, token_ids, variants=None, progress=None):
    """``{key: (description, cosines per sentence)}`` of each pipeline against FP32;
    ``progress(done)`` after each pipeline."""
    exact = model.encoder.embed(token_ids).astype(np.float64)
    chosen = variants or {**VARIANTS, **ABLATIONS}
    results = {}
    for key, config in chosen.items():
        pooled = IntegerEncoder(model.encoder, config).embed(token_ids).value()
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        results[key] = (config.description or key, (pooled * exact).sum(axis=1))
        if progress:
            progress(len(results))
    return results
