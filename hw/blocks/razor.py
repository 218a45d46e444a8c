"""Per-element SDR codes from magnitudes and the group flag (``sdr_encoder`` step 3)."""

from amaranth import Cat, Const, Module, Mux, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

__all__ = ["Razor"]


class Razor(wiring.Component):
    """Codes ``{sign, q}`` of G magnitudes under one flag, into the output registers.

    Per element, the (M+1)-bit window ``m[flag-1 : flag+M]`` is selected by a logarithmic
    right shifter (``m >> flag`` has at most M bits because ``m < 2**L``), its top M bits are
    rounded by its lowest bit (``nearest``: a saturating M-bit increment, ``2**M - 1`` stays;
    ``truncate``: no increment), and the sign of a zero is dropped. No B-bit adder, no full
    barrel shifter. The codes and the flag are registered (they reset).

    Parameters
    ----------
    config : sim.formats.SdrConfig

    Attributes
    ----------
    mags : In(ArrayLayout(unsigned(B-1), G))
    negative : In(unsigned(G))
    flag_in : In(unsigned(F))
    code : Out(ArrayLayout(unsigned(1+M), G))
        One cycle later.
    flag : Out(unsigned(F))
        ``flag_in``, one cycle later.
    """

    def __init__(self, config):
        self._config = config
        super().__init__(
            {
                "mags": In(data.ArrayLayout(unsigned(config.base_bits - 1), config.group)),
                "negative": In(unsigned(config.group)),
                "flag_in": In(unsigned(config.flag_bits)),
                "code": Out(data.ArrayLayout(unsigned(config.code_bits), config.group)),
                "flag": Out(unsigned(config.flag_bits)),
            }
        )

    @property
    def LATENCY(self):
        """One register: the codes and the flag."""
        return 1

    def _window(self, mag):
        """``m[flag-1 : flag+M]`` (``m[-1]`` = 0), widest shift first, each stage as wide as the
        bits later stages can still select."""
        width = self._config.mag_bits + 1
        value = Cat(Const(0, 1), mag)
        for bit in reversed(range(len(self.flag_in))):
            shifted = Mux(self.flag_in[bit], value >> (1 << bit), value)
            value = shifted[: min(len(value), width + (1 << bit) - 1)]
        return value[:width]

    def elaborate(self, platform):
        m = Module()
        cfg = self._config
        for i in range(cfg.group):
            window = self._window(self.mags[i])
            top = window[1:]
            if cfg.rounding == "nearest":
                q = (top + (window[0] & ~(top == cfg.mag_max)))[: cfg.mag_bits]
            else:
                q = top
            m.d.sync += self.code[i].eq(Mux(q == 0, 0, Cat(q, self.negative[i])))
        m.d.sync += self.flag.eq(self.flag_in)
        return m
