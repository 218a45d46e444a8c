"""encode/decode against the scalar reference: exhaustive value spaces and the SPEC corner cases."""

import itertools

import numpy as np
import pytest
from scalar_sdr import decode_value, razor_rows

from sim.golden import sdr_encode
from sim.golden.formats import GROUPS, SdrConfig
from sim.sdr import SdrTensor, decode, encode, sdr_matmul

ROUNDINGS = ("nearest", "truncate")


@pytest.fixture(autouse=True)
def fresh_word_layouts():
    """Build the encoder's word layouts (cached per SdrConfig) anew in every test, so that each
    test runs the layout and flag-table code itself rather than reusing an earlier test's (or,
    under mutmut, the forking parent's) layout."""
    sdr_encode._layout.cache_clear()


def assert_matches_reference(values, cfg):
    tensor = encode(values, cfg)
    signs, mags, flags = razor_rows(
        values.reshape(-1, values.shape[-1]).tolist(),
        cfg.base_bits,
        cfg.mag_bits,
        cfg.group,
        cfg.rounding,
    )
    np.testing.assert_array_equal(tensor.sign.reshape(len(signs), -1), signs)
    np.testing.assert_array_equal(tensor.mag.reshape(len(mags), -1), mags)
    np.testing.assert_array_equal(tensor.flag.reshape(len(flags), -1), flags)
    return tensor


@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("mag_bits", [1, 3, 7])
def test_every_int8_value_under_every_leading_one(rounding, mag_bits):
    """Each int8 value shares a group with a partner setting each possible leading-one position."""
    cfg = SdrConfig(8, mag_bits, 4, rounding)
    values = np.arange(-128, 128)
    partners = [0] + [2**p for p in range(7)] + [-128]
    groups = [[v, p, 0, 1] for v, p in itertools.product(values, partners)]
    assert_matches_reference(np.array(groups, dtype=np.int8), cfg)


@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("group", GROUPS)
def test_every_int16_value_in_groups(rounding, group):
    """All 65,536 int16 values, shuffled into groups of the size under test."""
    cfg = SdrConfig(16, 3, group, rounding)
    rng = np.random.default_rng(group)
    values = rng.permutation(np.arange(-(2**15), 2**15)).astype(np.int16)
    assert_matches_reference(values.reshape(-1, 256), cfg)


@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_every_int16_value_sets_its_own_flag(rounding):
    """Each int16 value as its group's largest magnitude, beside small random companions."""
    cfg = SdrConfig(16, 3, 4, rounding)
    rng = np.random.default_rng(7)
    groups = rng.integers(-8, 8, size=(2**16, 4), dtype=np.int16)
    groups[:, 0] = np.arange(-(2**15), 2**15)
    assert_matches_reference(groups.reshape(-1, 64), cfg)


@pytest.mark.parametrize("base_bits", [8, 16])
@pytest.mark.parametrize("mag_bits", [1, 3, 5])
def test_decode_every_code_and_flag(base_bits, mag_bits):
    cfg = SdrConfig(base_bits, mag_bits, 4)
    codes = np.arange(2 ** (1 + mag_bits))
    codes = codes[codes != 2**mag_bits]  # negative zero is not a code
    flags = np.arange(cfg.max_flag + 1)
    code_grid = np.repeat(codes, 4 * len(flags)).reshape(-1, 4)
    flag_grid = np.tile(np.repeat(flags, 4), len(codes)).reshape(-1, 4)[:, :1]
    tensor = SdrTensor.from_code(code_grid, flag_grid, cfg)
    expected = [
        [decode_value(c >> mag_bits, c & cfg.mag_max, f[0])] * 4
        for c, f in zip(code_grid[:, 0], flag_grid, strict=True)
    ]
    np.testing.assert_array_equal(decode(tensor), expected)
    np.testing.assert_array_equal(tensor.code, code_grid)


