"""The integer operations of :mod:`sim.rap.fixed` as Amaranth expressions, and value ranges.

Each function builds combinational logic that computes exactly what its golden namesake computes
on the same integers: ``round_shift`` adds ``2**(s-1)`` then shifts right arithmetically,
``bit_length`` is a leading-one detector. :func:`span` and :func:`bits_for` size registers from
the range a golden step can take (found by running that step over every input it can see).
"""

import numpy as np
from amaranth import Mux, Value, signed, unsigned

__all__ = [
    "round_shift",
    "round_shift_by",
    "bit_length",
    "multiply",
    "odd_part",
    "times",
    "minimum",
    "maximum",
    "clamp",
    "span",
    "bits_for",
    "fit",
]


def round_shift(value, shift):
    """``value * 2**-shift`` rounded half up for a constant ``shift >= 0``: add ``2**(shift-1)``,
    shift right (arithmetically when ``value`` is signed)."""
    if shift < 0:
        raise ValueError(f"shift must be >= 0, not {shift}")
    if shift == 0:
        return Value.cast(value)
    return (value + (1 << (shift - 1))) >> shift


def round_shift_by(value, amount):
    """``value * 2**-amount`` rounded half up for a variable ``amount >= 0`` (unsigned).

    ``((2 value >> amount) + 1) >> 1``: the same integer as adding ``2**(amount-1)`` first, for
    every amount including 0 (``floor((floor(v / 2**(a-1)) + 1) / 2) = floor(v / 2**a + 1/2)``),
    and one barrel shifter without a variable rounding constant.
    """
    return (((Value.cast(value) << 1) >> amount) + 1) >> 1


def bit_length(value):
    """Bit length of an unsigned value (0 for 0), by halves: log-depth, not a priority chain."""
    value = Value.cast(value)
    width = len(value)
    if width == 1:
        return value[0].as_unsigned()
    low = width // 2
    upper = bit_length(value[low:])
    return Mux(value[low:].any(), upper + low, bit_length(value[:low]))


def multiply(a, b):
    """``a * b``, exactly. A signed-by-unsigned product is built as an unsigned product and a
    conditional subtraction (``a = low - sign 2**(n-1)``): the same integer, but Yosys' generic
    mapping of a signed product with a zero-extended operand leaves ABC tens of seconds of work
    per multiplier (synthesis of the units would take minutes)."""
    a, b = Value.cast(a), Value.cast(b)
    if a.shape().signed == b.shape().signed:
        return a * b
    if b.shape().signed:
        a, b = b, a
    top = len(a) - 1
    return a[:top] * b - Mux(a[top], b << top, 0)


def odd_part(constant):
    """``(odd, zeros)`` with ``constant = odd << zeros``: a product by ``constant`` is registered
    as the product by ``odd`` and shifted after the register, so that no register bit is a
    constant (Yosys refuses to fold a constant register bit into a port that has an init value).
    """
    zeros = (constant & -constant).bit_length() - 1 if constant else 0
    return constant >> zeros, zeros


def times(value, constant):
    """``value * constant`` as the product by the constant's odd part, shifted: the same integer,
    but ABC's SAT sweep spends seconds on some products by an even constant (Yosys' generic
    mapping), and none on the odd ones."""
    odd, zeros = odd_part(constant)
    return (Value.cast(value) * odd) << zeros


def minimum(a, b):
    return Mux(a < b, a, b)


def maximum(a, b):
    return Mux(a > b, a, b)


def clamp(value, low, high):
    """``value`` clipped to ``[low, high]`` (constants)."""
    return Mux(value < low, low, Mux(value > high, high, value))


def span(values):
    """``(min, max)`` of an integer array, as Python ints."""
    values = np.asarray(values)
    return int(values.min()), int(values.max())


def bits_for(low, high):
    """The Amaranth shape that holds every integer in ``[low, high]``."""
    if low >= 0:
        return unsigned(max(int(high).bit_length(), 1))
    return signed(max(int(high).bit_length(), (-int(low) - 1).bit_length()) + 1)


def fit(value, shape):
    """``value`` cut to ``shape`` where the golden arithmetic proves that it lies in ``shape``'s
    range (so that no bit is lost); a narrower value is returned as is."""
    value = Value.cast(value)
    if len(value) <= shape.width:
        return value
    part = value[: shape.width]
    return part.as_signed() if shape.signed else part
