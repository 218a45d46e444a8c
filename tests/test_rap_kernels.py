"""RAP's integer kernels: integer in, integer out; errors within their targets against float64
references over wide input ranges; the fixed-point building blocks exact; bad input refused."""

import math

import numpy as np
import pytest

from sim.golden.rap import reference as ref
from sim.golden.rap import requantize
from sim.golden.rap.fixed import bit_length, inverse_sqrt, reciprocal, round_shift
from sim.rap import (
    dyadic,
    fit_shift,
    gelu_int,
    layernorm_int,
    requantize_dyadic,
    softmax_int,
)

SEED = 20261201


def test_bit_length_and_round_shift_are_exact():
    values = np.array([0, 1, 2, 3, 255, 256, 2**31 - 1, 2**40 + 3, 2**62])
    assert bit_length(values).tolist() == [int(v).bit_length() for v in values]
    x = np.arange(-64, 65)
    for shift in range(0, 6):
        assert np.array_equal(round_shift(x, shift), np.floor(x / 2**shift + 0.5).astype(int))
    assert np.array_equal(round_shift(x, -3), x * 8)


def test_newton_reciprocal_and_inverse_sqrt_over_their_whole_domains():
    s = np.arange(2**15, 2**16 + 1)
    assert np.abs(reciprocal(s) * s / 2.0**32 - 1).max() < 2**-14
    m = np.arange(2**14, 2**16)
    assert np.abs(inverse_sqrt(m) / 2**16 * np.sqrt(m / 2**16) - 1).max() < 2**-13


@pytest.mark.parametrize("normalise", ["reciprocal", "divide"])
@pytest.mark.parametrize("sigma, e", [(0.5, -10), (3.0, -8), (12.0, -4), (40.0, 0)])
def test_softmax_within_two_to_the_minus_six_over_wide_ranges(normalise, sigma, e):
    rng = np.random.default_rng(SEED)
    x = rng.normal(0, sigma, (400, 64))
    x[::7, 3] += 8 * sigma  # outliers
    q = np.clip(np.round(x * 2.0**-e), -(2**31) + 1, 2**31 - 1).astype(np.int64)
    p, p_exp = softmax_int(q, e, normalise=normalise)
    assert p.dtype == np.int64 and p.min() >= 0 and p.max() <= 255
    assert p_exp.shape == (400, 1)
    error = np.abs(p * 2.0**p_exp - ref.softmax(q * 2.0**e))
    assert error.max() <= 2**-6, f"seed {SEED}: {error.max()}"


def test_softmax_corner_rows():
    # All equal: uniform; one huge outlier: one-hot; a single element: probability 1.
    equal, _ = softmax_int(np.full((1, 128), -5), 0)
    assert len(set(equal[0].tolist())) == 1
    p, p_exp = softmax_int(np.array([[0, 0, 2**31 - 1, 0]]), 0)
    assert (
        p[0, 2] * 2.0 ** p_exp[0, 0] == pytest.approx(1, abs=2**-7) and p[0, [0, 1, 3]].max() == 0
    )
    p, p_exp = softmax_int(np.array([[7]]), -3)
    assert p[0, 0] * 2.0 ** p_exp[0, 0] == pytest.approx(1, abs=2**-7)


def test_softmax_scale_and_per_row_exponents():
    rng = np.random.default_rng(SEED + 1)
    q = rng.integers(-2000, 2000, (10, 32))
    e = np.arange(-10, 0).reshape(10, 1)
    p, p_exp = softmax_int(q, e, scale=1 / math.sqrt(32))
    error = np.abs(p * 2.0**p_exp - ref.softmax(q * 2.0**e / math.sqrt(32)))
    assert error.max() <= 2**-6
    with pytest.raises(ValueError, match="e must be the same along axis"):
        softmax_int(q, np.arange(32), 8)


def test_gelu_within_0_03_on_minus_8_to_8():
    for e in (-12, -8, -6):
        q = np.arange(-(8 << -e), (8 << -e) + 1)
        y, y_exp = gelu_int(q, e)
        assert y_exp == e and np.abs(y).max() <= np.abs(q).max()
        error = np.abs(y * 2.0**y_exp - ref.gelu(q * 2.0**e))
        # i-GELU's own error is 0.0182; the output grid adds half a step.
        assert error.max() <= 0.0182 + 2.0 ** (e - 1) + 1e-9 and error.max() <= 0.03


