"""MiniLM bit-planes for ``row_compactor``'s gate-level activity, and its checker and texts.

The planes are those an AMS-PiM tile of ROWS word-lines is driven with (SPEC section 9,
``input_format="emsb"``, ``sign_mode="split"``) when it computes the linear layers of one forward
pass of the integer-only RAP pipeline (:data:`sim.rap.encoder.VARIANTS` ``"rap"``) over the first
:data:`SENTENCES` sentences of all-MiniLM-L6-v2 (the seeded synthetic BERT with MiniLM's shapes
when the model package is missing, and the workload text says so). Every distinct input tensor
of a linear layer (the residual stream into Q/K/V and the FFN, the attention context into the
output projection, the GELU outputs into the FFN's second layer), as the pipeline holds it in
integers, is razored by :func:`sim.golden.rap.emsb.emsb_razor` with ``target_bits`` 8 and one
group per chunk of ROWS elements; each (token, chunk) is driven as the magnitude planes 0..6 of
``|x'|``, plane by plane, the positive then the negative elements (14 planes), as
:func:`sim.rap.pim_matmul` walks them. All-zero planes stay in (the compactor takes them in a
cycle and shows nothing).

Each seed draws its own order of the (token, chunk) items; every stream runs items back to back
through a producer that never idles and holds each plane until ``ready``
(:func:`sim.verify.compactor.plane_beats`), after one reset cycle, until it has at least
``beats`` cycles. Energy per partial = total power x clock period / partials per cycle, the
partials shown (``out_valid``) per stream and cycle of the activity window.
"""

import functools
from dataclasses import replace

import numpy as np

from sim.golden.formats import check_int
from sim.golden.rap.emsb import MAX_INPUT_BITS, emsb_razor
from sim.golden.rap.row_split import partial_count
from sim.system.rap.encoder import VARIANTS, IntegerEncoder
from sim.verify.compactor import check_partials, plane_beats
from synth.report.rap_rows import SENTENCES, rap_workload

__all__ = [
    "COMPACTOR",
    "DEFAULT_K",
    "ROWS",
    "TARGET_BITS",
    "WORKLOAD",
    "REGISTERS",
    "ENERGY_CONVENTION",
    "PlaneSet",
    "activation_planes",
    "compactor_streams",
    "drain_cycles",
    "partials_per_cycle",
    "checker",
]

#: The unit's Verilog name.
COMPACTOR = "row_compactor"
#: K settings of the report (``--compactor-k``): 2-, 3- and 4-bit ADCs' ranges.
DEFAULT_K = (3, 7, 15)
#: ROWS of the report: RAP's tile height (SPEC 9's default).
ROWS = 128
#: The razoring window (bits kept per group), as SPEC 9's default ``target_bits``.
TARGET_BITS = 8
#: What the report says of the workload.
WORKLOAD = (
    f"MiniLM bit-planes: every distinct input of a linear layer in one pass of the integer-only "
    f"RAP pipeline (sim.rap.encoder VARIANTS['rap']) over the first {SENTENCES} sentences of "
    f"all-MiniLM-L6-v2, razored by sim.rap.emsb_razor (target {TARGET_BITS} bits, one group per "
    "chunk of ROWS elements) and driven as SPEC 9's split sign mode does: per (token, chunk) "
    f"the magnitude planes 0..{TARGET_BITS - 2}, positive then negative elements"
)
#: Which registers the unit has and why.
REGISTERS = (
    "the pending ones of the plane being split (ROWS), the mask output (ROWS), out_valid, "
    "out_last and busy (ready = not busy): the state the handshake needs, LATENCY 1; the "
    "saturating prefix count is combinational"
)
#: How the energy per partial is counted.
ENERGY_CONVENTION = (
    "energy per partial = total power (clock network included; also given without it) x clock "
    "period / partials per cycle, with partials per cycle = masks shown (out_valid) per stream "
    "and cycle of the activity window: cycles that take an all-zero plane show none"
)


class PlaneSet:
    """The driven planes ``[items, 2 (TARGET_BITS - 1), rows]`` (bool), one item per
    (token, chunk), and what they came from."""

    def __init__(self, planes, description):
        self.planes, self.description = planes, description

    def popcounts(self):
        return self.planes.sum(axis=-1)


def _capturing(encoder):
    """Wrap ``encoder``'s linear layers so that every distinct input (Q, K and V share one) is
    appended to the returned list as it arrives."""
    seen = []

    class Capture:
        def __init__(self, linear):
            self.linear = linear

        def __call__(self, x, products):
            if not any(x is other for other in seen):
                seen.append(x)
            return self.linear(x, products)

    encoder.linears = [Capture(linear) for linear in encoder.linears]
    return seen


