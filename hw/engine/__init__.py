"""GEMM engines (SPEC section 10): columns of MACs sharing one activation stream."""

from hw.engine.int_engine import Int4Engine, Int8Engine, IntEngine
from hw.engine.sdr_engine import SdrEngine

__all__ = ["SdrEngine", "IntEngine", "Int8Engine", "Int4Engine"]
