"""Streams and the checker of ``row_compactor`` (SPEC section 9), the unit with backpressure.

The other units' results are due a fixed LATENCY after the beat that completes them
(:mod:`.checker`); the compactor's come at data-dependent cycles, so it has its own reference:
:func:`expected_outputs` replays the handshake cycle by cycle, in plain Python, with the golden
split (:func:`sim.golden.rap.row_split.split_plane`) as the only source of masks, and
:func:`check_partials` compares every output port on every cycle with it.

The handshake as the reference states it (the unit's docstring, :mod:`hw.rap.row_compactor`):
a plane is accepted on a cycle with ``in_valid`` and ``ready`` (and no reset); its masks are
shown on the following cycles, one per cycle, the last with ``out_last``; ``ready`` is high on a
cycle unless masks of the plane being shown remain after that cycle's; an all-zero plane is
accepted and shows nothing; a reset (synchronous) drops the plane being split.

:func:`plane_beats` builds the stream of a producer that respects ``ready``: it presents each
plane, after its idle cycles, and holds it (``in_valid`` high) until the unit accepts it. The
schedule needs no simulation: a plane of ``c`` ones keeps the unit busy ``max(1, ceil(c/K))``
cycles.
"""

import collections

import numpy as np

from sim.golden.rap.row_split import partial_count, split_plane
from sim.verify.checker import Check
from sim.verify.streams import MacBeats

__all__ = ["OUTPUTS", "plane_beats", "expected_outputs", "check_partials", "partial_rows"]

#: The unit's outputs, in port order.
OUTPUTS = ("ready", "mask", "out_valid", "out_last")


def partial_rows(planes, k):
    """One row ``[mask bits..., out_last]`` per partial of ``planes`` (in order), as
    :class:`~sim.verify.streams.MacBeats` ``expected`` holds them."""
    rows = []
    for plane in planes:
        masks = split_plane(np.asarray(plane, bool), k)
        for index, mask in enumerate(masks):
            rows.append(np.append(mask.astype(np.int64), int(index == len(masks) - 1)))
    width = np.shape(planes)[-1] + 1
    return np.array(rows, np.int64).reshape(-1, width)


def plane_beats(planes, k, idle=None, rng=None):
    """Stream of ``planes`` (``[P, ROWS]`` 0/1) from a producer that respects ``ready``.

    ``idle[i]`` idle cycles (``in_valid`` 0, a random plane on the port when ``rng`` is given,
    else zeros) come before plane ``i`` is first presented; it is then held until accepted.
    Returns :class:`~sim.verify.streams.MacBeats` whose ``expected`` is :func:`partial_rows`;
    the stream ends on the last plane's acceptance (drain it with
    :func:`~sim.verify.streams.drained` for its masks to come out).
    """
    planes = np.asarray(planes, np.int64) & 1
    count, rows = planes.shape
    idle = np.zeros(count, np.int64) if idle is None else np.asarray(idle, np.int64)
    busy = np.maximum(1, partial_count(planes.sum(axis=-1), k))  # cycles each keeps the unit
    offered, accepted, free = [], [], 0  # free: the first cycle the unit is ready again
    cursor = 0
    for index in range(count):
        start = cursor + int(idle[index])
        accept = max(start, free)
        offered.append(start)
        accepted.append(accept)
        free, cursor = accept + int(busy[index]), accept + 1
    cycles = accepted[-1] + 1 if count else 0
    valid = np.zeros(cycles, np.int64)
    plane = rng.integers(0, 2, (cycles, rows)) if rng is not None else np.zeros((cycles, rows), int)
    for index in range(count):
        valid[offered[index] : accepted[index] + 1] = 1
        plane[offered[index] : accepted[index] + 1] = planes[index]
    stream = {"plane": plane.astype(np.int64), "in_valid": valid}
    return MacBeats(stream, partial_rows(planes, k))


def expected_outputs(stream, k):
    """Every output port per cycle that the handshake and the golden split give for ``stream``
    (``{"plane": (cycles, ROWS), "in_valid": (cycles,)[, "rst"]}``), and the accepted planes'
    partial rows (:func:`partial_rows` order) as a third entry ``"partials"``."""
    plane = np.asarray(stream["plane"], np.int64) & 1
    valid = np.asarray(stream["in_valid"], np.int64) & 1
    rst = np.asarray(stream.get("rst", np.zeros(len(valid), np.int64)), np.int64)
    cycles, rows = plane.shape
    out = {
        "ready": np.zeros(cycles, np.int64),
        "mask": np.zeros((cycles, rows), np.int64),
        "out_valid": np.zeros(cycles, np.int64),
        "out_last": np.zeros(cycles, np.int64),
    }
    shown, rest, partials = None, collections.deque(), []
    for cycle in range(cycles):
        out["ready"][cycle] = not rest
        if shown is not None:
            out["mask"][cycle] = shown
            out["out_valid"][cycle] = 1
            out["out_last"][cycle] = not rest
        if rst[cycle]:
            shown, rest = None, collections.deque()
        elif rest:
            shown = rest.popleft()
        elif valid[cycle]:
            masks = split_plane(plane[cycle].astype(bool), k)
            partials.extend(partial_rows(plane[cycle : cycle + 1], k))
            rest = collections.deque(mask.astype(np.int64) for mask in masks[1:])
            shown = masks[0].astype(np.int64) if masks else None
        else:
            shown = None
    out["partials"] = np.array(partials, np.int64).reshape(-1, rows + 1)
    return out


def check_partials(outputs, stream, expected, k):
    """Compare ``outputs`` (per-cycle dict of the unit's outputs) with :func:`expected_outputs`
    of ``stream`` on every port and cycle, and the partials shown with ``expected`` (rows of
    :func:`partial_rows`, in order; unless a reset after the first valid cycle dropped some).
    Returns a
    :class:`~sim.verify.checker.Check` counting one result per partial; ``first`` describes
    the earliest differing cycle."""
    want = expected_outputs(stream, k)
    check = Check(results=len(want["partials"]))
    shown = np.asarray(outputs["out_valid"], bool)
    got_rows = np.concatenate(
        [np.asarray(outputs["mask"])[shown], np.asarray(outputs["out_last"])[shown, None]], axis=1
    )
    wrong = np.zeros(len(shown), bool)
    for port in OUTPUTS:
        differ = np.asarray(outputs[port]).reshape(len(shown), -1) != want[port].reshape(
            len(shown), -1
        )
        wrong |= differ.any(axis=1)
    check.mismatches = int(wrong.sum())
    if wrong.any():
        cycle = int(np.flatnonzero(wrong)[0])
        check.first = {
            "cycle": cycle,
            "got": {port: np.asarray(outputs[port])[cycle].tolist() for port in OUTPUTS},
            "expected": {port: want[port][cycle].tolist() for port in OUTPUTS},
        }
    valid = np.flatnonzero(np.asarray(stream["in_valid"]))
    resets = np.flatnonzero(np.asarray(stream.get("rst", np.zeros(len(shown), int))))
    if not len(valid) or not (resets >= valid[0]).any():  # no partial dropped: all must show
        expected = np.asarray(expected, np.int64).reshape(-1, got_rows.shape[1])
        shared = min(len(expected), len(got_rows))
        extra = abs(len(expected) - len(got_rows))
        bad = np.flatnonzero(np.any(expected[:shared] != got_rows[:shared], axis=1))
        check.mismatches += len(bad) + extra
        if (len(bad) or extra) and not check.first:
            check.first = {
                "partial": int(bad[0]) if len(bad) else shared,
                "got": f"{len(got_rows)} partials",
                "expected": f"{len(expected)} partials",
            }
    return check