def test_gelu_saturates_and_keeps_signs():
    q = np.array([-(2**31) + 1, -5, 0, 5, 2**31 - 1])
    y, _ = gelu_int(q, 0)
    assert y[2] == 0 and y[-1] == q[-1] and -1 <= y[0] <= 0 and y[1] <= 0 < y[3]


@pytest.mark.parametrize("normalise", ["newton", "divide"])
def test_layernorm_relative_rms_error_under_two_percent(normalise):
    rng = np.random.default_rng(SEED + 2)
    d = 384
    x = rng.normal(0.5, 2.0, (300, d))
    x[:, 7] += 40  # an outlier channel, as in BERT residual streams
    weight, bias = rng.normal(1, 0.3, d), rng.normal(0, 0.2, d)
    e = -9
    q = np.round(x * 2.0**-e).astype(np.int64)
    y, y_exp = layernorm_int(q, e, weight, bias, normalise=normalise)
    expected = ref.layernorm(q * 2.0**e, weight, bias)
    error = y * 2.0**y_exp - expected
    assert np.sqrt((error**2).mean() / (expected**2).mean()) <= 0.02
    assert np.abs(error).max() < 0.01


def test_layernorm_of_a_constant_row_is_its_bias():
    bias = np.linspace(-1, 1, 16)
    y, y_exp = layernorm_int(np.full((3, 16), -123), -4, np.ones(16), bias)
    assert np.abs(y * 2.0**y_exp - bias).max() <= 2**-12


def test_requantize_by_shift_and_dyadic():
    q = np.array([-1000, -3, 0, 3, 1000, 32767])
    q2, e2 = requantize(q, -4, 8)
    assert fit_shift(q, 8) == 8 and e2 == 4
    assert np.array_equal(q2, np.clip(np.floor(q / 256 + 0.5), -128, 127))
    q3, e3 = requantize(q, -4, 8, shift=2)
    assert e3 == -2 and q3.max() == 127 and q3.min() == -128  # saturated
    rows = np.array([[1, 2000], [3, 4]])
    shifts = fit_shift(rows, 8, axis=-1)
    q4, e4 = requantize(rows, 0, 8, shift=shifts)
    assert shifts.ravel().tolist() == [4, 0] and e4.ravel().tolist() == [4, 0]
    multiplier, shift = dyadic(0.1)
    assert multiplier / 2**shift == pytest.approx(0.1, rel=2**-15) and multiplier < 2**16
    q5, e5 = requantize_dyadic(np.array([1000, -1000]), 0, 8, multiplier, shift, 0)
    assert q5.tolist() == [100, -100] and e5 == 0


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: softmax_int(np.array([1.5]), 0), "q must be an integer array"),
        (lambda: softmax_int(np.array([1]), 0.5), "e must be an integer"),
        (lambda: softmax_int(np.array([1]), 0, out_bits=20), r"out_bits must be in \[2, 16\]"),
        (lambda: softmax_int(np.array([1]), 0, scale=-1), "scale must be a positive"),
        (lambda: softmax_int(np.array([1]), 0, normalise="x"), "normalise must be one of"),
        (lambda: softmax_int(np.array([1]), 0, axis=3), "axis must index"),
        (lambda: gelu_int(np.array([2**40]), 0), r"q must lie within"),
        (lambda: gelu_int(np.array([1]), np.array([1, 2])), "does not broadcast"),
        (lambda: layernorm_int(np.array([[1, 2]]), 0, [1.0], [0.0]), "weight must be 2"),
        (lambda: layernorm_int(np.array([[2**16, 2]]), 0, [1, 1], [0, 0]), "q must lie within"),
        (lambda: layernorm_int(np.ones((1, 2), int), 0, [1, 1], [0, 0], eps=-1), "eps must be"),
        (lambda: layernorm_int(np.ones((1, 2), int), 0, [np.nan, 1], [0, 0]), "weight must be"),
        (lambda: requantize(np.array([True]), 0, 8), "q must be an integer array"),
        (lambda: requantize(np.array([1]), 0, 40), r"bits must be in \[2, 32\]"),
        (lambda: requantize(np.array([1]), 0, 8, shift=1.5), "shift must be an integer"),
        (lambda: dyadic(0.0), "scale must be a positive finite number"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
