"""An integer-only BERT encoder (all-MiniLM-L6-v2) forward pass, and the variants RAP is
compared with.

Between the embedding lookup and the pooled output, the RAP pipeline (``VARIANTS["rap"]``) holds
every tensor as :class:`Fixed` ``(q, e)``, integers and a power-of-two exponent (per tensor, or
per row where softmax gives one), and uses only integer operations:

* embeddings: the three tables converted once to 16-bit integers on one shared grid, summed;
* linear layers: W8 weights (one power-of-two exponent per tensor, or per output channel with a
  dyadic multiplier: ``requantization="dyadic"``), activations requantized to
  ``activation_bits`` by a rounding shift (:func:`~sim.rap.requantize`), exact integer GEMMs
  (optionally on QRazor SDR codes: ``sdr=True``), biases converted once and shifted onto the
  accumulator's grid;
* attention: ``Q K^T`` and ``P V`` as integer GEMMs, :func:`~sim.rap.softmax_int` with
  ``1/sqrt(head size)`` folded into its constant, one exponent per row;
* :func:`~sim.rap.gelu_int`, :func:`~sim.rap.layernorm_int` (16-bit inputs), residual adds on a
  common grid by exact left shifts;
* pooling: the sum of each sentence's token vectors (the mean's 1/n is a scale that the final
  L2 normalisation, done outside in float for the cosine, removes).

Float appears only offline (weight, bias, table and constant conversion) and after the pooled
output. The other variants swap a kernel: ``"float"`` runs it in float64 on the dequantized
input and quantizes its output again (24 bits; softmax output to 8 bits), the DQ-Q baseline
with float nonlinear units around the same integer GEMMs; ``"divide"`` keeps one integer
division per row (the I-BERT-style kernels).
"""

import math
from dataclasses import dataclass, field, replace

import numpy as np

from sim.golden.formats import check_choice, check_int
from sim.golden.rap import reference
from sim.golden.rap.emsb import emsb_razor
from sim.golden.rap.fixed import bit_length, round_shift
from sim.golden.rap.gelu import gelu_int
from sim.golden.rap.layernorm import layernorm_int
from sim.golden.rap.requantize import fit_shift, requantize
from sim.golden.rap.softmax import softmax_int
from sim.system.rap.products import DigitalProducts

__all__ = [
    "Fixed",
    "PipelineConfig",
    "VARIANTS",
    "ABLATIONS",
    "IntegerEncoder",
    "quantize",
]

#: Fraction bits of the biases as converted once (shifted onto each accumulator's grid).
_BIAS_BITS = 32
#: Bits of a dyadic per-channel weight multiplier.
_MULTIPLIER_BITS = 15
#: Width of the outputs of float kernels (the DQ-Q baseline) before they are used again.
_FLOAT_OUTPUT_BITS = 24
#: How activations are requantized: a rounding shift (per tensor, W8 on one grid), the same with a
#: dyadic per-channel weight multiplier, or an effective-MSB window (US 2026/0187430 A1).
REQUANTIZATIONS = ("shift", "dyadic", "emsb")
KERNEL_MODES = {
    "softmax": ("int", "divide", "float"),
    "gelu": ("int", "float"),
    "layernorm": ("int", "divide", "float"),
}


@dataclass(frozen=True, eq=False)
class Fixed:
    """``q * 2**e``: ``q`` an int64 array, ``e`` an int or an int64 array broadcastable to it."""

    q: np.ndarray
    e: object

    def __post_init__(self):
        if not np.issubdtype(np.asarray(self.q).dtype, np.integer):
            raise TypeError(f"Fixed holds integers, not {np.asarray(self.q).dtype}")

    def value(self):
        """The represented values, float64 (for measurements and float kernels only)."""
        return self.q * np.exp2(np.asarray(self.e, np.float64))


def quantize(x, bits, signed=True):
    """``Fixed`` of float ``x`` on the coarsest power-of-two grid that fits ``max|x|`` into
    ``bits`` (an offline or float-kernel conversion, never on the integer path)."""
    x = np.asarray(x, np.float64)
    top = np.abs(x).max(initial=0.0)
    limit = (1 << (bits - 1 if signed else bits)) - 1
    e = math.ceil(math.log2(top / limit)) if top > 0 else 0
    q = np.clip(np.round(x / 2.0**e), -limit if signed else 0, limit).astype(np.int64)
    return Fixed(q, e)


