"""int8_mac and int4_mac in the Amaranth simulator against the golden int_matmul."""

import numpy as np
import pytest
from rtl_harness import run_checked

from hw.units.int_mac import Int4Mac, Int8Mac
from sim.golden import int_matmul, wrap_signed
from sim.verify.streams import int_mac_beats, reset_between, with_bubbles


@pytest.mark.parametrize("cls", [Int8Mac, Int4Mac])
@pytest.mark.parametrize("pipeline", ["all", "none"])
def test_every_operand_pair_one_lane(cls, pipeline):
    top = 2 ** (cls.WIDTH - 1)
    values = np.arange(-top, top)
    a = np.repeat(values, 2 * top)[:, None]
    w = np.tile(values, 2 * top)[:, None]
    unit = cls(lanes=1, pipeline=pipeline)
    expected = wrap_signed(a[:, 0] * w[:, 0], unit.parameters["ACC_BITS"])
    run_checked(unit, int_mac_beats(a, w, 1, expected, pairs="zip"), seed="exhaustive")


@pytest.mark.parametrize("cls", [Int8Mac, Int4Mac])
@pytest.mark.parametrize(
    "lanes, pipeline",
    [(1, "all"), (1, "none"), (4, "all"), (4, "tree1"), (16, "none"), (16, "products,tree2")],
)
def test_random_streams_with_bubbles(cls, lanes, pipeline):
    seed = lanes * 7 + cls.WIDTH + len(pipeline)
    rng = np.random.default_rng(seed)
    top = 2 ** (cls.WIDTH - 1)
    a = rng.integers(-top, top, size=(3, 64))
    w = rng.integers(-top, top, size=(5, 64))
    unit = cls(lanes=lanes, pipeline=pipeline)
    beats = with_bubbles(int_mac_beats(a, w, lanes, int_matmul(a, w)), rng, rate=0.4)
    run_checked(unit, beats, seed=seed)


def test_most_negative_products_wrap_a_small_accumulator():
    a = np.full((2, 64), -128)
    w = np.full((1, 64), -128)
    a[1, ::2] = 127
    unit = Int8Mac(lanes=4, acc_bits=16)
    expected = int_matmul(a, w, acc_bits=16)
    assert expected[0, 0] != 64 * 128 * 128
    run_checked(unit, int_mac_beats(a, w, 4, expected), seed="wrap")


@pytest.mark.parametrize("pipeline", ["all", "none"])
def test_reset_mid_stream(pipeline):
    rng = np.random.default_rng(9)
    a, w = rng.integers(-128, 128, size=(2, 2, 16)), rng.integers(-128, 128, size=(2, 16))
    first, second = (int_mac_beats(rows, w, 4, int_matmul(rows, w)) for rows in a)
    unit = Int8Mac(lanes=4, pipeline=pipeline)
    # The reset lands while the last LATENCY-1 results of `first` are in flight: they are lost.
    beats = reset_between(first, second)
    outputs = run_checked(unit, beats, seed=9)
    delivered = outputs["out_valid"].sum()
    assert 0 < delivered <= len(beats.expected)
    assert (delivered < len(beats.expected)) == (unit.LATENCY > 1)


@pytest.mark.parametrize(
    "cls, acc_bits, lanes",
    [(Int8Mac, 18, 4), (Int8Mac, 16, 16), (Int4Mac, 12, 4), (Int4Mac, 10, 4)],
)
def test_accumulator_reaches_the_wrap_boundary(cls, acc_bits, lanes):
    """Exact sums +2**(B-1) (wraps to -2**(B-1)) and 2**(B-1) - p (stays, the largest value):
    n products of the most negative operands, p = 2**(2 WIDTH - 2) (2**14 for int8, 2**6 for
    int4), n = 2**(B-1) / p; the widths are the regression's (18, 12) and the engines' (16, 10)."""
    top = 1 << (cls.WIDTH - 1)
    p, half = top * top, 1 << (acc_bits - 1)
    n = half // p
    k = -(-max(n, lanes) // lanes) * lanes
    a = np.zeros((2, k), np.int64)
    a[0, :n], a[1, : n - 1] = -top, -top
    w = np.zeros((1, k), np.int64)
    w[0, :n] = -top
    expected = int_matmul(a, w, acc_bits=acc_bits)
    assert expected[:, 0].tolist() == [-half, half - p]
    unit = cls(lanes=lanes, acc_bits=acc_bits)
    run_checked(unit, int_mac_beats(a, w, lanes, expected), seed=f"wrap-{acc_bits}")
