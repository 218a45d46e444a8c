"""Pipelined maximum of a beat's lanes (``int_softmax`` pass 1)."""

from amaranth import Module, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import stage, tree_levels
from hw.rap.arith import maximum

__all__ = ["MaxTree"]


class MaxTree(wiring.Component):
    """The largest of ``lanes`` signed values: a binary tree of comparators, a register after
    each level (``LATENCY`` = log2(lanes); one lane is a wire).

    Parameters
    ----------
    lanes : int
        A power of two.
    width : int
        Width of the signed values.

    Attributes
    ----------
    terms : In(ArrayLayout(signed(width), lanes))
    largest : Out(signed(width))
        ``max(terms)``, ``LATENCY`` cycles later.
    """

    def __init__(self, lanes, width):
        self._lanes = lanes
        super().__init__(
            {
                "terms": In(data.ArrayLayout(signed(width), lanes)),
                "largest": Out(signed(width)),
            }
        )

    @property
    def LATENCY(self):
        """One register per comparator level."""
        return tree_levels(self._lanes)

    def elaborate(self, platform):
        m = Module()
        values = [self.terms[lane] for lane in range(self._lanes)]
        for level in range(self.LATENCY):
            values = [
                stage(m, maximum(values[2 * i], values[2 * i + 1]), True, f"max{level + 1}_{i}")
                for i in range(len(values) // 2)
            ]
        m.d.comb += self.largest.eq(values[0])
        return m
