"""Sign-magnitude lane products of SDR codes: M x M unsigned multiply and a sign XOR."""

from amaranth import Module, Mux, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import stage

__all__ = ["SdrLaneProducts"]


class SdrLaneProducts(wiring.Component):
    """Per-lane signed product of two SDR codes, optionally registered.

    Never decodes a code to a wide integer: each lane multiplies the two M-bit magnitudes and
    negates the ``2M``-bit result when the signs differ.

    Parameters
    ----------
    lanes : int
    mag_bits : int
        M; codes are ``{sign, q}`` with ``q`` M bits wide.
    registered : bool
        A pipeline register after the multipliers (``LATENCY`` 1) or none (0).

    Attributes
    ----------
    a_code, w_code : In(ArrayLayout(unsigned(1+M), lanes))
    products : Out(ArrayLayout(signed(2M+1), lanes))
        ``(-1)**(sa^sw) * qa * qw``, ``LATENCY`` cycles after the codes.
    """

    def __init__(self, lanes, mag_bits, registered=True):
        self._lanes = lanes
        self._registered = registered
        self._mag_bits = mag_bits
        self.product_width = 2 * mag_bits + 1
        code = unsigned(1 + mag_bits)
        super().__init__(
            {
                "a_code": In(data.ArrayLayout(code, lanes)),
                "w_code": In(data.ArrayLayout(code, lanes)),
                "products": Out(data.ArrayLayout(signed(self.product_width), lanes)),
            }
        )

    @property
    def LATENCY(self):
        """1 with the register after the multipliers, else 0."""
        return int(self._registered)

    def elaborate(self, platform):
        m = Module()
        mag = self._mag_bits
        for lane in range(self._lanes):
            a, w = self.a_code[lane], self.w_code[lane]
            magnitude = a[:mag] * w[:mag]
            negative = a[mag] ^ w[mag]
            product = Mux(negative, -magnitude, magnitude)
            m.d.comb += self.products[lane].eq(
                stage(m, product, self._registered, f"product{lane}")
            )
        return m
