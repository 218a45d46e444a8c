"""``sdr_encoder``: on-chip SDR razoring of one group per beat (SPEC section 2)."""

import functools
import operator

from amaranth import Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from sim.formats import SdrConfig

from .params import DEFAULTS, check_params
from .pipeline import delayed

__all__ = ["SdrEncoder"]


class SdrEncoder(wiring.Component):
    """Razors G two's-complement B-bit values to G codes ``{sign, q}`` and one flag per beat.

    Pipeline (``LATENCY`` = 3):

    1. magnitude and sign per element, ``-2**(B-1)`` clamped to ``2**(B-1)-1``;
    2. OR of the G magnitudes, leading-one detection, ``flag = max(0, L - M)``;
    3. per element: round (``nearest``: add ``2**(flag-1)``) and shift right by ``flag``,
       saturate to ``2**M - 1``, drop the sign of a zero.

    Every ``in_valid`` beat yields one ``out_valid`` beat LATENCY cycles later, in order; one beat
    per cycle.

    Parameters
    ----------
    group : int
        G, values per beat (one SDR group).
    base_bits : int
        B, input width: 8 or 16.
    mag_bits : int
        M, magnitude bits per code.
    rounding : str
        ``"nearest"`` or ``"truncate"``.

    Attributes
    ----------
    x : In(ArrayLayout(signed(B), G))
        Value ``i`` at bits ``[i*B +: B]``.
    in_valid : In(1)
    code : Out(ArrayLayout(unsigned(1+M), G))
        Code ``i`` at bits ``[i*(1+M) +: 1+M]``, sign in the MSB.
    flag : Out(unsigned(F))
        ``F = bit_length(B-1-M)``.
    out_valid : Out(1)
    """

    MODULE_NAME = "sdr_encoder"
    PARAMETERS = ("GROUP", "BASE_BITS", "MAG_BITS", "ROUNDING")

    def __init__(
        self,
        group=DEFAULTS["GROUP"],
        base_bits=DEFAULTS["BASE_BITS"],
        mag_bits=DEFAULTS["MAG_BITS"],
        rounding=DEFAULTS["ROUNDING"],
    ):
        self.check_parameters(group, base_bits, mag_bits, rounding)
        self.config = SdrConfig(base_bits, mag_bits, group, rounding)
        self.parameters = {
            "GROUP": group,
            "BASE_BITS": base_bits,
            "MAG_BITS": mag_bits,
            "ROUNDING": rounding,
        }
        super().__init__(
            {
                "x": In(data.ArrayLayout(signed(base_bits), group)),
                "in_valid": In(1),
                "code": Out(data.ArrayLayout(unsigned(self.config.code_bits), group)),
                "flag": Out(unsigned(self.config.flag_bits)),
                "out_valid": Out(1),
            }
        )

    @staticmethod
    def check_parameters(group, base_bits, mag_bits, rounding):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit."""
        check_params(group=group, base_bits=base_bits, mag_bits=mag_bits, rounding=rounding)

    @property
    def LATENCY(self):
        """Three registers: magnitudes, flag, codes."""
        return 3

    def elaborate(self, platform):
        m = Module()
        cfg = self.config
        width = cfg.base_bits - 1
        # Stage 1: sign and clamped magnitude.
        mags = [Signal(width, name=f"mag{i}") for i in range(cfg.group)]
        signs = [Signal(name=f"neg{i}") for i in range(cfg.group)]
        for i, (mag, sign) in enumerate(zip(mags, signs, strict=True)):
            x = self.x[i]
            absolute = Mux(x < 0, -x, x)[: cfg.base_bits]
            m.d.sync += [
                sign.eq(x < 0),
                mag.eq(Mux(absolute[width], cfg.base_max, absolute[:width])),
            ]
        # Stage 2: leading one of the group OR -> flag; magnitudes and signs move along.
        group_or = Signal(width)
        m.d.comb += group_or.eq(functools.reduce(operator.or_, mags))
        length = Signal(range(width + 1))
        for bit in range(width):
            with m.If(group_or[bit]):
                m.d.comb += length.eq(bit + 1)
        flag = Signal(cfg.flag_bits)
        m.d.sync += flag.eq(Mux(length > cfg.mag_bits, length - cfg.mag_bits, 0))
        mags2 = [delayed(m, mag, 1, f"mag{i}") for i, mag in enumerate(mags)]
        signs2 = [delayed(m, sign, 1, f"neg{i}") for i, sign in enumerate(signs)]
        # Stage 3: round, shift, saturate, canonical sign.
        for i, (mag, sign) in enumerate(zip(mags2, signs2, strict=True)):
            half = (Const(1, 1) << flag) >> 1 if cfg.rounding == "nearest" else 0  # 2**(flag-1)
            scaled = Signal(width + 1, name=f"scaled{i}")
            m.d.comb += scaled.eq((mag + half) >> flag)
            q = Mux(scaled > cfg.mag_max, cfg.mag_max, scaled)[: cfg.mag_bits]
            m.d.sync += self.code[i].eq(Mux(q == 0, 0, (sign << cfg.mag_bits) | q))
        m.d.sync += self.flag.eq(flag)
        m.d.comb += self.out_valid.eq(delayed(m, self.in_valid, self.LATENCY, "valid"))
        return m
