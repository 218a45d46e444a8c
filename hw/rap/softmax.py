"""``int_softmax``: RAP's divider-free integer softmax over rows streamed three times."""

from amaranth import Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, wiring

from hw.blocks.accumulator import Accumulator
from hw.blocks.adder_tree import AdderTree
from hw.interface import Results, row_unit_signature
from hw.params import check_row_params, defaults_for
from hw.pipeline import delayed, stage
from hw.rap.arith import maximum, minimum, round_shift
from hw.rap.exponent import T_BITS, Log2eExponents
from hw.rap.max_tree import MaxTree
from hw.rap.pow2 import EXP_BITS, Pow2Negative
from hw.rap.reciprocal import Reciprocal
from hw.rap.rows import RowPasses, row_exponent
from hw.rap.step import step
from sim.golden.rap.softmax import EXP_FRACTION_BITS, log2e_multiplier

__all__ = ["IntSoftmax"]

#: Default parameters of ``int_softmax`` (from the table in :mod:`hw.params`).
_DEFAULTS = defaults_for("int_softmax")

#: Passes of the row protocol: maximum, sum of the exponentials, output.
PASSES = 3


class IntSoftmax(wiring.Component):
    """``sim.rap.softmax_int(x, e, OUT_BITS, scale=SCALE, normalise="reciprocal")`` along rows.

    Row protocol: always ready, no backpressure, no row buffer. The producer streams each row
    three times back to back, LANES elements per beat, ``in_last`` on the last beat of every
    pass; the unit counts the passes. ``e`` is sampled on the row's first beat (pass 1) and holds
    for the row. Pass 1 finds the row's maximum; pass 2 sums its exponentials; pass 3 computes
    them again and multiplies each by the reciprocal of the sum: every pass-3 beat yields its
    ``p`` beat (with the row's ``p_exp``) exactly ``LATENCY`` cycles later, ``out_last`` on the
    row's last one; ``out_valid`` is 1 on those beats only. Pass 2 may follow pass 1, pass 3
    pass 2, and the next row's pass 1 pass 3, on the very next cycle; ``in_valid=0`` beats
    anywhere change nothing. A row has a multiple of LANES elements, at most MAX_ROW.

    Datapath (registers after every step): the lanes' maximum (:class:`~hw.rap.max_tree.MaxTree`)
    into a running maximum; ``d = max - x`` (``x`` delayed by the tree); ``t`` from ``d * C``
    (:class:`~hw.rap.exponent.Log2eExponents`, ``C`` from SCALE as the golden's
    ``log2e_multiplier`` converts it); ``2**-t`` (:class:`~hw.rap.pow2.Pow2Negative`); in pass 2,
    an adder tree and the row's sum ``S`` (:class:`~hw.blocks.accumulator.Accumulator`), then
    ``L = bit_length(S)`` and the Newton reciprocal (:class:`~hw.rap.reciprocal.Reciprocal`,
    pipelined, so rows of any length follow each other); in pass 3 the exponentials wait in a
    delay line until that reciprocal is ready, ``p = min(round_shift(2**-t * inverse,
    33 - OUT_BITS), 2**OUT_BITS - 1)``, ``p_exp = -(OUT_BITS + L - 17)``.
    ``LATENCY = 2 log2(LANES) + 16``.

    Parameters
    ----------
    lanes : int
        Elements per beat, a power of two.
    in_bits : int
        Width of the scores ``x``.
    out_bits : int
        Width of the probabilities ``p``.
    scale : float
        Score scale (folded offline into the ``log2(e)`` multiplier).
    max_row : int
        Longest row, in elements: sizes the sum (``S <= max_row * 2**16``).

    Attributes
    ----------
    x : In(ArrayLayout(signed(in_bits), lanes))
        Element ``i`` of the beat at bits ``[i*in_bits +: in_bits]``.
    e : In(signed(8))
        The row's exponent (``x * 2**e``), read on its first beat.
    in_valid : In(1)
    in_last : In(1)
        Last beat of a pass.
    p : Out(ArrayLayout(unsigned(out_bits), lanes))
        Probabilities of a pass-3 beat, ``LATENCY`` cycles after it.
    p_exp : Out(signed(8))
        The row's exponent: ``p * 2**p_exp``.
    out_valid : Out(1)
    out_last : Out(1)
        The row's last output beat.
    """

    MODULE_NAME = "int_softmax"
    PARAMETERS = ("LANES", "IN_BITS", "OUT_BITS", "SCALE", "MAX_ROW")
    RESULTS = Results(("p", "p_exp", "out_last"), passes=PASSES)

    def __init__(
        self,
        lanes=_DEFAULTS["LANES"],
        in_bits=_DEFAULTS["IN_BITS"],
        out_bits=_DEFAULTS["OUT_BITS"],
        scale=_DEFAULTS["SCALE"],
        max_row=_DEFAULTS["MAX_ROW"],
    ):
        self.multiplier = self.check_parameters(lanes, in_bits, out_bits, scale, max_row)
        self.parameters = {
            "LANES": lanes,
            "IN_BITS": in_bits,
            "OUT_BITS": out_bits,
            "SCALE": scale,
            "MAX_ROW": max_row,
        }
        self._lanes, self._in_bits, self._out_bits = lanes, in_bits, out_bits
        self.sum_bits = (max_row << EXP_FRACTION_BITS).bit_length()
        self.passes = RowPasses(PASSES)
        self.max_tree = MaxTree(lanes, in_bits)
        self.exponent = Log2eExponents(lanes, in_bits, self.multiplier)
        self.pow2 = Pow2Negative(lanes, T_BITS)
        self.sum_tree = AdderTree(lanes, EXP_BITS + 1, self.sum_bits + 1)
        self.sum_accumulator = Accumulator(self.sum_tree.out_width, self.sum_bits + 1)
        self.reciprocal = Reciprocal(self.sum_bits)
        super().__init__(row_unit_signature(lanes, signed(in_bits), "p", unsigned(out_bits)))

    @staticmethod
    def check_parameters(lanes, in_bits, out_bits, scale, max_row):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit; return the
        ``log2(e)`` multiplier."""
        check_row_params(lanes=lanes, in_bits=in_bits, out_bits=out_bits, max_row=max_row)
        return log2e_multiplier(scale)

    @property
    def _exponentials(self):
        """Depth of the exponentials: max tree, subtraction, exponent, pow2."""
        return self.max_tree.LATENCY + 1 + self.exponent.LATENCY + self.pow2.LATENCY

    @property
    def _wait(self):
        """Cycles the pass-3 exponentials wait for their row's reciprocal: the sum tree, the
        accumulator and the reciprocal, less the cycle between passes 2 and 3."""
        return self.sum_tree.LATENCY + self.sum_accumulator.LATENCY + self.reciprocal.LATENCY - 1

    @property
    def LATENCY(self):
        """Exponentials, the wait for the reciprocal, the product and the output register."""
        return self._exponentials + self._wait + 2

    def elaborate(self, platform):
        m = Module()
        for name in ("passes", "max_tree", "exponent", "pow2", "sum_tree"):
            m.submodules[name] = getattr(self, name)
        m.submodules.sum_accumulator = accumulator = self.sum_accumulator
        m.submodules.reciprocal = reciprocal = self.reciprocal
        passes, tree = self.passes, self.max_tree
        valid = self.in_valid
        m.d.comb += [passes.in_valid.eq(valid), passes.in_last.eq(self.in_last)]
        row_e = row_exponent(m, passes, valid, self.e)

        # Pass 1: the running maximum, updated as each beat leaves the max tree.
        m.d.comb += tree.terms.eq(self.x)
        depth = tree.LATENCY
        running = Signal(signed(self._in_bits), reset_less=True)
        pass1 = delayed(m, valid & (passes.index == 0), depth, "pass1")
        first1 = delayed(m, passes.first, depth, "first1", reset_less=True)
        with m.If(pass1):
            m.d.sync += running.eq(Mux(first1, tree.largest, maximum(running, tree.largest)))

        # Passes 2 and 3: d = max - x, the exponentials.
        x = delayed(m, self.x.as_value(), depth, "x", reset_less=True)
        x = data.View(self.x.shape(), x)
        e = delayed(m, row_e, depth, "e", reset_less=True)
        for lane in range(self._lanes):
            distance = step(
                m,
                f"distance_L{lane}",
                unsigned(self._in_bits),
                lambda top, x: top - x,  # >= 0 on passes 2 and 3
                running,
                x[lane],
            )
            m.d.comb += self.exponent.d[lane].eq(distance)
        m.d.comb += [
            self.exponent.e.eq(stage(m, e, True, "e_d")),
            self.pow2.t.eq(self.exponent.t),
        ]
        exponentials = self.pow2.value
        depth = self._exponentials

        # Pass 2: the row's sum, then its reciprocal.
        for lane in range(self._lanes):  # zero-extended: the tree's terms are signed
            m.d.comb += self.sum_tree.terms[lane].eq(exponentials[lane])
        depth_sum = depth + self.sum_tree.LATENCY
        m.d.comb += [
            accumulator.term.eq(self.sum_tree.total),
            accumulator.in_valid.eq(delayed(m, valid & (passes.index == 1), depth_sum, "pass2")),
            accumulator.in_last.eq(delayed(m, self.in_last, depth_sum, "last2", reset_less=True)),
            reciprocal.total.eq(accumulator.out[: self.sum_bits]),
            reciprocal.start.eq(accumulator.out_valid),
        ]

        # Pass 3: the exponentials wait for the reciprocal, then the product and the output.
        waiting = delayed(m, exponentials.as_value(), self._wait, "waiting", reset_less=True)
        waiting = data.View(exponentials.shape(), waiting)
        p_exp = (17 - self._out_bits) - reciprocal.length  # -(out_bits + L - 17)
        p_exp = stage(m, p_exp[:8].as_signed(), True, "p_exp_d")
        out_valid = delayed(m, valid & (passes.index == 2), self.LATENCY - 1, "valid3")
        out_last = delayed(m, self.in_last, self.LATENCY - 1, "last3", reset_less=True)
        m.d.sync += [self.out_valid.eq(out_valid), self.out_last.eq(out_valid & out_last)]
        top = (1 << self._out_bits) - 1
        with m.If(out_valid):
            m.d.sync += self.p_exp.eq(p_exp)
        for lane in range(self._lanes):
            product = step(
                m,
                f"probability_products_L{lane}",
                unsigned(EXP_BITS + len(reciprocal.inverse)),
                lambda a, b: a * b,
                waiting[lane],
                reciprocal.inverse,
            )
            p = minimum(round_shift(product, 33 - self._out_bits), top)
            with m.If(out_valid):
                m.d.sync += self.p[lane].eq(p[: self._out_bits])
        return m