@dataclass(frozen=True)
class PipelineConfig:
    """One variant: which kernels are integer and how the linear layers requantize."""

    name: str
    softmax: str = "int"
    gelu: str = "int"
    layernorm: str = "int"
    requantization: str = "shift"
    activation_bits: int = 8
    attention_bits: int = 8
    residual_bits: int = 16
    activation_exponents: str = "row"
    sdr: bool = False
    description: str = field(default="", compare=False)

    def __post_init__(self):
        for kernel, modes in KERNEL_MODES.items():
            check_choice(kernel, getattr(self, kernel), modes)
        check_choice("requantization", self.requantization, REQUANTIZATIONS)
        check_choice("activation_exponents", self.activation_exponents, ("row", "tensor"))
        check_int("activation_bits", self.activation_bits, 2, 16)
        check_int("attention_bits", self.attention_bits, 2, 12)
        check_int("residual_bits", self.residual_bits, 8, 16)

    @property
    def integer_only(self):
        """No float and no division between the embeddings and the pooled output."""
        return all(getattr(self, k) == "int" for k in KERNEL_MODES)


#: The compared pipelines, by key. ``rap`` is the headline: W8 per output channel with dyadic
#: integer requantization, A8 with one exponent per token, integer kernels.
VARIANTS = {
    "rap": PipelineConfig(
        "rap",
        requantization="dyadic",
        description="RAP: integer-only; W8 per output channel, dyadic integer requantization; "
        "A8, one power-of-two exponent per token",
    ),
    "rap-shift": PipelineConfig(
        "rap-shift",
        description="RAP with shift-only requantization (W8 on one power-of-two grid per tensor)",
    ),
    "rap-tensor": PipelineConfig(
        "rap-tensor",
        requantization="dyadic",
        activation_exponents="tensor",
        description="RAP with one activation exponent per tensor instead of per token",
    ),
    "rap-sdr": PipelineConfig(
        "rap-sdr",
        requantization="dyadic",
        activation_bits=16,
        sdr=True,
        description="RAP with QRazor SDR razoring of the linear layers' inputs (A16/W8) and of "
        "Q and K (INT8 bases) to 4-bit codes",
    ),
    "rap-emsb": PipelineConfig(
        "rap-emsb",
        requantization="emsb",
        description="RAP with every requantization an effective-MSB window (per token, or per "
        "tensor for K and V), W8 on one power-of-two grid per tensor, no dyadic multiplier",
    ),
    "i-bert": PipelineConfig(
        "i-bert",
        softmax="divide",
        layernorm="divide",
        requantization="dyadic",
        description="I-BERT-style: integer kernels that keep one integer division per row",
    ),
    "dq-q": PipelineConfig(
        "dq-q",
        softmax="float",
        gelu="float",
        layernorm="float",
        requantization="dyadic",
        description="DQ-Q baseline: RAP's integer GEMMs, float64 nonlinear units",
    ),
}
#: One integer kernel at a time inside the DQ-Q baseline: what each costs.
ABLATIONS = {
    f"dq-q+{kernel}": replace(
        VARIANTS["dq-q"],
        name=f"dq-q+{kernel}",
        description=f"DQ-Q baseline with RAP's integer {kernel}",
        **{kernel: "int"},
    )
    for kernel in KERNEL_MODES
}


def _requantize(config, q, e, bits, per_row=None):
    """``(q', e')`` on ``bits`` signed bits. With ``requantization="emsb"``: an effective-MSB
    window per row (``per_row``; ``None``: where ``e`` is per row) or per tensor. Otherwise
    :func:`~sim.golden.rap.requantize.requantize`, a rounding shift: the smallest that fits each
    row (``per_row``) or the tensor's largest magnitude."""
    if config.requantization != "emsb":
        return requantize(q, e, bits, fit_shift(q, bits, axis=-1) if per_row else None)
    per_row = np.ndim(e) > 0 if per_row is None else per_row
    q = np.asarray(q, np.int64)
    width = int(bit_length(np.abs(q).max(initial=0))) + 2
    if per_row:
        razored, shift = emsb_razor(q, width, bits, q.shape[-1])
        return razored, np.asarray(e) + shift
    razored, shift = emsb_razor(q.reshape(1, -1), width, bits, q.size)
    return razored.reshape(q.shape), np.asarray(e) + int(shift[0, 0])


