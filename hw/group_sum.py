"""Group partial sum: adds the beats of one SDR group before its single shift."""

from amaranth import Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["GroupSum"]


class GroupSum(wiring.Component):
    """Running sum of the beats of a group; the total is presented for one cycle at its end.

    Parameters
    ----------
    width : int
        Width of each beat's signed sum.
    beats : int
        Beats per group (GROUP / LANES). With one beat the block is a plain register.
    max_width : int
        Widest sum kept (wraps beyond, exact modulo ``2**max_width``).

    Attributes
    ----------
    in_valid : In(1)
        ``term`` is a beat; other cycles change nothing.
    in_end : In(1)
        This beat closes its group.
    term : In(signed(width))
    out_valid : Out(1)
        ``total`` holds a finished group (one cycle after its last beat).
    total : Out(signed(out_width))
    """

    def __init__(self, width, beats, max_width):
        self._beats = beats
        self.out_width = min(width + (beats - 1).bit_length(), max_width)
        super().__init__(
            {
                "in_valid": In(1),
                "in_end": In(1),
                "term": In(signed(width)),
                "out_valid": Out(1),
                "total": Out(signed(self.out_width)),
            }
        )

    @property
    def LATENCY(self):
        """One register: ``total`` is valid the cycle after the group's last beat."""
        return 1

    def elaborate(self, platform):
        m = Module()
        m.d.sync += self.out_valid.eq(self.in_valid & self.in_end)
        if self._beats == 1:
            m.d.sync += self.total.eq(self.term)
            return m
        fresh = Signal(init=1)  # the next beat starts a group
        with m.If(self.in_valid):
            m.d.sync += [
                self.total.eq(Mux(fresh, 0, self.total) + self.term),
                fresh.eq(self.in_end),
            ]
        return m
