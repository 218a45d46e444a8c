"""A row's inverse standard deviation (``int_layernorm`` steps 2 and 3): the exact variance
``d s2 - s1**2 + eps``, its leading one, the golden's table and two Newton steps, pipelined."""

import numpy as np
from amaranth import Array, Const, Module, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import delayed, stage
from hw.rap.arith import (
    bit_length,
    bits_for,
    maximum,
    minimum,
    odd_part,
    round_shift,
    round_shift_by,
    span,
)
from hw.rap.step import step
from sim.golden.rap import fixed
from sim.golden.rap.fixed import INVERSE_SQRT_ONE, INVERSE_SQRT_SEED_TABLE
from sim.golden.rap.layernorm import IN_BITS, OUT_FRACTION_BITS, eps_mantissa_exponent

__all__ = ["InverseSqrt", "NEWTON_STEPS", "eps_terms"]

#: Newton steps of ``sim.rap.fixed.inverse_sqrt`` (its loop count).
NEWTON_STEPS = 2
_FRACTION = INVERSE_SQRT_ONE.bit_length() - 1
#: Fraction bits below the table index of ``inverse_sqrt`` (``m >> 12``).
_INDEX_SHIFT = 12
#: Smallest table index the golden uses (``clip(m >> 12, 4, 15)``).
_FIRST_INDEX = 4
#: ``v`` is normalised to ``m`` in ``[2**14, 2**16)``: the most negative shift ``2 half - 16`` is
#: ``-LEFT`` (``half >= 1``), so ``v << LEFT`` is shifted right by ``2 half - 2 >= 0``.
LEFT = _FRACTION - 2


def eps_terms(eps, d):
    """``eps`` in the units of ``d**2`` times the variance, for every 8-bit exponent ``e``:
    the golden's ``round_shift(M d**2, clip(2e - E, -20, 62))`` (index ``e & 0xff``)."""
    mantissa, exponent = eps_mantissa_exponent(eps)
    e = np.arange(256)
    e = np.where(e >= 128, e - 256, e)
    shift = np.clip(2 * e - exponent, -20, 62)
    return fixed.round_shift(np.full(256, mantissa * d * d, np.int64), shift)


def _newton_spans():
    """``(min, max)`` of ``rs(r r)``, of ``3 - m rs(r r)`` and of ``r`` per step, over every
    ``m`` the golden's ``inverse_sqrt`` sees (``[2**14, 2**16)``)."""
    m = np.arange(INVERSE_SQRT_ONE >> 2, INVERSE_SQRT_ONE)
    r = INVERSE_SQRT_SEED_TABLE[np.clip(m >> _INDEX_SHIFT, _FIRST_INDEX, 15)]
    spans = [span(r)]
    for _ in range(NEWTON_STEPS):
        square = fixed.round_shift(r * r, _FRACTION)
        correction = 3 * INVERSE_SQRT_ONE - fixed.round_shift(m * square, _FRACTION)
        r = fixed.round_shift(r * correction, _FRACTION + 1)
        spans += [span(square), span(correction), span(r)]
    return spans


