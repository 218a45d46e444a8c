"""A group's SDR flag from the leading one of its magnitudes' OR (``sdr_encoder`` step 2)."""

import functools
import operator

from amaranth import Module, Mux, Signal, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hw.pipeline import stage

__all__ = ["LeadingOne"]


class LeadingOne(wiring.Component):
    """``flag = max(0, L - M)``, ``L`` the bit length of the OR of the G magnitudes.

    The magnitudes and signs pass through beside the flag, so that an optional pipeline
    register here (the ``flag`` cut) keeps them aligned.

    Parameters
    ----------
    config : sim.formats.SdrConfig
    registered : bool
        A pipeline register after the flag (``LATENCY`` 1) or none (0); it resets.

    Attributes
    ----------
    mags_in : In(ArrayLayout(unsigned(B-1), G))
    negative_in : In(unsigned(G))
    flag : Out(unsigned(F))
    mags : Out(ArrayLayout(unsigned(B-1), G))
    negative : Out(unsigned(G))
    """

    def __init__(self, config, registered):
        self._config = config
        self._registered = registered
        mags = data.ArrayLayout(unsigned(config.base_bits - 1), config.group)
        super().__init__(
            {
                "mags_in": In(mags),
                "negative_in": In(unsigned(config.group)),
                "flag": Out(unsigned(config.flag_bits)),
                "mags": Out(mags),
                "negative": Out(unsigned(config.group)),
            }
        )

    @property
    def LATENCY(self):
        """1 with the register after the flag, else 0."""
        return int(self._registered)

    def elaborate(self, platform):
        m = Module()
        cfg = self._config
        group_or = Signal(cfg.base_bits - 1)
        m.d.comb += group_or.eq(
            functools.reduce(operator.or_, (self.mags_in[i] for i in range(cfg.group)))
        )
        length = Signal(range(cfg.base_bits))
        for bit in range(cfg.base_bits - 1):
            with m.If(group_or[bit]):
                m.d.comb += length.eq(bit + 1)
        flag = Mux(length > cfg.mag_bits, length - cfg.mag_bits, 0)[: cfg.flag_bits]

        def out(value, name):
            return stage(m, value, self._registered, name, reset_less=False)

        m.d.comb += [
            self.flag.eq(out(flag, "flag_r")),
            self.mags.eq(out(self.mags_in.as_value(), "mags_r")),
            self.negative.eq(out(self.negative_in, "negative_r")),
        ]
        return m
