"""Counterexamples from Yosys' ``sat -dump_json`` (WaveJSON): the input values of every cycle.

Column 0 of a WaveJSON signal is the initial state, columns 1..N the time steps. A multi-bit
signal has ``wave`` characters ``=`` (a new value, the next entry of ``data``, in binary), ``.``
(as before) and ``x``/``4`` (undefined, its ``data`` entry empty); a one-bit signal has ``0``,
``1``, ``.`` and ``x``/``4`` and no ``data``.
"""

import json

__all__ = ["read_counterexample"]

_UNDEFINED = "x4"


def _values(signal):
    data = iter(signal.get("data", ()))
    values, previous = [], None
    for char in signal["wave"]:
        if char == ".":
            value = previous
        elif char in "01" and "data" not in signal:
            value = int(char)
        elif char == "=" or (char in _UNDEFINED and "data" in signal):
            bits = next(data, "")
            value = int(bits, 2) if bits and set(bits) <= {"0", "1"} else None
        else:
            value = None
        values.append(value)
        previous = value
    return values


def read_counterexample(path, inputs):
    """``[{input: value}]``, one dict per time step (the initial-state column dropped), for the
    signals named in ``inputs`` (a sequence of names, in the order the cycles list them); an
    undefined value is ``None``."""
    with open(path, encoding="utf-8") as file:
        signals = {s["name"].lstrip("\\"): _values(s) for s in json.load(file)["signal"]}
    missing = [name for name in inputs if name not in signals]
    if missing:
        raise ValueError(f"{path}: the counterexample has no signal {', '.join(missing)}")
    steps = max(len(signals[name]) for name in inputs) - 1
    return [{name: signals[name][step + 1] for name in inputs} for step in range(steps)]
