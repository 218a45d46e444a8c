"""The RAP row units' cycle models (``sim.cycle_models.rap_rows``) equal the Amaranth simulation
on every output port, every cycle (their latencies, passes and port widths,
``sim.cycle_models.structure``, are checked against ``hw`` in tests/test_cycle_model_structure.py).

Each stream runs directed rows back to back (extreme values under every exponent
tests/test_hw_rap.py uses, then 8-bit exponents the golden kernels refuse), random rows with
bubbles, a row cut short by a reset on a valid beat, a reset while results are in flight, and
back-to-back rows after it. Failures name the seed, the port and the first differing cycle.
"""

import zlib

import numpy as np
import pytest

from hw.designs import build, elaborated
from hw.interface import port_layout
from sim.cycle_models import run
from sim.cycle_models import simulate as model
from sim.cycle_models.structure import LAYERNORM_PARAMETER_BITS, ROW_PASSES
from sim.verify.checker import check_stream
from sim.verify.rap_streams import exact_parameters, gelu_beats, layernorm_beats, softmax_beats
from sim.verify.rtl_amaranth import simulate as amaranth
from sim.verify.streams import MacBeats, concatenated, drained, with_bubbles

#: Every exponent tests/test_hw_rap.py gives a row or a beat.
HW_EXPONENTS = (
    *(-64, -60, -40, -30, -24, -20, -16, -13, -12, -10, -9, -8, -6, -4, -3, -2),
    *(0, 1, 2, 3, 4, 5, 8, 24, 64),
)
#: 8-bit exponents beyond the golden kernels' +-64 (the streams carry them).
WIDE_EXPONENTS = (-128, -100, -70, -65, 65, 100, 127)

CONFIGS = [
    ("int_gelu", dict(LANES=4, IN_BITS=16)),
    ("int_gelu", dict(LANES=1, IN_BITS=31)),
    ("int_gelu", dict(LANES=2, IN_BITS=2)),
    ("int_softmax", dict(LANES=4, IN_BITS=24, MAX_ROW=64)),
    ("int_softmax", dict(LANES=1, IN_BITS=16, MAX_ROW=16)),
    ("int_softmax", dict(LANES=2, IN_BITS=31, OUT_BITS=16, SCALE=1000.0, MAX_ROW=32)),
    ("int_softmax", dict(LANES=8, IN_BITS=8, OUT_BITS=2, SCALE=0.125, MAX_ROW=64)),
    ("int_layernorm", dict(LANES=4, D=16)),
    ("int_layernorm", dict(LANES=1, D=8, EPS=0.0)),
    ("int_layernorm", dict(LANES=8, D=64, EPS=1e-5)),
    ("int_layernorm", dict(LANES=2, D=4, EPS=1e-40)),  # eps's shift clip beyond e = +-64
]
IDS = [f"{name}-{params}" for name, params in CONFIGS]


def random_scores(rng, count, bits):
    """Integers of ``bits`` bits spread over every magnitude (random right shifts)."""
    top = 1 << (bits - 1)
    return rng.integers(-top, top, size=count) >> rng.integers(0, bits)


