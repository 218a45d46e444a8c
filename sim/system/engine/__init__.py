"""The GEMM engine level (SPEC section 10): how a GEMM is tiled onto an engine, and runs of it."""

from sim.system.engine.tiling import Schedule, plan

__all__ = ["Schedule", "plan"]
