"""Dense SDR bitstream: ``pack`` and ``unpack``.

Layout
------
The tensor's groups are stored in row-major order (leading dimensions, then along K). Group ``g``
is one record of ``R = F + G*(1+M)`` bits starting at stream bit ``g*R``:

- bits ``[0, F)``: the flag, least significant bit first;
- bits ``[F + i*(1+M), F + (i+1)*(1+M))``: code ``i`` = ``{sign, q}`` (sign is the code's MSB),
  least significant bit first.

Stream bit ``b`` is bit ``b % 8`` of byte ``b // 8``. Only the last byte is padded, with zeros, so
a tensor of E elements takes exactly ``ceil(E * ((1+M) + F/G) / 8)`` bytes.
"""

import math

import numpy as np

from sim.golden.formats import SdrConfig, check_int
from sim.golden.sdr_tensor import SdrTensor

__all__ = ["pack", "unpack", "packed_size"]


def _bits(values, width):
    """Little-endian bit planes of ``values``: shape ``values.shape + (width,)``."""
    planes = np.arange(width, dtype=np.uint16)
    return ((values[..., None].astype(np.uint16) >> planes) & 1).astype(np.uint8)


def _from_bits(bits):
    weights = 1 << np.arange(bits.shape[-1], dtype=np.int64)
    return bits.astype(np.int64) @ weights


def packed_size(shape, cfg):
    """Bytes ``pack`` produces for a tensor of ``shape`` in format ``cfg``."""
    groups = math.prod(shape) // cfg.group
    return -(-groups * cfg.group_bits // 8)


def pack(t):
    """Serialize an :class:`SdrTensor` to the dense bitstream described in this module."""
    if not isinstance(t, SdrTensor):
        raise ValueError(f"t must be an SdrTensor, not {type(t).__name__}")
    cfg = t.config
    flag_bits = _bits(t.flag.reshape(-1), cfg.flag_bits)
    code_bits = _bits(t.code.reshape(-1, cfg.group), cfg.code_bits).reshape(len(flag_bits), -1)
    records = np.concatenate([flag_bits, code_bits], axis=1)
    return np.packbits(records.reshape(-1), bitorder="little").tobytes()


def unpack(data, shape, cfg):
    """Rebuild the :class:`SdrTensor` of ``shape`` in format ``cfg`` from ``pack`` output.

    Refuses data of the wrong length, non-zero padding, out-of-range flags and negative zero.
    """
    if not isinstance(cfg, SdrConfig):
        raise ValueError(f"cfg must be an SdrConfig, not {type(cfg).__name__}")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"data must be bytes, not {type(data).__name__}")
    if isinstance(shape, int) or not all(isinstance(d, int) for d in shape) or not shape:
        raise ValueError(f"shape must be a non-empty tuple of ints, not {shape!r}")
    for dim in shape:
        check_int("shape entries", dim, 1)
    if shape[-1] % cfg.group:
        raise ValueError(
            f"shape last axis (K={shape[-1]}) must be a multiple of the group {cfg.group}"
        )
    expected = packed_size(shape, cfg)
    if len(data) != expected:
        raise ValueError(f"data must be {expected} bytes for shape {tuple(shape)}, not {len(data)}")
    groups = math.prod(shape) // cfg.group
    stream = np.unpackbits(np.frombuffer(data, np.uint8), bitorder="little")
    if stream[groups * cfg.group_bits :].any():
        raise ValueError("data has non-zero padding bits after the last group")
    records = stream[: groups * cfg.group_bits].reshape(groups, cfg.group_bits)
    flag = _from_bits(records[:, : cfg.flag_bits])
    code = _from_bits(records[:, cfg.flag_bits :].reshape(groups, cfg.group, cfg.code_bits))
    return SdrTensor.from_code(code.reshape(shape), flag.reshape(tuple(shape[:-1]) + (-1,)), cfg)
