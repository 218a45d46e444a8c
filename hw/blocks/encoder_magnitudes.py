"""Signs and clamped magnitudes of a group of two's-complement values (``sdr_encoder`` step 1)."""

from amaranth import Module, Mux, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import stage

__all__ = ["EncoderMagnitudes"]


class EncoderMagnitudes(wiring.Component):
    """Per element: ``negative = x < 0`` and ``mag = min(|x|, 2**(B-1)-1)``, optionally registered.

    Parameters
    ----------
    config : sim.formats.SdrConfig
        Base width B, group size G.
    registered : bool
        A pipeline register after the magnitudes (``LATENCY`` 1) or none (0). It resets: the
        encoder's outputs follow its pipeline every cycle.

    Attributes
    ----------
    x : In(ArrayLayout(signed(B), G))
    mags : Out(ArrayLayout(unsigned(B-1), G))
    negative : Out(unsigned(G))
        Bit ``i``: element ``i`` is negative.
    """

    def __init__(self, config, registered):
        self._config = config
        self._registered = registered
        super().__init__(
            {
                "x": In(data.ArrayLayout(signed(config.base_bits), config.group)),
                "mags": Out(data.ArrayLayout(unsigned(config.base_bits - 1), config.group)),
                "negative": Out(unsigned(config.group)),
            }
        )

    @property
    def LATENCY(self):
        """1 with the register after the magnitudes, else 0."""
        return int(self._registered)

    def elaborate(self, platform):
        m = Module()
        cfg = self._config
        width = cfg.base_bits - 1
        for i in range(cfg.group):
            x = self.x[i]
            absolute = Mux(x < 0, -x, x)[: cfg.base_bits]
            mag = Mux(absolute[width], cfg.base_max, absolute[:width])[:width]
            m.d.comb += [
                self.mags[i].eq(stage(m, mag, self._registered, f"mag{i}", reset_less=False)),
                self.negative[i].eq(
                    stage(m, x < 0, self._registered, f"negative{i}", reset_less=False)
                ),
            ]
        return m
