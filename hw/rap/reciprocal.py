"""The reciprocal of a row's sum of exponentials (``int_softmax`` step 3): leading one, then
the golden's linear estimate and two multiply-only Newton steps, fully pipelined."""

import numpy as np
from amaranth import Module, Signal, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import delayed, stage
from hw.rap.arith import bit_length, bits_for, round_shift, round_shift_by, span, times
from hw.rap.step import step
from sim.golden.rap import fixed
from sim.golden.rap.fixed import RECIPROCAL_ONE, RECIPROCAL_SEED_INTERCEPT, RECIPROCAL_SEED_SLOPE

__all__ = ["Reciprocal", "NEWTON_STEPS", "MANTISSA_BITS"]

#: Newton steps of ``sim.rap.fixed.reciprocal`` (its loop count).
NEWTON_STEPS = 2
#: Bits of the normalised sum ``m`` (``2**15 <= m <= 2**16``: the rounding may carry).
MANTISSA_BITS = 17
_FRACTION = RECIPROCAL_ONE.bit_length() - 1


def _spans():
    """``(min, max)`` of the estimate and of each ``2 - s x`` and ``x`` over every normalised
    sum the golden's ``reciprocal`` can see (``m`` in ``[2**15, 2**16]``)."""
    s = np.arange(RECIPROCAL_ONE >> 1, RECIPROCAL_ONE + 1)
    x = RECIPROCAL_SEED_INTERCEPT - fixed.round_shift(RECIPROCAL_SEED_SLOPE * s, _FRACTION)
    estimates, corrections = [span(x)], []
    for _ in range(NEWTON_STEPS):
        correction = 2 * RECIPROCAL_ONE - fixed.round_shift(s * x, _FRACTION)
        x = fixed.round_shift(x * correction, _FRACTION)
        corrections.append(span(correction))
        estimates.append(span(x))
    return estimates, corrections


class Reciprocal(wiring.Component):
    """``reciprocal(round_shift(S, L - 16))`` and ``L = bit_length(S)`` of a finished sum ``S``.

    One register after each step: ``L``; ``m = round_shift(S, L - 16)``; the linear estimate
    ``x = A - rs(B m)``; per Newton step ``c = 2**17 - rs(m x)`` and ``x = rs(x c)`` (``rs``:
    rounding shift by 16). The last register (``inverse``, ``length``) loads only when a result
    arrives and holds it until the next, ``LATENCY`` cycles after ``start``. Fully pipelined: a
    new sum may start every cycle.

    Parameters
    ----------
    width : int
        Width of the unsigned sum ``S`` (at least 17: ``S >= 2**16``).

    Attributes
    ----------
    total : In(unsigned(width))
        ``S``, read on the ``start`` cycle.
    start : In(1)
    inverse : Out(unsigned(17))
        ``2**32 / m`` (16 fraction bits), held.
    length : Out(range(width + 1))
        ``bit_length(S)``, held with it.
    """

    def __init__(self, width):
        self._width = width
        self.estimate_spans, self.correction_spans = _spans()
        shape = bits_for(0, max(high for _, high in self.estimate_spans))
        super().__init__(
            {
                "total": In(unsigned(width)),
                "start": In(1),
                "inverse": Out(shape),
                "length": Out(range(width + 1)),
            }
        )

    @property
    def LATENCY(self):
        """Leading one, normalisation, estimate, two registers per Newton step."""
        return 3 + 2 * NEWTON_STEPS

    def elaborate(self, platform):
        m = Module()
        valid = delayed(m, self.start, self.LATENCY - 1, "valid")

        def reg(value, name):
            return stage(m, value, True, name)

        length_shape = unsigned(len(self.length))
        total = reg(self.total, "total1")
        length = step(m, "leading_one", length_shape, bit_length, self.total)
        mantissa = step(
            m,
            "normalise_shifter",
            unsigned(MANTISSA_BITS),
            lambda s, n: round_shift_by(s, (n - _FRACTION)[: len(n)]),
            total,
            length,
        )
        length = reg(length, "length2")
        x = step(
            m,
            "estimate_products",
            bits_for(*self.estimate_spans[0]),
            lambda s: (
                RECIPROCAL_SEED_INTERCEPT - round_shift(times(s, RECIPROCAL_SEED_SLOPE), _FRACTION)
            ),
            mantissa,
        )
        s, length = reg(mantissa, "mantissa3"), reg(length, "length3")
        for index in range(NEWTON_STEPS):
            correction = step(
                m,
                f"newton{index + 1}_products_a",
                bits_for(*self.correction_spans[index]),
                lambda s, x: 2 * RECIPROCAL_ONE - round_shift(s * x, _FRACTION),
                s,
                x,
            )
            x = reg(x, f"x{index + 1}")
            s, length = reg(s, f"mantissa{index + 1}a"), reg(length, f"length{index + 1}a")
            last = index == NEWTON_STEPS - 1
            x = step(
                m,
                f"newton{index + 1}_products_b",
                self.inverse.shape(),
                lambda x, c: round_shift(x * c, _FRACTION),
                x,
                correction,
                enable=valid if last else None,
            )
            if not last:
                s, length = reg(s, f"mantissa{index + 1}b"), reg(length, f"length{index + 1}b")
        held_length = Signal(len(length), reset_less=True)
        with m.If(valid):
            m.d.sync += held_length.eq(length)
        m.d.comb += [self.inverse.eq(x), self.length.eq(held_length)]
        return m
