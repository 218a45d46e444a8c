"""Integer building blocks of the RAP kernels: argument checks, rounding shifts, leading ones,
and the multiply-only Newton iterations for a reciprocal and an inverse square root.

Every function takes and returns int64 NumPy arrays (vectorised, no Python loop per element)
and uses only integer add, multiply, shift, compare and small tables, as the RTL does.
A fixed-point value is ``q * 2**e``: ``q`` an integer array, ``e`` an integer (or an integer
array broadcastable to ``q``: one exponent per row).
"""

import numpy as np

__all__ = [
    "MAX_ABS",
    "integer_array",
    "exponent_array",
    "plain_exponent",
    "bit_length",
    "round_shift",
    "saturate",
    "reciprocal",
    "inverse_sqrt",
    "RECIPROCAL_ONE",
    "INVERSE_SQRT_ONE",
    "RECIPROCAL_SEED_INTERCEPT",
    "RECIPROCAL_SEED_SLOPE",
    "INVERSE_SQRT_SEED_TABLE",
]

#: Largest magnitude a kernel input may have: products of two such values stay exact in int64.
MAX_ABS = 2**31 - 1

# A shared contract (hence public): the golden kernels here, the cycle models (sim.cycle_models)
# and the RTL (hw.rap.reciprocal, hw.rap.inverse_sqrt) all compute with the constants below and
# agree bit for bit through them. Import them; never copy them.
#: 1.0 in the fixed point of the reciprocal's and the inverse square root's arguments, Newton
#: steps and results (16 fraction bits).
RECIPROCAL_ONE = INVERSE_SQRT_ONE = 1 << 16
#: First estimate of 1/s for s in [0.5, 1]: ``RECIPROCAL_SEED_INTERCEPT - RECIPROCAL_SEED_SLOPE *
#: s`` = 48/17 - 32/17 s (max relative error 1/17), both with 16 fraction bits.
RECIPROCAL_SEED_INTERCEPT = round(48 / 17 * RECIPROCAL_ONE)
RECIPROCAL_SEED_SLOPE = round(32 / 17 * RECIPROCAL_ONE)
#: First estimate of 1/sqrt(m) for m in [0.25, 1), indexed by ``m >> 12`` (m's top four of its 16
#: fraction bits, 4 to 15): 1/sqrt of each sixteenth's midpoint (max relative error 5.7 %), 16
#: fraction bits; entries 0 to 3 are never read (0).
INVERSE_SQRT_SEED_TABLE = np.array(
    [round(INVERSE_SQRT_ONE / np.sqrt((i + 0.5) / 16)) if i >= 4 else 0 for i in range(16)],
    np.int64,
)


def integer_array(name, value, max_abs=MAX_ABS):
    """``value`` as int64 if it is an integer array within ``[-max_abs, max_abs]``; else raise
    ``ValueError`` naming ``name``."""
    array = np.asarray(value)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must be an integer array, not dtype {array.dtype}")
    array = array.astype(np.int64)
    if array.size and np.abs(array).max() > max_abs:
        raise ValueError(
            f"{name} must lie within [-{max_abs}, {max_abs}], not {np.abs(array).max()}"
        )
    return array


def exponent_array(name, value, shape, limit=64):
    """An exponent (integer or integer array broadcastable to ``shape``, within +-``limit``) as
    int64; else raise ``ValueError`` naming ``name``."""
    if isinstance(value, bool | float) or (
        not isinstance(value, int | np.integer) and not isinstance(value, np.ndarray)
    ):
        raise ValueError(f"{name} must be an integer or an integer array, not {value!r}")
    array = integer_array(name, value, limit)
    try:
        fits = np.broadcast_shapes(array.shape, shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{name} of shape {array.shape} does not broadcast to the data's {shape}")
    return array


def plain_exponent(array):
    """An exponent as returned to callers: a Python int for a scalar, else the int64 array."""
    return int(array) if np.ndim(array) == 0 else array


def bit_length(value):
    """Bit length of every element of a non-negative int64 array (0 for 0)."""
    rest = np.asarray(value, np.int64)
    length = np.zeros(rest.shape, np.int64)
    for bit in (32, 16, 8, 4, 2, 1):
        big = rest >> bit > 0
        length += np.where(big, bit, 0)
        rest = np.where(big, rest >> bit, rest)
    return length + (rest > 0)


def round_shift(value, shift):
    """``value * 2**-shift`` rounded half up (add ``2**(shift-1)``, arithmetic shift right);
    a negative ``shift`` is an exact left shift. Element-wise ``shift`` broadcasts."""
    value = np.asarray(value, np.int64)
    shift = np.asarray(shift, np.int64)
    right = np.maximum(shift, 0)
    half = np.where(right > 0, np.int64(1) << np.maximum(right - 1, 0), 0)
    return np.where(shift > 0, (value + half) >> right, value << np.maximum(-shift, 0))


def saturate(value, bits, signed=True):
    """``value`` clipped to ``bits``-bit two's complement (or unsigned) range."""
    if signed:
        return np.clip(value, -(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    return np.clip(value, 0, (1 << bits) - 1)


def _product(a, b, shift=16):
    """``round(a * b / 2**shift)`` of int64 arrays."""
    return round_shift(np.asarray(a, np.int64) * b, shift)


def reciprocal(s):
    """``2**32 / s`` (an estimate ``x``, ``x / 2**16`` ~ ``1 / (s / 2**16)``) for ``s`` in
    ``[2**15, 2**16]``: a linear first estimate and two multiply-only Newton steps
    ``x <- x (2 - s x)``; relative error below ``2**-14``."""
    s = np.asarray(s, np.int64)
    x = RECIPROCAL_SEED_INTERCEPT - _product(RECIPROCAL_SEED_SLOPE, s)
    for _ in range(2):
        x = _product(x, 2 * RECIPROCAL_ONE - _product(s, x))
    return x


def inverse_sqrt(m):
    """``2**16 / sqrt(m / 2**16)`` for ``m`` in ``[2**14, 2**16)``: a 16-entry table on the four
    bits below the leading one and two multiply-only Newton steps ``r <- r (3 - m r**2) / 2``;
    relative error below ``2**-13``."""
    m = np.asarray(m, np.int64)
    r = INVERSE_SQRT_SEED_TABLE[np.clip(m >> 12, 4, 15)]
    for _ in range(2):
        r = _product(r, 3 * INVERSE_SQRT_ONE - _product(m, _product(r, r)), 17)
    return r
