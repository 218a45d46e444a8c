"""``sdr_mac``: the decompression-free SDR multiply-accumulate unit (SPEC sections 3 and 5)."""

from amaranth import Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.blocks.accumulator import Accumulator
from hw.blocks.adder_tree import AdderTree
from hw.blocks.group_shifter import GroupShifter
from hw.blocks.group_sum import GroupSum
from hw.blocks.sdr_products import SdrLaneProducts
from hw.params import DEFAULTS, MacParams, check_acc_bits
from hw.pipeline import delayed, parse_pipeline, pipeline_text, tree_cuts

__all__ = ["SdrMacBase", "SdrMac", "sdr_mac_ports", "sdr_mac_cuts", "sdr_product_bits"]


def sdr_mac_cuts(lanes, group):
    """Optional pipeline registers of ``sdr_mac``: ``products``, ``tree1`` .. ``treeN``, then
    ``group`` (only with one beat per group, where the group sum is a plain register) and
    ``shifter``."""
    return ("products",) + tree_cuts(lanes) + (("group",) if group == lanes else ()) + ("shifter",)


def sdr_product_bits(a_config, w_config):
    """Width of one shifted SDR product ``qa*qw << (fa+fw)``: the smallest legal accumulator."""
    return 2 * a_config.mag_bits + 1 + a_config.max_flag + w_config.max_flag


def sdr_mac_ports(a_config, w_config, lanes, acc_bits):
    """The port signature of ``sdr_mac``, shared by ``decompress_mac`` (SPEC 5: same ports)."""
    code = unsigned(a_config.code_bits)
    return {
        "a_code": In(data.ArrayLayout(code, lanes)),
        "w_code": In(data.ArrayLayout(code, lanes)),
        "a_flag": In(unsigned(a_config.flag_bits)),
        "w_flag": In(unsigned(w_config.flag_bits)),
        "in_valid": In(1),
        "in_last": In(1),
        "out_valid": Out(1),
        "out": Out(signed(acc_bits)),
    }


class SdrMacBase(wiring.Component):
    """What ``sdr_mac`` and ``decompress_mac`` share (SPEC 5: the same parameters and ports):
    the constructor, which checks the parameters (:class:`~hw.params.MacParams`, then the unit's
    :meth:`_registered`: its accumulator width and pipeline cuts), records them in
    ``parameters``, builds the unit's blocks (:meth:`_build`) and declares the ports
    (:func:`sdr_mac_ports`). A subclass sets ``MODULE_NAME`` and defines :meth:`_registered`,
    :meth:`_cuts` and :meth:`_build`."""

    PARAMETERS = ("LANES", "GROUP", "MAG_BITS", "A_BITS", "W_BITS", "ACC_BITS", "PIPELINE")

    def __init__(
        self,
        lanes=DEFAULTS["LANES"],
        group=DEFAULTS["GROUP"],
        mag_bits=DEFAULTS["MAG_BITS"],
        a_bits=DEFAULTS["A_BITS"],
        w_bits=DEFAULTS["W_BITS"],
        acc_bits=DEFAULTS["ACC_BITS"],
        pipeline=DEFAULTS["PIPELINE"],
    ):
        params = MacParams(lanes, group, mag_bits, a_bits, w_bits, acc_bits)
        registered = self._registered(params, pipeline)
        self.cuts = self._cuts(params)
        self.parameters = params.record(self.PARAMETERS, pipeline_text(registered, self.cuts))
        self._build(params, registered)
        super().__init__(sdr_mac_ports(params.a_config, params.w_config, lanes, acc_bits))

    @classmethod
    def check_parameters(
        cls, lanes, group, mag_bits, a_bits, w_bits, acc_bits, pipeline=DEFAULTS["PIPELINE"]
    ):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit; return the
        registered cuts."""
        params = MacParams(lanes, group, mag_bits, a_bits, w_bits, acc_bits)
        return cls._registered(params, pipeline)

    @classmethod
    def _registered(cls, params, pipeline):
        """After the checks of :class:`~hw.params.MacParams`: check ``params.acc_bits`` and
        return the cuts ``pipeline`` registers (``ValueError`` if it names no valid ones)."""
        raise NotImplementedError

    @staticmethod
    def _cuts(params):
        """The unit's optional pipeline registers, in order."""
        raise NotImplementedError

    def _build(self, params, registered):
        """Build the unit's blocks for ``params`` with the cuts ``registered``."""
        raise NotImplementedError


