import pytest

from sim.golden.formats import GROUPS, SdrConfig, int_range, symmetric_max


@pytest.mark.parametrize(
    "base_bits, mag_bits, flag_bits, max_flag",
    [(8, 3, 3, 4), (16, 3, 4, 12), (8, 7, 0, 0), (16, 15, 0, 0), (16, 1, 4, 14), (8, 1, 3, 6)],
)
def test_flag_width_is_bit_length_of_razored_count(base_bits, mag_bits, flag_bits, max_flag):
    cfg = SdrConfig(base_bits, mag_bits)
    assert cfg.flag_bits == flag_bits
    assert cfg.max_flag == max_flag
    assert cfg.code_bits == 1 + mag_bits
    assert cfg.mag_max == 2**mag_bits - 1


@pytest.mark.parametrize("group", GROUPS)
def test_bits_per_element_is_code_plus_shared_flag(group):
    cfg = SdrConfig(16, 3, group)
    assert cfg.bits_per_element == 4 + 4 / group
    assert cfg.group_bits == 4 * group + 4


def test_defaults_follow_spec():
    cfg = SdrConfig(8)
    assert (cfg.mag_bits, cfg.group, cfg.rounding) == (3, 16, "nearest")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(base_bits=12), "base_bits must be one of 8, 16, not 12"),
        (dict(base_bits=8.0), "base_bits must be one of 8, 16, not 8.0"),
        (dict(base_bits=8, mag_bits=0), r"mag_bits must be in \[1, 7\], not 0"),
        (dict(base_bits=8, mag_bits=8), r"mag_bits must be in \[1, 7\], not 8"),
        (dict(base_bits=8, mag_bits=True), "mag_bits must be an integer, not True"),
        (dict(base_bits=16, group=12), "group must be one of 4, 8, 16, 32, 64, 128, not 12"),
        (dict(base_bits=16, rounding="floor"), "rounding must be one of 'nearest', 'truncate'"),
    ],
)
def test_bad_parameters_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SdrConfig(**kwargs)


def test_config_is_frozen():
    with pytest.raises(AttributeError):
        SdrConfig(8).group = 32


def test_int_ranges():
    assert int_range(8) == (-128, 127)
    assert symmetric_max(16) == 32767
