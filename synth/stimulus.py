"""Per-cycle input streams of the default workload, for gate-level activity.

Every unit works on the same slice of the default LLM-like GEMM (:func:`sim.workload.llm_workload`):
dot products ``i = 0 .. D-1`` pair token ``i mod M`` with output channel ``i mod N`` (each a
full K-long row), so that every LANES setting and every unit sees the same operands.
``sdr_mac`` and ``decompress_mac`` get the QRazor SDR operands (:func:`sim.schemes.qrazor_gemm`),
``int8_mac`` the W8A8 operands of the same GEMM (:func:`sim.schemes.integer_gemm`), and
``sdr_encoder`` razors the same tokens' INT16 activations, one group per cycle. Every stream
starts with one reset cycle and ends with ``LATENCY`` idle cycles, so that the last result leaves
the pipeline. Gate-level simulation costs tens of milliseconds per cycle for the larger units,
hence the small default.
"""

from dataclasses import dataclass

import numpy as np

from sim.formats import SdrConfig, check_int
from sim.golden import int_matmul
from sim.quant import absmax_quantize
from sim.schemes import integer_gemm, qrazor_gemm
from sim.sdr import SdrTensor, encode, sdr_matmul
from sim.streams import MacBeats, drained, encoder_beats, int_mac_beats, sdr_mac_beats
from sim.workload import DEFAULT_SHAPE, llm_workload

__all__ = ["DEFAULT_DOT_PRODUCTS", "Stimulus", "workload_stimulus"]

#: Default number of dot products (K = 512 each: 2048 MACs) every unit computes.
DEFAULT_DOT_PRODUCTS = 4


@dataclass(frozen=True, eq=False)
class Stimulus:
    """A stream with a leading reset cycle, its expected results and what it computes.

    ``operations`` counts the unit's work in the stream: multiply-accumulates for a MAC (valid
    beats x LANES), elements razored for the encoder.
    """

    beats: MacBeats
    operations: int
    operation: str
    workload: str


def _rows(tensor, rows):
    if isinstance(tensor, SdrTensor):
        return SdrTensor(tensor.sign[rows], tensor.mag[rows], tensor.flag[rows], tensor.config)
    return tensor[rows]


def _with_reset(beats):
    """``beats`` after one cycle that holds ``rst`` with every input at zero."""
    stream = {
        port: np.concatenate([np.zeros((1,) + values.shape[1:], np.int64), values])
        for port, values in beats.stream.items()
    }
    stream["rst"] = np.zeros(len(stream["in_valid"]), np.int64)
    stream["rst"][0] = 1
    return MacBeats(stream, beats.expected)


def _mac_beats(design, parameters, workload, count):
    lanes = parameters["LANES"]
    m, k, n = workload.shape
    rows, columns = np.arange(count) % m, np.arange(count) % n
    if design == "int8_mac":
        gemm = integer_gemm(workload)
        full = int_matmul(gemm.a, gemm.w, acc_bits=parameters["ACC_BITS"])
        stream = int_mac_beats(gemm.a[rows], gemm.w[columns], lanes, full[rows, columns], "zip")
    else:
        gemm = qrazor_gemm(
            workload,
            parameters["GROUP"],
            parameters["MAG_BITS"],
            a_bits=parameters["A_BITS"],
            w_bits=parameters["W_BITS"],
        )
        full = sdr_matmul(gemm.a, gemm.w, acc_bits=parameters["ACC_BITS"])
        stream = sdr_mac_beats(
            _rows(gemm.a, rows), _rows(gemm.w, columns), lanes, full[rows, columns], "zip"
        )
    text = (
        f"{count} dot products (K={k}) of {gemm.name} operands: token i mod {m} with output "
        f"channel i mod {n} of the default LLM-like GEMM M={m} K={k} N={n}, "
        f"seed {workload.seed}"
    )
    return stream, int(stream.stream["in_valid"].sum()) * lanes, "MAC", text


def _encoder_beats(parameters, workload, count):
    group, bits = parameters["GROUP"], parameters["BASE_BITS"]
    m, k, _ = workload.shape
    q, _ = absmax_quantize(workload.activations, bits, axis=-1)
    x = q[np.arange(count) % m].reshape(-1, group)
    golden = encode(x, SdrConfig(bits, parameters["MAG_BITS"], group, parameters["ROUNDING"]))
    text = (
        f"{len(x)} groups of {group} INT{bits} activations (absmax per token) of tokens "
        f"i mod {m}, i < {count}, of the default LLM-like GEMM M={m} K={k}, "
        f"seed {workload.seed}"
    )
    return encoder_beats(x, golden.code, golden.flag), len(x) * group, "element", text


def workload_stimulus(design, parameters, latency, dot_products=DEFAULT_DOT_PRODUCTS, seed=0):
    """:class:`Stimulus` of ``dot_products`` rows of the default workload for unit ``design``.

    ``parameters`` are the unit's SPEC-named parameters; ``latency`` its LATENCY (idle cycles
    appended to drain the pipeline).
    """
    check_int("dot_products", dot_products, 1)
    workload = llm_workload(*DEFAULT_SHAPE, seed=seed, group=parameters.get("GROUP", 16))
    if design == "sdr_encoder":
        stream, operations, operation, text = _encoder_beats(parameters, workload, dot_products)
    else:
        stream, operations, operation, text = _mac_beats(design, parameters, workload, dot_products)
    return Stimulus(_with_reset(drained(stream, latency)), operations, operation, text)