class SdrMac(SdrMacBase):
    """Dot products of SDR codes without decompression.

    Per beat, LANES sign-magnitude M x M products are summed by an adder tree; the beats of a
    group (GROUP / LANES of them) are summed into a group partial sum, which is shifted ONCE by
    ``a_flag + w_flag`` and added to the ACC_BITS accumulator.

    Registers: the group partial sum (state when a group takes several beats) and the
    accumulator, plus the pipeline registers ``pipeline`` names among :func:`sdr_mac_cuts`: after
    the lane multipliers, after adder-tree levels, the group sum with one beat per group, after
    the group shifter. With every cut registered (the default) the longest path is one M x M
    multiplier with its conditional negate, or one adder, or the shifter, and ``LATENCY`` is
    ``log2(LANES) + 4`` cycles from the ``in_last`` beat to ``out_valid``. Throughput: one beat per
    cycle, back-to-back dot products at full rate; ``in_valid=0`` beats change nothing.

    Parameters
    ----------
    lanes : int
        Products per beat, a power of two dividing ``group``.
    group : int
        SDR group size G; flags are held constant over a group's GROUP / LANES beats.
    mag_bits : int
        M: codes are ``{sign, q}``, 1+M bits.
    a_bits, w_bits : int
        Activation and weight base widths (8 or 16): they set the flag widths and ranges.
    acc_bits : int
        Accumulator width, at least one shifted product wide.
    pipeline : str
        Registered cuts: ``all``, ``none`` or a comma list of :func:`sdr_mac_cuts` names.

    Attributes
    ----------
    a_code : In(ArrayLayout(unsigned(1+M), lanes))
        Activation codes, lane ``i`` at bits ``[i*(1+M) +: 1+M]``.
    w_code : In(ArrayLayout(unsigned(1+M), lanes))
        Weight codes.
    a_flag : In(unsigned(F_a))
        Activation group flag, ``F_a = bit_length(A_BITS-1-M)``.
    w_flag : In(unsigned(F_w))
        Weight group flag.
    in_valid : In(1)
    in_last : In(1)
        Last beat of a dot product; it also closes the current group.
    out_valid : Out(1)
        ``out`` holds a finished dot product, ``LATENCY`` cycles after its ``in_last`` beat.
    out : Out(signed(acc_bits))
    """

    MODULE_NAME = "sdr_mac"

    @classmethod
    def _registered(cls, params, pipeline):
        check_acc_bits(params.acc_bits, sdr_product_bits(params.a_config, params.w_config))
        return parse_pipeline(pipeline, cls._cuts(params), "sdr_mac")

    @staticmethod
    def _cuts(params):
        return sdr_mac_cuts(params.lanes, params.group)

    def _build(self, params, registered):
        lanes, mag_bits, acc_bits = params.lanes, params.mag_bits, params.acc_bits
        self.a_config, self.w_config = params.a_config, params.w_config
        self._beats = params.group // lanes
        max_shift = self.a_config.max_flag + self.w_config.max_flag
        self.products = SdrLaneProducts(lanes, mag_bits, "products" in registered)
        self.tree = AdderTree(
            lanes,
            self.products.product_width,
            acc_bits,
            [cut in registered for cut in tree_cuts(lanes)],
        )
        self.group_sum = GroupSum(self.tree.out_width, self._beats, acc_bits, "group" in registered)
        self.shifter = GroupShifter(
            self.group_sum.out_width, max_shift, acc_bits, "shifter" in registered
        )
        self.accumulator = Accumulator(self.shifter.out_width, acc_bits)

    def cut_blocks(self):
        """``{cut: block}``: the block whose output each cut registers (block names are the
        submodule paths joined by ``_``, as synthesis reports them)."""
        blocks = {"products": "products", "group": "group_sum", "shifter": "shifter"}
        return {
            cut: f"tree_level{cut[4:]}" if cut.startswith("tree") else blocks[cut]
            for cut in self.cuts
        }

    @property
    def LATENCY(self):
        """Registered multipliers, tree levels, group sum, shifter (0/1 each) + accumulator (1)."""
        return (
            self.products.LATENCY
            + self.tree.LATENCY
            + self.group_sum.LATENCY
            + self.shifter.LATENCY
            + self.accumulator.LATENCY
        )

    def _group_end(self, m):
        """1 on the beat that closes a group: the GROUP/LANES-th beat, or ``in_last``."""
        if self._beats == 1:
            return Const(1)
        beat = Signal(range(self._beats))
        end = Signal()
        m.d.comb += end.eq(self.in_last | (beat == self._beats - 1))
        with m.If(self.in_valid):
            m.d.sync += beat.eq(Mux(end, 0, beat + 1))
        return end

    def elaborate(self, platform):
        m = Module()
        m.submodules.products = products = self.products
        m.submodules.tree = tree = self.tree
        m.submodules.group_sum = group_sum = self.group_sum
        m.submodules.shifter = shifter = self.shifter
        m.submodules.accumulator = accumulator = self.accumulator
        front = products.LATENCY + tree.LATENCY
        back = group_sum.LATENCY + shifter.LATENCY
        shift = Signal(shifter.shift.shape())
        m.d.comb += [
            shift.eq(self.a_flag + self.w_flag),
            products.a_code.eq(self.a_code),
            products.w_code.eq(self.w_code),
            tree.terms.eq(products.products),
            group_sum.term.eq(tree.total),
            group_sum.in_valid.eq(delayed(m, self.in_valid, front, "valid")),
            group_sum.in_end.eq(
                delayed(m, self._group_end(m), front, "group_end", reset_less=True)
            ),
            shifter.total.eq(group_sum.total),
            shifter.shift.eq(
                delayed(m, shift, front + group_sum.LATENCY, "shift", reset_less=True)
            ),
            accumulator.term.eq(shifter.shifted),
            accumulator.in_valid.eq(
                delayed(m, group_sum.out_valid, shifter.LATENCY, "group_valid")
            ),
            accumulator.in_last.eq(delayed(m, self.in_last, front + back, "last")),
            self.out.eq(accumulator.out),
            self.out_valid.eq(accumulator.out_valid),
        ]
        return m
