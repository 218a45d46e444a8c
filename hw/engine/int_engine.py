"""The integer baselines of :class:`~hw.engine.SdrEngine`: COLS conventional integer MAC columns
sharing one broadcast activation stream (``int8_engine``: W8A8; ``int4_engine``: RTN W4A4)."""

from amaranth import Module, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.params import DEFAULTS, check_cols
from hw.units.int_mac import Int4Mac, Int8Mac

__all__ = ["IntEngine", "Int8Engine", "Int4Engine"]


class IntEngine(wiring.Component):
    """COLS columns of the integer MAC ``MAC`` (an ``int8_mac`` or ``int4_mac`` class) on one
    broadcast activation stream: the same array as :class:`~hw.engine.SdrEngine`.

    ``WIDTH``-bit activations (quantized off chip, as W8A8 and RTN W4A4 do) enter LANES per beat
    and are broadcast to every column; each column gets its own ``WIDTH``-bit weights. No
    encoder, no buffer, no delay: ``LATENCY`` is the column's.

    Parameters
    ----------
    cols : int
        Columns, 1 to 64.
    lanes, acc_bits, pipeline
        As for the column MAC (``pipeline`` names every column's cuts).

    Attributes
    ----------
    a : In(ArrayLayout(signed(WIDTH), LANES))
    w : In(ArrayLayout(signed(WIDTH), COLS * LANES))
        Column ``c``'s lane ``l`` at index ``c * LANES + l``.
    in_valid, in_last : In(1)
    out_valid : Out(1)
        ``out`` holds COLS finished dot products, ``LATENCY`` cycles after the ``in_last`` beat.
    out : Out(ArrayLayout(signed(ACC_BITS), COLS))
    """

    #: The column unit (a subclass of :class:`hw.units.int_mac.IntMac` with ``WIDTH``).
    MAC = None
    MODULE_NAME = None
    PARAMETERS = ("COLS", "LANES", "ACC_BITS", "PIPELINE")

    def __init__(
        self,
        cols=DEFAULTS["COLS"],
        lanes=DEFAULTS["LANES"],
        acc_bits=DEFAULTS["ACC_BITS"],
        pipeline=DEFAULTS["PIPELINE"],
    ):
        self.check_parameters(cols, lanes, acc_bits, pipeline)
        self.columns = [self.MAC(lanes, acc_bits, pipeline) for _ in range(cols)]
        self.parameters = {"COLS": cols, **self.columns[0].parameters}
        width = self.MAC.WIDTH
        super().__init__(
            {
                "a": In(data.ArrayLayout(signed(width), lanes)),
                "w": In(data.ArrayLayout(signed(width), cols * lanes)),
                "in_valid": In(1),
                "in_last": In(1),
                "out_valid": Out(1),
                "out": Out(data.ArrayLayout(signed(acc_bits), cols)),
            }
        )

    @classmethod
    def check_parameters(cls, cols, lanes, acc_bits, pipeline=DEFAULTS["PIPELINE"]):
        """Raise ``ValueError`` naming the first parameter that makes no valid unit."""
        check_cols(cols)
        cls.MAC.check_parameters(lanes, acc_bits, pipeline)

    @property
    def LATENCY(self):
        """One column's LATENCY."""
        return self.columns[0].LATENCY

    def elaborate(self, platform):
        m = Module()
        lanes = self.parameters["LANES"]
        weights = self.w.as_value()
        for index, column in enumerate(self.columns):
            m.submodules[f"column{index}"] = column
            m.d.comb += [
                column.a.eq(self.a),
                column.w.eq(weights.word_select(index, self.MAC.WIDTH * lanes)),
                column.in_valid.eq(self.in_valid),
                column.in_last.eq(self.in_last),
                self.out[index].eq(column.out),
            ]
        m.d.comb += self.out_valid.eq(self.columns[0].out_valid)
        return m


class Int8Engine(IntEngine):
    """``int8_engine``: COLS ``int8_mac`` columns on one INT8 activation stream (W8A8).

    ``a`` LANES x 8 bits, ``w`` COLS x LANES x 8 bits; ``acc_bits`` at least 16. ``LATENCY`` is
    ``int8_mac``'s (``log2(LANES) + 2`` with every cut registered).
    """

    MAC = Int8Mac
    MODULE_NAME = "int8_engine"


class Int4Engine(IntEngine):
    """``int4_engine``: COLS ``int4_mac`` columns on one INT4 activation stream (RTN W4A4, the
    4-bit baseline of SPEC 10).

    ``a`` LANES x 4 bits, ``w`` COLS x LANES x 4 bits; ``acc_bits`` at least 8. ``LATENCY`` is
    ``int4_mac``'s (``log2(LANES) + 2`` with every cut registered).
    """

    MAC = Int4Mac
    MODULE_NAME = "int4_engine"
