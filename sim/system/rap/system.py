"""A whole encoder inference on AMS-PiM tiles, with the cost of what runs between the tiles: RAP
against a conventional PTQ AMS-PiM (SPEC section 9).

Every linear layer's W8 weights sit in their own tiles; ``Q K^T`` and ``P V`` write K and V into
tiles per sentence and head (counted as dynamic writes). Between the products:

* RAP (``nonlinear="integer"``): the integer kernels of :mod:`sim.rap`, charged per element at
  the energy of this project's synthesized ``int_softmax`` / ``int_gelu`` / ``int_layernorm``,
  and a dyadic requantization (one integer multiply and add) per product result;
* conventional (``nonlinear="fp32"``): DQ-Q, each product result dequantized to FP32 and
  quantized again for the next product (two FP32 multiplies and an add), FP32 softmax, GELU,
  LayerNorm and residual adds, charged per FP32 operation (:data:`FP32_OPS`, our operation
  counts) at Horowitz's 45 nm energies.

Latency: the tiles' cycles at the ADC rate, products one after another, plus the nonlinear
elements at :data:`NONLINEAR_LANES` per cycle of :data:`NONLINEAR_CLOCK_HZ` (the same throughput
assumed for the integer and the FP32 units).
"""

from dataclasses import dataclass, replace

import numpy as np

from sim.system.rap.costs import CONSTANTS, adc_area_um2, gpu_roofline
from sim.system.rap.encoder import VARIANTS, IntegerEncoder, PipelineConfig
from sim.system.rap.pim import PimConfig
from sim.system.rap.products import PimProducts

__all__ = [
    "PimSystem",
    "rap_system",
    "conventional_system",
    "equal_adc_area",
    "run_system",
    "FP32_OPS",
    "NONLINEAR_LANES",
    "NONLINEAR_CLOCK_HZ",
    "GPU_KERNELS_PER_LAYER",
    "gpu_estimate",
]

#: FP32 (adds, multiplies) per element of each step of the conventional pipeline: our counts.
#: softmax: max, subtract, a range-reduced degree-5 exp, sum, normalise by one reciprocal
#: multiply; GELU: the erf of Abramowitz & Stegun 7.1.26 (a reciprocal, a degree-5 polynomial,
#: an exp) and 0.5 x (1 + erf); LayerNorm: mean, variance, normalise, gain and bias; residual:
#: one add; DQ-Q: dequantize and quantize one product result.
FP32_OPS = {
    "softmax": (9, 7),
    "gelu": (13, 14),
    "layernorm": (4, 3),
    "residual": (1, 0),
    "dq_q": (1, 2),
}
#: Elements per cycle and clock of the units between the tiles (this project's RTL: 16 lanes at
#: the 100 MHz the synthesis reports use).
NONLINEAR_LANES = 16
NONLINEAR_CLOCK_HZ = 100e6
_INTEGER_UNITS = {
    "softmax": "int_softmax_pj_per_element",
    "gelu": "int_gelu_pj_per_element",
    "layernorm": "int_layernorm_pj_per_element",
}


@dataclass(frozen=True)
class PimSystem:
    """One design: the pipeline, the tiles (with their input razoring) and the nonlinear units;
    ``exact_inputs`` drives every input bit (no razoring: the conventional design)."""

    key: str
    description: str
    pipeline: PipelineConfig
    pim: PimConfig
    exact_inputs: bool
    nonlinear: str


def rap_system(adc_bits=3, rows=128, input_format="emsb", target_bits=None, mvm="sparse", **pim):
    """RAP (SPEC section 9): A16 activations razored by the tiles (eMSB windows of
    ``target_bits``, default 8, one group per chunk; or SDR codes, default 4 bits), bit-sparse
    partials of at most ``2**adc_bits - 1`` rows read by a low-range ``adc_bits`` ADC, integer
    kernels. ``mvm="dense"`` is the ablation without the split (every row at once: the ADC
    clips). ``pim``: further :class:`PimConfig` fields (``sign_mode``, noise, ...)."""
    target = (8 if input_format == "emsb" else 4) if target_bits is None else target_bits
    config = PimConfig(
        rows=rows,
        adc_bits=adc_bits,
        adc_range="low",
        input_format=input_format,
        target_bits=target,
        mvm=mvm,
        **pim,
    )
    inputs = f"{input_format}{target}" + (f"-{config.sign_mode}" if input_format == "emsb" else "")
    product = f"sparse k={config.k}" if mvm == "sparse" else "dense, clipping"
    return PimSystem(
        f"rap-{inputs}-{mvm}-adc{adc_bits}",
        f"RAP: {target}-bit {input_format} inputs ({config.sign_mode}), {product}, "
        f"{adc_bits}-bit low-range ADC, integer kernels",
        replace(VARIANTS["rap"], name="rap-pim", activation_bits=16),
        config,
        False,
        "integer",
    )


def conventional_system(rows=128, adc_bits=8, **pim):
    """A conventional PTQ AMS-PiM: 8-bit bit-serial inputs driven exactly, every row at once, a
    full-range ``adc_bits`` ADC, every plane driven, DQ-Q with FP32 nonlinear units."""
    config = PimConfig(
        rows=rows,
        adc_bits=adc_bits,
        adc_range="full",
        mvm="dense",
        skip_zero_planes=False,
        **pim,
    )
    return PimSystem(
        f"conventional-adc{adc_bits}",
        f"conventional PTQ PiM: 8-bit inputs, dense, {adc_bits}-bit full-range ADC, DQ-Q, "
        "FP32 units",
        VARIANTS["dq-q"],
        config,
        True,
        "fp32",
    )


