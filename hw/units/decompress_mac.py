"""``decompress_mac``: the conventional unit that decodes SDR codes back to integers first."""

from amaranth import Module

from hw.blocks.sdr_decoder import SdrDecoder
from hw.params import check_acc_bits
from hw.pipeline import delayed, parse_pipeline
from hw.units.int_mac import IntMac, int_mac_cuts
from hw.units.sdr_mac import SdrMacBase

__all__ = ["DecompressMac", "decompress_mac_cuts"]


def decompress_mac_cuts(lanes):
    """Optional pipeline registers of ``decompress_mac``: ``decoders``, then as ``int8_mac``."""
    return ("decoders",) + int_mac_cuts(lanes)


class DecompressMac(SdrMacBase):
    """SDR dot products the conventional way: decompress every code, then multiply wide.

    Each lane's code is shifted by its group flag back to an A_BITS / W_BITS integer, then an
    A_BITS x W_BITS multiplier array, an adder tree and the accumulator follow (an :class:`IntMac`).

    Registers: the accumulator, plus the pipeline registers ``pipeline`` names among
    :func:`decompress_mac_cuts` (after the decoders, then as :class:`IntMac`). With every cut
    registered (the default) ``LATENCY`` is ``log2(LANES) + 3``.

    The unit has no group state: each beat's flags are applied to that beat's codes.

    Parameters and ports are those of :class:`~hw.units.sdr_mac.SdrMac` (``a_flag`` and
    ``w_flag`` the group flags of this beat's codes); ``acc_bits`` must hold one
    ``a_bits + w_bits`` product, and ``pipeline`` names :func:`decompress_mac_cuts`.
    """

    MODULE_NAME = "decompress_mac"

    @classmethod
    def _registered(cls, params, pipeline):
        check_acc_bits(params.acc_bits, params.a_bits + params.w_bits)  # A_BITS x W_BITS products
        return parse_pipeline(pipeline, cls._cuts(params), "decompress_mac")

    @staticmethod
    def _cuts(params):
        return decompress_mac_cuts(params.lanes)

    def _build(self, params, registered):
        p = params
        self.a_decoder = SdrDecoder(p.a_config, p.lanes, "decoders" in registered)
        self.w_decoder = SdrDecoder(p.w_config, p.lanes, "decoders" in registered)
        self.mac = IntMac(p.lanes, p.a_bits, p.w_bits, p.acc_bits, registered - {"decoders"})

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