def _align(a, b):
    """``(qa, qb, e)``: both on the finer grid of the two (exact left shifts, per row)."""
    e = np.minimum(np.asarray(a.e), np.asarray(b.e))
    return a.q << (np.asarray(a.e) - e), b.q << (np.asarray(b.e) - e), e


def _one_grid(x):
    """``(q, e)``: ``x`` on the finest of its rows' grids (exact left shifts), one exponent."""
    e = np.asarray(x.e)
    finest = int(e.min())
    return x.q << (e - finest), finest


class _Linear:
    """One linear layer converted once: W8 codes, their grid, biases with 32 fraction bits."""

    def __init__(self, name, weight, bias, config):
        self.name = name
        self.config = config
        weight = np.asarray(weight, np.float64)
        if config.requantization == "dyadic":
            scales = np.maximum(np.abs(weight).max(axis=1), 1e-30) / 127
            self.q = np.round(weight / scales[:, None]).astype(np.int64)
            self.e = math.ceil(math.log2(scales.max()))
            self.multipliers = np.array(
                [round(s / 2.0**self.e * 2**_MULTIPLIER_BITS) for s in scales], np.int64
            )
        else:
            fixed = quantize(weight, 8)
            self.q, self.e, self.multipliers = fixed.q, fixed.e, None
        self.bias = np.round(np.asarray(bias, np.float64) * 2.0**_BIAS_BITS).astype(np.int64)

    def __call__(self, x, products):
        bits = self.config.activation_bits
        per_row = self.config.activation_exponents == "row"
        a, e_a = _requantize(self.config, x.q, x.e, bits, per_row)
        acc = products.linear(a, bits, self.q, self.name)
        e = np.asarray(e_a) + self.e
        if self.multipliers is not None:
            acc, e = acc * self.multipliers, e - _MULTIPLIER_BITS
        return Fixed(acc + round_shift(self.bias, _BIAS_BITS + e), e)


