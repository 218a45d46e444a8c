"""Conventional integer MAC: lane multipliers, adder tree, accumulator (``int8_mac``)."""

from amaranth import Module, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from .accumulator import Accumulator
from .adder_tree import AdderTree
from .int_products import IntLaneProducts
from .params import DEFAULTS, check_acc_bits, check_params
from .pipeline import delayed

__all__ = ["IntMac", "Int8Mac"]


class IntMac(wiring.Component):
    """Dot products of two's-complement vectors, LANES products per beat.

    Registers: after the multipliers, after every adder-tree level, the accumulator.
    Throughput one beat per cycle, back-to-back dot products at full rate.

    Parameters
    ----------
    lanes : int
        Products per beat, a power of two.
    a_width, w_width : int
        Operand widths.
    acc_bits : int
        Accumulator width (wraps modulo ``2**acc_bits``); at least ``a_width + w_width``.

    Attributes
    ----------
    a : In(ArrayLayout(signed(a_width), lanes))
        Lane ``i`` at bits ``[i*a_width +: a_width]``.
    w : In(ArrayLayout(signed(w_width), lanes))
    in_valid : In(1)
        The operands are a beat; ``in_valid=0`` cycles change nothing.
    in_last : In(1)
        Last beat of a dot product.
    out_valid : Out(1)
        ``out`` holds a finished dot product, ``LATENCY`` cycles after its ``in_last`` beat.
    out : Out(signed(acc_bits))
    """

    def __init__(self, lanes, a_width, w_width, acc_bits):
        check_params(lanes=lanes)
        check_acc_bits(acc_bits, a_width + w_width)
        self.products = IntLaneProducts(lanes, a_width, w_width)
        self.tree = AdderTree(lanes, self.products.product_width, acc_bits)
        self.accumulator = Accumulator(self.tree.out_width, acc_bits)
        super().__init__(
            {
                "a": In(data.ArrayLayout(signed(a_width), lanes)),
                "w": In(data.ArrayLayout(signed(w_width), lanes)),
                "in_valid": In(1),
                "in_last": In(1),
                "out_valid": Out(1),
                "out": Out(signed(acc_bits)),
            }
        )

    @property
    def LATENCY(self):
        """Multipliers (1) + adder tree (log2 LANES) + accumulator (1)."""
        return self.products.LATENCY + self.tree.LATENCY + self.accumulator.LATENCY

    def elaborate(self, platform):
        m = Module()
        m.submodules.products = products = self.products
        m.submodules.tree = tree = self.tree
        m.submodules.accumulator = accumulator = self.accumulator
        front = products.LATENCY + tree.LATENCY
        m.d.comb += [
            products.a.eq(self.a),
            products.w.eq(self.w),
            tree.terms.eq(products.products),
            accumulator.term.eq(tree.total),
            accumulator.in_valid.eq(delayed(m, self.in_valid, front, "valid")),
            accumulator.in_last.eq(delayed(m, self.in_last, front, "last")),
            self.out.eq(accumulator.out),
            self.out_valid.eq(accumulator.out_valid),
        ]
        return m


class Int8Mac(IntMac):
    """The ``int8_mac`` baseline: :class:`IntMac` with int8 x int8 lanes.

    Same interface style, pipelining, LANES and accumulator as ``sdr_mac`` so that the area and
    power comparison is at equal throughput. ``LATENCY`` is ``log2(LANES) + 2``.

    Parameters
    ----------
    lanes : int
    acc_bits : int
        At least 16 (one int8 x int8 product).

    Attributes
    ----------
    a, w : In(ArrayLayout(signed(8), lanes))
        Two's-complement operands, lane ``i`` at bits ``[i*8 +: 8]``.
    in_valid, in_last : In(1)
    out_valid : Out(1)
    out : Out(signed(acc_bits))
    """

    MODULE_NAME = "int8_mac"
    PARAMETERS = ("LANES", "ACC_BITS")

    def __init__(self, lanes=DEFAULTS["LANES"], acc_bits=DEFAULTS["ACC_BITS"]):
        self.check_parameters(lanes, acc_bits)
        self.parameters = {"LANES": lanes, "ACC_BITS": acc_bits}
        super().__init__(lanes, 8, 8, acc_bits)

    @staticmethod
    def check_parameters(lanes, acc_bits):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit."""
        check_params(lanes=lanes)
        check_acc_bits(acc_bits, 16)
