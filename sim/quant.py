"""SPEC section 4's public name for stage 1: re-exports :mod:`sim.golden.quant`."""

from sim.golden.quant import absmax_quantize, dequantize, round_half_away

__all__ = ["absmax_quantize", "dequantize", "round_half_away"]
