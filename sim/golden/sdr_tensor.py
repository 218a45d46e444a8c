"""The SDR tensor: per-element sign and magnitude codes plus one flag per group (SPEC section 2)."""

from dataclasses import dataclass

import numpy as np

from sim.golden.checks import int_array, reduction_length
from sim.golden.formats import SdrConfig

__all__ = ["SdrTensor", "mag_dtype"]


def mag_dtype(config):
    """Narrowest unsigned dtype that holds an M-bit magnitude (and a full code)."""
    return np.uint8 if config.code_bits <= 8 else np.uint16


@dataclass(frozen=True, eq=False)
class SdrTensor:
    """Razored tensor: element ``i`` decodes to ``(-1)**sign[i] * mag[i] << flag[i // G]``.

    Attributes
    ----------
    sign : ndarray of uint8
        1 for a negative element, shape ``[..., K]``; never 1 where ``mag`` is 0.
    mag : ndarray of uint8 (uint16 when M > 7)
        Magnitude code ``q`` in ``[0, 2**M - 1]``, shape ``[..., K]``.
    flag : ndarray of uint8
        Razored bit count per group, in ``[0, B-1-M]``, shape ``[..., K // G]``.
    config : SdrConfig
        Format the codes are in.
    """

    sign: np.ndarray
    mag: np.ndarray
    flag: np.ndarray
    config: SdrConfig

    def __post_init__(self):
        if not isinstance(self.config, SdrConfig):
            raise ValueError(f"config must be an SdrConfig, not {type(self.config).__name__}")
        if self.sign.shape != self.mag.shape:
            raise ValueError(
                f"sign shape {self.sign.shape} differs from mag shape {self.mag.shape}"
            )
        expected = self.mag.shape[:-1] + (self.mag.shape[-1] // self.config.group,)
        if self.flag.shape != expected:
            raise ValueError(f"flag shape must be {expected}, not {self.flag.shape}")

    @property
    def shape(self):
        """Element shape ``[..., K]``."""
        return self.mag.shape

    @property
    def code(self):
        """Per-element ``(1+M)``-bit codes ``{sign, q}`` (sign in the MSB), as the RTL sees them."""
        dtype = mag_dtype(self.config)
        return (self.sign.astype(dtype) << self.config.mag_bits) | self.mag

    def signed_mag(self):
        """Signed codes ``(-1)**sign * q`` as int64, shape ``[..., K]`` (no flag applied)."""
        mag = self.mag.astype(np.int64)
        return np.where(self.sign != 0, -mag, mag)

    def element_flag(self):
        """The group flag repeated onto each element, shape ``[..., K]``."""
        return np.repeat(self.flag, self.config.group, axis=-1)

    @classmethod
    def from_code(cls, code, flag, config):
        """Build a tensor from ``(1+M)``-bit codes and group flags, validating both.

        Refuses out-of-range codes and flags and negative zero (sign set on a zero magnitude).
        """
        code = int_array("code", code, 0, (1 << config.code_bits) - 1)
        reduction_length("code", code, config.group)
        flag = int_array("flag", flag, 0, config.max_flag).astype(np.uint8)
        mag = (code & config.mag_max).astype(mag_dtype(config))
        sign = (code >> config.mag_bits).astype(np.uint8)
        if np.any(sign & (mag == 0)):
            raise ValueError("code must not hold negative zero (sign set with magnitude 0)")
        return cls(sign, mag, flag, config)
