"""Block formats of the accuracy study: RTN INT4 and OCP MX quantizers, and the block GEMM."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.studies.accuracy.blocks import (
    BlockTensor,
    _exact_in_one_gemm,
    block_matmul,
    mx_quantize,
    rtn_quantize,
)
from sim.studies.accuracy.formats import FP4_E2M1, INT4, ElementFormat
from sim.workloads.metrics import sqnr_db


def test_rtn_hand_computed():
    # max 0.7 -> s = 0.1; -0.35 / 0.1 = -3.5 rounds away from zero to -4
    t = rtn_quantize(np.array([[0.7, -0.35, 0.1, 0.0], [0, 0, 0, 0]]), 4)
    assert t.codes.tolist() == [[7, -4, 1, 0], [0, 0, 0, 0]]
    np.testing.assert_allclose(t.scale, [[0.1], [1.0]])  # an all-zero group gets s = 1


def test_mxint4_hand_computed():
    # max 3 -> floor(log2 3) = 1, emax_elem 0 -> X = 2; 3/2 = 1.5 = 6/4, -0.3 -> -1/4, 0.1 -> 0
    t = mx_quantize(np.array([[3.0, -0.6, 0.2, 0.0]]), 4, INT4)
    assert t.codes.tolist() == [[6, -1, 0, 0]]
    assert t.scale.tolist() == [[0.5]]  # X * 2**code_exp = 2 / 4
    assert t.dequantize().tolist() == [[3.0, -0.5, 0.0, 0.0]]


def test_mxint4_saturates_and_rounds_ties_to_even():
    # max 1.9 -> X = 1: 1.9*4 = 7.6 -> 8, clamped to 7; 0.375*4 = 1.5 -> 2; 0.625*4 = 2.5 -> 2
    t = mx_quantize(np.array([[1.9, 0.375, 0.625, -0.125]]), 4, INT4)
    assert t.codes.tolist() == [[7, 2, 2, 0]]


def test_mxfp4_hand_computed():
    # max 6 -> floor(log2 6) = 2, emax_elem 2 -> X = 1; E2M1 round to nearest even, 7 clamps to 6
    x = np.array([[6.0, 2.5, 0.25, 5.0, 1.75, -3.2, 0.75, -0.3]])
    t = mx_quantize(x, 8, FP4_E2M1)
    assert t.dequantize().tolist() == [[6.0, 2.0, 0.0, 4.0, 2.0, -3.0, 1.0, -0.5]]
    assert t.codes.tolist() == [[12, 4, 0, 8, 4, -6, 2, -1]]
    # OCP divides by 2**emax, not by 6: a block maximum of 7 (mantissa 1.75) clamps to 6
    assert mx_quantize(np.array([[7.0, 1, 1, 1]]), 4, FP4_E2M1).dequantize()[0, 0] == 6.0


def test_e8m0_range():
    tiny = np.array([[2.0**-140, 2.0**-141, 0.0, 0.0], [0.0] * 4])
    t = mx_quantize(tiny, 4, INT4)
    assert not t.codes.any()  # exponent clamped to -127: the block flushes to zero
    assert t.scale.tolist() == [[2.0**-129], [2.0**-129]]  # 2**(-127 + code_exp)
    with pytest.raises(ValueError, match=r"x must stay below 2\*\*128 for an E8M0 scale"):
        mx_quantize(np.array([[2.0**200, 1, 1, 1]]), 4, INT4)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: rtn_quantize(np.ones((2, 12)), 8), r"x last axis \(K=12\) must be a positive"),
        (lambda: rtn_quantize(np.ones(8), 8), r"x must be 2-D \[rows, K\], not shape \(8,\)"),
        (lambda: mx_quantize(np.array([[np.nan] * 4]), 4, INT4), "x must be finite"),
        (
            lambda: mx_quantize(np.ones((1, 8)), 8, "int4"),
            "element must be an ElementFormat, not str",
        ),
        (lambda: mx_quantize(np.ones((1, 12)), 12, INT4), "group must be one of 4, 8, 16"),
        (
            lambda: block_matmul(
                rtn_quantize(np.ones((1, 8)), 8), rtn_quantize(np.ones((1, 8)), 4)
            ),
            "ta and tw must share the group size: 8 != 4",
        ),
        (
            lambda: block_matmul(np.ones((1, 8)), rtn_quantize(np.ones((1, 8)), 8)),
            "ta must be a BlockTensor, not ndarray",
        ),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def exact_product(ta, tw):
    """sum_g sa * sw * (integer group dot product), in rationals."""
    rows, k = ta.codes.shape
    out = []
    for r in range(rows):
        row = []
        for n in range(tw.codes.shape[0]):
            total = Fraction(0)
            for g in range(k // ta.group):
                span = slice(g * ta.group, (g + 1) * ta.group)
                dot = int(np.dot(ta.codes[r, span], tw.codes[n, span]))
                total += Fraction(ta.scale[r, g]) * Fraction(tw.scale[n, g]) * dot
            row.append(total)
        out.append(row)
    return out


@pytest.mark.parametrize("spread", [1, 200], ids=["one-gemm", "per-group"])
@pytest.mark.parametrize("element", [INT4, FP4_E2M1], ids=lambda e: e.name)
def test_mx_product_is_exact(element, spread):
    """MX products equal the rational group sum exactly; spread=200 forces the per-group path."""
    rng = np.random.default_rng(7)
    group_exponents = rng.integers(-spread // 2, spread // 2 + 1, (3, 4))
    a = rng.standard_normal((3, 32)) * np.exp2(np.repeat(group_exponents, 8, axis=1))
    w = rng.standard_normal((4, 32))
    ta, tw = mx_quantize(a, 8, element), mx_quantize(w, 8, element)
    assert _exact_in_one_gemm(ta, tw) == (spread == 1)
    got = block_matmul(ta, tw)
    expected = exact_product(ta, tw)
    if spread == 1:
        assert [[Fraction(v) for v in row] for row in got.tolist()] == expected
    else:
        np.testing.assert_allclose(got, np.array(expected, dtype=float), rtol=1e-14, atol=0)


def test_rtn_product_matches_the_rational_group_sum():
    rng = np.random.default_rng(3)
    ta = rtn_quantize(rng.standard_normal((3, 64)), 16)
    tw = rtn_quantize(rng.standard_normal((5, 64)), 16)
    expected = np.array(exact_product(ta, tw), dtype=float)
    np.testing.assert_allclose(block_matmul(ta, tw), expected, rtol=1e-14)
    dequantized = ta.dequantize() @ tw.dequantize().T
    np.testing.assert_allclose(block_matmul(ta, tw), dequantized, rtol=1e-12)


def test_zero_operand_gives_zero():
    zero = mx_quantize(np.zeros((2, 8)), 8, INT4)
    assert not block_matmul(zero, mx_quantize(np.ones((3, 8)), 8, INT4)).any()


@given(seed=st.integers(0, 2**32 - 1), group=st.sampled_from([4, 8, 32]))
def test_more_mx_integer_bits_never_increase_any_error(seed, group):
    """MXINT grids are nested (step 2**-(b-2), largest (2**(b-1)-1) * step): every element's
    error is non-increasing in the element width b, so the SQNR is too."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 2 * group)) * np.exp2(rng.integers(-8, 8, (4, 2 * group)))
    errors = [
        np.abs(mx_quantize(x, group, ElementFormat(f"INT{b}", b, 0, b - 2)).dequantize() - x)
        for b in range(2, 9)
    ]
    for coarse, fine in itertools.pairwise(errors):
        assert np.all(fine <= coarse), seed


def test_more_rtn_bits_never_lower_sqnr():
    """RTN grids are not nested, so this holds on data, not per element: fixed seeds."""
    for seed in range(5):
        x = np.random.default_rng(seed).standard_normal((16, 256))
        sqnr = [sqnr_db(x, rtn_quantize(x, 32, bits).dequantize()) for bits in range(2, 9)]
        assert sqnr == sorted(sqnr), (seed, sqnr)


def test_block_tensor_dequantize():
    t = BlockTensor(np.array([[1, -2, 3, 4]]), np.array([[0.5, 2.0]]), 2)
    assert t.dequantize().tolist() == [[0.5, -1.0, 6.0, 8.0]]
