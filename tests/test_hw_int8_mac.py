"""int8_mac in the Amaranth simulator against the golden int_matmul."""

import numpy as np
import pytest
from rtl_harness import run_checked

from hw.int_mac import Int8Mac
from sim.golden import int_matmul, wrap_signed
from sim.streams import int_mac_beats, reset_between, with_bubbles


def test_every_int8_pair_one_lane():
    values = np.arange(-128, 128)
    a = np.repeat(values, 256)[:, None]
    w = np.tile(values, 256)[:, None]
    unit = Int8Mac(lanes=1)
    expected = wrap_signed(a[:, 0] * w[:, 0], unit.parameters["ACC_BITS"])
    run_checked(unit, int_mac_beats(a, w, 1, expected, pairs="zip"), seed="exhaustive")


@pytest.mark.parametrize("lanes", [1, 4, 16])
def test_random_streams_with_bubbles(lanes):
    rng = np.random.default_rng(lanes)
    a = rng.integers(-128, 128, size=(3, 64))
    w = rng.integers(-128, 128, size=(5, 64))
    unit = Int8Mac(lanes=lanes)
    beats = with_bubbles(int_mac_beats(a, w, lanes, int_matmul(a, w)), rng, rate=0.4)
    run_checked(unit, beats, seed=lanes)


def test_most_negative_products_wrap_a_small_accumulator():
    a = np.full((2, 64), -128)
    w = np.full((1, 64), -128)
    a[1, ::2] = 127
    unit = Int8Mac(lanes=4, acc_bits=16)
    expected = int_matmul(a, w, acc_bits=16)
    assert expected[0, 0] != 64 * 128 * 128
    run_checked(unit, int_mac_beats(a, w, 4, expected), seed="wrap")


def test_reset_mid_stream():
    rng = np.random.default_rng(9)
    a, w = rng.integers(-128, 128, size=(2, 2, 16)), rng.integers(-128, 128, size=(2, 16))
    first, second = (int_mac_beats(rows, w, 4, int_matmul(rows, w)) for rows in a)
    unit = Int8Mac(lanes=4)
    # The reset lands while the last LATENCY-1 results of `first` are in flight: they are lost.
    beats = reset_between(first, second)
    outputs = run_checked(unit, beats, seed=9)
    assert 0 < outputs["out_valid"].sum() < len(beats.expected)
