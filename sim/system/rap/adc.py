"""The column ADC of an AMS-PiM tile (SPEC section 9): transfer function, noise and variation.

A bit-line sum ``s`` (0..rows) becomes the analog value ``v = gain * s + offset + noise`` in units
of one bit-line step; the ADC turns ``v`` into a code and the periphery reads the code back as an
integer estimate of ``s``:

* ``"low"``: one code per unit of ``s``; codes clip at ``2**bits - 1`` (counted).
* ``"full"``: the ``rows + 1`` levels spread over ``2**bits`` codes, a step of
  ``rows / (2**bits - 1)``; the periphery maps each code to its nearest integer level (a table).

Noise, per-column offsets and gains are Gaussian. Noise and offsets are fractions of a swing:
the ADC's full-scale input range (``2**bits - 1`` steps for ``"low"``, ``rows`` for ``"full"``)
with ``noise_reference="adc"``, the bit-line's whole range (``rows``) with ``"bitline"``.
"""

import numpy as np

__all__ = ["AdcColumns", "swing"]


def swing(config):
    """The range, in bit-line steps, that ``noise_swing`` and ``offset_sigma`` are fractions of."""
    if config.noise_reference == "bitline" or config.adc_range == "full":
        return float(config.rows)
    return float((1 << config.adc_bits) - 1)


class AdcColumns:
    """The ADCs of the bit-lines in ``shape`` (broadcast against the sums): per-column gain and
    offset, drawn once from ``rng``."""

    def __init__(self, config, shape, rng):
        self.config = config
        self.top = (1 << config.adc_bits) - 1
        self.step = config.rows / self.top if config.adc_range == "full" else 1.0
        self.noise = config.noise_swing * swing(config)
        self.rng = rng
        self.gain = (1 + config.gain_sigma * rng.standard_normal(shape)).astype(np.float32)
        offset = config.offset_sigma * swing(config) * rng.standard_normal(shape)
        self.offset = offset.astype(np.float32)
        self.ideal = not (config.noise_swing or config.gain_sigma or config.offset_sigma)

    def read(self, sums):
        """``(estimates, clipped)``: integer-valued float32 estimates of ``sums`` (float32,
        overwritten) and where the conversion clipped at the top code (bool)."""
        v = sums
        if not self.ideal:
            v *= self.gain
            v += self.offset
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
