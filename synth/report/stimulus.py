"""Per-cycle input streams of the default workload for gate-level activity, many streams at once.

Every unit works on the same default LLM-like GEMM (:func:`sim.workload.llm_workload`, M=16 K=512
N=64, one GEMM per seed). Its ``M * N`` dot products are numbered ``i = m + M * n`` (token
``m = i mod M``, output channel ``n = (i div M) mod N``); stream ``s`` runs dot products
``s * D .. s * D + D - 1`` back to back, so that the streams together cover the GEMM and every
LANES setting and unit sees the same operands. ``sdr_mac`` and ``decompress_mac`` get the
QRazor SDR operands (:func:`sim.schemes.qrazor_gemm`), ``int8_mac`` the W8A8 operands of the same
GEMM and ``int4_mac`` its W4A4 operands (:func:`sim.schemes.integer_gemm`: absmax per token and
per output channel, round to nearest); ``sdr_encoder`` razors the same tokens' INT16 activations,
one group per cycle. The GEMM engines (``--designs sdr_engine int8_engine int4_engine``) run dot
products of a token against COLS output channels at a time (``sdr_engine`` takes the QRazor SDR
operands, the activations razored where they were produced, ``int8_engine`` the W8A8 and
``int4_engine`` the W4A4 operands). Each stream starts with a reset cycle and ends with
``LATENCY`` idle cycles;
the activity window is the steady state in between: from the cycle the first beat's work fills
the pipeline to the last beat (every stage busy in every cycle of it). The RAP row units get
MiniLM rows instead (:mod:`synth.report.rap_rows`); their streams may differ in length, so the
shorter ones idle at the end and the window ends with the shortest stream's last beat.
``row_compactor`` (``--designs row_compactor``) gets MiniLM bit-planes
(:mod:`synth.report.compactor`) through a producer that holds each plane until ``ready``; its
operations are the partials shown per window cycle, counted by its cycle model.
"""

from dataclasses import dataclass

import numpy as np

from hw.designs import RAP_DESIGNS
from sim.golden.formats import SdrConfig, check_int
from sim.golden.quant import absmax_quantize
from sim.golden.sdr import SdrTensor, encode
from sim.verify.streams import (
    after_reset,
    concatenated,
    drained,
    encoder_beats,
    int_engine_beats,
    int_mac_beats,
    sdr_engine_beats,
    sdr_mac_beats,
)
from sim.workloads.llm_gemm import DEFAULT_SHAPE, llm_workload
from sim.workloads.metrics import sqnr_db
from sim.workloads.schemes import golden_product, integer_gemm, qrazor_gemm

from .compactor import COMPACTOR, compactor_streams, drain_cycles, partials_per_cycle
from .rap_rows import rap_streams

__all__ = [
    "ENGINE_COLUMNS",
    "DEFAULT_STREAMS",
    "DEFAULT_BEATS",
    "DEFAULT_SEEDS",
    "INT_WIDTHS",
    "Stimulus",
    "workload_stimulus",
    "operands_name",
    "operand_sqnr",
]

#: Independent streams simulated at once (one bit of a 64-bit word each).
DEFAULT_STREAMS = 64
#: Beats each stream runs, at least: dot products per stream = max(2, this / beats per product).
DEFAULT_BEATS = 1024
#: Workload seeds of a report (each a fresh GEMM): the spread of power over them is reported.
DEFAULT_SEEDS = (0, 1, 2)
#: The GEMM engines (:mod:`hw.engine`) and the MAC each has COLS columns of.
ENGINE_COLUMNS = {"sdr_engine": "sdr_mac", "int8_engine": "int8_mac", "int4_engine": "int4_mac"}
#: Operand width of each integer baseline (both operands).
INT_WIDTHS = {"int8_mac": 8, "int4_mac": 4}


