"""One quantized GEMM per scheme, computed as the hardware would, and its error figures.

Integer formats are multiplied with integer arithmetic: QRazor with the decompression-free
``sdr_matmul``, W8A8/W8A16 with ``int_matmul`` (both exact, through :mod:`sim.schemes`), the
block formats with :func:`~sim.accuracy.blocks.block_matmul` (exact integer group sums). Only
the final per-row or per-group rescaling is floating point.
"""

import numpy as np

from sim.studies.accuracy.blocks import block_matmul, mx_quantize, rtn_quantize
from sim.studies.accuracy.formats import Scheme
from sim.workloads.llm_gemm import Workload
from sim.workloads.metrics import max_relative_error, sqnr_db
from sim.workloads.schemes import golden_product, integer_gemm, qrazor_gemm

__all__ = ["scheme_product", "relative_error", "gemm_errors"]


def _block_operand(scheme, x):
    """One operand of a block-format scheme: RTN INT4 or OCP MX, per group along K."""
    if scheme.family == "rtn-int4":
        return rtn_quantize(x, scheme.group)
    return mx_quantize(x, scheme.group, scheme.element)


def scheme_product(scheme, activations, weights):
    """``activations @ weights.T`` with both operands quantized by ``scheme``.

    Parameters
    ----------
    scheme : Scheme
    activations : ndarray, ``[tokens, K]``
    weights : ndarray, ``[N, K]``

    Returns
    -------
    ndarray of float64, ``[tokens, N]``
    """
    if not isinstance(scheme, Scheme):
        raise ValueError(f"scheme must be a Scheme, not {type(scheme).__name__}")
    if scheme.family in ("qrazor", "w8a8", "w8a16"):
        workload = Workload(activations, weights, seed=0)  # sim.schemes reads only the operands
        if scheme.family == "qrazor":
            gemm = qrazor_gemm(
                workload,
                scheme.group,
                scheme.mag_bits,
                scheme.rounding,
                scheme.a_bits,
                scheme.w_bits,
            )
        else:
            gemm = integer_gemm(workload, scheme.a_bits, scheme.w_bits)
        return gemm.rescale(golden_product(gemm))
    return block_matmul(_block_operand(scheme, activations), _block_operand(scheme, weights))


def relative_error(reference, approx):
    """Relative Frobenius error ``||approx - reference||_F / ||reference||_F``.

    For one GEMM it equals ``10**(-SQNR/20)``; averaged over layers it weighs layers differently
    from the mean SQNR in dB. ``inf`` for a zero reference with a non-zero error, 0 if both are
    zero.
    """
    reference = np.asarray(reference, np.float64)
    error = np.linalg.norm(np.asarray(approx, np.float64) - reference)
    norm = np.linalg.norm(reference)
    if norm == 0:
        return 0.0 if error == 0 else float("inf")
    return float(error / norm)


def gemm_errors(reference, approx):
    """``{"sqnr_db", "rel_error", "max_rel_error"}`` of ``approx`` against ``reference``.

    ``max_rel_error`` is the largest absolute error over the largest reference magnitude
    (:func:`sim.metrics.max_relative_error`).
    """
    return {
        "sqnr_db": sqnr_db(reference, approx),
        "rel_error": relative_error(reference, approx),
        "max_rel_error": max_relative_error(reference, approx),
    }
