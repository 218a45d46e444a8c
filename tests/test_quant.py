import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.quant import absmax_quantize, dequantize, round_half_away


def test_rounds_half_away_from_zero():
    values = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49, -0.49])
    assert round_half_away(values).tolist() == [1, 2, 3, -1, -2, -3, 0, -0.0]


def test_the_largest_double_below_a_half_rounds_to_zero():
    """floor(|v| + 0.5) gives 1 for 0.49999999999999994 (the sum rounds up to 1.0)."""
    below = np.nextafter(0.5, 0.0)
    just_below = np.array([below, -below, np.nextafter(1.5, 0.0), 2.0**52 + 1])
    assert round_half_away(just_below).tolist() == [0, -0.0, 1, 2.0**52 + 1]
    q, _ = absmax_quantize(np.array([below, 127.0]), 8)
    assert q.tolist() == [0, 127]


def test_hand_computed_per_tensor():
    # max |x| = 2.54 -> s = 0.02; 0.01 / 0.02 = 0.5 rounds away to 1, -0.03 / 0.02 = -1.5 -> -2
    q, scale = absmax_quantize(np.array([2.54, 0.01, -0.03, -2.54]), 8)
    assert scale == pytest.approx(0.02)
    assert q.dtype == np.int8
    assert q.tolist() == [127, 1, -2, -127]


def test_zero_granule_gets_unit_scale():
    q, scale = absmax_quantize(np.zeros((2, 3)), 16, axis=-1)
    assert scale.tolist() == [[1.0], [1.0]]
    assert not q.any()


def test_per_row_and_per_column_scales():
    x = np.array([[1.0, -4.0], [0.0, 0.0], [3.0, 0.5]])
    q_rows, s_rows = absmax_quantize(x, 8, axis=-1)
    assert s_rows.shape == (3, 1)
    np.testing.assert_allclose(s_rows[:, 0], [4 / 127, 1.0, 3 / 127])
    assert q_rows[0].tolist() == [32, -127]
    q_cols, s_cols = absmax_quantize(x, 8, axis=0)
    assert s_cols.shape == (1, 2)
    np.testing.assert_allclose(s_cols[0], [3 / 127, 4 / 127])
    assert q_cols[:, 1].tolist() == [-127, 0, 16]


def test_symmetric_grid_never_uses_most_negative_code():
    q, _ = absmax_quantize(np.array([-1.0, 1.0, -0.9999]), 8)
    assert q.min() == -127


def test_dtype_follows_width():
    x = np.linspace(-1, 1, 8)
    assert absmax_quantize(x, 4)[0].dtype == np.int8
    assert absmax_quantize(x, 16)[0].dtype == np.int16
    assert absmax_quantize(x, 24)[0].dtype == np.int32


@pytest.mark.parametrize(
    "bits, dtype", [(8, np.int8), (9, np.int16), (16, np.int16), (17, np.int32)]
)
def test_the_grid_ends_survive_the_storage_dtype_at_every_width_boundary(bits, dtype):
    """+-(2**(B-1) - 1) at B = 9 is +-255 (does not fit int8), at B = 17 +-65535 (not int16)."""
    top = 2 ** (bits - 1) - 1
    q, scale = absmax_quantize(np.array([-2.0, -1.0, 0.0, 2.0]), bits)
    assert q.dtype == dtype and q.tolist() == [-top, -(top + 1) // 2, 0, top]
    assert scale == 2.0 / top


def test_the_most_negative_axis_is_accepted():
    x = np.array([[1.0, -4.0], [2.0, 0.5]])
    q, scale = absmax_quantize(x, 8, axis=-2)
    assert np.array_equal(scale, [[2.0 / 127, 4.0 / 127]])
    assert q.tolist() == [[64, -127], [127, 16]]


@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
        elements=st.floats(-1e6, 1e6),
    ),
    st.sampled_from([2, 4, 8, 16]),
)
def test_error_within_half_a_step(x, bits):
    for axis in [None] + list(range(x.ndim)):
        q, scale = absmax_quantize(x, bits, axis=axis)
        top = 2 ** (bits - 1) - 1
        assert np.abs(q.astype(np.int64)).max() <= top
        assert np.all(np.abs(dequantize(q, scale) - x) <= scale / 2 * (1 + 1e-9))


@pytest.mark.parametrize(
    "x, bits, axis, message",
    [
        ([1.0, np.nan], 8, None, "x must be finite"),
        ([1.0, np.inf], 8, None, "x must be finite"),
        ([], 8, None, "^x must not be empty$"),
        (["a"], 8, None, "x must be a real numeric array"),
        ([1.0], 1, None, r"bits must be in \[2, 32\], not 1"),
        ([1.0], 8.0, None, "bits must be an integer"),
        ([[1.0]], 8, 2, r"axis must be None or an integer in \[-2, 1\], not 2"),
        ([[1.0]], 8, "rows", "axis must be None or an integer"),
    ],
)
def test_bad_input_names_the_argument(x, bits, axis, message):
    with pytest.raises(ValueError, match=message):
        absmax_quantize(np.array(x), bits, axis=axis)
