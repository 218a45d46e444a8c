"""Golden layer: RAP's integer-only kernels (SPEC section 8) and their fixed-point helpers.

A fixed-point tensor is ``(q, e)``: an integer array and an integer exponent (or one per row),
meaning ``q * 2**e``. The constants the RTL (``hw.rap``) and the cycle models share with these
kernels are public here.
"""

from sim.golden.rap.emsb import emsb_razor
from sim.golden.rap.gelu import gelu_int
from sim.golden.rap.layernorm import layernorm_int
from sim.golden.rap.requantize import dyadic, fit_shift, requantize, requantize_dyadic
from sim.golden.rap.softmax import softmax_int
from sim.golden.rap.softmax_vdr import softmax_vdr

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
]
