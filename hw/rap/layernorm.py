"""``int_layernorm``: RAP's integer LayerNorm without a divider or a square root, over rows
streamed twice."""

import math

import numpy as np
from amaranth import Module, signed, unsigned
from amaranth.lib import data, wiring

from hw.blocks.accumulator import Accumulator
from hw.blocks.adder_tree import AdderTree
from hw.interface import Results, row_unit_signature
from hw.params import check_row_params, defaults_for
from hw.pipeline import delayed, stage
from hw.rap.arith import bits_for, fit, multiply, round_shift, round_shift_by, times
from hw.rap.inverse_sqrt import InverseSqrt
from hw.rap.rows import RowPasses, row_exponent
from hw.rap.step import step
from sim.golden.rap.fixed import inverse_sqrt
from sim.golden.rap.layernorm import (
    IN_BITS,
    OUT_FRACTION_BITS,
    PARAMETER_FRACTION_BITS,
    eps_mantissa_exponent,
)

__all__ = ["IntLayernorm", "PARAMETER_BITS", "normalised_bound", "output_bits"]

#: Default parameters of ``int_layernorm`` (from the table in :mod:`hw.params`).
_DEFAULTS = defaults_for("int_layernorm")

#: Passes of the row protocol: the sums, then the output.
PASSES = 2
#: Width of the ``gamma`` and ``beta`` ports: the golden's conversions lie within +-2**20.
PARAMETER_BITS = 21


def normalised_bound(d):
    """Largest ``|n|`` of the golden's normalised value ``round_shift((d q - s1) r, half + 4)``.

    ``(d q_i - s1)**2 <= (d - 1) v`` for every row (the deviations sum to 0 and their squares to
    ``d v``), and ``v <= (m + 1) 4**(half - 8)``, so ``|n| <= sqrt((d-1)(m+1)) r(m) / 2**12 +
    1/2`` with ``r(m) = inverse_sqrt(m)``, taken at its worst over every ``m`` in
    ``[2**14, 2**16)`` (one more for the float evaluation of the square roots).
    """
    m = np.arange(1 << 14, 1 << 16)
    worst = float(np.max(np.sqrt(m + 1.0) * inverse_sqrt(m)))
    return math.floor(math.sqrt(d - 1) * worst / 2**OUT_FRACTION_BITS + 0.5) + 1


def output_bits(d):
    """OUT_W: the width of ``y = round_shift(n gamma + beta 2**12, 12)`` for every ``|n| <=
    normalised_bound(d)`` and ``|gamma|, |beta| < 2**20`` (the golden refuses larger)."""
    top = (1 << (PARAMETER_BITS - 1)) - 1
    bound = normalised_bound(d) * top + (top << PARAMETER_FRACTION_BITS)
    largest = (bound + (1 << (PARAMETER_FRACTION_BITS - 1))) >> PARAMETER_FRACTION_BITS
    return bits_for(-largest - 1, largest).width


def abs_square(x):
    """``x**2`` as the square of ``|x|`` (an unsigned product)."""
    return abs(x) * abs(x)


