"""Cycle model of ``row_compactor`` (SPEC section 9): per-cycle ``ready``, ``mask``,
``out_valid`` and ``out_last`` of many streams at once, without a loop over cycles.

The unit has backpressure, so the stream contract "inputs per cycle" holds with a plane taking
effect only on a cycle with ``in_valid`` and ``ready``; the model computes ``ready`` too. A plane
of ``c`` ones accepted at cycle ``a`` keeps the unit busy ``d = max(1, ceil(c/K))`` cycles: its
masks show during ``a+1 .. a+ceil(c/K)``, and the next plane is accepted at the first valid
cycle from ``a + d`` on, or from the cycle after a reset that comes first (a reset empties the
unit; a valid beat on a reset cycle is not accepted). The accepted cycles are thus the orbits,
from each stream's first valid cycle and the first valid cycle after each reset, of
``f(a) = next_valid(min(a + d(a), next_clear(a) + 1))``; they are found by pointer doubling
over all cycles of all streams at once (``log2`` of the cycles steps, each a gather). Each
cycle's outputs then come from the latest accepted plane before it: mask ``j = t - 1 - a`` of
its golden split (the rank of each one, integer-divided by K, as
:func:`sim.golden.rap.row_split.partial_index` defines it, in 16-bit ranks on the shown cycles
only).
"""

import numpy as np

from sim.golden.rap.row_split import partial_count

__all__ = ["simulate", "accepted_cycles"]


def _next_marked(marks):
    """Per position, the first marked position at or after it (``len(marks)`` if none)."""
    size = len(marks)
    index = np.where(marks, np.arange(size), size)
    return np.minimum.accumulate(index[::-1])[::-1]


def _latest_marked(marks):
    """Per position, the latest marked position at or before it (-1 if none)."""
    index = np.where(marks, np.arange(len(marks)), -1)
    return np.maximum.accumulate(index)


def accepted_cycles(valid, busy, clear):
    """Positions (of one flat timeline) where a plane is accepted.

    ``valid``: a plane is offered (``in_valid`` and no reset); ``busy``: cycles the plane offered
    there would keep the unit (at least 1); ``clear``: the unit is emptied at the end of that
    position (a reset cycle, or the last cycle of a stream in the flat timeline).
    """
    size = len(valid)
    next_valid = np.append(_next_marked(valid), size)  # index size: none
    next_clear = _next_marked(clear)
    free = np.minimum(np.arange(size) + busy, next_clear + 1)
    step = np.append(next_valid[np.minimum(free, size)], size)  # f, with f(size) = size
    reached = np.zeros(size + 1, bool)
    reached[next_valid[0]] = True
    reached[next_valid[np.flatnonzero(clear) + 1]] = True
    # After round r, reached holds every position within 2**r - 1 steps of a start: an orbit
    # has at most ``size`` positions.
    for _ in range(size.bit_length() + 1):
        reached[step[reached]] = True
        step = step[step]
    return np.flatnonzero(reached[:size])


def simulate(parameters, stream):
    """Per-cycle outputs of a ``row_compactor`` with ``parameters`` (ROWS, K) on ``stream``
    (``plane`` ``(..., cycles, ROWS)``, ``in_valid`` ``(..., cycles)``, optional ``rst``)."""
    rows, k = parameters["ROWS"], parameters["K"]
    valid = np.asarray(stream["in_valid"], np.int64) & 1
    lead, cycles = valid.shape[:-1], valid.shape[-1]
    plane = (np.asarray(stream["plane"], np.int64) & 1).reshape(-1, rows).astype(bool)
    rst = np.asarray(stream.get("rst", np.zeros_like(valid)), np.int64).reshape(-1) & 1
    valid = valid.reshape(-1).astype(bool) & ~rst.astype(bool)
    size = len(valid)
    last = (np.arange(size) % cycles) == cycles - 1 if cycles else np.zeros(0, bool)
    clear = rst.astype(bool) | last
    partials = partial_count(plane.sum(axis=-1), k)
    accepted = accepted_cycles(valid, np.maximum(1, partials), clear)
    marks = np.zeros(size, bool)
    marks[accepted] = True
    source = np.append(-1, _latest_marked(marks)[:-1])  # latest acceptance before each cycle
    alive = (source >= 0) & (_next_marked(clear)[np.maximum(source, 0)] >= np.arange(size))
    index = np.arange(size) - 1 - source  # which partial of that plane the cycle shows
    count = np.where(alive, partials[np.maximum(source, 0)], 0)
    shown = alive & (index < count)
    mask = np.zeros((size, rows), bool)
    cycles_shown = np.flatnonzero(shown)
    # int16 ranks (ROWS <= 1024): the golden's partial_index on the shown cycles' planes only.
    ranks = np.cumsum(plane[source[cycles_shown]], axis=-1, dtype=np.int16) - 1
    mask[cycles_shown] = plane[source[cycles_shown]] & (
        ranks // k == index[cycles_shown, None].astype(np.int16)
    )
    outputs = {
        "ready": ~(alive & (index < count - 1)),
        "mask": mask,
        "out_valid": shown,
        "out_last": shown & (index == count - 1),
    }
    return {
        port: values.astype(np.int64).reshape(lead + (cycles,) + values.shape[1:])
        for port, values in outputs.items()
    }
