"""sdr_encoder in the Amaranth simulator against the golden encode."""

import numpy as np
import pytest
from rtl_harness import encoder_case, run_checked

from hw.sdr_encoder import SdrEncoder
from sim.streams import reset_between, with_bubbles


@pytest.mark.parametrize("rounding", ["nearest", "truncate"])
def test_every_int8_value_under_every_leading_one(rounding):
    unit = SdrEncoder(group=4, base_bits=8, rounding=rounding)
    values = np.repeat(np.arange(-128, 128), 9)
    partners = np.tile([0, 1, 2, 4, 8, 16, 32, 64, -128], 256)
    x = np.stack([values, partners, np.zeros_like(values), -partners.clip(-127)], axis=1)
    run_checked(unit, encoder_case(unit, x), seed="exhaustive", is_mac=False)


@pytest.mark.parametrize("rounding", ["nearest", "truncate"])
@pytest.mark.parametrize("group", [4, 16, 64])
def test_random_int16_groups_with_bubbles(rounding, group):
    rng = np.random.default_rng(group)
    x = rng.integers(-(2**15), 2**15, size=(200, group))
    x >>= rng.integers(0, 16, size=(200, 1))
    unit = SdrEncoder(group=group, rounding=rounding)
    run_checked(unit, with_bubbles(encoder_case(unit, x), rng, 0.5), seed=group, is_mac=False)


def test_corners():
    unit = SdrEncoder(group=4)
    x = np.array(
        [
            [0, 0, 0, 0],  # all-zero group
            [-(2**15), 1, 0, 0],  # most negative value, max flag
            [2**15 - 1, 2**15 - 2, 1, -1],  # rounding that would overflow saturates
            [7, -7, 3, 0],  # below 2**M: lossless, flag 0
            [2**14, -(2**11 - 1), 0, 0],  # rounds to zero: no negative zero
        ]
    )
    run_checked(unit, encoder_case(unit, x), seed="corners", is_mac=False)


def test_reset_mid_stream():
    rng = np.random.default_rng(2)
    unit = SdrEncoder(group=8)
    first, second = (
        encoder_case(unit, rng.integers(-(2**15), 2**15, size=(6, 8))) for _ in range(2)
    )
    beats = reset_between(first, second)
    outputs = run_checked(unit, beats, seed=2, is_mac=False)
    assert 0 < outputs["out_valid"].sum() < len(beats.expected)