def _planes(q, rows):
    """Split-mode planes of ``q`` ``[tokens, K]`` razored per chunk of ``rows``:
    ``[tokens * K / rows, 2 (TARGET_BITS - 1), rows]``."""
    bits = min(MAX_INPUT_BITS, int(np.abs(q).max()).bit_length() + 1)
    razored, _ = emsb_razor(q, max(bits, 2), TARGET_BITS, rows)
    chunks = razored.reshape(-1, rows)
    magnitude, negative = np.abs(chunks), chunks < 0
    planes = []
    for plane in range(TARGET_BITS - 1):
        bit = (magnitude >> plane & 1).astype(bool)
        planes += [bit & ~negative, bit & negative]
    return np.stack(planes, axis=1)


@functools.lru_cache(maxsize=2)
def activation_planes(rows=ROWS, kind="minilm"):
    """The :class:`PlaneSet` of one RAP pass over ``kind``'s first :data:`SENTENCES` sentences
    (``"minilm"`` falls back to ``"synthetic"`` when the model package is missing)."""
    workload, kind, note = rap_workload(kind)
    encoder = IntegerEncoder(workload.model.encoder, VARIANTS["rap"])
    seen = _capturing(encoder)
    encoder.embed(workload.token_ids)
    for x in seen:
        if x.q.shape[-1] % rows:
            raise ValueError(f"ROWS ({rows}) must divide every layer input ({x.q.shape[-1]})")
    planes = np.concatenate([_planes(np.asarray(x.q, np.int64), rows) for x in seen])
    source = (
        f"all-MiniLM-L6-v2 ({workload.provenance})"
        if kind == "minilm"
        else f"synthetic inputs: {workload.provenance}"
    )
    return PlaneSet(
        planes,
        f"{note}{source}, {len(seen)} layer inputs of the RAP pass over {workload.description}",
    )


def _statistics(planes, k):
    counts = planes.sum(axis=-1).reshape(-1)
    partials = partial_count(counts, k)
    return (
        f"{len(counts)} planes of {planes.shape[-1]} rows: mean popcount {counts.mean():.2f}, "
        f"{100 * np.mean(counts == 0):.1f} % all-zero, {100 * np.mean(counts > k):.1f} % "
        f"above K, {partials.sum() / len(counts):.3f} partials per plane"
    )


def compactor_streams(parameters, seed, streams, beats):
    """``(parts, text)``: ``streams`` streams (:class:`~sim.verify.streams.MacBeats`) of the
    MiniLM planes in seed ``seed``'s order of items, each of at least ``beats`` cycles."""
    check_int("streams", streams, 1)
    check_int("beats", beats, 1)
    rows, k = parameters["ROWS"], parameters["K"]
    plane_set = activation_planes(rows)
    items = plane_set.planes
    cycles = np.maximum(1, partial_count(items.sum(axis=-1), k)).sum(axis=-1)  # per item
    order = np.random.default_rng(seed).permutation(len(items))
    cursor, parts, counts = 0, [], []
    for _ in range(streams):
        chosen, total = [], 0
        while total < beats:
            index = int(order[cursor % len(order)])
            chosen.append(index)
            total += int(cycles[index])
            cursor += 1
        parts.append(plane_beats(items[chosen].reshape(-1, rows), k))
        counts.append(len(chosen) * items.shape[1])
    spread = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)} to {max(counts)}"
    text = (
        f"{streams} streams x {spread} planes back to back (a producer that never idles and "
        f"holds each plane until ready; at least {beats} cycles; seed {seed} draws the order of "
        f"the (token, chunk) items) of {WORKLOAD}, from {plane_set.description}; "
        f"{_statistics(items, k)}"
    )
    return parts, text


def drain_cycles(parameters):
    """Idle cycles after a stream's last plane for all its masks to show: ``ceil(ROWS/K)``."""
    return int(partial_count(parameters["ROWS"], parameters["K"]))


def partials_per_cycle(parameters, stimulus):
    """``stimulus`` (:class:`synth.report.stimulus.Stimulus`) with ``operations_per_cycle`` the
    partials shown per stream and cycle of its window, counted by the cycle model."""
    from sim.cycle_models import run

    shown = run(COMPACTOR, parameters, stimulus.stacked())["out_valid"]
    start, stop = stimulus.window
    return replace(stimulus, operations_per_cycle=float(shown[:, start:stop].mean()))


def _check(k, outputs, stream, expected):
    return check_partials(outputs, stream, expected, k)


def checker(parameters):
    """What :func:`synth.gates.gatelevel.run_gate_level` checks a stream with: every port on
    every cycle against the handshake and the golden split (:func:`check_partials`)."""
    return functools.partial(_check, parameters["K"])
