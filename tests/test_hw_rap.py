"""int_gelu, int_softmax and int_layernorm in the Amaranth simulator against the golden kernels.

Every output beat is checked bit-exactly against ``sim.rap`` and at exactly LATENCY cycles after
its input beat (:func:`sim.checker.check_stream` with the unit's ``RESULTS``); failures name the
seed. Rows carry bubbles inside and between their passes, random exponents on the beats that do
not carry the row's exponent, random ``gamma``/``beta`` on LayerNorm's first pass.
"""

import numpy as np
import pytest
from rtl_harness import run_checked

from hw.rap import IntGelu, IntLayernorm, IntSoftmax
from hw.rap.layernorm import PARAMETER_BITS, output_bits
from sim.verify.rap_streams import exact_parameters, gelu_beats, layernorm_beats, softmax_beats
from sim.verify.streams import MacBeats, concatenated, reset_between, with_bubbles

#: Exponents within the golden kernels' range, weighted towards the ones that matter.
EXPONENTS = (-64, -40, -30, -24, -20, -16, -12, -8, -4, 0, 2, 3, 4, 5, 8, 24, 64)


def run(unit, beats, seed):
    return run_checked(unit, beats, seed, is_mac=unit.RESULTS)


def bubbly(beats, rng, rate):
    return with_bubbles(beats, rng, rate) if rate else beats


def random_scores(rng, count, bits):
    """Integers of ``bits`` bits spread over every magnitude (random right shifts)."""
    top = 1 << (bits - 1)
    return rng.integers(-top, top, size=count) >> rng.integers(0, bits)


# int_gelu


def test_gelu_every_int16_value_under_several_exponents():
    """All 65,536 int16 values, twice: beat by beat under e = -13, -6, 1, 4 and then shifted."""
    unit = IntGelu(lanes=16, in_bits=16)
    rows = list(np.arange(-(2**15), 2**15).reshape(-1, 256))
    exponents = [np.roll(np.tile([-13, -6, 1, 4], 4), shift) for shift in (0, 2)]
    beats = concatenated([gelu_beats(rows, [exponents[copy]] * len(rows), 16) for copy in range(2)])
    run(unit, beats, "exhaustive")


