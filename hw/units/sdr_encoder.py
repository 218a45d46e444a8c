"""``sdr_encoder``: on-chip SDR razoring of one group per beat (SPEC section 2)."""

from amaranth import Module, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.blocks.encoder_magnitudes import EncoderMagnitudes
from hw.blocks.leading_one import LeadingOne
from hw.blocks.razor import Razor
from hw.params import DEFAULTS, check_params
from hw.pipeline import delayed, parse_pipeline, pipeline_text
from sim.golden.formats import SdrConfig

__all__ = ["SdrEncoder", "ENCODER_CUTS"]

#: Optional pipeline registers of ``sdr_encoder``, in datapath order.
ENCODER_CUTS = ("magnitudes", "flag")


class SdrEncoder(wiring.Component):
    """Razors G two's-complement B-bit values to G codes ``{sign, q}`` and one flag per beat.

    Datapath, per beat, one block each:

    1. ``magnitudes`` (:class:`~hw.blocks.encoder_magnitudes.EncoderMagnitudes`): per element,
       sign and magnitude ``m = min(|x|, 2**(B-1)-1)``;
    2. ``leading_one`` (:class:`~hw.blocks.leading_one.LeadingOne`): the OR of the G magnitudes,
       its leading one ``L``, ``flag = max(0, L - M)``;
    3. ``razor`` (:class:`~hw.blocks.razor.Razor`): per element, the (M+1)-bit window
       ``m[flag-1 : flag+M]`` selected by a logarithmic mux, rounded by a saturating M-bit
       increment, the sign of a zero dropped; then the output registers (codes and flag).

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
        registered = self.check_parameters(group, base_bits, mag_bits, rounding, pipeline)
        self.config = SdrConfig(base_bits, mag_bits, group, rounding)
        self.cuts = ENCODER_CUTS
        self.parameters = {
            "GROUP": group,
            "BASE_BITS": base_bits,
            "MAG_BITS": mag_bits,
            "ROUNDING": rounding,
            "PIPELINE": pipeline_text(registered, self.cuts),
        }
        self.magnitudes = EncoderMagnitudes(self.config, "magnitudes" in registered)
        self.leading_one = LeadingOne(self.config, "flag" in registered)
        self.razor = Razor(self.config)
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

    def cut_blocks(self):
        """``{cut: block}``: the block whose output each cut registers."""
        return {"magnitudes": "magnitudes", "flag": "leading_one"}

    @property
    def LATENCY(self):
        """The output registers (1) plus one per registered cut."""
        return self.magnitudes.LATENCY + self.leading_one.LATENCY + self.razor.LATENCY

    def elaborate(self, platform):
        m = Module()
        m.submodules.magnitudes = magnitudes = self.magnitudes
        m.submodules.leading_one = leading_one = self.leading_one
        m.submodules.razor = razor = self.razor
        m.d.comb += [
            magnitudes.x.eq(self.x),
            leading_one.mags_in.eq(magnitudes.mags),
            leading_one.negative_in.eq(magnitudes.negative),
            razor.mags.eq(leading_one.mags),
            razor.negative.eq(leading_one.negative),
            razor.flag_in.eq(leading_one.flag),
            self.code.eq(razor.code),
            self.flag.eq(razor.flag),
            self.out_valid.eq(delayed(m, self.in_valid, self.LATENCY, "valid")),
        ]
        return m
