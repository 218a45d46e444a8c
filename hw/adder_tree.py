"""Pipelined binary adder tree."""

from amaranth import Module, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from .pipeline import tree_levels

__all__ = ["AdderTree"]


class AdderTree(wiring.Component):
    """Sum of ``count`` signed terms, one register after every level.

    Each level adds pairs and grows the width by one bit, up to ``max_width``: beyond it the sums
    wrap, which is exact modulo ``2**max_width`` (the accumulator's modulus).

    Parameters
    ----------
    count : int
        Number of terms, a power of two. ``count == 1`` is a plain wire (no register).
    width : int
        Width of each signed term.
    max_width : int
        Widest sum kept.

    Attributes
    ----------
    terms : In(ArrayLayout(signed(width), count))
        Term ``i`` at bits ``[i*width +: width]``.
    total : Out(signed(out_width))
        Sum of the terms presented ``LATENCY`` cycles earlier.
    """

    def __init__(self, count, width, max_width):
        self._count = count
        self._width = width
        self.out_width = min(width + tree_levels(count), max_width)
        self._max_width = max_width
        super().__init__(
            {
                "terms": In(data.ArrayLayout(signed(width), count)),
                "total": Out(signed(self.out_width)),
            }
        )

    @property
    def LATENCY(self):
        """Cycles from ``terms`` to ``total``: one per level, ``log2(count)``."""
        return tree_levels(self._count)

    def elaborate(self, platform):
        m = Module()
        level = [self.terms[i] for i in range(self._count)]
        width = self._width
        for depth in range(self.LATENCY):
            width = min(width + 1, self._max_width)
            sums = []
            for pair in range(len(level) // 2):
                total = Signal(signed(width), name=f"level{depth + 1}_sum{pair}")
                m.d.sync += total.eq(level[2 * pair] + level[2 * pair + 1])
                sums.append(total)
            level = sums
        m.d.comb += self.total.eq(level[0])
        return m
