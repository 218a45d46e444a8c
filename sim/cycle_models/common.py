"""Vectorised building blocks of the cycle models: delays, resets and running sums.

Arrays are indexed ``[..., cycle]`` (any leading stream axes). A register's value "at cycle t" is
its value during cycle t, i.e. what the edge ending cycle t-1 loaded. A reset high during cycle r
clears every register at the edge ending r and overrides whatever the inputs of cycle r asked for.
"""

import numpy as np

__all__ = ["resets_before", "same_epoch", "delayed", "fresh_running_sum", "count_since"]


def resets_before(rst):
    """Number of resets strictly before each cycle."""
    rst = np.asarray(rst, np.int64)
    return np.cumsum(rst, axis=-1) - rst


def delayed(values, cycles, fill=0):
    """``values`` seen ``cycles`` later along the cycle axis (axis -1 of ``values[..., t]``)."""
    out = np.full_like(values, fill)
    if cycles < values.shape[-1]:
        out[..., cycles:] = values[..., : values.shape[-1] - cycles]
    return out


def same_epoch(epoch, cycles):
    """True at cycle t when no reset fell in cycles ``[t - cycles, t - 1]`` (and t >= cycles)."""
    return (delayed(epoch, cycles, fill=-1) == epoch) & (np.arange(epoch.shape[-1]) >= cycles)


def _forward_fill(marks, values, initial):
    """At each cycle, ``values`` at the latest marked cycle so far (``initial`` before any)."""
    index = np.where(marks, np.arange(marks.shape[-1]), -1)
    latest = np.maximum.accumulate(index, axis=-1)
    filled = np.take_along_axis(values, np.maximum(latest, 0), axis=-1)
    return np.where(latest >= 0, filled, initial)


def fresh_running_sum(term, add, restart_after, rst):
    """Value after each cycle of a register that accumulates ``term`` on cycles where ``add``.

    The first add after a cycle with ``add & restart_after`` (or after a reset, or at the start)
    replaces the value instead of adding to it; between adds the value holds. This is the
    ``fresh`` idiom of the group partial sum and of the accumulator.
    """
    add = add.astype(bool)
    rst = rst.astype(bool)
    events = add | rst
    fresh_after = _forward_fill(
        events, (rst | (add & restart_after.astype(bool))).astype(np.int64), 1
    )
    fresh_before = delayed(fresh_after, 1, fill=1)
    total = np.cumsum(np.where(add, term, 0), axis=-1)
    starts = add & (fresh_before == 1)
    base = _forward_fill(starts | rst, np.where(starts, total - term, total), 0)
    return total - base


def count_since(valid, restart_after, rst):
    """Valid beats since the last ``valid & restart_after`` beat or reset, before each cycle."""
    valid = valid.astype(np.int64)
    seen = np.cumsum(valid, axis=-1)
    marks = (valid.astype(bool) & restart_after.astype(bool)) | rst.astype(bool)
    base = _forward_fill(marks, seen, 0)
    return delayed(seen - base, 1)