class InverseSqrt(wiring.Component):
    """``r = inverse_sqrt(m)`` and ``shift = half + 4`` of a row's sums, as ``layernorm_int``:

    ``v = max(d s2 - s1**2 + eps_term(e), 1)``, ``half = (bit_length(v) + 1) >> 1``,
    ``m = min(round_shift(v, 2 half - 16), 2**16 - 1)``, the table entry of ``m >> 12`` and its
    square (one table, built from the golden's), then per Newton step
    ``r = rs17(r (3 - rs(m rs(r r))))``; so that ``r * 2**-shift ~ 2**12 / sqrt(v)``.
    ``eps_term`` is a table over the 8-bit exponent (:func:`eps_terms`).

    One register after each step; fully pipelined. ``s1`` travels beside. The results are held
    from their arrival until the next: ``s1_held`` ``LATENCY - 1`` cycles after ``start``,
    ``r`` and ``shift`` ``LATENCY`` cycles after it.

    Parameters
    ----------
    d : int
        Row length; with the golden's 16-bit inputs it sets ``s1_bits`` (signed) and
        ``s2_bits`` (unsigned), the widths of the sums.
    eps : float

    Attributes
    ----------
    s1 : In(signed(s1_bits))
    s2 : In(unsigned(s2_bits))
    e : In(signed(8))
    start : In(1)
        The sums are final (read on this cycle).
    s1_held : Out(signed(s1_bits))
    r : Out(unsigned(17))
        16 fraction bits.
    shift : Out(unsigned(6))
    """

    def __init__(self, d, eps):
        self._d = d
        self._eps = eps_terms(eps, d)
        self._spans = _newton_spans()
        low = -(1 << (IN_BITS - 1))
        self.s1_bits = (d * low).bit_length() + 1  # |s1| <= d 2**15
        self.s2_bits = (d * low * low).bit_length()
        self.v_bits = (d * d * low * low + int(self._eps.max())).bit_length()  # v <= d s2 + eps
        super().__init__(
            {
                "s1": In(signed(self.s1_bits)),
                "s2": In(unsigned(self.s2_bits)),
                "e": In(signed(8)),
                "start": In(1),
                "s1_held": Out(signed(self.s1_bits)),
                "r": Out(bits_for(*self._spans[-1])),
                "shift": Out(unsigned(6)),
            }
        )

    @property
    def LATENCY(self):
        """Products, variance, leading one, normalisation, table step, then Newton."""
        return 4 + 3 * NEWTON_STEPS - 1

    def _table(self):
        """Per index of ``m >> 12``: the golden's table entry (its clip included) and
        ``rs(entry**2)``."""
        entries = [int(INVERSE_SQRT_SEED_TABLE[max(i, _FIRST_INDEX)]) for i in range(16)]
        squares = [int(fixed.round_shift(np.int64(r * r), _FRACTION)) for r in entries]
        return entries, squares

    def elaborate(self, platform):
        m = Module()
        latency = self.LATENCY
        valid = delayed(m, self.start, latency - 1, "valid")
        s1_ready = delayed(m, self.start, latency - 2, "s1_valid")
        shapes = [bits_for(*s) for s in self._spans]

        def reg(value, name):
            return stage(m, value, True, name)

        s1_bits = len(self.s1)
        square = step(
            m,
            "variance_products_a",
            unsigned(2 * s1_bits - 1),
            lambda s: abs(s) * abs(s),
            self.s1,
        )
        odd, zeros = odd_part(self._d)
        scaled_shape = unsigned(self.s2_bits + odd.bit_length())
        scaled = step(m, "variance_products_b", scaled_shape, lambda s: s * odd, self.s2)
        eps_shape = bits_for(0, int(self._eps.max()))
        eps = Array(Const(int(value), eps_shape) for value in self._eps)
        # The index as an unsigned wire of its own: indexed with the signed port (as_unsigned or
        # not), the export reads the table as ``rom[e]`` with ``e`` signed, which a simulator
        # that follows the standard (Icarus) reads as X for every e < 0.
        index = Signal(len(self.e), name="eps_index")
        m.d.comb += index.eq(self.e.as_unsigned())
        eps = reg(eps[index], "eps")
        v = step(
            m,
            "variance",
            unsigned(self.v_bits),
            lambda scaled, square, eps: maximum((scaled << zeros) - square + eps, 1),
            scaled,
            square,
            eps,
        )
        half = step(m, "leading_one", unsigned(6), lambda v: (bit_length(v) + 1) >> 1, v)
        v = reg(v, "v2")

        def normalised(v, half):
            amount = ((half << 1) - 2)[: len(half) + 1]
            return minimum(round_shift_by(v << LEFT, amount), INVERSE_SQRT_ONE - 1)

        mantissa = step(m, "normalise_shifter", unsigned(_FRACTION), normalised, v, half)
        half = reg(half, "half4")
        entries, squares = self._table()
        r = Array(Const(v, shapes[0]) for v in entries)[mantissa[_INDEX_SHIFT:]]
        table = Array(Const(v, shapes[1]) for v in squares)
        square = None
        for index in range(NEWTON_STEPS):
            name = f"newton{index + 1}_products"
            last = index == NEWTON_STEPS - 1
            if index:
                square = step(
                    m,
                    f"{name}_a",
                    shapes[3 * index + 1],
                    lambda r: round_shift(r * r, _FRACTION),
                    r,
                )
                r, mantissa = reg(r, f"r{index}a"), reg(mantissa, f"m{index}a")
                half = reg(half, f"half{index}a")

            def correction(mantissa, *square):
                square = square[0] if square else table[mantissa[_INDEX_SHIFT:]]
                return 3 * INVERSE_SQRT_ONE - round_shift(mantissa * square, _FRACTION)

            operands = (mantissa,) if square is None else (mantissa, square)
            c = step(m, f"{name}_b", shapes[3 * index + 2], correction, *operands)
            r, mantissa = reg(r, f"r{index}b"), reg(mantissa, f"m{index}b")
            half = reg(half, f"half{index}b")
            r = step(
                m,
                f"{name}_c",
                shapes[3 * index + 3],
                lambda r, c: round_shift(r * c, _FRACTION + 1),
                r,
                c,
                enable=valid if last else None,
            )
            if not last:
                mantissa, half = reg(mantissa, f"m{index}c"), reg(half, f"half{index}c")
        s1 = delayed(m, self.s1, latency - 2, "s1", reset_less=True)
        held_shift = Signal(self.shift.shape(), reset_less=True)
        held_s1 = Signal(self.s1_held.shape(), reset_less=True)
        with m.If(valid):
            m.d.sync += held_shift.eq(half + _FRACTION - OUT_FRACTION_BITS)
        with m.If(s1_ready):
            m.d.sync += held_s1.eq(s1)
        m.d.comb += [self.r.eq(r), self.shift.eq(held_shift), self.s1_held.eq(held_s1)]
        return m
