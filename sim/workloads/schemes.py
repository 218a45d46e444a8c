"""Quantized GEMM schemes of the default comparison: QRazor SDR (A16/W8 bases) and W8A8 INT8.

Each scheme turns a float :class:`~sim.workload.Workload` into the integer operands a unit consumes
(the same operands the RTL sees) and rescales the integer result back to floats.
"""

from dataclasses import dataclass

import numpy as np

from sim.golden.formats import SdrConfig
from sim.golden.integer import int_matmul
from sim.golden.quant import absmax_quantize
from sim.golden.sdr import encode, sdr_matmul

__all__ = [
    "QRAZOR_A_BITS",
    "QRAZOR_W_BITS",
    "QuantizedGemm",
    "qrazor_gemm",
    "integer_gemm",
    "golden_product",
]

#: QRazor bases: activations INT16, weights INT8 (SPEC section 1).
QRAZOR_A_BITS = 16
QRAZOR_W_BITS = 8


@dataclass(frozen=True, eq=False)
class QuantizedGemm:
    """Integer operands of one GEMM and the per-row scales that map the result back to floats.

    ``a`` and ``w`` are int arrays or :class:`~sim.sdr.SdrTensor`; ``a_scale`` is ``[M, 1]`` (per
    token), ``w_scale`` ``[N, 1]`` (per output channel).
    """

    name: str
    a: object
    w: object
    a_scale: np.ndarray
    w_scale: np.ndarray
    a_bits_per_element: float
    w_bits_per_element: float

    def rescale(self, integer_result):
        """Float result of an integer product ``[M, N]`` of these operands."""
        return integer_result * self.a_scale * self.w_scale.T


def qrazor_gemm(
    workload, group=16, mag_bits=3, rounding="nearest", a_bits=QRAZOR_A_BITS, w_bits=QRAZOR_W_BITS
):
    """QRazor operands: absmax to the INT16/INT8 bases per token / per channel, then SDR."""
    qa, a_scale = absmax_quantize(workload.activations, a_bits, axis=-1)
    qw, w_scale = absmax_quantize(workload.weights, w_bits, axis=-1)
    a_cfg = SdrConfig(a_bits, mag_bits, group, rounding)
    w_cfg = SdrConfig(w_bits, mag_bits, group, rounding)
    return QuantizedGemm(
        f"QRazor SDR A{a_bits}/W{w_bits}->{a_cfg.code_bits}b G{group}",
        encode(qa, a_cfg),
        encode(qw, w_cfg),
        a_scale,
        w_scale,
        a_cfg.bits_per_element,
        w_cfg.bits_per_element,
    )


def integer_gemm(workload, a_bits=8, w_bits=8):
    """Plain integer operands, absmax per token and per output channel (W8A8 by default)."""
    qa, a_scale = absmax_quantize(workload.activations, a_bits, axis=-1)
    qw, w_scale = absmax_quantize(workload.weights, w_bits, axis=-1)
    return QuantizedGemm(f"W{w_bits}A{a_bits} absmax", qa, qw, a_scale, w_scale, a_bits, w_bits)


def golden_product(gemm, acc_bits=None):
    """Exact integer product of a scheme's operands (SDR or plain integers)."""
    if isinstance(gemm.a, np.ndarray):
        return int_matmul(gemm.a, gemm.w, acc_bits=acc_bits)
    return sdr_matmul(gemm.a, gemm.w, acc_bits=acc_bits)
