"""The column ADC (sim/system/rap/adc.py): the swing noise is referred to, the spread of gains and
offsets, and the full-range transfer function, against hand-derived figures."""

import numpy as np
import pytest

from sim.rap import PimConfig
from sim.system.rap.adc import AdcColumns, swing


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        # The bit-line's swing: the most rows one conversion activates (k = 3), whatever the ADC.
        ({"max_active_rows": 3}, 3.0),
        # Referred to a low-range ADC: its 2**3 - 1 = 7 steps, not k.
        ({"max_active_rows": 3, "noise_reference": "adc"}, 7.0),
        # Referred to a full-range ADC: its input range is all k = 128 dense rows.
        ({"mvm": "dense", "adc_range": "full", "noise_reference": "adc"}, 128.0),
    ],
)
def test_the_swing_follows_the_noise_reference_and_the_adc_range(kwargs, expected):
    assert swing(PimConfig(adc_bits=3, **kwargs)) == expected


@pytest.mark.parametrize(
    "kwargs, ideal",
    [
        ({}, True),
        ({"noise_swing": 0.01}, False),
        ({"gain_sigma": 0.01}, False),
        ({"offset_sigma": 0.01}, False),
    ],
)
def test_the_adc_is_ideal_without_noise_gain_or_offset_spread(kwargs, ideal):
    """pim_matmul reads ``ideal`` to replace the sparse partial-by-partial conversions by one
    exact matmul, so it must be True exactly when all three non-idealities are zero."""
    adc = AdcColumns(PimConfig(**kwargs), (1, 1), np.random.default_rng(0))
    assert adc.ideal is ideal


def fine_adc(**kwargs):
    """Dense, full range, 12 bits: 128 rows over 4095 codes, a step of 0.031 bit-line steps, so
    that the codes hide no spread; 40,000 columns, one conversion each. The periphery reads each
    code back as its nearest integer level, and rounding a spread much wider than one step to
    integers adds its uniform error's variance, 1/12 (Sheppard's correction): a read spreads by
    sqrt(sigma**2 + 1/12), where sigma is the analog spread. The sampling error of a measured
    sigma over 40,000 columns is sigma / sqrt(80,000), under 0.012 for every spread here."""
    config = PimConfig(mvm="dense", adc_range="full", adc_bits=12, **kwargs)
    return AdcColumns(config, (1, 40_000), np.random.default_rng(11))


def read_mid_scale(adc):
    estimates, clipped = adc.read(np.full((1, 40_000), 64.0, np.float32))
    assert not clipped.any()
    return float(estimates.mean()), float(estimates.std())


def test_column_gains_spread_by_gain_sigma():
    """gain = 1 + 0.05 N(0, 1): a sum of 64 reads 64 on average with an analog sigma of
    64 x 0.05 = 3.2 steps, read back as sqrt(3.2**2 + 1/12) = 3.213."""
    mean, sigma = read_mid_scale(fine_adc(gain_sigma=0.05))
    assert mean == pytest.approx(64, abs=0.1)
    assert sigma == pytest.approx(3.213, abs=0.05)


def test_column_offsets_spread_by_offset_sigma_of_the_swing():
    """offset = 0.02 x the 128-row swing x N(0, 1): an analog sigma of 2.56 steps around the
    sum, read back as sqrt(2.56**2 + 1/12) = 2.576."""
    mean, sigma = read_mid_scale(fine_adc(offset_sigma=0.02))
    assert mean == pytest.approx(64, abs=0.1)
    assert sigma == pytest.approx(2.576, abs=0.04)


def test_read_noise_spreads_by_noise_swing_of_the_swing():
    """noise = 0.01 x 128 x N(0, 1) per conversion: an analog sigma of 1.28 steps, read back as
    sqrt(1.28**2 + 1/12) = 1.312 (not 1.28: the integer read-back adds its rounding)."""
    mean, sigma = read_mid_scale(fine_adc(noise_swing=0.01))
    assert mean == pytest.approx(64, abs=0.05)
    assert sigma == pytest.approx(1.312, abs=0.02)


def test_a_full_range_step_of_two_reads_the_nearest_even_level():
    """k = 6 rows over a 2-bit ADC's codes 0..3: a step of 6 / 3 = 2. Sums 0..6 are 0, 0.5, 1,
    1.5, 2, 2.5, 3 codes; rounding half to even gives codes 0, 0, 1, 2, 2, 2, 3, read back as
    levels 0, 0, 2, 4, 4, 4, 6."""
    config = PimConfig(adc_bits=2, adc_range="full", max_active_rows=6)
    adc = AdcColumns(config, (1, 1), np.random.default_rng(0))
    estimates, clipped = adc.read(np.arange(7, dtype=np.float32).reshape(7, 1))
    assert estimates.ravel().tolist() == [0, 0, 2, 4, 4, 4, 6]
    assert not clipped.any()
