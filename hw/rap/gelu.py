"""``int_gelu``: RAP's integer GELU, element-wise and pipelined (SPEC section 8)."""

import numpy as np
from amaranth import Module, Mux, signed, unsigned
from amaranth.lib import wiring

from hw.interface import Results, row_unit_signature
from hw.params import check_row_params, defaults_for
from hw.pipeline import delayed, stage
from hw.rap.arith import (
    bits_for,
    clamp,
    fit,
    minimum,
    multiply,
    round_shift,
    round_shift_by,
    span,
    times,
)
from hw.rap.step import step
from sim.golden.rap import fixed
from sim.golden.rap.gelu import ERF_A, ERF_B, GELU_FRACTION_BITS, INV_SQRT2

__all__ = ["IntGelu"]

#: Default parameters of ``int_gelu`` (from the table in :mod:`hw.params`).
_DEFAULTS = defaults_for("int_gelu")

#: Fraction bits of ``INV_SQRT2``.
_INV_SQRT2_FRACTION_BITS = 16
#: ``(min, max)`` of the erf value ``2**14 + round_shift(ERF_A v**2, 28)`` over every
#: ``v = min(|u|, -b) + b`` (the golden's own step over all its inputs): it sizes a register.
ERF_SPAN = span(
    (1 << GELU_FRACTION_BITS)
    + fixed.round_shift(ERF_A * np.arange(ERF_B + 1) ** 2, 2 * GELU_FRACTION_BITS)
)
#: Stages of the datapath, in order (one register each; the last is the output register).
STAGES = ("magnitude", "inv_sqrt2", "erf_input", "square", "erf", "product", "output")


