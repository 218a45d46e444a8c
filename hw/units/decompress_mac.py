"""``decompress_mac``: the conventional unit that decodes SDR codes back to integers first."""

from amaranth import Module
from amaranth.lib import wiring

from hw.blocks.sdr_decoder import SdrDecoder
from hw.params import DEFAULTS, check_acc_bits, check_params
from hw.pipeline import delayed, parse_pipeline, pipeline_text
from hw.units.int_mac import IntMac, int_mac_cuts
from hw.units.sdr_mac import sdr_mac_ports
from sim.golden.formats import SdrConfig

__all__ = ["DecompressMac", "decompress_mac_cuts"]


def decompress_mac_cuts(lanes):
    """Optional pipeline registers of ``decompress_mac``: ``decoders``, then as ``int8_mac``."""
    return ("decoders",) + int_mac_cuts(lanes)


class DecompressMac(wiring.Component):
    """SDR dot products the conventional way: decompress every code, then multiply wide.

    Each lane's code is shifted by its group flag back to an A_BITS / W_BITS integer, then an
    A_BITS x W_BITS multiplier array, an adder tree and the accumulator follow (an :class:`IntMac`).

    Registers: the accumulator, plus the pipeline registers ``pipeline`` names among
    :func:`decompress_mac_cuts` (after the decoders, then as :class:`IntMac`). With every cut
    registered (the default) ``LATENCY`` is ``log2(LANES) + 3``.

    The unit has no group state: each beat's flags are applied to that beat's codes.

    Parameters
    ----------
    lanes, group, mag_bits, a_bits, w_bits, acc_bits : int
        As :class:`hw.sdr_mac.SdrMac`; ``acc_bits`` must hold one ``a_bits + w_bits`` product.
    pipeline : str
        Registered cuts: ``all``, ``none`` or a comma list of :func:`decompress_mac_cuts` names.

    Attributes
    ----------
    a_code, w_code : In(ArrayLayout(unsigned(1+M), lanes))
        Activation and weight codes, lane ``i`` at bits ``[i*(1+M) +: 1+M]``.
    a_flag : In(unsigned(F_a))
    w_flag : In(unsigned(F_w))
        Group flags of this beat's codes.
    in_valid : In(1)
    in_last : In(1)
        Last beat of a dot product.
    out_valid : Out(1)
        ``out`` holds a finished dot product, ``LATENCY`` cycles after its ``in_last`` beat.
    out : Out(signed(acc_bits))
    """

    MODULE_NAME = "decompress_mac"
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
        registered = self.check_parameters(
            lanes, group, mag_bits, a_bits, w_bits, acc_bits, pipeline
        )
        a_config = SdrConfig(a_bits, mag_bits, group)
        w_config = SdrConfig(w_bits, mag_bits, group)
        self.cuts = decompress_mac_cuts(lanes)
        values = (lanes, group, mag_bits, a_bits, w_bits, acc_bits)
        pipeline = pipeline_text(registered, self.cuts)
        self.parameters = dict(zip(self.PARAMETERS, (*values, pipeline), strict=True))
        self.a_decoder = SdrDecoder(a_config, lanes, "decoders" in registered)
        self.w_decoder = SdrDecoder(w_config, lanes, "decoders" in registered)
        self.mac = IntMac(lanes, a_bits, w_bits, acc_bits, registered - {"decoders"})
        super().__init__(sdr_mac_ports(a_config, w_config, lanes, acc_bits))

    @staticmethod
    def check_parameters(
        lanes, group, mag_bits, a_bits, w_bits, acc_bits, pipeline=DEFAULTS["PIPELINE"]
    ):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit; return the
        registered cuts."""
        check_params(lanes=lanes, group=group, mag_bits=mag_bits, a_bits=a_bits, w_bits=w_bits)
        check_acc_bits(acc_bits, a_bits + w_bits)  # the width of its A_BITS x W_BITS products
        return parse_pipeline(pipeline, decompress_mac_cuts(lanes), "decompress_mac")

    def cut_blocks(self):
        """``{cut: block or blocks}``: the blocks whose outputs each cut registers."""
        return {"decoders": ("a_decoder", "w_decoder"), **self.mac.cut_blocks(prefix="mac_")}

    @property
    def LATENCY(self):
        """Registered decoders (0/1) + :class:`IntMac` (multipliers, tree, accumulator)."""
        return self.a_decoder.LATENCY + self.mac.LATENCY

    def elaborate(self, platform):
        m = Module()
        m.submodules.a_decoder = a_decoder = self.a_decoder
        m.submodules.w_decoder = w_decoder = self.w_decoder
        m.submodules.mac = mac = self.mac
        m.d.comb += [
            a_decoder.code.eq(self.a_code),
            a_decoder.flag.eq(self.a_flag),
            w_decoder.code.eq(self.w_code),
            w_decoder.flag.eq(self.w_flag),
            mac.a.eq(a_decoder.value),
            mac.w.eq(w_decoder.value),
            mac.in_valid.eq(delayed(m, self.in_valid, a_decoder.LATENCY, "valid")),
            mac.in_last.eq(delayed(m, self.in_last, a_decoder.LATENCY, "last")),
            self.out.eq(mac.out),
            self.out_valid.eq(mac.out_valid),
        ]
        return m
