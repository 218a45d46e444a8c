"""Group partial sum: adds the beats of one SDR group before its single shift."""

from amaranth import Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import stage

__all__ = ["GroupSum"]


class GroupSum(wiring.Component):
    """Running sum of the beats of a group; the total is presented for one cycle at its end.

    With several beats per group the running sum is state (a register, no reset: the ``fresh``
    bit, which resets, makes the next beat start a new group). With one beat per group the block
    is an optional pipeline register.

    Parameters
    ----------
    width : int
        Width of each beat's signed sum.
    beats : int
        Beats per group (GROUP / LANES). With one beat the block is a plain register.
    max_width : int
        Widest sum kept (wraps beyond, exact modulo ``2**max_width``).
    registered : bool
        With one beat per group: a register (``LATENCY`` 1) or a wire (0). Ignored otherwise.

    Attributes
    ----------
    in_valid : In(1)
        ``term`` is a beat; other cycles change nothing.
    in_end : In(1)
        This beat closes its group.
    term : In(signed(width))
    out_valid : Out(1)
        ``total`` holds a finished group, ``LATENCY`` cycles after its last beat.
    total : Out(signed(out_width))
    """

    def __init__(self, width, beats, max_width, registered=True):
        self._beats = beats
        self._registered = registered or beats > 1
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
        """1 when the sum is registered (always with several beats per group), else 0."""
        return int(self._registered)

    def elaborate(self, platform):
        m = Module()
        done = self.in_valid & self.in_end
        if self._beats == 1:
            m.d.comb += self.total.eq(stage(m, self.term, self._registered, "sum"))
            if self._registered:
                m.d.sync += self.out_valid.eq(done)
            else:
                m.d.comb += self.out_valid.eq(done)
            return m
        m.d.sync += self.out_valid.eq(done)
        total = Signal(signed(self.out_width), reset_less=True)
        fresh = Signal(init=1)  # the next beat starts a group
        with m.If(self.in_valid):
            m.d.sync += [
                total.eq(Mux(fresh, 0, total) + self.term),
                fresh.eq(self.in_end),
            ]
        m.d.comb += self.total.eq(total)
        return m