class IntGelu(wiring.Component):
    """``sim.rap.gelu_int`` on LANES elements per beat: ``y * 2**y_exp ~ gelu(x * 2**e)``.

    Element-wise, so the row protocol is one pass: every valid beat yields its output beat
    exactly ``LATENCY`` cycles later, in order, with ``y_exp = e`` of that beat and ``out_last``
    = its ``in_last``. Always ready, no backpressure, one beat per cycle; ``in_valid=0`` beats
    change nothing (the output registers hold the last output beat).

    Datapath per lane, one register after each step (``LATENCY`` = 7), with the golden's
    integers: ``|x|``; ``|x| * INV_SQRT2``; ``u = min(round_shift(., 2 - e), ERF_B)`` (for
    ``e > 2`` the golden's left shift always saturates: ``|x| * INV_SQRT2 >= INV_SQRT2 > ERF_B``
    unless ``x = 0``); ``(ERF_B - u)**2``; ``erf = 2**14 + round_shift(ERF_A * ., 28)``;
    ``x * (2**14 +- erf)``; ``y = round_shift(., 15)``. ``|y| <= |x|``, so ``y`` has x's width.
    An exponent outside the golden's +-64 gives the golden's formula (its shift clip included).

    Parameters
    ----------
    lanes : int
        Elements per beat, a power of two.
    in_bits : int
        Width of ``x`` and ``y``.

    Attributes
    ----------
    x : In(ArrayLayout(signed(in_bits), lanes))
        Element ``i`` of the beat at bits ``[i*in_bits +: in_bits]``.
    e : In(signed(8))
        The beat's exponent: ``x`` means ``x * 2**e``.
    in_valid : In(1)
    in_last : In(1)
        Last beat of a row (passed through to ``out_last``).
    y : Out(ArrayLayout(signed(in_bits), lanes))
        ``gelu_int(x, e)``, lane for lane, ``LATENCY`` cycles after the beat.
    y_exp : Out(signed(8))
        ``e`` of the beat.
    out_valid : Out(1)
    out_last : Out(1)
    """

    MODULE_NAME = "int_gelu"
    PARAMETERS = ("LANES", "IN_BITS")
    RESULTS = Results(("y", "y_exp", "out_last"))

    def __init__(self, lanes=_DEFAULTS["LANES"], in_bits=_DEFAULTS["IN_BITS"]):
        self.check_parameters(lanes, in_bits)
        self.parameters = {"LANES": lanes, "IN_BITS": in_bits}
        self._lanes, self._in_bits = lanes, in_bits
        super().__init__(row_unit_signature(lanes, signed(in_bits), "y", signed(in_bits)))

    @staticmethod
    def check_parameters(lanes, in_bits):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit."""
        check_row_params(lanes=lanes, in_bits=in_bits)
        if INV_SQRT2 <= ERF_B:  # the saturating left shift below relies on it
            raise ValueError("int_gelu needs INV_SQRT2 > ERF_B (sim.rap.gelu constants)")

    @property
    def LATENCY(self):
        """One register per step of :data:`STAGES`."""
        return len(STAGES)

    def _lane(self, m, lane, amount, left):
        """The datapath of one lane, one :class:`~hw.rap.step.Step` per arithmetic step;
        returns its ``y`` before the output register."""
        fraction = GELU_FRACTION_BITS
        width = self._in_bits
        x = self.x[lane]

        def reg(value, name):
            return stage(m, value, True, f"{name}_L{lane}")

        def steps(name, shape, function, *operands):
            return step(m, f"{name}_L{lane}", shape, function, *operands)

        magnitude = steps("abs", unsigned(width), lambda x: Mux(x < 0, -x, x), x)
        x1, negative = reg(x, "x1"), reg(x < 0, "negative1")
        scaled_shape = unsigned(width + INV_SQRT2.bit_length())
        scaled = steps("inv_sqrt2_products", scaled_shape, lambda a: times(a, INV_SQRT2), magnitude)
        x2, negative = reg(x1, "x2"), reg(negative, "negative2")

        def distance(scaled, amount, left):
            u = Mux(
                left, Mux(scaled == 0, 0, ERF_B), minimum(round_shift_by(scaled, amount), ERF_B)
            )
            return ERF_B - u  # -v = -(min(|u|, -b) + b) >= 0

        distance = steps(
            "erf_shifter", unsigned(ERF_B.bit_length()), distance, scaled, amount, left
        )
        x3, negative = reg(x2, "x3"), reg(negative, "negative3")
        square_shape = unsigned(2 * ERF_B.bit_length())
        square = steps("square_products", square_shape, lambda v: v * v, distance)
        x4, negative = reg(x3, "x4"), reg(negative, "negative4")
        erf = steps(
            "erf_products",
            bits_for(*ERF_SPAN),
            lambda s: (1 << fraction) + round_shift(times(s, ERF_A), 2 * fraction),
            square,
        )
        x5, negative = reg(x4, "x5"), reg(negative, "negative5")

        def product(x, erf, negative):
            factor = Mux(negative, (1 << fraction) - erf, (1 << fraction) + erf)  # [0, 2**15]
            return multiply(x, fit(factor, bits_for(0, 2 << fraction)))

        product_shape = signed(width + fraction + 2)
        product = steps("gelu_products", product_shape, product, x5, erf, negative)
        return fit(round_shift(product, fraction + 1), signed(width))

    def elaborate(self, platform):
        m = Module()
        # The beat's shift 2 - e (16 - 14 fraction bits - e), clipped as the golden clips it and
        # capped where every magnitude (< 2**(in_bits + 15)) rounds to 0 anyway.
        shift = _INV_SQRT2_FRACTION_BITS - GELU_FRACTION_BITS - self.e
        cap = min(62, self._in_bits + _INV_SQRT2_FRACTION_BITS)
        amount = stage(m, clamp(shift, 0, cap)[: cap.bit_length()], True, "amount1")
        left = stage(m, shift < 0, True, "left1")
        amount = stage(m, amount, True, "amount2")
        left = stage(m, left, True, "left2")
        results = [self._lane(m, lane, amount, left) for lane in range(self._lanes)]
        valid = delayed(m, self.in_valid, self.LATENCY - 1, "valid")
        m.d.sync += [
            self.out_valid.eq(valid),
            self.out_last.eq(valid & delayed(m, self.in_last, self.LATENCY - 1, "last")),
        ]
        exponent = delayed(m, self.e, self.LATENCY - 1, "exponent", reset_less=True)
        with m.If(valid):
            m.d.sync += self.y_exp.eq(exponent)
            for lane, result in enumerate(results):
                m.d.sync += self.y[lane].eq(result)
        return m
