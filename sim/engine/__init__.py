"""The GEMM engine level (SPEC section 10): how a GEMM is tiled onto an engine, and runs of it."""

from .tiling import Schedule, plan, tiled_beats

__all__ = ["Schedule", "plan", "tiled_beats"]
