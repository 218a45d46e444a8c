"""Base-2 exponents of ``int_softmax``: ``t = (max - q) * C * 2**(e - 4)``, rounded, capped."""

from amaranth import Module, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import stage
from hw.rap.arith import clamp, minimum, odd_part, round_shift_by
from hw.rap.step import step
from sim.golden.rap.softmax import EXP_FRACTION_BITS, LOG2E_FRACTION_BITS, MAX_BASE2_EXPONENT

__all__ = ["Log2eExponents"]

#: Left shift that saturates every nonzero product (``2**LEFT > MAX_BASE2_EXPONENT``).
LEFT = MAX_BASE2_EXPONENT.bit_length()
#: Width of ``t`` (at most ``MAX_BASE2_EXPONENT``).
T_BITS = MAX_BASE2_EXPONENT.bit_length()


class Log2eExponents(wiring.Component):
    """Per lane ``t = min(product * 2**(e - 4), MAX_BASE2_EXPONENT)`` with ``product = d * C``, as
    the golden's ``base2_exponent`` rounds it, ``LATENCY`` 2 (a register after the multipliers,
    one after the shifter).

    The golden shifts right by ``s = 4 - e`` (clipped to 62, rounding) or, for ``s < 0``, left by
    ``min(-s, 40)`` with saturation at ``MAX_T``. Both are one rounding right shift of
    ``product << LEFT`` by ``clamp(s, -LEFT, min(62, P + 1)) + LEFT``: the appended zeros make the
    left shifts exact, a left shift by ``LEFT`` already saturates any nonzero product, and a
    right shift past the product's ``P`` bits gives 0 as the golden's does.

    Parameters
    ----------
    lanes : int
    width : int
        Width of the unsigned distances ``d = max - q``.
    multiplier : int
        ``C = round(scale * log2(e) * 2**20)`` (``sim.golden.rap.softmax.log2e_multiplier``).

    Attributes
    ----------
    d : In(ArrayLayout(unsigned(width), lanes))
    e : In(signed(8))
        The row's exponent, beside the beat.
    t : Out(ArrayLayout(unsigned(T_BITS), lanes))
        16 fraction bits, ``LATENCY`` cycles later.
    """

    def __init__(self, lanes, width, multiplier):
        self._lanes, self._multiplier = lanes, multiplier
        self._product_bits = width + multiplier.bit_length()
        super().__init__(
            {
                "d": In(data.ArrayLayout(unsigned(width), lanes)),
                "e": In(signed(8)),
                "t": Out(data.ArrayLayout(unsigned(T_BITS), lanes)),
            }
        )

    @property
    def LATENCY(self):
        """The multiplier register and the shifter register."""
        return 2

    def elaborate(self, platform):
        m = Module()
        shift = LOG2E_FRACTION_BITS - EXP_FRACTION_BITS - self.e
        right = min(62, self._product_bits + 1)
        amount = clamp(shift, -LEFT, right) + LEFT
        amount = stage(m, amount.as_unsigned()[: (right + LEFT).bit_length()], True, "amount")
        odd, zeros = odd_part(self._multiplier)
        product_shape = unsigned(self._product_bits - zeros)
        for lane in range(self._lanes):
            product = step(
                m, f"log2e_products_L{lane}", product_shape, lambda d: d * odd, self.d[lane]
            )
            t = step(
                m,
                f"exp_shifter_L{lane}",
                unsigned(T_BITS),
                lambda p, a: minimum(round_shift_by(p << (LEFT + zeros), a), MAX_BASE2_EXPONENT),
                product,
                amount,
            )
            m.d.comb += self.t[lane].eq(t)
        return m