@dataclass(frozen=True, eq=False)
class Stimulus:
    """Streams ``beats[s]`` (each with a leading reset cycle), the activity window and what they
    compute. ``operations_per_cycle`` counts the unit's work per window cycle and stream:
    LANES multiply-accumulates for a MAC, GROUP elements for the encoder, LANES / passes row
    elements for a RAP row unit, the partials shown for ``row_compactor``."""

    beats: tuple
    window: tuple
    operations_per_cycle: float
    operation: str
    workload: str

    @property
    def streams(self):
        return len(self.beats)

    @property
    def cycles(self):
        return self.beats[0].cycles

    def stacked(self):
        """The streams as one dict ``{port: (streams, cycles[, lanes])}``."""
        return {
            port: np.stack([beats.stream[port] for beats in self.beats])
            for port in self.beats[0].stream
        }


def operands_name(design, parameters):
    """The quantized operands unit ``design`` consumes (text for reports)."""
    if design in ENGINE_COLUMNS:
        return operands_name(ENGINE_COLUMNS[design], parameters)
    if design in INT_WIDTHS:
        return f"W{INT_WIDTHS[design]}A{INT_WIDTHS[design]} absmax (RTN per token / channel)"
    if design == "sdr_encoder":
        return f"INT{parameters['BASE_BITS']} activations razored to SDR codes"
    return (
        f"QRazor SDR A{parameters['A_BITS']}/W{parameters['W_BITS']} -> "
        f"{1 + parameters['MAG_BITS']}-bit codes, G{parameters['GROUP']}"
    )


def _rows(tensor, rows):
    if isinstance(tensor, SdrTensor):
        return SdrTensor(tensor.sign[rows], tensor.mag[rows], tensor.flag[rows], tensor.config)
    return tensor[rows]


def _gemm(design, parameters, workload):
    """The operands MAC ``design`` consumes (:class:`sim.schemes.QuantizedGemm`)."""
    if design in INT_WIDTHS:
        return integer_gemm(workload, INT_WIDTHS[design], INT_WIDTHS[design])
    return qrazor_gemm(
        workload,
        parameters["GROUP"],
        parameters["MAG_BITS"],
        a_bits=parameters["A_BITS"],
        w_bits=parameters["W_BITS"],
    )


def _workload(parameters, seed):
    return llm_workload(*DEFAULT_SHAPE, seed=seed, group=parameters.get("GROUP", 16))


def operand_sqnr(design, parameters, seed=0):
    """SQNR (dB) against the float64 product of the whole default GEMM (seed ``seed``) computed
    exactly from the operands MAC ``design`` consumes."""
    workload = _workload(parameters, seed)
    gemm = _gemm(ENGINE_COLUMNS.get(design, design), parameters, workload)
    return sqnr_db(workload.reference(), gemm.rescale(golden_product(gemm)))


