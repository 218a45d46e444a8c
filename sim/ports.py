"""Per-cycle port streams: packing lane arrays into port integers and back (SPEC section 5).

A stream is a dict ``{port: array}`` indexed by cycle: shape ``(cycles,)`` for scalar ports and
``(cycles, lanes)`` for vector ports, whose lane ``i`` occupies bits ``[i*W +: W]`` of the port.
The optional ``rst`` entry drives the synchronous reset.
"""

import numpy as np

__all__ = ["pack_lanes", "unpack_lanes", "stream_cycles"]


def pack_lanes(lanes, width):
    """Port integers (Python ints, one per cycle) from ``(cycles, count)`` lane values."""
    mask = (1 << width) - 1
    values = [0] * len(lanes)
    for index, column in enumerate(np.asarray(lanes, dtype=np.int64).T):
        shift = index * width
        for cycle, value in enumerate(column.tolist()):
            values[cycle] |= (value & mask) << shift
    return values


def unpack_lanes(values, width, count, signed=False):
    """``(cycles, count)`` int64 lane values from port integers."""
    mask = (1 << width) - 1
    out = np.empty((len(values), count), dtype=np.int64)
    for cycle, value in enumerate(values):
        for index in range(count):
            lane = (int(value) >> (index * width)) & mask
            if signed and lane >> (width - 1):
                lane -= 1 << width
            out[cycle, index] = lane
    return out


def stream_cycles(stream):
    """Number of cycles in a stream (every entry must agree)."""
    lengths = {len(values) for values in stream.values()}
    if len(lengths) != 1:
        raise ValueError(f"stream entries must all have the same number of cycles, not {lengths}")
    return lengths.pop()
