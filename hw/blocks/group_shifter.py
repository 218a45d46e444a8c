"""The one shift per SDR group: ``total << (a_flag + w_flag)``."""

from amaranth import Module, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import stage

__all__ = ["GroupShifter"]


class GroupShifter(wiring.Component):
    """Left shift of a group's partial sum by its flag sum, optionally registered.

    Parameters
    ----------
    width : int
        Width of the signed partial sum.
    max_shift : int
        Largest shift, ``max_flag_a + max_flag_w``.
    max_width : int
        Widest result kept (the accumulator width).
    registered : bool
        A pipeline register after the shifter (``LATENCY`` 1) or none (0).

    Attributes
    ----------
    total : In(signed(width))
    shift : In(unsigned(bit_length(max_shift)))
    shifted : Out(signed(out_width))
        ``total << shift``, ``LATENCY`` cycles later.
    """

    def __init__(self, width, max_shift, max_width, registered=True):
        self._registered = registered
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
        """1 with the register after the barrel shifter, else 0."""
        return int(self._registered)

    def elaborate(self, platform):
        m = Module()
        shifted = (self.total << self.shift)[: self.out_width].as_signed()
        m.d.comb += self.shifted.eq(stage(m, shifted, self._registered, "shifted"))
        return m
