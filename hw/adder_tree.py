"""Pipelined binary adder tree."""

from amaranth import Module, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from .pipeline import stage, tree_levels

__all__ = ["AdderTree"]


class AdderTree(wiring.Component):
    """Sum of ``count`` signed terms, with an optional register after each level.

    Each level adds pairs and grows the width by one bit, up to ``max_width``: beyond it the sums
    wrap, which is exact modulo ``2**max_width`` (the accumulator's modulus).

    Parameters
    ----------
    count : int
        Number of terms, a power of two. ``count == 1`` is a plain wire.
    width : int
        Width of each signed term.
    max_width : int
        Widest sum kept.
    registered : tuple of bool
        One flag per level (first level first): a pipeline register after that level or not.
        ``None`` registers every level.

    Attributes
    ----------
    terms : In(ArrayLayout(signed(width), count))
        Term ``i`` at bits ``[i*width +: width]``.
    total : Out(signed(out_width))
        Sum of the terms presented ``LATENCY`` cycles earlier.
    """

    def __init__(self, count, width, max_width, registered=None):
        self._count = count
        self._width = width
        self._registered = (True,) * tree_levels(count) if registered is None else tuple(registered)
        if len(self._registered) != tree_levels(count):
            raise ValueError(
                f"registered must have one flag per level ({tree_levels(count)}), "
                f"not {len(self._registered)}"
            )
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
        """Cycles from ``terms`` to ``total``: the number of registered levels."""
        return sum(self._registered)

    def elaborate(self, platform):
        m = Module()
        level = [self.terms[i] for i in range(self._count)]
        width = self._width
        for depth, registered in enumerate(self._registered):
            width = min(width + 1, self._max_width)
            level = [
                stage(
                    m,
                    (level[2 * pair] + level[2 * pair + 1])[:width].as_signed(),
                    registered,
                    f"level{depth + 1}_sum{pair}",
                )
                for pair in range(len(level) // 2)
            ]
        m.d.comb += self.total.eq(level[0])
        return m
