"""Dot-product accumulator with two's-complement wrap."""

from amaranth import Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["Accumulator"]


class Accumulator(wiring.Component):
    """``acc_bits``-wide accumulator; restarts after each ``in_last``.

    ``out`` is the accumulator register itself: it holds the finished dot product during the
    cycle ``out_valid`` is high and starts the next one when the next term arrives.

    Parameters
    ----------
    width : int
        Width of each signed term.
    acc_bits : int
        Accumulator width; sums wrap modulo ``2**acc_bits``.

    Attributes
    ----------
    in_valid : In(1)
    in_last : In(1)
        ``term`` is the last of its dot product.
    term : In(signed(width))
    out_valid : Out(1)
        ``out`` holds a finished dot product (one cycle after its last term).
    out : Out(signed(acc_bits))
    """

    def __init__(self, width, acc_bits):
        super().__init__(
            {
                "in_valid": In(1),
                "in_last": In(1),
                "term": In(signed(width)),
                "out_valid": Out(1),
                "out": Out(signed(acc_bits)),
            }
        )

    @property
    def LATENCY(self):
        """One register: the accumulator."""
        return 1

    def elaborate(self, platform):
        m = Module()
        fresh = Signal(init=1)  # the next term starts a dot product
        m.d.sync += self.out_valid.eq(self.in_valid & self.in_last)
        with m.If(self.in_valid):
            m.d.sync += [
                self.out.eq(Mux(fresh, 0, self.out) + self.term),
                fresh.eq(self.in_last),
            ]
        return m