class TestCorners:
    def test_all_zero_group(self):
        t = encode(np.zeros((1, 16), np.int8), SdrConfig(8))
        assert not t.sign.any() and not t.mag.any() and t.flag.tolist() == [[0]]

    @pytest.mark.parametrize("base_bits", [8, 16])
    def test_group_below_two_to_the_m_is_lossless(self, base_bits):
        values = np.array([[7, -7, 3, 0, -1, 5, 6, -2]])
        t = encode(values, SdrConfig(base_bits, group=8))
        assert t.flag.tolist() == [[0]]
        np.testing.assert_array_equal(decode(t), values)

    @pytest.mark.parametrize("base_bits", [8, 16])
    @pytest.mark.parametrize("rounding", ROUNDINGS)
    def test_most_negative_value_is_treated_as_minus_max(self, base_bits, rounding):
        top = 2 ** (base_bits - 1)
        cfg = SdrConfig(base_bits, group=4, rounding=rounding)
        low = encode(np.array([[-top, 1, 0, 0]]), cfg)
        clamped = encode(np.array([[-(top - 1), 1, 0, 0]]), cfg)
        assert low.flag.tolist() == clamped.flag.tolist() == [[cfg.max_flag]]
        np.testing.assert_array_equal(low.code, clamped.code)
        assert low.code[0, 0] == (1 << cfg.mag_bits) | cfg.mag_max

    def test_rounding_that_would_overflow_saturates_without_changing_flag(self):
        # 127 = 0b1111111: flag 4, (127 + 8) >> 4 = 8 would need a fifth bit -> saturate to 7
        t = encode(np.array([[127, -127, 120, 119]]), SdrConfig(8, group=4))
        assert t.flag.tolist() == [[4]]
        assert t.mag.tolist() == [[7, 7, 7, 7]]
        assert t.sign.tolist() == [[0, 1, 0, 0]]

    def test_truncate_never_rounds_up(self):
        t = encode(np.array([[127, 23, 24, 8]]), SdrConfig(8, group=4, rounding="truncate"))
        assert t.mag.tolist() == [[7, 1, 1, 0]]

    def test_max_flag(self):
        cfg = SdrConfig(16, group=4)
        t = encode(np.array([[2**14, 2**13 - 1, 2**11, -(2**11 - 1)]]), cfg)
        assert t.flag.tolist() == [[12]]  # leading one at bit 14: 15 bits, 3 kept
        assert t.mag.tolist() == [[4, 2, 1, 0]]
        assert t.sign.tolist() == [[0, 0, 0, 0]]  # -2047 rounds to 0: no negative zero

    def test_single_outlier_razors_its_group_only(self):
        values = np.array([[100, 3, -2, 1, 3, -2, 1, 2]])
        t = encode(values, SdrConfig(8, group=4))
        assert t.flag.tolist() == [[4, 0]]
        assert t.mag.tolist() == [[6, 0, 0, 0, 3, 2, 1, 2]]

    def test_leading_batch_dimensions(self):
        rng = np.random.default_rng(5)
        values = rng.integers(-128, 128, size=(2, 3, 32), dtype=np.int8)
        t = assert_matches_reference(values, SdrConfig(8))
        assert t.shape == (2, 3, 32) and t.flag.shape == (2, 3, 2)

    def test_an_empty_batch_encodes_and_multiplies_to_empty(self):
        cfg = SdrConfig(16, 3, 16)
        t = encode(np.zeros((0, 32), np.int64), cfg)
        assert t.shape == (0, 32) and t.flag.shape == (0, 2)
        assert decode(t).shape == (0, 32)
        w = encode(np.ones((5, 32), np.int64), cfg)
        assert sdr_matmul(t, w).shape == (0, 5)

    def test_long_input_crosses_encoder_chunks(self):
        rng = np.random.default_rng(6)
        values = rng.integers(-(2**15), 2**15, size=(3, 2**17 + 64), dtype=np.int16)
        values[1] >>= rng.integers(0, 16, size=values.shape[1]).astype(np.int16)
        assert_matches_reference(values, SdrConfig(16, group=64))


@pytest.mark.parametrize(
    "q, cfg, message",
    [
        (np.array([[1.0] * 16]), SdrConfig(8), "q must be an integer array, not dtype float64"),
        (np.array([[True] * 16]), SdrConfig(8), "q must be an integer array, not dtype bool"),
        (np.full((1, 16), 128), SdrConfig(8), r"q values must be in \[-128, 127\], found 128"),
        (np.full((1, 16), -40000), SdrConfig(16), r"found -40000"),
        (
            np.zeros((2, 24), np.int8),
            SdrConfig(8),
            r"q last axis \(K=24\) must be a positive "
            "multiple of the group size 16",
        ),
        (np.int8(3), SdrConfig(8, group=4), "q must have at least one dimension"),
        (np.zeros((1, 16), np.int8), "int8", "cfg must be an SdrConfig, not str"),
    ],
)
def test_encode_refuses_bad_input(q, cfg, message):
    with pytest.raises(ValueError, match=message):
        encode(q, cfg)


def test_from_code_refuses_negative_zero_and_bad_flags():
    cfg = SdrConfig(8, group=4)
    with pytest.raises(ValueError, match="negative zero"):
        SdrTensor.from_code([[8, 0, 0, 0]], [[0]], cfg)
    with pytest.raises(ValueError, match=r"flag values must be in \[0, 4\], found 5"):
        SdrTensor.from_code([[1, 0, 0, 0]], [[5]], cfg)
    with pytest.raises(ValueError, match=r"code values must be in \[0, 15\], found 16"):
        SdrTensor.from_code([[16, 0, 0, 0]], [[0]], cfg)


def test_decode_refuses_anything_but_an_sdr_tensor():
    with pytest.raises(ValueError, match="^t must be an SdrTensor, not ndarray$"):
        decode(np.zeros((1, 16), np.int64))


@pytest.mark.parametrize(
    "base_bits, mag_bits, mag_dtype", [(8, 3, np.uint8), (16, 7, np.uint8), (16, 8, np.uint16)]
)
def test_encode_gives_the_documented_dtypes(base_bits, mag_bits, mag_dtype):
    """SdrTensor's attributes: sign and flag uint8, mag uint8 (uint16 when M > 7)."""
    t = encode(np.arange(-8, 8).reshape(1, 16), SdrConfig(base_bits, mag_bits))
    assert t.sign.dtype == np.uint8 and t.flag.dtype == np.uint8 and t.mag.dtype == mag_dtype