def extremes(bits, count):
    """``count`` values cycling through the ends of a ``bits``-bit range and the small ones."""
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return np.resize([low, high, 0, 1, -1, low + 1, high - 1, high // 2], count)


def row_beats(unit, rows, e, rng=None):
    """The unit's stream of ``rows`` (exponent ``e[i]`` for row ``i``; for ``int_gelu`` one per
    beat may be given) and the golden's results, as :mod:`sim.rap.streams` builds them."""
    p = unit.parameters
    lanes = p["LANES"]
    if unit.MODULE_NAME == "int_gelu":
        return gelu_beats(rows, [np.asarray(x) for x in e], lanes)
    if unit.MODULE_NAME == "int_softmax":
        return softmax_beats(rows, e, lanes, p["OUT_BITS"], p["SCALE"], rng=rng)
    rows = np.stack(rows)
    if rng is None:  # the extremes: the largest gamma and beta, alternating signs
        top = (1 << (LAYERNORM_PARAMETER_BITS - 1)) - 1
        gamma = np.resize([top, -top, 1, 0], p["D"])
        weight, bias = exact_parameters(gamma, np.resize([top, -top, 0], p["D"]))
    else:
        spread = float(rng.integers(1, 50))
        weight = rng.normal(1.0, 0.3 * spread, rows.shape)
        bias = rng.normal(0.0, 0.5 * spread, rows.shape)
    return layernorm_beats(rows, e, weight, bias, lanes, p["EPS"], rng=rng)


def directed_rows(unit):
    """Extreme rows under every exponent of :data:`HW_EXPONENTS`, back to back."""
    p = unit.parameters
    lanes = p["LANES"]
    module = unit.MODULE_NAME
    if module == "int_gelu":
        row = extremes(p["IN_BITS"], max(8, lanes))
        rows = [row] * len(HW_EXPONENTS) + [row] * 2
        beats = len(row) // lanes
        mixed = [np.resize(HW_EXPONENTS[shift::3], beats) for shift in (0, 1)]
        return row_beats(unit, rows, [[e] * beats for e in HW_EXPONENTS] + mixed)
    bits = p.get("IN_BITS", 16)
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    d = p["D"] if module == "int_layernorm" else 2 * lanes
    outlier = np.full(d, low)
    outlier[d // 3] = high
    kinds = [np.full(d, high // 3), outlier, np.full(d, low), -1 - outlier, extremes(bits, d)]
    if module == "int_softmax":  # the longest row, and one-beat rows
        kinds += [np.full(p["MAX_ROW"], high) - np.arange(p["MAX_ROW"]) % (high + 1)]
        kinds += [extremes(bits, lanes), np.full(lanes, low)]
    rows = [kinds[index % len(kinds)] for index in range(len(HW_EXPONENTS))]
    return row_beats(unit, rows, list(HW_EXPONENTS))


def wide_exponent_rows(unit):
    """Rows at 8-bit exponents beyond +-64, put on the stream after the golden built it (its
    results are not those of these exponents)."""
    beats = directed_rows(unit)
    stream = {port: values.copy() for port, values in beats.stream.items()}
    if unit.MODULE_NAME == "int_gelu":
        stream["e"] = np.resize(WIDE_EXPONENTS, len(stream["e"]))
    else:  # on each row's first beat
        passes = ROW_PASSES[unit.MODULE_NAME]
        ends = np.flatnonzero(stream["in_last"])[passes - 1 :: passes]
        firsts = np.r_[0, ends[:-1] + 1]
        stream["e"][firsts] = np.resize(WIDE_EXPONENTS, len(firsts))
    return MacBeats(stream, beats.expected[:0])


def random_rows(unit, rng, count):
    p = unit.parameters
    lanes = p["LANES"]
    module = unit.MODULE_NAME
    if module == "int_layernorm":
        rows = [random_scores(rng, p["D"], 16) for _ in range(count)]
        return row_beats(unit, rows, rng.choice(HW_EXPONENTS, count), rng)
    longest = 6 if module == "int_gelu" else p["MAX_ROW"] // lanes
    rows = [
        random_scores(rng, lanes * int(rng.integers(1, longest + 1)), p["IN_BITS"])
        for _ in range(count)
    ]
    if module == "int_gelu":
        return row_beats(unit, rows, [rng.choice(HW_EXPONENTS, len(r) // lanes) for r in rows])
    return row_beats(unit, rows, rng.choice(HW_EXPONENTS, count), rng)


def reset_cycle(unit, rng, valid):
    """One cycle with ``rst=1``; with ``valid`` it also carries a (random) valid beat."""
    stream = {}
    for name, (direction, width, lanes, signed) in port_layout(unit).items():
        if direction == "input":
            low, high = (-(1 << (width - 1)), 1 << (width - 1)) if signed else (0, 1 << width)
            stream[name] = rng.integers(low, high, (1, lanes) if lanes else 1)
    stream["in_valid"][:] = int(valid)
    return MacBeats(stream, np.zeros(0, np.int64))


def joined(parts):
    """The streams of ``parts`` back to back, each with its ``rst`` entry (zeros unless given);
    no expected results (the model is compared with the RTL)."""
    streams = [{"rst": np.zeros(part.cycles, np.int64), **part.stream} for part in parts]
    stream = {port: np.concatenate([s[port] for s in streams]) for port in streams[0]}
    return MacBeats(stream, np.zeros(0, np.int64))


def scenario(unit, rng):
    """Directed rows, random rows with bubbles, a row cut short by a reset on a valid beat,
    bubbly rows, back-to-back rows ended by a reset with results in flight, back-to-back rows."""
    count = 10 if unit.MODULE_NAME == "int_gelu" else 5
    cut = with_bubbles(random_rows(unit, rng, 2), rng, 0.5)
    keep = int(0.7 * cut.cycles)
    cut = MacBeats({port: values[:keep] for port, values in cut.stream.items()}, cut.expected)
    reset = reset_cycle(unit, rng, valid=True)
    reset.stream["rst"] = np.ones(1, np.int64)
    idle_reset = reset_cycle(unit, rng, valid=False)
    idle_reset.stream["rst"] = np.ones(1, np.int64)
    parts = [
        directed_rows(unit),
        wide_exponent_rows(unit),
        with_bubbles(random_rows(unit, rng, count), rng, 0.5),
        cut,
        reset,
        with_bubbles(random_rows(unit, rng, count), rng, 0.3),
        random_rows(unit, rng, 2),
        idle_reset,
        random_rows(unit, rng, count),
    ]
    return drained(joined(parts), unit.LATENCY + 3).stream


def first_difference(got, expected):
    """``(port, cycle)`` of the first output that differs (ports missing count), or ``None``."""
    if set(got) != set(expected):
        return ("ports", sorted(set(got) ^ set(expected)))
    for port, values in expected.items():
        mine = np.asarray(got[port])
        if mine.shape != values.shape:
            return (port, f"shape {mine.shape} != {values.shape}")
        differ = np.flatnonzero(np.any((mine != values).reshape(len(values), -1), axis=1))
        if len(differ):
            return (port, int(differ[0]))
    return None


def expected_valid(outputs):
    return {"out_valid": outputs["out_valid"]}


def seed_of(name, params):
    return zlib.crc32(f"{name}{sorted(params.items())}".encode())


@pytest.mark.parametrize("name, params", CONFIGS, ids=IDS)
def test_model_equals_amaranth_every_cycle(name, params):
    seed = seed_of(name, params)
    unit = build(name, **params)
    stream = scenario(unit, np.random.default_rng(seed))
    expected = amaranth(unit, stream)
    got = model(unit, stream)
    difference = first_difference(got, expected)
    if difference and isinstance(difference[1], int):
        port, cycle = difference
        difference += (f"model {got[port][cycle]}, RTL {expected[port][cycle]}",)
    assert difference is None, f"seed {seed}: {difference}"
    assert expected["out_valid"].sum() > 100 and expected["out_last"].sum() > 30


@pytest.mark.parametrize("name, params", CONFIGS, ids=IDS)
def test_model_gives_the_golden_results_on_their_cycles(name, params):
    """Model only (no RTL): directed and random rows with bubbles against the golden kernels."""
    rng = np.random.default_rng(seed_of(name, params) + 1)
    unit = elaborated(build(name, **params))
    beats = concatenated([directed_rows(unit), with_bubbles(random_rows(unit, rng, 20), rng, 1.0)])
    beats = drained(beats, unit.LATENCY)
    check = check_stream(
        model(unit, beats.stream), beats.stream, beats.expected, unit.LATENCY, unit.RESULTS
    )
    assert check.passed and check.results == len(beats.expected), check


def test_wrong_outputs_and_streams_are_caught():
    """The comparison finds a perturbed held value and a result one cycle late; the model finds
    a changed row exponent and a dropped ``in_last``; random exponents on beats other than a
    row's first change nothing."""
    unit = build("int_softmax", LANES=1, IN_BITS=16, MAX_ROW=16)
    rng = np.random.default_rng(3)
    beats = drained(with_bubbles(random_rows(unit, rng, 6), rng, 0.5), unit.LATENCY)
    stream = beats.stream
    expected = amaranth(unit, stream)
    got = model(unit, stream)
    assert first_difference(got, expected) is None
    cycle = int(np.flatnonzero(expected["out_valid"])[5]) + 1  # held after a load
    wrong = {port: values.copy() for port, values in got.items()}
    wrong["p"][cycle] += 1
    assert first_difference(wrong, expected) == ("p", cycle)
    late = {port: np.concatenate([0 * values[:1], values[:-1]]) for port, values in got.items()}
    assert first_difference(late, expected) is not None
    due = int(np.flatnonzero(expected["out_valid"])[0])
    assert first_difference({"out_valid": late["out_valid"]}, expected_valid(expected)) == (
        "out_valid",
        due,
    )

    def changed(port, index, value):
        other = {name: values.copy() for name, values in stream.items()}
        other[port][index] = value
        return model(unit, other)

    first = int(np.flatnonzero(stream["in_valid"])[0])
    assert first_difference(changed("e", first, stream["e"][first] + 1), expected)
    lasts = np.flatnonzero(stream["in_last"] & stream["in_valid"])
    assert first_difference(changed("in_last", lasts[4], 0), expected)
    later = np.flatnonzero(stream["in_valid"])[1:3]
    assert first_difference(changed("e", later, -100), expected) is None


@pytest.mark.parametrize("seed", [3, 5])
def test_layernorm_rows_a_reset_breaks(seed):
    """Resets anywhere, the producer carrying on with the rows they cut: later passes then hold
    other values than the first (normalised values beyond the golden's bound, cut by the RTL's
    register as by the model's)."""
    unit = build("int_layernorm", LANES=2, D=8)
    rng = np.random.default_rng(seed)
    stream = drained(with_bubbles(random_rows(unit, rng, 8), rng, 0.3), unit.LATENCY).stream
    stream["rst"] = np.zeros(len(stream["in_valid"]), np.int64)
    stream["rst"][rng.integers(5, len(stream["rst"]) - 30, 3)] = 1
    assert first_difference(model(unit, stream), amaranth(unit, stream)) is None, seed


@pytest.mark.parametrize("name", ["int_gelu", "int_softmax", "int_layernorm"])
def test_many_streams_at_once_equal_one_at_a_time(name):
    unit = elaborated(build(name, LANES=2, **({"D": 8} if name == "int_layernorm" else {})))
    streams = [scenario(unit, np.random.default_rng(seed)) for seed in range(3)]
    cycles = min(len(s["in_valid"]) for s in streams)
    stacked = {port: np.stack([s[port][:cycles] for s in streams]) for port in streams[0]}
    together = model(
        unit, {port: values.reshape(3, 1, *values.shape[1:]) for port, values in stacked.items()}
    )
    for index, stream in enumerate(streams):
        alone = run(name, dict(unit.parameters), {p: v[:cycles] for p, v in stream.items()})
        for port, values in alone.items():
            np.testing.assert_array_equal(together[port][index, 0], values, err_msg=port)
