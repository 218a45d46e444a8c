"""The column ADC of an AMS-PiM tile (SPEC section 9): transfer function, noise and variation.

A bit-line sum ``s`` (0..k, where k is the most word-lines one conversion activates:
``max_active_rows`` sparse, ``rows`` dense) becomes the analog value ``v = gain * s + offset +
noise`` in units of one bit-line step; the ADC turns ``v`` into a code and the periphery reads
the code back as an integer estimate of ``s``:

* ``"low"``: one code per unit of ``s``; codes clip at ``2**bits - 1`` (counted) and at 0.
* ``"full"``: the ``k + 1`` levels spread over ``2**bits`` codes, a step of
  ``k / (2**bits - 1)``; the periphery maps each code to its nearest integer level (a table).

Noise, per-column offsets and gains are Gaussian. Noise and offsets are fractions of a swing:
with ``noise_reference="bitline"`` (the default) the bit-line's full swing, the most word-lines a
conversion activates (k): at a fixed voltage swing fewer active rows leave more margin per cell;
with ``"adc"`` the ADC's full-scale input range (``2**bits - 1`` steps for ``"low"``, k for
``"full"``).
"""

import numpy as np

__all__ = ["AdcColumns", "swing"]


def swing(config):
    """The range, in bit-line steps, that ``noise_swing`` and ``offset_sigma`` are fractions of."""
    if config.noise_reference == "bitline" or config.adc_range == "full":
        return float(config.k)
    return float(config.adc_top)


class AdcColumns:
    """The ADCs of the bit-lines in ``shape`` (broadcast against the sums): per-column gain and
    offset, drawn once from ``rng``."""

    def __init__(self, config, shape, rng):
        self.top = (1 << config.adc_bits) - 1
        self.step = config.k / self.top if config.adc_range == "full" else 1.0
        self.noise = config.noise_swing * swing(config)
        self.rng = rng
        self.gain = (1 + config.gain_sigma * rng.standard_normal(shape)).astype(np.float32)
        offset = config.offset_sigma * swing(config) * rng.standard_normal(shape)
        self.offset = offset.astype(np.float32)
        self.ideal = not (config.noise_swing or config.gain_sigma or config.offset_sigma)

    def read(self, sums, tile_rows=None):
        """``(estimates, clipped)``: integer-valued float32 estimates of ``sums`` (float32,
        overwritten) and where the conversion clipped at the top code (bool). ``tile_rows``:
        for ``sums`` ``[n, bit-lines]``, the tile row (chunk) of each of the n conversions."""
        v = sums
        if not self.ideal:
            gain, offset = self.gain, self.offset
            if tile_rows is not None:
                gain, offset = gain[tile_rows, 0], offset[tile_rows, 0]
            v *= gain
            v += offset
            if self.noise:
                noise = self.rng.standard_normal(v.shape, dtype=np.float32)
                noise *= self.noise
                v += noise
        if self.step != 1.0:
            v /= self.step
        np.rint(v, out=v)
        clipped = v > self.top
        np.clip(v, 0, self.top, out=v)
        if self.step != 1.0:
            v *= self.step
            np.rint(v, out=v)
        return v, clipped
