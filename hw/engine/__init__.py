"""GEMM engines (SPEC section 10): columns of MACs sharing one activation stream."""

from hw.engine.int8_engine import Int8Engine
from hw.engine.sdr_engine import SdrEngine

__all__ = ["SdrEngine", "Int8Engine"]
