"""sdr_matmul is the exact decoded product, with and without accumulator wrap."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.golden import int_matmul, wrap_signed
from sim.golden.formats import GROUPS, SdrConfig
from sim.sdr import decode, encode, sdr_matmul


def random_tensor(rng, shape, cfg):
    top = 2 ** (cfg.base_bits - 1)
    values = rng.integers(-top, top, size=shape)
    values >>= rng.integers(0, cfg.base_bits, size=shape)  # spread the groups' flags
    return encode(values, cfg)


def python_dot(a_row, w_row):
    return sum(int(x) * int(y) for x, y in zip(a_row, w_row, strict=True))


@given(
    seed=st.integers(0, 2**32 - 1),
    group=st.sampled_from(GROUPS),
    groups=st.integers(1, 4),
    mag_bits=st.sampled_from([1, 3, 5, 7]),
    a_base=st.sampled_from([8, 16]),
    batch=st.sampled_from([(), (2,), (2, 3)]),
)
def test_equals_decoded_product(seed, group, groups, mag_bits, a_base, batch):
    rng = np.random.default_rng(seed)
    k = group * groups
    ta = random_tensor(rng, batch + (3, k), SdrConfig(a_base, mag_bits, group))
    tw = random_tensor(rng, (5, k), SdrConfig(8, mag_bits, group))
    exact = sdr_matmul(ta, tw)
    assert exact.dtype == np.int64 and exact.shape == batch + (3, 5)
    decoded_a, decoded_w = decode(ta), decode(tw)
    np.testing.assert_array_equal(exact, decoded_a @ decoded_w.T)
    rows = decoded_a.reshape(-1, k)
    assert exact.reshape(-1, 5)[0, 0] == python_dot(rows[0], decoded_w[0])
    for acc_bits in (12, 20, 32):
        np.testing.assert_array_equal(sdr_matmul(ta, tw, acc_bits), wrap_signed(exact, acc_bits))


def test_wrap_matches_a_wrapping_accumulator():
    """The result equals a two's-complement accumulator that wraps on every group add."""
    rng = np.random.default_rng(11)
    cfg = SdrConfig(16, group=4)
    ta = encode(np.full((1, 64), 32767), cfg)
    tw = encode(rng.integers(100, 128, size=(1, 64)), SdrConfig(8, group=4))
    acc = 0
    a_val, w_val = decode(ta)[0], decode(tw)[0]
    for start in range(0, 64, 4):
        acc += python_dot(a_val[start : start + 4], w_val[start : start + 4])
        acc = (acc + 2**15) % 2**16 - 2**15
    assert sdr_matmul(ta, tw, acc_bits=16)[0, 0] == acc
    assert sdr_matmul(ta, tw)[0, 0] != acc  # the exact sum does overflow 16 bits


def test_long_reduction_uses_several_chunks():
    rng = np.random.default_rng(12)
    ta = random_tensor(rng, (40, 2048), SdrConfig(16, group=16))
    tw = random_tensor(rng, (300, 2048), SdrConfig(8, group=16))
    np.testing.assert_array_equal(sdr_matmul(ta, tw), decode(ta) @ decode(tw).T)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda a, w: sdr_matmul(decode(a), w), "ta must be an SdrTensor, not ndarray"),
        (lambda a, w: sdr_matmul(a, w, acc_bits=1), r"acc_bits must be in \[2, 64\], not 1"),
        (lambda a, w: sdr_matmul(a, w, acc_bits=65), r"acc_bits must be in \[2, 64\]"),
        (lambda a, w: sdr_matmul(w, a), r"tw must be 2-D \[N, K\], not shape \(2, 3, 32\)"),
        (
            lambda a, w: sdr_matmul(a, encode(np.zeros((2, 64), np.int8), SdrConfig(8))),
            "ta and tw must share K: ta has K=32, tw has K=64",
        ),
        (
            lambda a, w: sdr_matmul(a, encode(np.zeros((2, 32), np.int8), SdrConfig(8, group=32))),
            "ta and tw must share the group size: ta has 16, tw has 32",
        ),
    ],
)
def test_bad_arguments(make, message):
    a = encode(np.ones((2, 3, 32), np.int16), SdrConfig(16))
    w = encode(np.ones((4, 32), np.int8), SdrConfig(8))
    with pytest.raises(ValueError, match=message):
        make(a, w)


