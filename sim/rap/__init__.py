"""RAP (arXiv 2411.14733): the integer-only transformer kernels (SPEC section 8).

Between the embedding lookup and the pooled output every operation is integer: a fixed-point
tensor is ``(q, e)``, an integer array and an integer exponent (or one per row), meaning
``q * 2**e``. :func:`softmax_int`, :func:`gelu_int`, :func:`layernorm_int` and
:func:`requantize` use only add, multiply, shift, compare, leading ones and small tables.
:func:`pim_matmul` runs a matrix product on the AMS-PiM tile model (SPEC section 9).
"""

from sim.golden.rap.emsb import emsb_razor
from sim.golden.rap.gelu import gelu_int
from sim.golden.rap.layernorm import layernorm_int
from sim.golden.rap.requantize import dyadic, fit_shift, requantize, requantize_dyadic
from sim.golden.rap.softmax import softmax_int
from sim.golden.rap.softmax_vdr import softmax_vdr
from sim.system.rap.pim import PimConfig, PimResult, pim_matmul

__all__ = [
    "softmax_int",
    "softmax_vdr",
    "emsb_razor",
    "gelu_int",
    "layernorm_int",
    "requantize",
    "requantize_dyadic",
    "dyadic",
    "fit_shift",
    "PimConfig",
    "PimResult",
    "pim_matmul",
]
