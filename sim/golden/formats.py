"""Every number-format fact of the project, in one place (SPEC sections 1 and 2).

Widths, ranges and the SDR flag width are derived here and nowhere else: the golden model, the
RTL generator, the cycle model and the reports all read them from :class:`SdrConfig` and
:func:`int_range`.
"""

from dataclasses import dataclass

__all__ = [
    "BASE_BITS",
    "GROUPS",
    "ROUNDINGS",
    "SdrConfig",
    "int_range",
    "symmetric_max",
    "check_choice",
    "check_int",
]

#: Integer bases SDR razors from: INT8 (weights, KV cache) and INT16 (activations).
BASE_BITS = (8, 16)
#: Supported SDR group sizes (elements sharing one flag).
GROUPS = (4, 8, 16, 32, 64, 128)
#: Supported SDR rounding modes.
ROUNDINGS = ("nearest", "truncate")


def check_int(name, value, lo, hi=None):
    """Return ``value`` if it is an int in ``[lo, hi]`` (``hi=None``: unbounded), else raise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, not {value!r}")
    if value < lo or (hi is not None and value > hi):
        allowed = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"{name} must be {allowed}, not {value!r}")
    return value


def check_choice(name, value, choices):
    """Return ``value`` if it is one of ``choices``, else raise naming the allowed values."""
    if type(value) not in {type(c) for c in choices} or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {allowed}, not {value!r}")
    return value


def int_range(bits):
    """Two's-complement range ``(min, max)`` of a ``bits``-wide signed integer."""
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def symmetric_max(bits):
    """Largest magnitude of the symmetric absmax grid: ``2**(bits-1) - 1``."""
    return (1 << (bits - 1)) - 1


@dataclass(frozen=True)
class SdrConfig:
    """Parameters of the SDR (significant data razoring) format, validated on construction.

    Parameters
    ----------
    base_bits : int
        Width B of the two's-complement integer base being razored: 8 or 16.
    mag_bits : int
        Magnitude bits M kept per element, 1 to B-1 (default 3: a 4-bit code).
    group : int
        Elements G sharing one flag along the reduction axis: one of :data:`GROUPS`.
    rounding : str
        ``"nearest"`` (round half up on the magnitude, saturating) or ``"truncate"``.
    """

    base_bits: int
    mag_bits: int = 3
    group: int = 16
    rounding: str = "nearest"

    def __post_init__(self):
        check_choice("base_bits", self.base_bits, BASE_BITS)
        check_int("mag_bits", self.mag_bits, 1, self.base_bits - 1)
        check_choice("group", self.group, GROUPS)
        check_choice("rounding", self.rounding, ROUNDINGS)

    @property
    def code_bits(self):
        """Bits per element code: sign + M magnitude bits."""
        return 1 + self.mag_bits

    @property
    def mag_max(self):
        """Largest code magnitude, ``2**M - 1``."""
        return (1 << self.mag_bits) - 1

    @property
    def base_max(self):
        """Largest base magnitude, ``2**(B-1) - 1`` (``-2**(B-1)`` is clamped to it)."""
        return symmetric_max(self.base_bits)

    @property
    def max_flag(self):
        """Largest flag: the razored bit count when the group's leading one is bit B-2."""
        return self.base_bits - 1 - self.mag_bits

    @property
    def flag_bits(self):
        """Flag width F = bit_length(B-1-M) (0 when M = B-1: nothing is ever razored)."""
        return self.max_flag.bit_length()

    @property
    def group_bits(self):
        """Bits of one packed group: G codes plus one flag."""
        return self.group * self.code_bits + self.flag_bits

    @property
    def bits_per_element(self):
        """Storage cost per element, ``(1+M) + F/G`` bits."""
        return self.group_bits / self.group