def _mac_streams(design, parameters, workload, streams, per_stream):
    lanes = parameters["LANES"]
    m, _, n = workload.shape
    gemm = _gemm(design, parameters, workload)
    full = golden_product(gemm, acc_bits=parameters["ACC_BITS"])
    beats = []
    for stream in range(streams):
        index = np.arange(stream * per_stream, (stream + 1) * per_stream)
        rows, columns = index % m, (index // m) % n
        make = int_mac_beats if design in INT_WIDTHS else sdr_mac_beats
        beats.append(
            make(_rows(gemm.a, rows), _rows(gemm.w, columns), lanes, full[rows, columns], "zip")
        )
    return beats, gemm.name


def _engine_streams(design, parameters, workload, streams, per_stream):
    """Each stream's dot products are activation rows against a tile of COLS output channels:
    product ``i`` is token ``i mod M`` against tile ``(i div M) mod (N / COLS)``."""
    cols, lanes = parameters["COLS"], parameters["LANES"]
    m, _, n = workload.shape
    if n % cols:
        raise ValueError(f"N ({n}) of the default GEMM is not a multiple of COLS ({cols})")
    gemm = _gemm(ENGINE_COLUMNS[design], parameters, workload)
    full = golden_product(gemm, acc_bits=parameters["ACC_BITS"])
    make = sdr_engine_beats if design == "sdr_engine" else int_engine_beats
    beats = []
    for stream in range(streams):
        products = []
        for index in range(stream * per_stream, (stream + 1) * per_stream):
            row, tile = index % m, (index // m) % (n // cols)
            channels = np.arange(tile * cols, (tile + 1) * cols)
            want = full[row : row + 1, channels]
            a = _rows(gemm.a, slice(row, row + 1))
            products.append(make(a, _rows(gemm.w, channels), lanes, want))
        beats.append(concatenated(products))
    return beats, gemm.name


def _encoder_streams(parameters, workload, streams, per_stream):
    group, bits = parameters["GROUP"], parameters["BASE_BITS"]
    q, _ = absmax_quantize(workload.activations, bits, axis=-1)
    groups = q.reshape(-1, group)
    config = SdrConfig(bits, parameters["MAG_BITS"], group, parameters["ROUNDING"])
    beats = []
    for stream in range(streams):
        x = groups[np.arange(stream * per_stream, (stream + 1) * per_stream) % len(groups)]
        golden = encode(x, config)
        beats.append(encoder_beats(x, golden.code, golden.flag))
    return beats, f"INT{bits} activations (absmax per token)"


def workload_stimulus(design, parameters, latency, seed=0, streams=DEFAULT_STREAMS, beats=None):
    """:class:`Stimulus` of the default workload (seed ``seed``) for unit ``design``.

    ``parameters`` are the unit's SPEC-named parameters; ``latency`` its LATENCY (idle cycles
    appended to drain the pipeline, and the fill excluded from the window); ``beats`` the
    minimum beats per stream (default :data:`DEFAULT_BEATS`).
    """
    check_int("streams", streams, 1)
    beats = DEFAULT_BEATS if beats is None else check_int("beats", beats, 1)
    m, k, n = DEFAULT_SHAPE
    if design in RAP_DESIGNS:
        parts, per_cycle, text = rap_streams(design, parameters, seed, streams, beats)
        return _stimulus(parts, latency, per_cycle, "element", text)
    if design == COMPACTOR:  # drained until the longest plane's last mask is out
        parts, text = compactor_streams(parameters, seed, streams, beats)
        stimulus = _stimulus(parts, latency + drain_cycles(parameters), 1.0, "partial", text)
        return partials_per_cycle(parameters, stimulus)
    workload = _workload(parameters, seed)
    if design == "sdr_encoder":
        per_stream = beats
        parts, operands = _encoder_streams(parameters, workload, streams, per_stream)
        per_cycle, operation = parameters["GROUP"], "element"
        what = f"{per_stream} groups of {parameters['GROUP']} per stream"
    elif design in ENGINE_COLUMNS:
        per_product = k // parameters["LANES"]
        per_stream = max(2, -(-beats // per_product))
        parts, operands = _engine_streams(design, parameters, workload, streams, per_stream)
        per_cycle, operation = parameters["LANES"] * parameters["COLS"], "MAC"
        what = (
            f"{per_stream} back-to-back dot products (K={k}) of a token against "
            f"{parameters['COLS']} output channels per stream"
        )
    else:
        per_product = k // parameters["LANES"]
        per_stream = max(2, -(-beats // per_product))
        parts, operands = _mac_streams(design, parameters, workload, streams, per_stream)
        per_cycle, operation = parameters["LANES"], "MAC"
        what = f"{per_stream} back-to-back dot products (K={k}) per stream"
    text = (
        f"{streams} streams x {what} of the default LLM-like GEMM M={m} K={k} N={n} "
        f"(seed {seed}), {operands}"
    )
    return _stimulus(parts, latency, per_cycle, operation, text)


def _stimulus(parts, latency, per_cycle, operation, text):
    """:class:`Stimulus` of streams ``parts``, each drained to the longest plus ``latency``."""
    active = [part.cycles for part in parts]
    # Cycle 0 is the reset; beats occupy cycles 1 .. active; the window is the steady state,
    # up to the shortest stream's last beat.
    window = (1 + latency, 1 + min(active))
    if window[0] >= window[1]:
        raise ValueError(
            f"{min(active)} beats per stream do not fill a pipeline of {latency} cycles"
        )
    longest = max(active)
    return Stimulus(
        tuple(
            after_reset(drained(part, longest - cycles + latency))
            for part, cycles in zip(parts, active, strict=True)
        ),
        window,
        per_cycle,
        operation,
        text,
    )
