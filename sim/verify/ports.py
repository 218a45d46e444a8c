"""Per-cycle port streams: packing lane arrays into port integers and back (layouts from
:func:`hw.interface.port_layout`).

A stream is a dict ``{port: array}`` indexed by cycle: shape ``(cycles,)`` for scalar ports and
``(cycles, lanes)`` for vector ports, whose lane ``i`` occupies bits ``[i*W +: W]`` of the port
(SPEC section 5). The optional ``rst`` entry drives the synchronous reset. Packing goes through
bit planes and bytes, so its cost is one Python call per cycle, not per lane.
"""

import numpy as np

__all__ = ["pack_lanes", "unpack_lanes", "pack_fields", "stream_cycles", "check_stream_inputs"]


def _bit_planes(values, width):
    """``(cycles, lanes * width)`` uint8 bits of ``(cycles, lanes)`` values, lane 0 lowest."""
    values = np.asarray(values, np.int64)
    bits = (values[..., None] >> np.arange(width)) & 1
    return bits.astype(np.uint8).reshape(len(values), -1)


def _to_ints(bits):
    packed = np.packbits(bits, axis=1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in packed]


def pack_lanes(lanes, width):
    """Port integers (Python ints, one per cycle) from ``(cycles, count)`` lane values.

    Each lane keeps its low ``width`` bits (two's complement for negative values).
    """
    return _to_ints(_bit_planes(lanes, width))


def pack_fields(stream, fields):
    """One integer per cycle holding every field of ``fields`` side by side, the first lowest.

    ``fields`` lists ``(port, lane_width, lane_count)`` (``lane_count`` ``None`` for a scalar);
    a port missing from ``stream`` (such as ``rst``) is all zeros. Returns ``(ints, width)``.
    """
    cycles = stream_cycles(stream)
    planes = []
    for name, width, count in fields:
        values = np.asarray(stream.get(name, np.zeros(cycles, np.int64)))
        planes.append(_bit_planes(values.reshape(cycles, count or 1), width))
    bits = np.concatenate(planes, axis=1)
    return _to_ints(bits), bits.shape[1]


def unpack_lanes(values, width, count, signed=False):
    """``(cycles, count)`` int64 lane values from port integers (non-negative Python ints)."""
    size = (width * count + 7) // 8
    raw = np.frombuffer(b"".join(int(v).to_bytes(size, "little") for v in values), np.uint8)
    bits = np.unpackbits(
        raw.reshape(len(values), size), axis=1, count=width * count, bitorder="little"
    ).reshape(len(values), count, width)
    lanes = (bits.astype(np.uint64) << np.arange(width, dtype=np.uint64)).sum(
        axis=-1, dtype=np.uint64
    )
    if signed and width < 64:
        return lanes.astype(np.int64) - (bits[..., -1].astype(np.int64) << width)
    return lanes.astype(np.int64)


def stream_cycles(stream):
    """Number of cycles in a stream (every entry must agree)."""
    lengths = {len(values) for values in stream.values()}
    if len(lengths) != 1:
        raise ValueError(f"stream entries must all have the same number of cycles, not {lengths}")
    return lengths.pop()


def check_stream_inputs(stream, inputs):
    """Number of cycles of ``stream``, which must have an entry for each input port of
    ``inputs`` (``(name, lane_count)`` pairs, ``lane_count`` ``None`` for a scalar port) of shape
    ``(cycles,)`` or ``(cycles, lane_count)``; a ``ValueError`` says which is missing or wrong."""
    cycles = stream_cycles(stream)
    for name, count in inputs:
        if name not in stream:
            names = ", ".join(port for port, _ in inputs)
            raise ValueError(f"stream has no entry for input port {name!r}; it needs {names}")
        shape, want = np.shape(stream[name]), (cycles,) if count is None else (cycles, count)
        if shape != want:
            raise ValueError(f"stream[{name!r}] must have shape {want}, not {shape}")
    return cycles