class IntegerEncoder:
    """A :class:`~sim.accuracy.bert.BertEncoder`'s weights converted once for ``config``.

    ``products`` computes the matrix products (:mod:`sim.rap.products`; default: digital, on
    SDR codes with ``config.sdr``). ``observe(kind, fixed)``, when given to :meth:`embed`, sees
    every kernel input (``"softmax"`` scores, ``"gelu"`` FFN pre-activations, ``"layernorm"``
    residual sums) as :class:`Fixed`, for measuring the kernels on real tensors.
    """

    def __init__(self, encoder, config, products=None):
        self.config = config
        self.products = DigitalProducts(config.sdr) if products is None else products
        self.bert = encoder.config
        self.linears = [_Linear(n, w, b, config) for n, w, b in encoder.linear_layers()]
        tables = [
            encoder.tensor(f"embeddings.{name}.weight")
            for name in ("word_embeddings", "position_embeddings", "token_type_embeddings")
        ]
        top = max(np.abs(t).max() for t in tables)
        grid = quantize(np.array([top * 3]), config.residual_bits).e  # three terms fit
        self.tables = [np.round(t / 2.0**grid).astype(np.int64) for t in tables]
        self.table_e = grid
        self.norms = {
            name: (encoder.tensor(f"{name}.weight"), encoder.tensor(f"{name}.bias"))
            for name in ["embeddings.LayerNorm"]
            + [
                f"encoder.layer.{layer}.{block}.LayerNorm"
                for layer in range(self.bert.layers)
                for block in ("attention.output", "output")
            ]
        }

    # -- kernels, integer or float per the config -------------------------------------------

    def _softmax(self, scores, scale):
        mode = self.config.softmax
        if mode == "float":
            p = reference.softmax(scores.value() * scale)
            return Fixed(np.minimum(np.round(p * 256), 255).astype(np.int64), -8)
        p, p_exp = softmax_int(
            scores.q,
            scores.e,
            scale=scale,
            normalise="divide" if mode == "divide" else "reciprocal",
        )
        return Fixed(p, p_exp)

    def _gelu(self, x):
        if self.config.gelu == "float":
            return quantize(reference.gelu(x.value()), _FLOAT_OUTPUT_BITS)
        q, e = _requantize(self.config, x.q, x.e, 16)
        return Fixed(*gelu_int(q, e))

    def _layernorm(self, x, name):
        weight, bias = self.norms[name]
        mode = self.config.layernorm
        if mode == "float":
            return quantize(
                reference.layernorm(x.value(), weight, bias, self.bert.eps), _FLOAT_OUTPUT_BITS
            )
        q, e = _requantize(self.config, x.q, x.e, 16)
        y, y_exp = layernorm_int(
            q, e, weight, bias, self.bert.eps, "divide" if mode == "divide" else "newton"
        )
        return Fixed(y, y_exp)

    def _add_norm(self, x, update, name, observe):
        qx, qu, e = _align(x, update)
        total = Fixed(qx + qu, e)
        if observe:
            observe("layernorm", total)
        return self._residual(self._layernorm(total, name))

    def _residual(self, x):
        """The residual stream as ``residual_bits``-bit integers on one grid per tensor."""
        bits = self.config.residual_bits
        return Fixed(*_requantize(self.config, x.q, x.e, bits))

    # -- the forward pass -------------------------------------------------------------------

    def _attention(self, q, k, v, bounds, observe, prefix):
        heads = self.bert.heads
        size = self.bert.hidden // heads
        bits = self.config.attention_bits
        # Q may have one exponent per token (the scores' rows); K and V one per tensor, as
        # every score row and every context element sums over their rows.
        per_row = self.config.activation_exponents == "row"
        qq, qe = _requantize(self.config, q.q, q.e, bits, per_row)
        (kq, ke), (vq, ve) = (_requantize(self.config, *_one_grid(t), bits, False) for t in (k, v))
        context = np.empty_like(qq)
        exponents = np.empty((len(qq), heads), np.int64)
        for start, stop in bounds:
            for head in range(heads):
                columns = slice(head * size, (head + 1) * size)
                row_e = qe[start:stop] if np.ndim(qe) else qe
                products = self.products.scores(
                    qq[start:stop, columns], kq[start:stop, columns], bits, prefix + "scores"
                )
                scores = Fixed(products, row_e + ke)
                if observe:
                    observe("softmax", scores)
                probabilities = self._softmax(scores, 1 / math.sqrt(size))
                context[start:stop, columns] = self.products.context(
                    probabilities.q, vq[start:stop, columns], prefix + "context"
                )
                exponents[start:stop, head] = np.broadcast_to(
                    np.asarray(probabilities.e) + ve, (stop - start, 1)
                )[:, 0]
        # One grid per row: the finest of its heads' (exact left shifts).
        row_e = exponents.min(axis=1, keepdims=True)
        shifts = np.repeat(exponents - row_e, size, axis=1)
        return Fixed(context << shifts, row_e)

    def embed(self, token_ids, observe=None):
        """Pooled sentence vectors: ``Fixed`` ``[sentences, hidden]`` (sums over the tokens)."""
        lengths = [len(ids) for ids in token_ids]
        ends = np.cumsum(lengths)
        bounds = list(zip(ends - lengths, ends, strict=True))
        word, position, token_type = self.tables
        sums = np.concatenate([word[ids] + position[: len(ids)] for ids in token_ids])
        x = self._residual(
            self._layernorm(Fixed(sums + token_type[0], self.table_e), "embeddings.LayerNorm")
        )
        linears = iter(self.linears)
        for layer in range(self.bert.layers):
            prefix = f"encoder.layer.{layer}."
            query, key, value, out, ffn_in, ffn_out = (next(linears) for _ in range(6))
            run = self.products
            q, k, v = (layer(x, run) for layer in (query, key, value))
            context = self._attention(q, k, v, bounds, observe, f"layer.{layer}.")
            x = self._add_norm(x, out(context, run), prefix + "attention.output.LayerNorm", observe)
            hidden = ffn_in(x, run)
            if observe:
                observe("gelu", hidden)
            update = ffn_out(self._gelu(hidden), run)
            x = self._add_norm(x, update, prefix + "output.LayerNorm", observe)
        pooled = np.stack([x.q[start:stop].sum(axis=0) for start, stop in bounds])
        return Fixed(pooled, x.e)