class IntLayernorm(wiring.Component):
    """``sim.rap.layernorm_int(x, e, weight, bias, eps=EPS, normalise="newton")`` over rows of D.

    Row protocol: always ready, no backpressure, no row buffer. The producer streams each row
    twice back to back, LANES elements per beat, ``in_last`` on the last beat of each pass; the
    unit counts the passes. ``e`` is sampled on the row's first beat (it only moves eps). Pass 1
    sums ``s1 = sum(x)`` and ``s2 = sum(x**2)``; pass 2 carries the row again with ``gamma`` and
    ``beta`` (the integers :func:`sim.rap.layernorm.layernorm_parameters` converts ``weight`` and
    ``bias`` to, lane ``i`` for the beat's element ``i``): every pass-2 beat yields its ``y`` beat
    exactly ``LATENCY`` cycles later, ``out_last`` on the row's last one; ``out_valid`` is 1 on
    those beats only. Pass 2 may follow pass 1, and the next row pass 2, on the very next cycle;
    ``in_valid=0`` beats anywhere change nothing.

    Datapath (registers after every step): per lane ``x**2``; two adder trees and accumulators
    (:class:`~hw.blocks.adder_tree.AdderTree`, :class:`~hw.blocks.accumulator.Accumulator`);
    the row's ``r`` and shift (:class:`~hw.rap.inverse_sqrt.InverseSqrt`, pipelined); in pass 2
    (``x``, ``gamma``, ``beta`` wait in delay lines meanwhile) ``a = D x - s1``, ``a r``,
    ``n = round_shift(a r, shift)``, ``n gamma``, ``y = round_shift(n gamma + beta 2**12, 12)``.
    ``LATENCY = log2(LANES) + 14``. OUT_W (:func:`output_bits`: 26 for D = 384, 28 for 4096)
    holds every ``y`` the golden can give. Inputs are 16-bit: the golden's +32768 has no code.

    Parameters
    ----------
    lanes : int
        Elements per beat, a power of two dividing ``d``.
    d : int
        Row length (at most 4096).
    eps : float
        Added to the variance (converted as the golden's ``eps_mantissa_exponent`` converts it).

    Attributes
    ----------
    x : In(ArrayLayout(signed(16), lanes))
        Element ``i`` of the beat at bits ``[i*16 +: 16]``.
    e : In(signed(8))
        The row's exponent (``x * 2**e``), read on its first beat.
    gamma, beta : In(ArrayLayout(signed(21), lanes))
        The beat's converted weight and bias (12 fraction bits); read on pass-2 beats.
    in_valid : In(1)
    in_last : In(1)
        Last beat of a pass.
    y : Out(ArrayLayout(signed(OUT_W), lanes))
        Normalised values of a pass-2 beat (12 fraction bits), ``LATENCY`` cycles after it.
    y_exp : Out(signed(8))
        Always ``-12``.
    out_valid : Out(1)
    out_last : Out(1)
        The row's last output beat.
    """

    MODULE_NAME = "int_layernorm"
    PARAMETERS = ("LANES", "D", "EPS")
    RESULTS = Results(("y", "y_exp", "out_last"), passes=PASSES)

    def __init__(self, lanes=_DEFAULTS["LANES"], d=_DEFAULTS["D"], eps=_DEFAULTS["EPS"]):
        self.check_parameters(lanes, d, eps)
        self.parameters = {"LANES": lanes, "D": d, "EPS": eps}
        self._lanes, self._d = lanes, d
        self.out_bits = output_bits(d)
        self.passes = RowPasses(PASSES)
        self.inverse_sqrt = InverseSqrt(d, eps)
        s1_bits, s2_bits = self.inverse_sqrt.s1_bits, self.inverse_sqrt.s2_bits
        self.s1_tree = AdderTree(lanes, IN_BITS, s1_bits)
        self.s2_tree = AdderTree(lanes, 2 * IN_BITS, s2_bits + 1)
        self.s1_accumulator = Accumulator(self.s1_tree.out_width, s1_bits)
        self.s2_accumulator = Accumulator(self.s2_tree.out_width, s2_bits + 1)
        parameter = signed(PARAMETER_BITS)
        super().__init__(
            row_unit_signature(
                lanes,
                signed(IN_BITS),
                "y",
                signed(self.out_bits),
                lane_inputs={"gamma": parameter, "beta": parameter},
            )
        )

    @staticmethod
    def check_parameters(lanes, d, eps):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit."""
        check_row_params(lanes=lanes, d=d)
        eps_mantissa_exponent(eps)

    @property
    def _sums(self):
        """Depth at which a beat reaches the accumulators: the squares, the trees."""
        return 1 + self.s1_tree.LATENCY

    @property
    def _subtract(self):
        """Depth of the ``D x - s1`` step: ``s1`` is held from there on (one cycle before ``r``),
        reached by the first pass-2 beat one cycle after the last pass-1 beat."""
        return self._sums + self.s1_accumulator.LATENCY + self.inverse_sqrt.LATENCY - 2

    @property
    def LATENCY(self):
        """The subtraction, ``a r``, the shift, ``n gamma``, the output register."""
        return self._subtract + 5

    def elaborate(self, platform):
        m = Module()
        for name in ("passes", "inverse_sqrt", "s1_tree", "s2_tree"):
            m.submodules[name] = getattr(self, name)
        m.submodules.s1_accumulator = acc1 = self.s1_accumulator
        m.submodules.s2_accumulator = acc2 = self.s2_accumulator
        passes, isqrt = self.passes, self.inverse_sqrt
        valid = self.in_valid
        m.d.comb += [passes.in_valid.eq(valid), passes.in_last.eq(self.in_last)]
        row_e = row_exponent(m, passes, valid, self.e)

        # Pass 1: the sums of x and x**2.
        for lane in range(self._lanes):
            x = self.x[lane]
            m.d.comb += [
                self.s1_tree.terms[lane].eq(stage(m, x, True, f"x1_{lane}")),
                self.s2_tree.terms[lane].eq(
                    step(m, f"square_products_L{lane}", unsigned(2 * IN_BITS - 1), abs_square, x)
                ),
            ]
        depth = self._sums
        in_valid = delayed(m, valid & (passes.index == 0), depth, "pass1")
        in_last = delayed(m, self.in_last, depth, "last1", reset_less=True)
        for accumulator, tree in ((acc1, self.s1_tree), (acc2, self.s2_tree)):
            m.d.comb += [
                accumulator.term.eq(tree.total),
                accumulator.in_valid.eq(in_valid),
                accumulator.in_last.eq(in_last),
            ]
        m.d.comb += [
            isqrt.s1.eq(acc1.out),
            isqrt.s2.eq(acc2.out[: isqrt.s2_bits]),
            isqrt.e.eq(delayed(m, row_e, depth + 1, "e", reset_less=True)),
            isqrt.start.eq(acc1.out_valid),
        ]

        # Pass 2: y = round_shift(round_shift((D x - s1) r, shift) gamma + beta 2**12, 12).
        depth = self._subtract
        x = data.View(self.x.shape(), delayed(m, self.x.as_value(), depth, "x", reset_less=True))
        gamma = delayed(m, self.gamma.as_value(), depth + 3, "gamma", reset_less=True)
        beta = delayed(m, self.beta.as_value(), depth + 4, "beta", reset_less=True)
        gamma, beta = data.View(self.gamma.shape(), gamma), data.View(self.beta.shape(), beta)
        shift = stage(m, isqrt.shift, True, "shift_d")
        spread = self._d << IN_BITS  # |D x - s1| <= D 2**16
        n_bound = normalised_bound(self._d)
        out_valid = delayed(m, valid & (passes.index == 1), self.LATENCY - 1, "valid2")
        out_last = delayed(m, self.in_last, self.LATENCY - 1, "last2", reset_less=True)
        m.d.sync += [self.out_valid.eq(out_valid), self.out_last.eq(out_valid & out_last)]
        m.d.comb += self.y_exp.eq(-OUT_FRACTION_BITS)
        for lane in range(self._lanes):

            def steps(name, shape, function, *operands, lane=lane):
                return step(m, f"{name}_L{lane}", shape, function, *operands)

            deviation = steps(
                "deviation",
                bits_for(-spread, spread),
                lambda x, s1: times(x, self._d) - s1,
                x[lane],
                isqrt.s1_held,
            )
            product = steps(
                "normalise_products",
                signed(len(deviation) + len(isqrt.r)),
                multiply,
                deviation,
                isqrt.r,
            )
            normalised = steps(
                "normalise_shifter", bits_for(-n_bound, n_bound), round_shift_by, product, shift
            )
            scaled = steps(
                "scale_products",
                signed(len(normalised) + PARAMETER_BITS - 1),
                lambda n, g: n * g,
                normalised,
                gamma[lane],
            )
            y = round_shift(scaled + (beta[lane] << PARAMETER_FRACTION_BITS), OUT_FRACTION_BITS)
            with m.If(out_valid):
                m.d.sync += self.y[lane].eq(fit(y, signed(self.out_bits)))
        return m
