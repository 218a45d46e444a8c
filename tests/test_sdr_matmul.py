"""sdr_matmul is the exact decoded product, with and without accumulator wrap."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.golden import exact_matmul, group_scaled_matmul, int_matmul, integer, wrap_signed
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
        (lambda a, w: sdr_matmul(a, decode(w)), "^tw must be an SdrTensor, not ndarray$"),
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
        message = "^acc_bits=None needs an exact int64 result; these a, w can overflow it$"
        with pytest.raises(ValueError, match=message):
            int_matmul(a, a, acc_bits=None)

    def test_a_sum_reaching_two_to_the_63_is_refused(self):
        """Each product 2**31 * 2**31 = 2**62 fits int64, their sum 2**63 is int64 max + 1: only
        the sum overflows. With 2**31 - 1 in a the sum 2 * (2**31 - 1) * 2**31 = 2**63 - 2**32
        fits and is returned exactly; a 64-bit accumulator wraps 2**63 to -2**63."""
        big = np.full((1, 2), 2**31, np.int64)
        with pytest.raises(ValueError, match="acc_bits=None needs an exact int64 result"):
            int_matmul(big, big, acc_bits=None)
        assert int_matmul(big, big, acc_bits=64)[0, 0] == -(2**63)
        assert int_matmul(big - 1, big, acc_bits=None)[0, 0] == 2**63 - 2**32

    def test_default_accumulator_wraps_at_32_bits(self):
        # 2**16 * 2**15 = 2**31, one past the 32-bit maximum 2**31 - 1: it wraps to -2**31.
        assert int_matmul(np.array([[2**16]]), np.array([[2**15]]))[0, 0] == -(2**31)
        assert int_matmul(np.array([[2**16]]), np.array([[2**15]]), acc_bits=33)[0, 0] == 2**31

    def test_an_empty_reduction_sums_to_zero(self):
        # K = 0: every dot product is the empty sum, 0.
        y = int_matmul(np.zeros((2, 3, 0), np.int64), np.zeros((4, 0), np.int64))
        assert y.shape == (2, 3, 4) and not y.any()

    def test_leading_dimensions_of_a_are_kept(self):
        """a [2, 3, 4] (its second axis, 3, is not K = 4) and a 1-D a [4], against Python dots."""
        a = np.arange(24).reshape(2, 3, 4) - 12
        w = np.arange(20).reshape(5, 4) % 7 - 3
        got = int_matmul(a, w)
        assert got.dtype == np.int64 and got.shape == (2, 3, 5)
        expected = [[[python_dot(row, w_row) for w_row in w] for row in plane] for plane in a]
        assert got.tolist() == expected
        assert int_matmul(a[1, 2], w).tolist() == expected[1][2]

    def test_an_empty_batch_gives_an_empty_result(self):
        """No rows, so no sum: nothing to overflow, even with w at 2**62 and K = 4."""
        w = np.full((2, 4), 2**62, np.int64)
        for acc_bits in (None, 32):
            got = int_matmul(np.zeros((0, 4), np.int64), w, acc_bits=acc_bits)
            assert got.dtype == np.int64 and got.shape == (0, 2)

    @pytest.mark.parametrize("acc_bits, shown", [(1, "1"), (65, "65"), (32.0, "32.0")])
    def test_bad_accumulator_width(self, acc_bits, shown):
        with pytest.raises(ValueError, match=rf"^acc_bits must be .*, not {shown}$"):
            int_matmul(np.ones((1, 2), int), np.ones((1, 2), int), acc_bits=acc_bits)

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
            (
                np.ones((2, 3, 4), int),
                np.ones((5, 6), int),
                "^a and w must share K: a has K=4, w has K=6$",
            ),
            (
                np.ones((2, 3), int),
                np.ones((4, 3)),
                "^w must be an integer array, not dtype float64$",
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


@pytest.mark.parametrize("a_scale, w_scale", [(1, 1), (2**40, 2**16)])
def test_exact_matmul_is_int64_on_both_paths(a_scale, w_scale):
    """Unscaled, the bound K * max|a| * max|w| = 2 * 3 * 4 = 24 is below 2**53: the float64 BLAS
    path. Scaled by 2**40 and 2**16 it is 24 * 2**56 >= 2**53: the int64 path, where the largest
    sum, (3 * 4 - 2 * 1) * 2**56 = 10 * 2**56, still fits. Both give int64 Python-int dots."""
    a = np.array([[3, -2], [1, 0]], np.int64) * a_scale
    w = np.array([[4, 1], [-1, 2]], np.int64) * w_scale
    got = exact_matmul(a, w)
    assert got.dtype == np.int64
    assert got.tolist() == [[python_dot(row, w_row) for w_row in w] for row in a]


@pytest.mark.parametrize(
    "dtype, bits, values, expected",
    [
        # int8 and uint8 under an 8-bit wrap: 200 - 256 = -56, 255 - 256 = -1
        (np.int8, 8, [127, -128, -1, 0], [127, -128, -1, 0]),
        (np.uint8, 8, [200, 255, 0, 127], [-56, -1, 0, 127]),
        # int32 under a 32-bit wrap, and int16 left exact (bits=None)
        (np.int32, 32, [2**31 - 1, -(2**31), 5, -5], [2**31 - 1, -(2**31), 5, -5]),
        (np.int16, None, [-(2**15), 2**15 - 1, 3, 0], [-(2**15), 2**15 - 1, 3, 0]),
    ],
)
def test_wrap_signed_widens_every_integer_dtype_to_int64(dtype, bits, values, expected):
    got = wrap_signed(np.array(values, dtype), bits)
    assert got.dtype == np.int64 and got.tolist() == expected


class _RecordingNumpy:
    """NumPy, with ``matmul`` recording the shape of every product it forms."""

    def __init__(self):
        self.products = []

    def __getattr__(self, name):
        return getattr(np, name)

    def matmul(self, *args, **kwargs):
        out = np.matmul(*args, **kwargs)
        self.products.append(out.shape)
        return out


@pytest.mark.parametrize("partials, rows_per_chunk", [(6, 1), (11, 1), (20, 3)])
def test_group_scaled_matmul_forms_each_row_once_in_bounded_chunks(
    monkeypatch, partials, rows_per_chunk
):
    """7 rows, K = 8 in 2 groups of 4, N = 3: a row holds 2 * 3 = 6 group partials, so a chunk
    of PARTIALS_PER_CHUNK partials holds max(1, PARTIALS_PER_CHUNK // 6) rows (6 and 11: 1 row,
    20: 3 rows). Every row is formed exactly once, no chunk holds more, and the result is the
    scalar sum over groups of a_scale * w_scale * (the group's integer dot product)."""
    numpy = _RecordingNumpy()
    monkeypatch.setattr(integer, "np", numpy)
    monkeypatch.setattr(integer, "PARTIALS_PER_CHUNK", partials)
    rng = np.random.default_rng(3)
    a, w = rng.integers(-7, 8, size=(7, 8)), rng.integers(-7, 8, size=(3, 8))
    a_scale, w_scale = 2 ** rng.integers(0, 5, size=(7, 2)), 2 ** rng.integers(0, 5, size=(3, 2))
    got = group_scaled_matmul(a, w, a_scale, w_scale, 4)
    chunk_rows = [shape[1] for shape in numpy.products]  # each product is [groups, rows, N]
    assert sum(chunk_rows) == 7 and max(chunk_rows) == rows_per_chunk
    expected = [
        [
            sum(
                int(a_scale[r, g])
                * int(w_scale[n, g])
                * python_dot(a[r, 4 * g : 4 * g + 4], w[n, 4 * g : 4 * g + 4])
                for g in range(2)
            )
            for n in range(3)
        ]
        for r in range(7)
    ]
    assert got.dtype == np.float64 and got.tolist() == expected
