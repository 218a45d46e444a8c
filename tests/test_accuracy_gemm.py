"""One quantized GEMM per scheme: hand-computed cases, lossless SDR, bits against SQNR."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.golden import int_matmul
from sim.golden.formats import SdrConfig
from sim.quant import absmax_quantize
from sim.sdr import decode, encode
from sim.studies.accuracy.formats import (
    FP4_E2M1,
    INT4,
    integer_scheme,
    mx_scheme,
    qrazor_scheme,
    rtn_scheme,
)
from sim.studies.accuracy.gemm import gemm_errors, relative_error, scheme_product
from sim.workloads.llm_gemm import llm_workload
from sim.workloads.metrics import sqnr_db


@pytest.mark.parametrize("rounding", ["nearest", "truncate"])
def test_qrazor_hand_computed(rounding):
    # A: max 32767 -> s = 1, INT16 as is; OR has bit_length 15 -> flag 12: 32767 -> 7 << 12
    #    (nearest: (32767 + 2048) >> 12 = 8 saturates to 7), 1000, -300 and 7 razor to 0.
    # W: max 127 -> s = 1; bit_length 7 -> flag 4: 127 -> 7 << 4 = 112, 64 -> 4 << 4 = 64.
    a = np.array([[32767.0, 1000.0, -300.0, 7.0, 0, 0, 0, 0]], np.float32)
    w = np.array([[127.0, 64.0, 0, 0, 0, 0, 0, 0]], np.float32)
    y = scheme_product(qrazor_scheme(8, rounding), a, w)
    assert y.tolist() == [[(7 << 12) * 112 + 0 * 64]]


def test_block_schemes_hand_computed():
    a = np.array([[3.0, -0.6, 0.2, 0.0]])
    w = np.array([[1.0, 0.5, -0.25, 2.0]])
    # MXINT4: a -> [6, -1, 0, 0] / 4 * 2; w: max 2 -> X = 2, w/2*4 = [2, 1, -0.5 -> 0 (even), 4]
    assert scheme_product(mx_scheme(INT4, 4), a, w).tolist() == [[(6 * 2 - 1 * 1) * 0.5 * 0.5]]
    # MXFP4 (emax_elem 2): a: X = 2**(1-2) = 0.5, a/X = [6, -1.2 -> -1, 0.4 -> 0.5 (subnormal),
    # 0]; w: X = 0.5, w/X = [2, 1, -0.5, 4] exact. 3*1 - 0.5*0.5 + 0.25*(-0.25) = 2.6875
    assert scheme_product(mx_scheme(FP4_E2M1, 4), a, w).tolist() == [[2.6875]]
    a2, w2 = np.array([[0.7, -0.35, 0.1, 0.0]]), np.array([[1.4, 0.2, 0.0, -0.7]])
    # a: s = 0.1, codes [7, -4, 1, 0]; w: s = 0.2, codes [7, 1, 0, -4] -> 45 * 0.02
    assert scheme_product(rtn_scheme(4), a2, w2)[0, 0] == pytest.approx(0.9, rel=1e-12)


def test_integer_schemes_match_the_golden_model():
    work = llm_workload(4, 128, 8, seed=2)
    a, w = work.activations, work.weights
    for a_bits in (8, 16):
        qa, sa = absmax_quantize(a, a_bits, axis=-1)
        qw, sw = absmax_quantize(w, 8, axis=-1)
        expected = int_matmul(qa, qw, acc_bits=None) * sa * sw.T
        np.testing.assert_array_equal(scheme_product(integer_scheme(a_bits, 8), a, w), expected)


def test_sdr_with_15_magnitude_bits_on_a_16_bit_base_is_lossless():
    # every value of the symmetric INT16 grid survives encode/decode, whatever the group
    values = np.arange(-32767, 32768 - 7, dtype=np.int16).reshape(-1, 8)
    for group in (4, 8):
        assert np.array_equal(decode(encode(values, SdrConfig(16, 15, group))), values)
    # and so the SDR GEMM of A16/W16 bases equals their plain integer GEMM, bit for bit
    work = llm_workload(4, 256, 8, seed=5, group=16)
    lossless = qrazor_scheme(16, mag_bits=15, w_bits=16)
    qa, sa = absmax_quantize(work.activations, 16, axis=-1)
    qw, sw = absmax_quantize(work.weights, 16, axis=-1)
    expected = int_matmul(qa, qw, acc_bits=None) * sa * sw.T
    np.testing.assert_array_equal(
        scheme_product(lossless, work.activations, work.weights), expected
    )


@given(
    seed=st.integers(0, 2**32 - 1),
    rounding=st.sampled_from(["nearest", "truncate"]),
    base=st.sampled_from([8, 16]),
    group=st.sampled_from([4, 16, 64]),
)
def test_more_sdr_magnitude_bits_never_increase_any_error(seed, rounding, base, group):
    """With one more magnitude bit the flag drops by one: the new grid holds the old one (and
    a larger top code), so every element's error is non-increasing in M."""
    rng = np.random.default_rng(seed)
    top = 2 ** (base - 1) - 1
    q = rng.integers(-top, top + 1, size=(3, 2 * group)) >> rng.integers(0, base, (3, 2 * group))
    errors = [
        np.abs(decode(encode(q, SdrConfig(base, m, group, rounding))) - q) for m in range(1, base)
    ]
    for coarse, fine in itertools.pairwise(errors):
        assert np.all(fine <= coarse), seed
    assert not errors[-1].any()  # M = B-1 keeps everything


def test_more_bits_never_lower_gemm_sqnr():
    """On the same data: QRazor M = 3..7, then the W8A16 base; W8A8 below W8A16."""

    def sqnr(scheme, work):
        return sqnr_db(work.reference(), scheme_product(scheme, work.activations, work.weights))

    for seed in range(3):
        work = llm_workload(16, 256, 32, seed=seed, group=16)
        ladder = [sqnr(qrazor_scheme(16, mag_bits=m), work) for m in range(3, 8)]
        ladder.append(sqnr(integer_scheme(16, 8), work))
        assert ladder == sorted(ladder), (seed, ladder)
        assert sqnr(integer_scheme(8, 8), work) <= ladder[-1]


def test_relative_error_definition():
    rng = np.random.default_rng(0)
    ref = rng.standard_normal((5, 7))
    approx = ref + 0.01 * rng.standard_normal((5, 7))
    errors = gemm_errors(ref, approx)
    assert errors["rel_error"] == pytest.approx(np.linalg.norm(approx - ref) / np.linalg.norm(ref))
    assert errors["rel_error"] == pytest.approx(10 ** (-errors["sqnr_db"] / 20))
    assert errors["max_rel_error"] == pytest.approx(np.abs(approx - ref).max() / np.abs(ref).max())
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.zeros(3), np.ones(3)) == float("inf")


def test_scheme_must_be_a_scheme():
    with pytest.raises(ValueError, match="scheme must be a Scheme, not str"):
        scheme_product("qrazor", np.ones((1, 8)), np.ones((1, 8)))
