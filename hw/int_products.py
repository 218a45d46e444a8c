"""Per-lane two's-complement products: the conventional multiplier array."""

from amaranth import Module, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

__all__ = ["IntLaneProducts"]


class IntLaneProducts(wiring.Component):
    """Per-lane signed ``a_width`` x ``w_width`` product, registered.

    Parameters
    ----------
    lanes : int
    a_width, w_width : int
        Operand widths (two's complement).

    Attributes
    ----------
    a : In(ArrayLayout(signed(a_width), lanes))
    w : In(ArrayLayout(signed(w_width), lanes))
    products : Out(ArrayLayout(signed(a_width + w_width), lanes))
        ``a[i] * w[i]``, one cycle after the operands.
    """

    def __init__(self, lanes, a_width, w_width):
        self._lanes = lanes
        self.product_width = a_width + w_width
        super().__init__(
            {
                "a": In(data.ArrayLayout(signed(a_width), lanes)),
                "w": In(data.ArrayLayout(signed(w_width), lanes)),
                "products": Out(data.ArrayLayout(signed(self.product_width), lanes)),
            }
        )

    @property
    def LATENCY(self):
        """One register after the multipliers."""
        return 1

    def elaborate(self, platform):
        m = Module()
        for lane in range(self._lanes):
            m.d.sync += self.products[lane].eq(self.a[lane] * self.w[lane])
        return m
