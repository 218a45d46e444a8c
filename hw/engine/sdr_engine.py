"""``sdr_engine``: COLS ``sdr_mac`` columns fed by one on-chip ``sdr_encoder``."""

from amaranth import Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.params import DEFAULTS, check_cols
from hw.pipeline import delayed
from hw.units.sdr_encoder import SdrEncoder
from hw.units.sdr_mac import SdrMac

__all__ = ["SdrEngine"]


class SdrEngine(wiring.Component):
    """COLS columns of :class:`~hw.sdr_mac.SdrMac` sharing one activation stream.

    INT16 (A_BITS) activations enter as whole groups: ``x`` carries a group and is held over the
    group's GROUP / LANES beats (sampled on its first beat). An :class:`~hw.sdr_encoder.SdrEncoder`
    razors it on chip (one register stage); its codes and flag are kept in a group buffer for
    the group's later beats and broadcast, LANES codes per beat, to every column. Each column
    gets its own weight codes and flag; the weight codes, flags, ``in_valid`` and ``in_last`` are
    delayed one cycle to meet the encoder's output. The engine counts beats itself (the count
    restarts after ``in_last``), as ``sdr_mac`` does.

    ``LATENCY`` = 1 (the encoder) + ``sdr_mac``'s. Registers beyond the columns': the encoder's
    output register (G codes and the flag), the group buffer (with several beats per group:
    the codes of the later beats and the flag),
    the one-cycle delay of the weight stream (COLS x LANES codes and COLS flags) and the beat
    counter.

    Parameters
    ----------
    cols : int
        Columns (dot products per activation stream), 1 to 64.
    lanes, group, mag_bits, a_bits, w_bits, acc_bits, pipeline
        As for ``sdr_mac`` (``pipeline`` names every column's cuts); the encoder razors with
        ``rounding`` and has no optional pipeline register.

    Attributes
    ----------
    x : In(ArrayLayout(signed(A_BITS), GROUP))
        One activation group, held over the group's beats.
    w_code : In(ArrayLayout(unsigned(1+M), COLS * LANES))
        Column ``c``'s lane ``l`` at index ``c * LANES + l``.
    w_flag : In(ArrayLayout(unsigned(F_w), COLS))
    in_valid, in_last : In(1)
    out_valid : Out(1)
        ``out`` holds COLS finished dot products, ``LATENCY`` cycles after the ``in_last`` beat.
    out : Out(ArrayLayout(signed(ACC_BITS), COLS))
    """

    MODULE_NAME = "sdr_engine"
    PARAMETERS = (
        "COLS",
        "LANES",
        "GROUP",
        "MAG_BITS",
        "A_BITS",
        "W_BITS",
        "ACC_BITS",
        "ROUNDING",
        "PIPELINE",
    )

    def __init__(
        self,
        cols=DEFAULTS["COLS"],
        lanes=DEFAULTS["LANES"],
        group=DEFAULTS["GROUP"],
        mag_bits=DEFAULTS["MAG_BITS"],
        a_bits=DEFAULTS["A_BITS"],
        w_bits=DEFAULTS["W_BITS"],
        acc_bits=DEFAULTS["ACC_BITS"],
        rounding=DEFAULTS["ROUNDING"],
        pipeline=DEFAULTS["PIPELINE"],
    ):
        self.check_parameters(
            cols, lanes, group, mag_bits, a_bits, w_bits, acc_bits, rounding, pipeline
        )
        self.columns = [
            SdrMac(lanes, group, mag_bits, a_bits, w_bits, acc_bits, pipeline) for _ in range(cols)
        ]
        self.encoder = SdrEncoder(group, a_bits, mag_bits, rounding, "none")
        self.parameters = {
            "COLS": cols,
            **{name: self.columns[0].parameters[name] for name in SdrMac.PARAMETERS},
            "ROUNDING": rounding,
        }
        self.parameters = {name: self.parameters[name] for name in self.PARAMETERS}
        self._beats = group // lanes
        w_config = self.columns[0].w_config
        code = unsigned(w_config.code_bits)
        super().__init__(
            {
                "x": In(data.ArrayLayout(signed(a_bits), group)),
                "w_code": In(data.ArrayLayout(code, cols * lanes)),
                "w_flag": In(data.ArrayLayout(unsigned(w_config.flag_bits), cols)),
                "in_valid": In(1),
                "in_last": In(1),
                "out_valid": Out(1),
                "out": Out(data.ArrayLayout(signed(acc_bits), cols)),
            }
        )

    @staticmethod
    def check_parameters(
        cols,
        lanes,
        group,
        mag_bits,
        a_bits,
        w_bits,
        acc_bits,
        rounding=DEFAULTS["ROUNDING"],
        pipeline=DEFAULTS["PIPELINE"],
    ):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit."""
        check_cols(cols)
        SdrMac.check_parameters(lanes, group, mag_bits, a_bits, w_bits, acc_bits, pipeline)
        SdrEncoder.check_parameters(group, a_bits, mag_bits, rounding, "none")

    @property
    def LATENCY(self):
        """The encoder's register (1) + one ``sdr_mac`` column's LATENCY."""
        return self.encoder.LATENCY + self.columns[0].LATENCY

    def _position(self, m):
        """Beat index within the current group (0 on a group's first beat)."""
        if self._beats == 1:
            return Const(0, 1)
        position = Signal(range(self._beats))
        end = self.in_last | (position == self._beats - 1)
        with m.If(self.in_valid):
            m.d.sync += position.eq(Mux(end, 0, position + 1))
        return position

    def elaborate(self, platform):
        m = Module()
        m.submodules.encoder = encoder = self.encoder
        lanes = self.parameters["LANES"]
        delay = encoder.LATENCY
        m.d.comb += [encoder.x.eq(self.x), encoder.in_valid.eq(self.in_valid)]
        position = delayed(m, self._position(m), delay, "position", reset_less=True)
        first = position == 0
        valid = delayed(m, self.in_valid, delay, "valid")
        last = delayed(m, self.in_last, delay, "last")
        codes, flag = encoder.code.as_value(), encoder.flag
        width = lanes * (1 + self.parameters["MAG_BITS"])
        if self._beats > 1:
            # The group buffer: the codes of the group's later beats and its flag, from its
            # first beat (which takes its codes straight from the encoder).
            held_codes = Signal(len(codes) - width, name="held_codes")
            held_flag = Signal.like(flag, name="held_flag")
            with m.If(valid & first):
                m.d.sync += [held_codes.eq(codes[width:]), held_flag.eq(flag)]
            codes = Cat(codes[:width], held_codes)
            flag = Mux(first, flag, held_flag)
        a_code = codes.word_select(position, width) if self._beats > 1 else codes
        w_code = delayed(m, self.w_code.as_value(), delay, "w_code", reset_less=True)
        w_flag = delayed(m, self.w_flag.as_value(), delay, "w_flag", reset_less=True)
        flag_bits = len(self.w_flag.as_value()) // len(self.columns)
        for index, column in enumerate(self.columns):
            m.submodules[f"column{index}"] = column
            m.d.comb += [
                column.a_code.eq(a_code),
                column.a_flag.eq(flag),
                column.w_code.eq(w_code.word_select(index, width)),
                column.w_flag.eq(w_flag.word_select(index, flag_bits)),
                column.in_valid.eq(valid),
                column.in_last.eq(last),
                self.out[index].eq(column.out),
            ]
        m.d.comb += self.out_valid.eq(self.columns[0].out_valid)
        return m
