"""``2**-t`` of ``int_softmax`` from a cubic in Horner form and a rounding shift."""

import numpy as np
from amaranth import Module, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import stage
from hw.rap.arith import bits_for, minimum, multiply, round_shift, round_shift_by, span, times
from hw.rap.step import step
from sim.golden.rap import fixed
from sim.golden.rap.softmax import EXP_FRACTION_BITS, POW2_COEFFICIENTS

__all__ = ["Pow2Negative", "HORNER_SPANS", "EXP_BITS"]


def _horner_spans():
    """``(min, max)`` of each Horner step of the golden's ``pow2_negative`` over every 16-bit
    fraction ``r``: the two accumulators and ``2**16 * 2**-r``."""
    one = 1 << EXP_FRACTION_BITS
    r = np.arange(one)
    c1, c2, c3 = POW2_COEFFICIENTS
    first = c2 + fixed.round_shift(c3 * r, EXP_FRACTION_BITS)
    second = c1 + fixed.round_shift(first * r, EXP_FRACTION_BITS)
    fraction = one + fixed.round_shift(second * r, EXP_FRACTION_BITS)
    return span(first), span(second), span(fraction)


#: Ranges of the Horner steps; they size the registers between them.
HORNER_SPANS = _horner_spans()
#: Width of an exponential (``2**16`` at ``t = 0``).
EXP_BITS = HORNER_SPANS[2][1].bit_length()
#: Right shifts from this one on round every fraction to 0 (so do the golden's, up to 32).
_ZERO_SHIFT = EXP_BITS + 1


class Pow2Negative(wiring.Component):
    """Per lane ``2**(16 - t / 2**16)``, rounded, exactly as the golden's ``pow2_negative``.

    ``k = t >> 16``, ``r`` the 16 fraction bits; ``acc = c2 + rs(c3 r)``, ``acc = c1 + rs(acc r)``,
    ``f = 2**16 + rs(acc r)`` (``rs``: rounding shift by 16), a register after each step, then
    ``round_shift(f, k)`` into a register (0 for ``k >= 18``, as the golden's 0 for ``k > 32``
    and its shifts of ``f < 2**17`` by 18 .. 32). ``LATENCY`` 4.

    Parameters
    ----------
    lanes : int
    t_bits : int
        Width of ``t``.

    Attributes
    ----------
    t : In(ArrayLayout(unsigned(t_bits), lanes))
    value : Out(ArrayLayout(unsigned(EXP_BITS), lanes))
        ``LATENCY`` cycles later.
    """

    def __init__(self, lanes, t_bits):
        self._lanes = lanes
        super().__init__(
            {
                "t": In(data.ArrayLayout(unsigned(t_bits), lanes)),
                "value": Out(data.ArrayLayout(unsigned(EXP_BITS), lanes)),
            }
        )

    @property
    def LATENCY(self):
        """Three Horner steps and the shift, a register after each."""
        return 4

    def elaborate(self, platform):
        m = Module()
        fraction = EXP_FRACTION_BITS
        c1, c2, c3 = POW2_COEFFICIENTS
        shapes = [bits_for(*s) for s in HORNER_SPANS]
        for lane in range(self._lanes):

            def reg(value, name, lane=lane):
                return stage(m, value, True, f"{name}_L{lane}")

            def steps(name, shape, function, *operands, lane=lane):
                return step(m, f"{name}_L{lane}", shape, function, *operands)

            t = self.t[lane]
            k, r = t[fraction:], t[:fraction]
            acc = steps(
                "horner1_products", shapes[0], lambda r: c2 + round_shift(times(r, c3), fraction), r
            )
            k, r = reg(k, "k1"), reg(r, "r1")
            acc = steps(
                "horner2_products",
                shapes[1],
                lambda a, r: c1 + round_shift(a * r, fraction),
                acc,
                r,
            )
            k, r = reg(k, "k2"), reg(r, "r2")
            f = steps(
                "horner3_products",
                shapes[2],
                lambda a, r: (1 << fraction) + round_shift(multiply(a, r), fraction),
                acc,
                r,
            )
            k = reg(minimum(k, _ZERO_SHIFT), "k3")
            value = steps("pow2_shifter", unsigned(EXP_BITS), round_shift_by, f, k)
            m.d.comb += self.value[lane].eq(value)
        return m