def equal_adc_area(system, reference):
    """``system`` with as many ADCs per tile as ``reference``'s ADC area per tile buys at
    ``system``'s ADC bits (at most one per bit-line): cheaper low-ENOB ADCs, fewer cycles."""
    config, ref = system.pim, reference.pim
    budget = ref.adcs_per_tile * adc_area_um2(ref.adc_bits, ref.adc_model)
    count = min(config.columns, int(budget // adc_area_um2(config.adc_bits, config.adc_model)))
    share = max(1, -(-config.columns // max(count, 1)))
    return replace(system, pim=replace(config, adc_share=share))


class _Elements:
    """Counts the elements each kernel sees (the encoder's observe hook)."""

    def __init__(self):
        self.count = dict.fromkeys(("softmax", "gelu", "layernorm"), 0)

    def __call__(self, kind, fixed):
        self.count[kind] += fixed.q.size


def _pj(name):
    return CONSTANTS[name].value


def _between_tiles(system, elements, results, residual_elements):
    """Energy by component (pJ) of what runs between the tiles."""
    if system.nonlinear == "integer":
        energy = {kind: count * _pj(_INTEGER_UNITS[kind]) for kind, count in elements.items()}
        energy["requantize"] = results * (_pj("int32_mul_pj") + _pj("int32_add_pj"))
        energy["residual"] = residual_elements * _pj("int32_add_pj")
        return energy
    counts = {**elements, "residual": residual_elements, "dq_q": results}
    add, mul = _pj("fp32_add_pj"), _pj("fp32_mul_pj")
    return {
        kind: count * (FP32_OPS[kind][0] * add + FP32_OPS[kind][1] * mul)
        for kind, count in counts.items()
    }


def run_system(model, token_ids, system):
    """Run ``model`` over ``token_ids`` on ``system``: cosines to FP32, the per-layer ledger,
    and totals (energy by component in pJ, latency in s)."""
    products = PimProducts(system.pim, system.exact_inputs)
    elements = _Elements()
    encoder = IntegerEncoder(model.encoder, system.pipeline, products)
    pooled = encoder.embed(token_ids, elements).value()
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    exact = model.encoder.embed(token_ids).astype(np.float64)
    cosines = (pooled * exact).sum(axis=1)
    ledger = {name: dict(entry) for name, entry in products.ledger.items()}
    tiles_energy = {}
    for entry in ledger.values():
        for key, value in entry.items():
            if key.startswith("energy_pj."):
                part = key.removeprefix("energy_pj.")
                tiles_energy[part] = tiles_energy.get(part, 0.0) + value
    results = sum(entry["results"] for entry in ledger.values())
    bert = model.encoder.config
    residual = 2 * bert.layers * sum(map(len, token_ids)) * bert.hidden
    between = _between_tiles(system, elements.count, results, residual)
    nonlinear_elements = sum(elements.count.values())
    latency = {
        "tiles": sum(entry["latency_s"] for entry in ledger.values()),
        "between": nonlinear_elements / (NONLINEAR_LANES * NONLINEAR_CLOCK_HZ),
    }
    static_tiles = sum(
        entry["tiles"]
        for name, entry in ledger.items()
        if "scores" not in name and "context" not in name
    )
    return {
        "key": system.key,
        "description": system.description,
        "cosines": cosines,
        "ledger": ledger,
        "elements": elements.count,
        "energy_pj": {
            **{f"tiles.{k}": v for k, v in tiles_energy.items()},
            **{f"between.{k}": v for k, v in between.items()},
        },
        "latency_s": latency,
        "static_tiles": static_tiles,
    }


#: Kernel launches per encoder layer on a GPU: six linear layers, two batched attention
#: products, softmax, GELU, two LayerNorms (residual adds fused into them).
GPU_KERNELS_PER_LAYER = 12


def gpu_estimate(bert, token_ids, gpu="a100-pcie-40gb", dtype="fp16"):
    """A roofline estimate (:func:`~sim.rap.costs.gpu_roofline`) of the same inference: every
    product's 2 MACs-worth of FLOPs plus the FP32 nonlinear operation counts, weights read once
    in ``dtype`` and every activation written and read once."""
    lengths = [len(ids) for ids in token_ids]
    tokens = sum(lengths)
    hidden, inner, layers = bert.hidden, bert.intermediate, bert.layers
    linear_macs = tokens * (4 * hidden * hidden + 2 * hidden * inner)
    attention_macs = 2 * sum(t * t for t in lengths) * hidden
    elements = {
        "softmax": bert.heads * sum(t * t for t in lengths),
        "gelu": tokens * inner,
        "layernorm": 2 * tokens * hidden,
        "residual": 2 * tokens * hidden,
    }
    nonlinear = sum(count * sum(FP32_OPS[kind]) for kind, count in elements.items())
    flops = layers * (2 * (linear_macs + attention_macs) + nonlinear)
    size = 1 if dtype == "int8" else 2 if dtype == "fp16" else 4
    weights = layers * (4 * hidden * hidden + 2 * hidden * inner)
    activations = layers * (tokens * (7 * hidden + 2 * inner) + elements["softmax"])
    return gpu_roofline(
        gpu, flops, size * (weights + 2 * activations), dtype, layers * GPU_KERNELS_PER_LAYER
    )
