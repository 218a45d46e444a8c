"""The one shift per SDR group: ``total << (a_flag + w_flag)``."""

from amaranth import Module, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["GroupShifter"]


class GroupShifter(wiring.Component):
    """Left shift of a group's partial sum by its flag sum, registered.

    Parameters
    ----------
    width : int
        Width of the signed partial sum.
    max_shift : int
        Largest shift, ``max_flag_a + max_flag_w``.
    max_width : int
        Widest result kept (the accumulator width).

    Attributes
    ----------
    total : In(signed(width))
    shift : In(unsigned(bit_length(max_shift)))
    shifted : Out(signed(out_width))
        ``total << shift``, one cycle later.
    """

    def __init__(self, width, max_shift, max_width):
        self.out_width = min(width + max_shift, max_width)
        super().__init__(
            {
                "total": In(signed(width)),
                "shift": In(unsigned(max_shift.bit_length())),
                "shifted": Out(signed(self.out_width)),
            }
        )

    @property
    def LATENCY(self):
        """One register after the barrel shifter."""
        return 1

    def elaborate(self, platform):
        m = Module()
        m.d.sync += self.shifted.eq(self.total << self.shift)
        return m
