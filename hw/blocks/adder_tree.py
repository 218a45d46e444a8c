"""Pipelined binary adder tree: one block per level."""

from amaranth import Module, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import stage, tree_levels

__all__ = ["AdderTree", "TreeLevel"]


class TreeLevel(wiring.Component):
    """One level of an adder tree: ``count`` terms summed in pairs, optionally registered.

    Parameters
    ----------
    count : int
        Terms in (even).
    width, out_width : int
        Widths of the signed terms and of their pairwise sums (sums wrap at ``out_width``).
    registered : bool
        A pipeline register after the adders (``LATENCY`` 1) or none (0).

    Attributes
    ----------
    terms : In(ArrayLayout(signed(width), count))
    sums : Out(ArrayLayout(signed(out_width), count // 2))
        ``sums[i] = terms[2i] + terms[2i+1]``, ``LATENCY`` cycles later.
    """

    def __init__(self, count, width, out_width, registered):
        self._count = count
        self._out_width = out_width
        self._registered = registered
        super().__init__(
            {
                "terms": In(data.ArrayLayout(signed(width), count)),
                "sums": Out(data.ArrayLayout(signed(out_width), count // 2)),
            }
        )

    @property
    def LATENCY(self):
        """1 with the register after the adders, else 0."""
        return int(self._registered)

    def elaborate(self, platform):
        m = Module()
        for pair in range(self._count // 2):
            total = (self.terms[2 * pair] + self.terms[2 * pair + 1])[: self._out_width]
            m.d.comb += self.sums[pair].eq(
                stage(m, total.as_signed(), self._registered, f"sum{pair}")
            )
        return m


class AdderTree(wiring.Component):
    """Sum of ``count`` signed terms, with an optional register after each level.

    Each level (a :class:`TreeLevel` block, ``level1`` first) adds pairs and grows the width by
    one bit, up to ``max_width``: beyond it the sums wrap, which is exact modulo
    ``2**max_width`` (the accumulator's modulus).

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
        levels = tree_levels(count)
        registered = (True,) * levels if registered is None else tuple(registered)
        if len(registered) != levels:
            raise ValueError(
                f"registered must have one flag per level ({levels}), not {len(registered)}"
            )
        self.levels = []
        level_width = width
        for depth, flag in enumerate(registered):
            out_width = min(level_width + 1, max_width)
            self.levels.append(TreeLevel(count >> depth, level_width, out_width, flag))
            level_width = out_width
        self.out_width = level_width
        super().__init__(
            {
                "terms": In(data.ArrayLayout(signed(width), count)),
                "total": Out(signed(self.out_width)),
            }
        )

    @property
    def LATENCY(self):
        """Cycles from ``terms`` to ``total``: the number of registered levels."""
        return sum(level.LATENCY for level in self.levels)

    def elaborate(self, platform):
        m = Module()
        terms = self.terms
        for depth, level in enumerate(self.levels):
            m.submodules[f"level{depth + 1}"] = level
            m.d.comb += level.terms.eq(terms)
            terms = level.sums
        m.d.comb += self.total.eq(terms[0])
        return m
