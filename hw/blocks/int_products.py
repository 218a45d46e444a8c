"""Per-lane two's-complement products: the conventional multiplier array."""

from amaranth import Module, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import stage

__all__ = ["IntLaneProducts"]


class IntLaneProducts(wiring.Component):
    """Per-lane signed ``a_width`` x ``w_width`` product, optionally registered.

    Parameters
    ----------
    lanes : int
    a_width, w_width : int
        Operand widths (two's complement).
    registered : bool
        A pipeline register after the multipliers (``LATENCY`` 1) or none (0).

    Attributes
    ----------
    a : In(ArrayLayout(signed(a_width), lanes))
    w : In(ArrayLayout(signed(w_width), lanes))
    products : Out(ArrayLayout(signed(a_width + w_width), lanes))
        ``a[i] * w[i]``, ``LATENCY`` cycles after the operands.
    """

    def __init__(self, lanes, a_width, w_width, registered=True):
        self._lanes = lanes
        self._registered = registered
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
        """1 with the register after the multipliers, else 0."""
        return int(self._registered)

    def elaborate(self, platform):
        m = Module()
        for lane in range(self._lanes):
            product = self.a[lane] * self.w[lane]
            m.d.comb += self.products[lane].eq(
                stage(m, product, self._registered, f"product{lane}")
            )
        return m
