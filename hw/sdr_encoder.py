"""``sdr_encoder``: on-chip SDR razoring of one group per beat (SPEC section 2)."""

import functools
import operator

from amaranth import Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from sim.formats import SdrConfig

from .params import DEFAULTS, check_params
from .pipeline import delayed, parse_pipeline, pipeline_text, stage

__all__ = ["SdrEncoder", "ENCODER_CUTS"]

#: Optional pipeline registers of ``sdr_encoder``, in datapath order.
ENCODER_CUTS = ("magnitudes", "flag")


class SdrEncoder(wiring.Component):
    """Razors G two's-complement B-bit values to G codes ``{sign, q}`` and one flag per beat.

    Datapath, per beat:

    1. per element: sign and magnitude ``m = min(|x|, 2**(B-1)-1)``;
    2. the OR of the G magnitudes, its leading one ``L``, ``flag = max(0, L - M)``;
    3. per element: the (M+1)-bit window ``m[flag-1 : flag+M]`` selected by a logarithmic mux
       (``m >> flag`` has at most M bits because ``m < 2**L``), rounded by an M-bit increment of
       its top M bits by its lowest bit (``nearest``; a saturating increment: ``2**M - 1``
       stays), the sign of a zero dropped; then the output registers (codes and flag).

    No B-bit adder and no full barrel shifter: the only arithmetic is the magnitude's negation and
    the M-bit increment. Optional pipeline registers (``pipeline``): ``magnitudes`` after step 1,
    ``flag`` after step 2 (the flag with the magnitudes and signs beside it).
    ``LATENCY`` is 1 (the output registers) plus one per registered cut (3 with ``all``).

    Every ``in_valid`` beat yields one ``out_valid`` beat LATENCY cycles later, in order; one beat
    per cycle. Every register loads every cycle and a reset clears them all (the codes and flag
    are visible every cycle, so no register is left without a reset value).

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
    pipeline : str
        Registered cuts: ``all``, ``none`` or a comma list of :data:`ENCODER_CUTS`.

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
    PARAMETERS = ("GROUP", "BASE_BITS", "MAG_BITS", "ROUNDING", "PIPELINE")

    def __init__(
        self,
        group=DEFAULTS["GROUP"],
        base_bits=DEFAULTS["BASE_BITS"],
        mag_bits=DEFAULTS["MAG_BITS"],
        rounding=DEFAULTS["ROUNDING"],
        pipeline=DEFAULTS["PIPELINE"],
    ):
        self._registered = self.check_parameters(group, base_bits, mag_bits, rounding, pipeline)
        self.config = SdrConfig(base_bits, mag_bits, group, rounding)
        self.cuts = ENCODER_CUTS
        self.parameters = {
            "GROUP": group,
            "BASE_BITS": base_bits,
            "MAG_BITS": mag_bits,
            "ROUNDING": rounding,
            "PIPELINE": pipeline_text(self._registered, self.cuts),
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
    def check_parameters(group, base_bits, mag_bits, rounding, pipeline=DEFAULTS["PIPELINE"]):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit; return the
        registered cuts."""
        check_params(group=group, base_bits=base_bits, mag_bits=mag_bits, rounding=rounding)
        return parse_pipeline(pipeline, ENCODER_CUTS, "sdr_encoder")

    @property
    def LATENCY(self):
        """The output registers (1) plus one per registered cut."""
        return 1 + len(self._registered)

    def _magnitudes(self, m):
        """Step 1: ``(magnitudes, signs)`` of the inputs, through the ``magnitudes`` cut."""
        cfg = self.config
        width = cfg.base_bits - 1
        registered = "magnitudes" in self._registered
        mags, signs = [], []
        for i in range(cfg.group):
            x = self.x[i]
            absolute = Mux(x < 0, -x, x)[: cfg.base_bits]
            mag = Mux(absolute[width], cfg.base_max, absolute[:width])[:width]
            mags.append(stage(m, mag, registered, f"mag{i}", reset_less=False))
            signs.append(stage(m, x < 0, registered, f"neg{i}", reset_less=False))
        return mags, signs

    def _flag(self, m, mags):
        """Step 2: ``max(0, L - M)`` from the leading one of the OR of ``mags``."""
        cfg = self.config
        group_or = Signal(cfg.base_bits - 1)
        m.d.comb += group_or.eq(functools.reduce(operator.or_, mags))
        length = Signal(range(cfg.base_bits))
        for bit in range(cfg.base_bits - 1):
            with m.If(group_or[bit]):
                m.d.comb += length.eq(bit + 1)
        flag = Signal(cfg.flag_bits)
        m.d.comb += flag.eq(Mux(length > cfg.mag_bits, length - cfg.mag_bits, 0))
        return flag

    def _window(self, mag, flag):
        """``m[flag-1 : flag+M]`` (``m[-1]`` = 0): a logarithmic right shifter, widest shift
        first, each stage as wide as the bits later stages can still select."""
        width = self.config.mag_bits + 1
        value = Cat(Const(0, 1), mag)
        for bit in reversed(range(len(flag))):
            shifted = Mux(flag[bit], value >> (1 << bit), value)
            value = shifted[: min(len(value), width + (2 << bit) - 1)]
        return value[:width]

    def _code(self, mag, negative, flag):
        """Step 3: the code ``{sign, q}`` of one magnitude under ``flag``."""
        cfg = self.config
        window = self._window(mag, flag)
        top = window[1:]
        if cfg.rounding == "nearest":
            saturated = top == cfg.mag_max
            q = (top + (window[0] & ~saturated))[: cfg.mag_bits]
        else:
            q = top
        return Mux(q == 0, 0, Cat(q, negative))

    def elaborate(self, platform):
        m = Module()
        mags, signs = self._magnitudes(m)
        flag = self._flag(m, mags)
        registered = "flag" in self._registered
        flag = stage(m, flag, registered, "flag_cut", reset_less=False)
        mags = [
            stage(m, mag, registered, f"mag{i}_cut", reset_less=False) for i, mag in enumerate(mags)
        ]
        signs = [
            stage(m, sign, registered, f"neg{i}_cut", reset_less=False)
            for i, sign in enumerate(signs)
        ]
        for i, (mag, negative) in enumerate(zip(mags, signs, strict=True)):
            m.d.sync += self.code[i].eq(self._code(mag, negative, flag))
        m.d.sync += self.flag.eq(flag)
        m.d.comb += self.out_valid.eq(delayed(m, self.in_valid, self.LATENCY, "valid"))
        return m
