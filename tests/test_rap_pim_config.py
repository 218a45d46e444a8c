"""PimConfig's refusals at each boundary, every message whole (sim/system/rap/pim.py): a value
just inside each allowed range is taken, one just outside is refused naming the option and what
is allowed."""

import re

import pytest

from sim.golden.rap.emsb import MAX_INPUT_BITS
from sim.rap import PimConfig


@pytest.mark.parametrize(
    "kwargs",
    [
        {"noise_swing": 0.999},
        {"input_format": "sdr", "input_bits": 8, "target_bits": 7},  # razors 8 -> 7 bits
        {"input_format": "sdr", "input_bits": 16, "target_bits": 15},
        {"input_bits": 2},
        {"input_bits": MAX_INPUT_BITS},
        {"group": 1},
        {"group": 128},
        {"columns": 1, "adc_share": 1},
        {"adc_rate_hz": 1e3},
        {"adc_rate_hz": 1.6e10},
        {"seed": 0},
    ],
)
def test_values_at_the_edges_are_taken(kwargs):
    config = PimConfig(**kwargs)
    for name, value in kwargs.items():
        assert getattr(config, name) == value


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"noise_swing": 1}, "noise_swing must be a number in [0, 1), not 1"),
        ({"gain_sigma": 1.5}, "gain_sigma must be a number in [0, 1), not 1.5"),
        (
            {"input_format": "sdr", "sign_mode": "twos"},
            "sign_mode 'twos' needs input_format 'emsb', not 'sdr' (SDR codes are sign-magnitude)",
        ),
        (
            {"input_format": "sdr", "input_bits": 8, "target_bits": 8},
            "target_bits (8) must leave a razor on the 8-bit SDR base: at most 7",
        ),
        (
            {"input_format": "sdr", "input_bits": 16, "target_bits": 16},
            "target_bits (16) must leave a razor on the 16-bit SDR base: at most 15",
        ),
        (
            {"input_format": "sdr", "group": 12},
            "group must be one of 4, 8, 16, 32, 64, 128, not 12",
        ),
        ({"input_bits": 1}, f"input_bits must be in [2, {MAX_INPUT_BITS}], not 1"),
        (
            {"input_bits": MAX_INPUT_BITS + 1},
            f"input_bits must be in [2, {MAX_INPUT_BITS}], not {MAX_INPUT_BITS + 1}",
        ),
        ({"group": 0}, "group must be in [1, 128], not 0"),
        ({"group": 256}, "group must be in [1, 128], not 256"),
        (
            {"mvm": "dense", "max_active_rows": 7},
            "max_active_rows applies to mvm 'sparse' only, not 'dense'",
        ),
        ({"seed": -1}, "seed must be >= 0, not -1"),
        ({"columns": 0}, "columns must be >= 1, not 0"),
        ({"adc_model": "x"}, "adc_model must be one of 'walden', 'murmann', 'flash', not 'x'"),
        ({"adc_rate_hz": "fast"}, "adc_rate_hz must be a number in [1e3, 1.6e10], not 'fast'"),
        ({"adc_rate_hz": True}, "adc_rate_hz must be a number in [1e3, 1.6e10], not True"),
        ({"adc_rate_hz": 999.0}, "adc_rate_hz must be a number in [1e3, 1.6e10], not 999.0"),
        (
            {"adc_rate_hz": 1.6e10 + 1},
            "adc_rate_hz must be a number in [1e3, 1.6e10], not 16000000001.0",
        ),
    ],
)
def test_values_beyond_the_edges_are_refused_by_name(kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        PimConfig(**kwargs)
