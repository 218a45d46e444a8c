"""Pass counting of the RAP row units: which pass of its row a beat belongs to."""

from amaranth import Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["RowPasses", "row_exponent"]


class RowPasses(wiring.Component):
    """The pass (0 .. passes-1) of the current beat and whether it is a pass's first beat.

    The producer streams each row ``passes`` times back to back, ``in_last`` on the last beat of
    every pass; the count advances on each valid ``in_last`` beat and wraps after the last pass,
    so the next beat starts the next row. A reset returns to the first beat of pass 0.
    ``in_valid=0`` beats change nothing. The outputs describe the beat on the inputs now (they
    come from the two state registers, combinationally).

    Parameters
    ----------
    passes : int
        Passes per row.

    Attributes
    ----------
    in_valid, in_last : In(1)
    index : Out(range(passes))
        The beat's pass.
    first : Out(1)
        The beat is the first of its pass.
    """

    def __init__(self, passes):
        self._passes = passes
        super().__init__(
            {
                "in_valid": In(1),
                "in_last": In(1),
                "index": Out(range(passes)),
                "first": Out(1),
            }
        )

    @property
    def LATENCY(self):
        """0: the outputs describe the current beat."""
        return 0

    def elaborate(self, platform):
        m = Module()
        index = Signal(range(self._passes))
        first = Signal(init=1)
        with m.If(self.in_valid):
            m.d.sync += first.eq(self.in_last)
            with m.If(self.in_last):
                if self._passes > 1:
                    m.d.sync += index.eq(Mux(index == self._passes - 1, 0, index + 1))
        m.d.comb += [self.index.eq(index), self.first.eq(first)]
        return m


def row_exponent(m, passes, valid, e):
    """The row's exponent on every beat: ``e`` sampled on the row's first beat (the first beat
    of pass 0 of ``passes``, a :class:`RowPasses`) and held, in a register of ``m``, for the
    row's other beats."""
    held = Signal(signed(len(e)), name="held_e", reset_less=True)
    row_start = valid & passes.first & (passes.index == 0)
    with m.If(row_start):
        m.d.sync += held.eq(e)
    return Mux(row_start, e, held)
