"""RAP (arXiv 2411.14733): the integer-only transformer kernels (SPEC section 8).

Between the embedding lookup and the pooled output every operation is integer: a fixed-point
tensor is ``(q, e)``, an integer array and an integer exponent (or one per row), meaning
``q * 2**e``. :func:`softmax_int`, :func:`gelu_int`, :func:`layernorm_int` and
:func:`requantize` use only add, multiply, shift, compare, leading ones and small tables.
:func:`pim_matmul` runs a matrix product on the AMS-PiM tile model (SPEC section 9).
"""

from sim.golden.rap import *  # noqa: F403 (the kernels, SPEC section 8)
from sim.golden.rap import __all__ as KERNELS
from sim.system.rap.pim import PimConfig, PimResult, pim_matmul

__all__ = [*KERNELS, "PimConfig", "PimResult", "pim_matmul"]
