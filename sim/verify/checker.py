"""In-order checking of a unit's per-cycle outputs against the results the golden model expects.

A result is due exactly ``LATENCY`` cycles after the beat that completes it (a valid ``in_last``
beat of a MAC, every valid beat of the encoder, every valid beat of a row unit's last pass: see
:class:`Results`). A reset (on an idle cycle) loses the results in flight, those due after it.
"""

from dataclasses import dataclass, field

import numpy as np

from hw.interface import Results

__all__ = ["Check", "check_stream", "result_values", "due_results"]


@dataclass
class Check:
    """Outcome of a check: counts and the first failure, if any."""

    results: int = 0
    mismatches: int = 0
    first: dict = field(default_factory=dict)

    @property
    def passed(self):
        return self.mismatches == 0


def result_values(outputs, is_mac):
    """Per-cycle result rows: ``out`` for a MAC, ``[code..., flag]`` for the encoder, the
    :class:`Results` ports side by side for a row unit (``is_mac`` a :class:`Results`)."""
    if isinstance(is_mac, Results):
        columns = [np.asarray(outputs[port]) for port in is_mac.ports]
        return np.concatenate([c.reshape(len(c), -1) for c in columns], axis=1)
    if is_mac:
        return np.asarray(outputs["out"])
    return np.concatenate([outputs["code"], np.asarray(outputs["flag"])[:, None]], axis=1)


def _passes(valid, last, resets):
    """The pass of every cycle's beat: valid ``in_last`` beats counted since the last reset."""
    closing = valid & last
    before = np.cumsum(closing) - closing
    if not len(before):
        return before
    segment = np.cumsum(resets)
    starts = np.concatenate([[0], np.flatnonzero(resets)])
    return before - before[starts][segment]


def due_results(stream, latency, is_mac):
    """Indices (completion order) of the results that must appear, and the cycles they are due."""
    done = np.asarray(stream["in_valid"], bool)
    reset = np.asarray(stream.get("rst", np.zeros(len(done), int)), bool)
    if isinstance(is_mac, Results):
        if is_mac.passes > 1:
            last = np.asarray(stream["in_last"], bool)
            done &= _passes(done, last, reset) % is_mac.passes == is_mac.passes - 1
    elif is_mac:
        done &= np.asarray(stream["in_last"], bool)
    ends = np.flatnonzero(done)
    resets = np.flatnonzero(reset)
    if np.asarray(stream["in_valid"], bool)[resets].any():
        raise ValueError("stream: resets must fall on idle cycles (in_valid=0)")
    lost = np.array([np.any((resets >= end) & (resets < end + latency)) for end in ends], bool)
    keep = np.flatnonzero(~lost) if len(ends) else ends
    return keep, ends[keep] + latency


def _rows(values):
    """``values`` as one row per result (a MAC's scalar results become one-column rows)."""
    return values[:, None] if values.ndim == 1 else values.reshape(len(values), -1)


def check_stream(outputs, stream, expected, latency, is_mac=True):
    """Compare ``outputs`` (per-cycle dict) with ``expected`` (one row per result, in order).

    ``is_mac``: ``True`` for a MAC, ``False`` for the encoder, a :class:`Results` for a row unit.

    Every due result counts once: a wrong value, a missing result, an extra ``out_valid`` or a
    result on the wrong cycle is a mismatch. ``first`` describes the earliest one.
    """
    keep, due = due_results(stream, latency, is_mac)
    valid_cycles = np.flatnonzero(np.asarray(outputs["out_valid"]))
    got = _rows(result_values(outputs, is_mac)[valid_cycles])
    want = _rows(np.asarray(expected))[keep]
    check = Check(results=len(keep))
    shared = min(len(got), len(want))
    wrong = np.any(got[:shared] != want[:shared], axis=1) | (valid_cycles[:shared] != due[:shared])
    check.mismatches = int(wrong.sum()) + abs(len(got) - len(want))
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        check.first = {
            "result": int(keep[i]),
            "cycle": int(valid_cycles[i]),
            "due_cycle": int(due[i]),
            "got": got[i].tolist(),
            "expected": want[i].tolist(),
        }
    elif len(got) != len(want):
        check.first = {
            "result": int(keep[shared]) if shared < len(keep) else None,
            "cycle": int(valid_cycles[shared]) if shared < len(got) else None,
            "due_cycle": int(due[shared]) if shared < len(due) else None,
            "got": f"{len(got)} results",
            "expected": f"{len(want)} results",
        }
    return check
