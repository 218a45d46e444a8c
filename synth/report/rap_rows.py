"""MiniLM rows for the RAP row units' gate-level activity: the integer tensors an integer-only
MiniLM pass feeds its softmax, GELU and LayerNorm kernels, streamed as the units' row protocol
wants them.

The rows come from one forward pass of the RAP pipeline (:data:`sim.rap.encoder.VARIANTS`
``"rap"``, :class:`~sim.rap.encoder.IntegerEncoder` with its ``observe`` hook) over the first
:data:`SENTENCES` sentences of all-MiniLM-L6-v2's workload (:func:`sim.rap.workloads.load_workload`
``"minilm"``). Without the model package the same pass runs on the seeded synthetic BERT with
MiniLM's shapes (``"synthetic"``), and every record says so. ``int_softmax`` gets the attention
score rows ``Q K^T`` of every layer, head and sentence (row length = the sentence's tokens,
padded to a multiple of LANES with the most negative score, which adds nothing to the sum),
``int_gelu`` the FFN pre-activations (one token's 1536 values a row) and ``int_layernorm`` the
residual sums (one token's D = 384 values a row) with the weight and bias of the LayerNorm they
enter, GELU and LayerNorm inputs requantized to 16 bits as the pipeline requantizes them.

Each seed draws its own order of the rows; every stream runs its rows back to back (no bubble),
each row ``passes`` times, after one reset cycle, until it has at least ``beats`` beats. Streams
whose rows end earlier idle until the longest is done; the activity window runs from the end of
the pipeline fill to the end of the shortest stream's beats, so that every stream is busy in
every window cycle. Energy per element is per *row element*: a row of ``n`` elements takes
``passes * n / LANES`` beats, so one element costs ``passes / LANES`` cycles of power.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np

from hw.designs import DESIGNS
from hw.params import check_row_params
from sim.golden.formats import check_int
from sim.golden.rap.requantize import requantize
from sim.system.rap.encoder import VARIANTS, IntegerEncoder
from sim.verify.rap_streams import gelu_beats, layernorm_beats, softmax_beats
from sim.workloads.encoder_models import load_workload
from sim.workloads.minilm import ModelUnavailable

__all__ = [
    "rap_workload",
    "SENTENCES",
    "KERNEL_BITS",
    "REGISTERS",
    "REGISTERS_WHY",
    "ENERGY_CONVENTION",
    "WORKLOAD",
    "STREAMS",
    "RowSet",
    "captured_rows",
    "rap_parameters",
    "rap_streams",
]

#: Sentences of the MiniLM pass whose kernel inputs are captured (a few: the pass takes seconds).
SENTENCES = 4
#: Width the integer pipeline requantizes GELU and LayerNorm inputs to (sim.rap.encoder).
KERNEL_BITS = 16
#: Longest sequence of the synthetic fallback's softmax rows (MiniLM's max_seq_length).
FALLBACK_MAX_SEQUENCE = 256
#: Which registers each RAP unit has and why (from the units' docstrings: hw/rap/*.py).
REGISTERS = {
    "int_gelu": "one register after each of its 7 steps (|x|, x INV_SQRT2, erf input, square, "
    "erf, product, output: LATENCY 7) and the valid/last/exponent bits beside them; no state",
    "int_softmax": "a register after every step (max tree, d = max - x, log2(e) exponents, "
    "2**-t, adder tree, the pipelined Newton reciprocal, output); state: the row-pass counter, "
    "the running maximum, the row's sum accumulator; delay lines hold x while the max tree "
    "works and pass 3's exponentials until the row's reciprocal is ready",
    "int_layernorm": "a register after every step (x**2, two adder trees, the pipelined "
    "inverse square root, D x - s1, a r, n, n gamma, output); state: the row-pass counter and "
    "the s1 and s2 accumulators; delay lines hold x, gamma and beta of pass 2 until the row's r "
    "is ready",
}
#: Why those registers, for every RAP unit.
REGISTERS_WHY = (
    "The RAP units have no PIPELINE parameter, so the pipelining policy does not apply to them: "
    "their RTL registers every step (hw.rap.step.Step), each multiplier, shifter and adder step "
    "a block of its own, so that Yosys maps and ABC sweeps each block alone (ABC's SAT sweep "
    "over several multipliers that share an operand takes minutes; one at a time, a second) and "
    "one wide step per cycle; the state registers are what the row protocol needs (no row "
    "buffer: the row is streamed again instead)."
)
#: Where the rows come from (report text).
WORKLOAD = (
    "MiniLM rows: the integer tensors one forward pass of the integer-only RAP pipeline "
    f"(sim.rap.encoder VARIANTS['rap']) feeds its kernels, over the first {SENTENCES} sentences of "
    "all-MiniLM-L6-v2 (sim.rap.workloads.load_workload('minilm')), or of the seeded synthetic "
    "BERT with MiniLM's shapes when the model package is missing (each unit's workload says "
    "which): int_softmax the attention-score rows Q K^T of every layer, head and sentence (row "
    "length = the sentence's tokens, padded to a multiple of LANES with the most negative score), "
    "int_gelu the FFN pre-activations (one token's 1536 values a row), int_layernorm the residual "
    "sums (one token's 384 values a row) with the weight and bias of the LayerNorm each enters; "
    "GELU and LayerNorm inputs requantized to 16 bits as the pipeline does"
)
#: How the streams are built (report text).
STREAMS = (
    "each seed draws its own order of the rows; every stream runs its rows back to back (no "
    "bubble), each row as many times as the unit's row protocol has passes, after one reset "
    "cycle, until it has at least the stated beats; streams whose rows end earlier idle until "
    "the longest is done; the activity window runs from the end of the pipeline fill to the "
    "shortest stream's last beat, so every stream is busy in every window cycle"
)
#: How the energy per element is counted.
ENERGY_CONVENTION = (
    "energy per row element = total power (clock network included) x clock period / elements "
    "per cycle, with elements per cycle = LANES / passes: the input elements per active cycle "
    "averaged over all passes of the row protocol (int_softmax streams each row 3 times, "
    "int_layernorm twice, int_gelu once), so that the figure is what one element of a row "
    "costs, every pass included"
)


@dataclass(frozen=True, eq=False)
class RowSet:
    """Kernel inputs of one pass: ``softmax`` ``[(q row, e)]``, ``gelu`` ``[(q row, e)]``,
    ``layernorm`` ``[(q row, e, weight, bias)]``, and what they came from."""

    softmax: list
    gelu: list
    layernorm: list
    kind: str
    description: str
    head: int
    hidden: int
    eps: float
    attention_bits: int
    max_sequence: int


def _rows(fixed, bits=None):
    """``[(row, e)]`` of a captured :class:`~sim.rap.encoder.Fixed` (one exponent per row),
    requantized to ``bits`` first when given."""
    q, e = (fixed.q, fixed.e) if bits is None else requantize(fixed.q, fixed.e, bits)
    e = np.broadcast_to(np.asarray(e, np.int64), (len(q), 1))[:, 0]
    return [(row, int(exponent)) for row, exponent in zip(q, e, strict=True)]


def rap_workload(kind):
    """``(workload, kind, note)``: the first :data:`SENTENCES` sentences of ``kind`` (all of a
    synthetic model's), falling back from ``"minilm"`` to ``"synthetic"`` with a ``note`` when
    the model package is missing."""
    try:
        return load_workload(kind, 0, SENTENCES if kind == "minilm" else None), kind, ""
    except ModelUnavailable as error:
        note = f"all-MiniLM-L6-v2 not available ({error}); "
        return load_workload("synthetic", 0, None), "synthetic", note


@functools.lru_cache(maxsize=2)
def captured_rows(kind="minilm"):
    """The :class:`RowSet` of one RAP pass over ``kind``'s first :data:`SENTENCES` sentences
    (``"minilm"`` falls back to ``"synthetic"`` when the model package is missing)."""
    workload, kind, note = rap_workload(kind)
    config = VARIANTS["rap"]
    encoder = IntegerEncoder(workload.model.encoder, config)
    seen = {"softmax": [], "gelu": [], "layernorm": []}
    encoder.embed(workload.token_ids, lambda name, fixed: seen[name].append(fixed))
    norms = list(encoder.norms.values())[1:]  # the embeddings' LayerNorm is not observed
    if len(norms) != len(seen["layernorm"]):
        raise ValueError(f"{len(seen['layernorm'])} residual sums for {len(norms)} LayerNorms")
    layernorm = [
        (row, e, weight, bias)
        for fixed, (weight, bias) in zip(seen["layernorm"], norms, strict=True)
        for row, e in _rows(fixed, KERNEL_BITS)
    ]
    bert = workload.model.encoder.config
    if kind == "minilm":
        max_sequence = workload.model.tokenizer.truncation["max_length"]
        source = f"all-MiniLM-L6-v2 ({workload.provenance})"
    else:
        max_sequence = FALLBACK_MAX_SEQUENCE
        source = f"synthetic rows: {workload.provenance}"
    return RowSet(
        softmax=[r for fixed in seen["softmax"] for r in _rows(fixed)],
        gelu=[r for fixed in seen["gelu"] for r in _rows(fixed, KERNEL_BITS)],
        layernorm=layernorm,
        kind=kind,
        description=f"{note}{source}, the integer-only RAP pass (sim.rap.encoder "
        f"VARIANTS['rap']) over {workload.description}",
        head=bert.hidden // bert.heads,
        hidden=bert.hidden,
        eps=bert.eps,
        attention_bits=config.attention_bits,
        max_sequence=max_sequence,
    )


def _score_bits(rows):
    """IN_BITS holding every score of the pipeline: 8-bit Q and K (``-2**7`` included) summed
    over the head size."""
    top = (1 << (rows.attention_bits - 1)) ** 2 * rows.head
    return top.bit_length() + 1


def rap_parameters(design, lanes=1, kind="minilm"):
    """SPEC-named parameters of RAP unit ``design`` for the MiniLM rows (LANES ``lanes``):
    ``int_gelu`` IN_BITS 16 (the pipeline's GELU input), ``int_softmax`` IN_BITS of the widest
    possible score, SCALE 1/sqrt(head size), MAX_ROW the model's longest sequence, OUT_BITS 8,
    ``int_layernorm`` D = hidden size and the model's eps."""
    rows = captured_rows(kind)
    if design == "int_gelu":
        parameters = {"LANES": lanes, "IN_BITS": KERNEL_BITS}
    elif design == "int_softmax":
        parameters = {
            "LANES": lanes,
            "IN_BITS": _score_bits(rows),
            "OUT_BITS": 8,
            "SCALE": 1 / math.sqrt(rows.head),
            "MAX_ROW": max(rows.max_sequence, lanes),
        }
    elif design == "int_layernorm":
        parameters = {"LANES": lanes, "D": rows.hidden, "EPS": rows.eps}
    else:
        raise ValueError(f"design must be a RAP unit, not {design!r}")
    check_row_params(lanes=lanes, d=parameters.get("D"))
    return parameters


def _padded(row, lanes, fill):
    extra = -len(row) % lanes
    return np.concatenate([row, np.full(extra, fill, np.int64)]) if extra else row


def _beats(design, parameters, chosen, rows):
    """MacBeats of ``chosen`` rows (indices into the design's row list) back to back."""
    lanes = parameters["LANES"]
    if design == "int_gelu":
        picked = [rows.gelu[i] for i in chosen]
        bits = parameters["IN_BITS"]
        if bits < KERNEL_BITS:  # a narrower unit gets the rows requantized to its width
            picked = [requantize(q, e, bits) for q, e in picked]
        return gelu_beats(
            [_padded(q, lanes, 0) for q, _ in picked], [int(e) for _, e in picked], lanes
        )
    if design == "int_softmax":
        bits = parameters["IN_BITS"]
        picked = [requantize(*rows.softmax[i], bits) for i in chosen]
        lowest = -(1 << (bits - 1))
        return softmax_beats(
            [_padded(q, lanes, lowest) for q, _ in picked],
            [int(e) for _, e in picked],
            lanes,
            parameters["OUT_BITS"],
            parameters["SCALE"],
        )
    picked = [rows.layernorm[i] for i in chosen]
    if parameters["D"] != rows.hidden:
        raise ValueError(
            f"int_layernorm D must be the rows' length {rows.hidden}, not {parameters['D']}"
        )
    return layernorm_beats(
        np.stack([q for q, _, _, _ in picked]),
        np.array([e for _, e, _, _ in picked]),
        np.stack([w for _, _, w, _ in picked]),
        np.stack([b for _, _, _, b in picked]),
        lanes,
        parameters["EPS"],
    )


def _pool(design, rows):
    return {"int_gelu": rows.gelu, "int_softmax": rows.softmax, "int_layernorm": rows.layernorm}[
        design
    ]


def _what(design, parameters, rows):
    if design == "int_softmax":
        lengths = sorted({len(q) for q, _ in rows.softmax})
        return (
            f"attention-score rows Q K^T (8-bit Q and K, head size {rows.head}; "
            f"{len(rows.softmax)} rows of {lengths[0]} to {lengths[-1]} scores, padded to a "
            f"multiple of LANES), SCALE = 1/sqrt({rows.head})"
        )
    if design == "int_gelu":
        return (
            f"FFN pre-activation rows ({len(rows.gelu)} tokens x "
            f"{len(rows.gelu[0][0])}, requantized to {min(parameters['IN_BITS'], KERNEL_BITS)} "
            "bits, one exponent per token)"
        )
    return (
        f"residual-sum rows of D={rows.hidden} ({len(rows.layernorm)} tokens, requantized to "
        f"{KERNEL_BITS} bits, one exponent per token) with the weight and bias of the LayerNorm "
        "each enters"
    )


def rap_streams(design, parameters, seed, streams, beats):
    """``(parts, elements per cycle, text)`` of RAP unit ``design`` on the MiniLM rows: seed
    ``seed``'s order of the rows, ``streams`` streams (:class:`sim.streams.MacBeats`, rows back
    to back) of at least ``beats`` beats each."""
    check_int("streams", streams, 1)
    check_int("beats", beats, 1)
    rows = captured_rows()
    pool = _pool(design, rows)
    passes = DESIGNS[design].RESULTS.passes
    lanes = parameters["LANES"]
    order = np.random.default_rng(seed).permutation(len(pool))
    cursor, parts, counts = 0, [], []
    for _ in range(streams):
        chosen, count = [], 0
        while count < beats:
            index = int(order[cursor % len(order)])
            chosen.append(index)
            count += passes * -(-len(pool[index][0]) // lanes)
            cursor += 1
        parts.append(_beats(design, parameters, chosen, rows))
        counts.append(len(chosen))
    spread = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)} to {max(counts)}"
    text = (
        f"{streams} streams x {spread} back-to-back rows per stream "
        f"(each streamed {passes} time{'s' if passes > 1 else ''}, at least {beats} beats; "
        f"seed {seed} draws the rows' order) of {_what(design, parameters, rows)}, from "
        f"{rows.description}"
    )
    return parts, lanes / passes, text
