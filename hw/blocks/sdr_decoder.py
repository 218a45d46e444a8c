"""SDR decompression: codes and a group flag back to two's-complement base integers."""

from amaranth import Module, Mux, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import stage

__all__ = ["SdrDecoder"]


class SdrDecoder(wiring.Component):
    """Per-lane ``(-1)**sign * q << flag`` as a ``base_bits``-wide integer, optionally registered.

    This is the decompression step that :mod:`hw.sdr_mac` avoids.

    Parameters
    ----------
    config : sim.formats.SdrConfig
        Format of the codes (base width, M, flag width).
    lanes : int
    registered : bool
        A pipeline register after the decoders (``LATENCY`` 1) or none (0).

    Attributes
    ----------
    code : In(ArrayLayout(unsigned(1+M), lanes))
    flag : In(unsigned(F))
    value : Out(ArrayLayout(signed(B), lanes))
        Decoded integers, ``LATENCY`` cycles after the codes.
    """

    def __init__(self, config, lanes, registered=True):
        self._config = config
        self._registered = registered
        self._lanes = lanes
        super().__init__(
            {
                "code": In(data.ArrayLayout(unsigned(config.code_bits), lanes)),
                "flag": In(unsigned(config.flag_bits)),
                "value": Out(data.ArrayLayout(signed(config.base_bits), lanes)),
            }
        )

    @property
    def LATENCY(self):
        """1 with the register after the decoders, else 0."""
        return int(self._registered)

    def elaborate(self, platform):
        m = Module()
        mag = self._config.mag_bits
        for lane in range(self._lanes):
            code = self.code[lane]
            magnitude = code[:mag] << self.flag
            value = Mux(code[mag], -magnitude, magnitude)[: self._config.base_bits].as_signed()
            m.d.comb += self.value[lane].eq(stage(m, value, self._registered, f"value{lane}"))
        return m
