"""``int8_engine``: COLS ``int8_mac`` columns sharing one INT8 activation stream (W8A8)."""

from amaranth import Module, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.params import DEFAULTS, check_cols
from hw.units.int_mac import Int8Mac

__all__ = ["Int8Engine"]


class Int8Engine(wiring.Component):
    """The baseline of :class:`~hw.engine.SdrEngine`: the same array of ``int8_mac`` columns.

    INT8 activations (quantized off chip, as W8A8 does) enter LANES per beat and are broadcast to
    every column; each column gets its own INT8 weights. No encoder, no buffer, no delay:
    ``LATENCY`` is ``int8_mac``'s.

    Parameters
    ----------
    cols : int
        Columns, 1 to 64.
    lanes, acc_bits, pipeline
        As for ``int8_mac`` (``pipeline`` names every column's cuts).

    Attributes
    ----------
    a : In(ArrayLayout(signed(8), LANES))
    w : In(ArrayLayout(signed(8), COLS * LANES))
        Column ``c``'s lane ``l`` at index ``c * LANES + l``.
    in_valid, in_last : In(1)
    out_valid : Out(1)
    out : Out(ArrayLayout(signed(ACC_BITS), COLS))
    """

    MODULE_NAME = "int8_engine"
    PARAMETERS = ("COLS", "LANES", "ACC_BITS", "PIPELINE")

    def __init__(
        self,
        cols=DEFAULTS["COLS"],
        lanes=DEFAULTS["LANES"],
        acc_bits=DEFAULTS["ACC_BITS"],
        pipeline=DEFAULTS["PIPELINE"],
    ):
        self.check_parameters(cols, lanes, acc_bits, pipeline)
        self.columns = [Int8Mac(lanes, acc_bits, pipeline) for _ in range(cols)]
        self.parameters = {"COLS": cols, **self.columns[0].parameters}
        super().__init__(
            {
                "a": In(data.ArrayLayout(signed(8), lanes)),
                "w": In(data.ArrayLayout(signed(8), cols * lanes)),
                "in_valid": In(1),
                "in_last": In(1),
                "out_valid": Out(1),
                "out": Out(data.ArrayLayout(signed(acc_bits), cols)),
            }
        )

    @staticmethod
    def check_parameters(cols, lanes, acc_bits, pipeline=DEFAULTS["PIPELINE"]):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit."""
        check_cols(cols)
        Int8Mac.check_parameters(lanes, acc_bits, pipeline)

    @property
    def LATENCY(self):
        """One ``int8_mac`` column's LATENCY."""
        return self.columns[0].LATENCY

    def elaborate(self, platform):
        m = Module()
        lanes = self.parameters["LANES"]
        weights = self.w.as_value()
        for index, column in enumerate(self.columns):
            m.submodules[f"column{index}"] = column
            m.d.comb += [
                column.a.eq(self.a),
                column.w.eq(weights.word_select(index, 8 * lanes)),
                column.in_valid.eq(self.in_valid),
                column.in_last.eq(self.in_last),
                self.out[index].eq(column.out),
            ]
        m.d.comb += self.out_valid.eq(self.columns[0].out_valid)
        return m
