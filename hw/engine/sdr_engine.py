"""``sdr_engine``: COLS ``sdr_mac`` columns on one broadcast stream of SDR activation codes."""

from amaranth import Module, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.params import DEFAULTS, check_cols
from hw.units.sdr_mac import SdrMac

__all__ = ["SdrEngine"]


class SdrEngine(wiring.Component):
    """COLS columns of :class:`~hw.units.sdr_mac.SdrMac` sharing one activation stream.

    The activations arrive as they are stored in the activation buffer: LANES SDR codes
    (``a_code``) and the group's flag (``a_flag``, held over the group's GROUP / LANES beats) per
    beat, broadcast to every column. No encoder sits in this input path: QRazor razors each
    activation once, where it is produced (SPEC 10: an ``sdr_encoder`` at the producer side).
    Each column gets its own weight codes and flag. ``in_valid`` and ``in_last`` go to every
    column, each of which counts its group's beats itself (the count restarts after ``in_last``).

    ``LATENCY`` is one ``sdr_mac`` column's: the engine adds no register of its own.

    Parameters
    ----------
    cols : int
        Columns (dot products per activation stream), 1 to 64.
    lanes, group, mag_bits, a_bits, w_bits, acc_bits, pipeline
        As for ``sdr_mac`` (``pipeline`` names every column's cuts).

    Attributes
    ----------
    a_code : In(ArrayLayout(unsigned(1+M), LANES))
        The beat's activation codes ``{sign, q}``, broadcast to every column.
    a_flag : In(unsigned(F_a))
        The activation group's flag, broadcast.
    w_code : In(ArrayLayout(unsigned(1+M), COLS * LANES))
        Column ``c``'s lane ``l`` at index ``c * LANES + l``.
    w_flag : In(ArrayLayout(unsigned(F_w), COLS))
        Column ``c``'s weight flag at index ``c``.
    in_valid, in_last : In(1)
    out_valid : Out(1)
        ``out`` holds COLS finished dot products, ``LATENCY`` cycles after the ``in_last`` beat.
    out : Out(ArrayLayout(signed(ACC_BITS), COLS))
    """

    MODULE_NAME = "sdr_engine"
    PARAMETERS = ("COLS", *SdrMac.PARAMETERS)

    def __init__(
        self,
        cols=DEFAULTS["COLS"],
        lanes=DEFAULTS["LANES"],
        group=DEFAULTS["GROUP"],
        mag_bits=DEFAULTS["MAG_BITS"],
        a_bits=DEFAULTS["A_BITS"],
        w_bits=DEFAULTS["W_BITS"],
        acc_bits=DEFAULTS["ACC_BITS"],
        pipeline=DEFAULTS["PIPELINE"],
    ):
        self.check_parameters(cols, lanes, group, mag_bits, a_bits, w_bits, acc_bits, pipeline)
        self.columns = [
            SdrMac(lanes, group, mag_bits, a_bits, w_bits, acc_bits, pipeline) for _ in range(cols)
        ]
        self.parameters = {"COLS": cols, **self.columns[0].parameters}
        column = self.columns[0]
        code = unsigned(column.a_config.code_bits)
        super().__init__(
            {
                "a_code": In(data.ArrayLayout(code, lanes)),
                "a_flag": In(unsigned(column.a_config.flag_bits)),
                "w_code": In(data.ArrayLayout(code, cols * lanes)),
                "w_flag": In(data.ArrayLayout(unsigned(column.w_config.flag_bits), cols)),
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
        pipeline=DEFAULTS["PIPELINE"],
    ):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit."""
        check_cols(cols)
        SdrMac.check_parameters(lanes, group, mag_bits, a_bits, w_bits, acc_bits, pipeline)

    @property
    def LATENCY(self):
        """One ``sdr_mac`` column's LATENCY (no encoder stage, no register of the engine's)."""
        return self.columns[0].LATENCY

    def elaborate(self, platform):
        m = Module()
        w_code, w_flag = self.w_code.as_value(), self.w_flag.as_value()
        width = len(w_code) // len(self.columns)
        flag_bits = len(w_flag) // len(self.columns)
        for index, column in enumerate(self.columns):
            m.submodules[f"column{index}"] = column
            m.d.comb += [
                column.a_code.eq(self.a_code),
                column.a_flag.eq(self.a_flag),
                column.w_code.eq(w_code.word_select(index, width)),
                column.w_flag.eq(w_flag.word_select(index, flag_bits)),
                column.in_valid.eq(self.in_valid),
                column.in_last.eq(self.in_last),
                self.out[index].eq(column.out),
            ]
        m.d.comb += self.out_valid.eq(self.columns[0].out_valid)
        return m