class TestIntMatmul:
    def test_hand_computed_and_wrapped(self):
        a = np.array([[127, -128, 5]], np.int8)
        w = np.array([[127, 127, 2], [-1, 1, 0]], np.int8)
        assert int_matmul(a, w, acc_bits=None).tolist() == [[127 * 127 - 128 * 127 + 10, -255]]
        assert int_matmul(a, w, acc_bits=8).tolist() == [[-117, 1]]

    def test_int8_extremes_overflow_a_small_accumulator(self):
        a = np.full((1, 1024), -128, np.int8)
        w = np.full((1, 1024), -128, np.int8)
        assert int_matmul(a, w, acc_bits=None)[0, 0] == 2**24
        assert int_matmul(a, w, acc_bits=24)[0, 0] == 0
        assert int_matmul(a, w, acc_bits=25)[0, 0] == -(2**24)

    def test_values_beyond_float64_precision_stay_exact(self):
        a = np.array([[2**31 + 1, 3]], np.int64)
        w = np.array([[2**25 + 1, -(2**30)]], np.int64)
        expected = (2**31 + 1) * (2**25 + 1) - 3 * 2**30  # 57 bits: float64 would drop the +1
        assert float(expected) != expected
        assert int_matmul(a, w, acc_bits=None)[0, 0] == expected
        assert int_matmul(a, w, acc_bits=64)[0, 0] == expected
        assert int_matmul(a, w, acc_bits=32)[0, 0] == (expected + 2**31) % 2**32 - 2**31

    def test_exact_result_beyond_int64_is_refused(self):
        a = np.full((1, 4), 2**40, np.int64)
        with pytest.raises(ValueError, match="acc_bits=None needs an exact int64 result"):
            int_matmul(a, a, acc_bits=None)

    @pytest.mark.parametrize(
        "a, w, message",
        [
            (
                np.ones((2, 3)),
                np.ones((4, 3), int),
                "a must be an integer array, not dtype float64",
            ),
            (np.ones((2, 3), int), np.ones((2, 4, 3), int), r"w must be 2-D \[N, K\]"),
            (
                np.ones((2, 3), int),
                np.ones((4, 5), int),
                "a and w must share K: a has K=3, w has K=5",
            ),
        ],
    )
    def test_bad_arguments(self, a, w, message):
        with pytest.raises(ValueError, match=message):
            int_matmul(a, w)


#: Every accumulator width the tests, the regression and the engines use (ACC_BITS).
ACC_WIDTHS = (10, 12, 16, 18, 20, 24, 32, 40)


@pytest.mark.parametrize("bits", ACC_WIDTHS)
def test_wrap_boundary_at_every_accumulator_width(bits):
    """Values exactly at and next to +-2**(bits-1) against Python's modular arithmetic: the
    representable range is [-2**(bits-1), 2**(bits-1) - 1], so +2**(bits-1) wraps to
    -2**(bits-1) and -2**(bits-1) stays."""
    half = 1 << (bits - 1)
    values = [half - 1, half, half + 1, -half, -half - 1, -half + 1, 2 * half - 1, 2 * half, 0]
    expected = [(v + half) % (2 * half) - half for v in values]
    assert expected[:5] == [half - 1, -half, -half + 1, -half, half - 1]
    assert wrap_signed(np.array(values), bits).tolist() == expected


@pytest.mark.parametrize("bits", [b for b in ACC_WIDTHS if b <= 32])
def test_int_matmul_reaches_the_wrap_boundary_exactly(bits):
    """A dot product whose exact sum is 2**(bits-1): -128 x -2**(bits-8) once (bits <= 15), or
    -128 x -128 = 2**14 repeated 2**(bits-15) times; the accumulator holds -2**(bits-1). One
    product less (a zero in the last place) stays just inside the range when bits >= 16."""
    half = 1 << (bits - 1)
    if bits <= 15:
        a, w = np.array([[-128]]), np.array([[-(1 << (bits - 8))]])
    else:
        n = 1 << (bits - 15)
        a, w = np.full((2, n), -128), np.full((1, n), -128)
        a[1, -1] = 0
    got = int_matmul(a, w, acc_bits=bits)
    assert got[0, 0] == -half
    assert int_matmul(-a, w, acc_bits=bits)[0, 0] == -half  # -2**(bits-1) itself stays
    if bits > 15:
        assert got[1, 0] == half - (1 << 14)
