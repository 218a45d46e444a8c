"""sdr_encoder in the Amaranth simulator against the golden encode."""

import numpy as np
import pytest
from rtl_harness import run_checked

from hw.units.sdr_encoder import SdrEncoder
from sim.verify.stimulus import encoder_case
from sim.verify.streams import reset_between, with_bubbles

PIPELINES = ["all", "none", "magnitudes", "flag"]


@pytest.mark.parametrize("rounding", ["nearest", "truncate"])
@pytest.mark.parametrize("pipeline", PIPELINES)
def test_every_int8_value_under_every_leading_one(rounding, pipeline):
    unit = SdrEncoder(group=4, base_bits=8, rounding=rounding, pipeline=pipeline)
    values = np.repeat(np.arange(-128, 128), 9)
    partners = np.tile([0, 1, 2, 4, 8, 16, 32, 64, -128], 256)
    x = np.stack([values, partners, np.zeros_like(values), -partners.clip(-127)], axis=1)
    run_checked(unit, encoder_case(unit, x), seed="exhaustive", is_mac=False)


@pytest.mark.parametrize("rounding", ["nearest", "truncate"])
@pytest.mark.parametrize("group", [4, 16, 64])
@pytest.mark.parametrize("pipeline", ["all", "none"])
def test_random_int16_groups_with_bubbles(rounding, group, pipeline):
    rng = np.random.default_rng(group)
    x = rng.integers(-(2**15), 2**15, size=(200, group))
    x >>= rng.integers(0, 16, size=(200, 1))
    unit = SdrEncoder(group=group, rounding=rounding, pipeline=pipeline)
    run_checked(unit, with_bubbles(encoder_case(unit, x), rng, 0.5), seed=group, is_mac=False)


def test_every_int16_value_under_every_leading_one():
    """All 65,536 int16 values, each beside partners that set every possible group flag."""
    unit = SdrEncoder(group=4, pipeline="none")
    values = np.arange(-(2**15), 2**15)
    partners = 1 << (np.arange(values.size) % 16)  # 1 .. 2**15 (clamped to 2**15 - 1 below)
    x = np.stack(
        [values, np.minimum(partners, 2**15 - 1), -np.minimum(partners, 2**15 - 1), values[::-1]],
        axis=1,
    )
    run_checked(unit, encoder_case(unit, x), seed="exhaustive16", is_mac=False)


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_corners(pipeline):
    unit = SdrEncoder(group=4, pipeline=pipeline)
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


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_reset_mid_stream(pipeline):
    rng = np.random.default_rng(2)
    unit = SdrEncoder(group=8, pipeline=pipeline)
    first, second = (
        encoder_case(unit, rng.integers(-(2**15), 2**15, size=(6, 8))) for _ in range(2)
    )
    beats = reset_between(first, second)
    outputs = run_checked(unit, beats, seed=2, is_mac=False)
    delivered = outputs["out_valid"].sum()
    assert 0 < delivered <= len(beats.expected)
    assert (delivered < len(beats.expected)) == (unit.LATENCY > 1)