@pytest.mark.parametrize("lanes, in_bits, rate", [(4, 24, 0.5), (1, 31, 0.0), (2, 2, 1.0)])
def test_gelu_random_rows_with_bubbles(lanes, in_bits, rate):
    seed = lanes * 100 + in_bits
    rng = np.random.default_rng(seed)
    rows = [random_scores(rng, lanes * int(rng.integers(1, 9)), in_bits) for _ in range(40)]
    top = 1 << (in_bits - 1)
    rows[0][:] = -top  # the most negative input, the largest and zero
    rows[1][:] = top - 1
    rows[2][:] = 0
    exponents = [rng.choice(EXPONENTS, size=len(row) // lanes) for row in rows]
    run(IntGelu(lanes, in_bits), bubbly(gelu_beats(rows, exponents, lanes), rng, rate), seed)


# int_softmax


def softmax_case(unit, rows, e, rng, rate=0.0):
    p = unit.parameters
    beats = softmax_beats(rows, e, p["LANES"], p["OUT_BITS"], p["SCALE"], rng=rng)
    return bubbly(beats, rng, rate)


@pytest.mark.parametrize(
    "lanes, in_bits, max_row, rate",
    [(4, 24, 128, 0.0), (4, 24, 128, 0.5), (1, 16, 16, 2.0), (16, 12, 256, 0.3)],
)
def test_softmax_random_rows(lanes, in_bits, max_row, rate):
    seed = lanes * 1000 + max_row + int(10 * rate)
    rng = np.random.default_rng(seed)
    unit = IntSoftmax(lanes, in_bits, max_row=max_row)
    rows = [
        random_scores(rng, lanes * int(rng.integers(1, max_row // lanes + 1)), in_bits)
        for _ in range(24)
    ]
    e = rng.choice(EXPONENTS, size=len(rows))
    run(unit, softmax_case(unit, rows, e, rng, rate), seed)


def test_softmax_corner_rows():
    """Equal scores, one outlier over the rest at the minimum, all at the minimum, a row of
    MAX_ROW, one-beat rows back to back, the largest and smallest exponents."""
    lanes, bits, max_row = 4, 24, 64
    rng = np.random.default_rng(5)
    unit = IntSoftmax(lanes, bits, max_row=max_row)
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    outlier = np.full(32, low)
    outlier[17] = high
    rows = [
        np.full(16, 12345),
        outlier,
        np.full(8, low),
        random_scores(rng, max_row, bits),
        np.full(max_row, high) - np.arange(max_row),
        *[random_scores(rng, lanes, bits) for _ in range(6)],
        np.array([low, high, 0, -1]),
    ]
    e = [-4, -64, 64, -20, -2, 64, 5, 4, 3, -64, 0, -30]
    for rate in (0.0, 1.0):
        run(unit, softmax_case(unit, rows, e, rng, rate), f"corners-{rate}")


@pytest.mark.parametrize(
    "in_bits, out_bits, scale", [(31, 16, 1000.0), (8, 2, 0.125), (20, 11, 1 / 32**0.5)]
)
def test_softmax_parameters(in_bits, out_bits, scale):
    """Widest scores with a multiplier near 2**31 (the golden's right-shift clip at 62 shows at
    e = -64), the narrowest probabilities, an attention scale."""
    rng = np.random.default_rng(in_bits)
    unit = IntSoftmax(4, in_bits, out_bits, scale, max_row=32)
    low, high = -(1 << (in_bits - 1)), (1 << (in_bits - 1)) - 1
    rows = [random_scores(rng, 4 * int(rng.integers(1, 9)), in_bits) for _ in range(16)]
    rows += [np.array([low, high, high, low]), np.array([low, high - 1, low + 1, high])]
    e = [*rng.choice(EXPONENTS, size=16), -64, -60]
    run(unit, softmax_case(unit, rows, e, rng, 0.3), f"{in_bits}-{out_bits}-{scale}")


def test_softmax_reset_drops_a_row_cut_short():
    """A reset after a row cut in its second pass: the next rows start from pass 1."""
    rng = np.random.default_rng(8)
    unit = IntSoftmax(4, 16, max_row=32)
    done = softmax_case(unit, [random_scores(rng, 8, 16) for _ in range(3)], [-8, -4, 0], rng)
    cut = softmax_case(unit, [random_scores(rng, 16, 16)], [-6], rng)
    cut = MacBeats(
        {port: values[:6] for port, values in cut.stream.items()}, cut.expected[:0]
    )  # pass 1 (4 beats) and half of pass 2
    after = softmax_case(unit, [random_scores(rng, 8, 16) for _ in range(3)], [-3, 2, -9], rng)
    outputs = run(unit, reset_between(concatenated([done, cut]), after), 8)
    delivered = outputs["out_valid"].sum()  # the reset drops the results still in flight
    assert len(after.expected) < delivered < len(done.expected) + len(after.expected)


# int_layernorm


def layernorm_case(unit, rows, e, weight, bias, rng, rate=0.0):
    p = unit.parameters
    beats = layernorm_beats(rows, e, weight, bias, p["LANES"], p["EPS"], rng=rng)
    return bubbly(beats, rng, rate)


def random_parameters(rng, d, spread=1.0):
    return rng.normal(1.0, 0.3 * spread, d), rng.normal(0.0, 0.5 * spread, d)


@pytest.mark.parametrize(
    "lanes, d, eps, rate", [(4, 32, 1e-12, 0.5), (1, 8, 0.0, 1.0), (8, 64, 1e-5, 0.0)]
)
def test_layernorm_random_rows(lanes, d, eps, rate):
    seed = lanes * 100 + d
    rng = np.random.default_rng(seed)
    unit = IntLayernorm(lanes, d, eps)
    rows = np.stack([random_scores(rng, d, 16) for _ in range(16)])
    e = rng.choice(EXPONENTS, size=len(rows))
    weight, bias = random_parameters(rng, d, spread=float(rng.integers(1, 50)))
    run(unit, layernorm_case(unit, rows, e, weight, bias, rng, rate), seed)


def test_layernorm_corner_rows():
    """Equal values (v = eps only, or 0), one outlier at the extremes with the largest
    ``gamma``/``beta`` (the widest output), all at the minimum, one-beat passes back to back."""
    lanes, d = 4, 16
    rng = np.random.default_rng(11)
    top = (1 << (PARAMETER_BITS - 1)) - 1
    for eps in (0.0, 1e-12):
        unit = IntLayernorm(lanes, d, eps)
        outlier = np.full(d, -(2**15))
        outlier[3] = 2**15 - 1
        rows = np.stack([np.full(d, 77), outlier, np.full(d, -(2**15)), -1 - outlier])
        gamma = np.full(d, top)
        gamma[1::2] = -top
        weight, bias = exact_parameters(gamma, np.full(d, top))
        e = [-20, -64, 64, 0]
        run(unit, layernorm_case(unit, rows, e, weight, bias, rng, 0.5), f"corners-{eps}")
    unit = IntLayernorm(4, 4)  # one beat per pass
    rows = np.stack([random_scores(rng, 4, 16) for _ in range(8)])
    weight, bias = random_parameters(rng, 4)
    run(unit, layernorm_case(unit, rows, rng.choice(EXPONENTS, 8), weight, bias, rng), "short")


def test_layernorm_longest_rows_and_widest_outputs():
    """D = 4096 (the golden's longest row) on 16 lanes, one row an outlier whose output needs
    all but the sign bit of OUT_W."""
    d, lanes = 4096, 16
    rng = np.random.default_rng(12)
    unit = IntLayernorm(lanes, d)
    outlier = np.full(d, -(2**15))
    outlier[-1] = 2**15 - 1
    rows = np.stack([outlier, random_scores(rng, d, 16)])
    top = (1 << (PARAMETER_BITS - 1)) - 1
    weight, bias = exact_parameters(np.full(d, top), np.full(d, top))
    beats = layernorm_case(unit, rows, [-10, -3], weight, bias, rng, 0.1)
    run(unit, beats, 12)
    widest = np.abs(beats.expected[:, :lanes]).max()
    assert 1 << (output_bits(d) - 2) <= widest < 1 << (output_bits(d) - 1)
