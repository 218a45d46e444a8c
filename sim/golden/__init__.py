"""Layer 0, golden: the bit-exact numerics everything else is checked against (pure NumPy).

SPEC sections 1-4 (:mod:`.quant`, :mod:`.sdr` and its encoder, bitstream and tensor, the
integer dot products of :mod:`.integer`) and 8-9 (RAP's fixed-point kernels, :mod:`.rap`).
Imports nothing of the project but :mod:`sim.util`. ``sim.golden.int_matmul`` is the public
name of SPEC section 4.
"""

from sim.golden.integer import (
    FLOAT64_EXACT,
    check_acc_bits,
    exact_matmul,
    group_scaled_matmul,
    int_matmul,
    wrap_signed,
)

__all__ = [
    "int_matmul",
    "wrap_signed",
    "check_acc_bits",
    "exact_matmul",
    "group_scaled_matmul",
    "FLOAT64_EXACT",
]
