"""Conventional integer MACs: lane multipliers, adder tree, accumulator (``int8_mac``,
``int4_mac``)."""

from amaranth import Module, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.blocks.accumulator import Accumulator
from hw.blocks.adder_tree import AdderTree
from hw.blocks.int_products import IntLaneProducts
from hw.params import DEFAULTS, check_acc_bits, check_params
from hw.pipeline import delayed, parse_pipeline, pipeline_text, tree_cuts

__all__ = ["IntMac", "Int8Mac", "Int4Mac", "int_mac_cuts"]


def int_mac_cuts(lanes):
    """Optional pipeline registers of an :class:`IntMac`: ``products``, then ``tree1`` ..."""
    return ("products",) + tree_cuts(lanes)


class IntMac(wiring.Component):
    """Dot products of two's-complement vectors, LANES products per beat.

    Registers: the accumulator, plus the pipeline registers named in ``registered`` among
    :func:`int_mac_cuts` (after the multipliers, after adder-tree levels). Throughput one beat
    per cycle, back-to-back dot products at full rate.

    Parameters
    ----------
    lanes : int
        Products per beat, a power of two.
    a_width, w_width : int
        Operand widths.
    acc_bits : int
        Accumulator width (wraps modulo ``2**acc_bits``); at least ``a_width + w_width``.
    registered : frozenset of str
        Registered cuts (default: all of them).

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

    def __init__(self, lanes, a_width, w_width, acc_bits, registered=None):
        check_params(lanes=lanes)
        check_acc_bits(acc_bits, a_width + w_width)
        cuts = int_mac_cuts(lanes)
        registered = frozenset(cuts) if registered is None else registered
        self.products = IntLaneProducts(lanes, a_width, w_width, "products" in registered)
        self.tree = AdderTree(
            lanes,
            self.products.product_width,
            acc_bits,
            [cut in registered for cut in tree_cuts(lanes)],
        )
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

    def cut_blocks(self, prefix=""):
        """``{cut: block}``: the block whose output each cut registers (block names are the
        submodule paths joined by ``_``, as synthesis reports them)."""
        cuts = int_mac_cuts(len(self.products.products))
        return {
            cut: prefix + ("products" if cut == "products" else f"tree_level{cut[4:]}")
            for cut in cuts
        }

    @property
    def LATENCY(self):
        """Registered multipliers (0/1) + registered tree levels + accumulator (1)."""
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


class _IntBaseline(IntMac):
    """An :class:`IntMac` with ``WIDTH``-bit lanes on both operands, as a top-level unit."""

    WIDTH = None
    PARAMETERS = ("LANES", "ACC_BITS", "PIPELINE")

    def __init__(
        self, lanes=DEFAULTS["LANES"], acc_bits=DEFAULTS["ACC_BITS"], pipeline=DEFAULTS["PIPELINE"]
    ):
        registered = self.check_parameters(lanes, acc_bits, pipeline)
        self.cuts = int_mac_cuts(lanes)
        self.parameters = {
            "LANES": lanes,
            "ACC_BITS": acc_bits,
            "PIPELINE": pipeline_text(registered, self.cuts),
        }
        super().__init__(lanes, self.WIDTH, self.WIDTH, acc_bits, registered)

    @classmethod
    def check_parameters(cls, lanes, acc_bits, pipeline=DEFAULTS["PIPELINE"]):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit; return the
        registered cuts."""
        check_params(lanes=lanes)
        check_acc_bits(acc_bits, 2 * cls.WIDTH)
        return parse_pipeline(pipeline, int_mac_cuts(lanes), cls.MODULE_NAME)


class Int8Mac(_IntBaseline):
    """The ``int8_mac`` baseline: :class:`IntMac` with int8 x int8 lanes (W8A8).

    Same interface style, LANES and accumulator as ``sdr_mac``, and the same pipelining choices
    (``pipeline``), so that the comparison is at equal throughput. ``LATENCY`` with every cut
    registered is ``log2(LANES) + 2``.

    Parameters
    ----------
    lanes : int
    acc_bits : int
        At least 16 (one int8 x int8 product).
    pipeline : str
        Registered cuts among ``products, tree1, ..., treeN``: ``all``, ``none`` or a comma list.

    Attributes
    ----------
    a, w : In(ArrayLayout(signed(8), lanes))
        Two's-complement operands, lane ``i`` at bits ``[i*8 +: 8]``.
    in_valid, in_last : In(1)
    out_valid : Out(1)
    out : Out(signed(acc_bits))
    """

    MODULE_NAME = "int8_mac"
    WIDTH = 8


class Int4Mac(_IntBaseline):
    """The ``int4_mac`` baseline: :class:`IntMac` with int4 x int4 lanes (RTN W4A4, SPEC 5).

    The same structure, pipelining choices and accumulator as ``int8_mac``; ``LATENCY`` with
    every cut registered is ``log2(LANES) + 2``.

    Parameters
    ----------
    lanes : int
    acc_bits : int
        At least 8 (one int4 x int4 product).
    pipeline : str
        As for ``int8_mac``.

    Attributes
    ----------
    a, w : In(ArrayLayout(signed(4), lanes))
        Two's-complement operands, lane ``i`` at bits ``[i*4 +: 4]``.
    in_valid, in_last : In(1)
    out_valid : Out(1)
    out : Out(signed(acc_bits))
    """

    MODULE_NAME = "int4_mac"
    WIDTH = 4
