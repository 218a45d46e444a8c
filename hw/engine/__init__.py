"""GEMM engines (SPEC section 10): columns of MACs sharing one activation stream."""

from .int8_engine import Int8Engine
from .sdr_engine import SdrEngine

__all__ = ["SdrEngine", "Int8Engine"]
