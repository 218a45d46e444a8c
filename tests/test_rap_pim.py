"""The AMS-PiM tile model in dense mode (the conventional design and RAP's ablation: every row at
once, SDR inputs): exact with an ideal ADC, clip statistics, errors, determinism. Sparse mode:
tests/test_rap_sparse.py."""

import math
import re

import numpy as np
import pytest

from sim.golden.formats import SdrConfig
from sim.golden.sdr_tensor import SdrTensor
from sim.rap import PimConfig, pim_matmul
from sim.sdr import decode, encode


def _activations(rng, m, k, config, outliers=True):
    x = rng.normal(0, 1, (m, k))
    if outliers:
        x[:, :: max(1, k // 5)] *= 40
    top = (1 << (config.base_bits - 1)) - 1
    return encode(np.round(x / np.abs(x).max() * top).astype(np.int64), config)


def dense(**kwargs):
    """Dense mode on SDR inputs, with the ADC and noise reference the tests were written for."""
    return PimConfig(
        **{"mvm": "dense", "input_format": "sdr", "adc_bits": 4, "noise_reference": "adc", **kwargs}
    )


def _weights(rng, n, k, bits):
    return rng.integers(-(1 << (bits - 1)), 1 << (bits - 1), (n, k))


CONFIGS = [
    # base bits, mag bits, group, rows, weight bits, adc range
    (16, 3, 16, 128, 8, "low"),
    (16, 3, 16, 128, 8, "full"),
    (16, 3, 4, 7, 8, "low"),
    (16, 5, 128, 64, 4, "low"),
    (16, 15, 8, 16, 2, "full"),
    (8, 3, 16, 256, 8, "low"),
    (8, 7, 32, 1, 8, "low"),
    (8, 1, 64, 33, 3, "full"),
]


@pytest.mark.parametrize("base, mag, group, rows, weight_bits, adc_range", CONFIGS)
@pytest.mark.parametrize("skip", [True, False])
def test_ideal_adc_gives_the_exact_product(base, mag, group, rows, weight_bits, adc_range, skip):
    seed = hash((base, mag, group, rows, weight_bits, adc_range, skip)) % 2**32
    rng = np.random.default_rng(seed)
    k = group * int(rng.integers(1, 6))
    ta = _activations(rng, 5, k, SdrConfig(base, mag, group))
    w = _weights(rng, 9, k, weight_bits)
    config = dense(
        rows=rows,
        adc_bits=max(1, rows.bit_length()),
        adc_range=adc_range,
        weight_bits=weight_bits,
        skip_zero_planes=skip,
    )
    result = pim_matmul(ta, w, config)
    assert result.y.dtype == np.int64
    assert np.array_equal(result.y, decode(ta) @ w.T), f"seed {seed}"
    stats = result.stats
    assert stats["clipped"] == 0
    assert stats["conversions"] == stats["planes_driven"] * 9 * weight_bits
    assert stats["planes_driven"] == stats["planes_total"] - stats["planes_skipped"]
    assert skip or stats["planes_skipped"] == 0


def test_only_window_planes_are_driven_and_zero_planes_are_skipped():
    config = SdrConfig(16, 3, 16)
    # One group of 16: flag 5 (leading one at bit 7); only positive elements, bit 6 never set.
    mag = np.array([[4, 0, 1, 5] + [0] * 12])
    ta = SdrTensor(
        np.zeros_like(mag, np.uint8), mag.astype(np.uint8), np.array([[5]], np.uint8), config
    )
    w = np.ones((1, 16), np.int64)
    skipping = pim_matmul(ta, w, dense(rows=16, adc_bits=5)).stats
    # Window: planes 5, 6, 7 in each of two phases; the negative phase and plane 6 carry no ones.
    assert skipping["planes_total"] == 6 and skipping["planes_driven"] == 2
    assert skipping["cycles"] == 2 * dense().adc_share
    assert skipping["wordline_pulses"] == 2 + 2  # plane 5: q=1, q=5; plane 7: q=4, q=5
    driving = pim_matmul(ta, w, dense(rows=16, adc_bits=5, skip_zero_planes=False)).stats
    assert driving["planes_driven"] == 6 and driving["conversions"] == 6 * 8


def _binomial_tail(n, p, above):
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(above + 1, n + 1))


@pytest.mark.parametrize("rows, density, adc_bits", [(64, 0.1, 3), (128, 0.05, 3), (32, 0.3, 4)])
def test_clip_counts_follow_the_binomial_tail(rows, density, adc_bits):
    rng = np.random.default_rng(rows)
    vectors = 4000
    bits = (rng.random((vectors, rows)) < density).astype(np.int64)
    ta = encode(bits, SdrConfig(8, 7, group=32 if rows % 32 == 0 else 4))
    w = np.ones((1, rows), np.int64)  # weight plane 0 set everywhere, the others clear
    stats = pim_matmul(ta, w, dense(rows=rows, adc_bits=adc_bits, skip_zero_planes=False)).stats
    p = _binomial_tail(rows, density, (1 << adc_bits) - 1)
    expected, sigma = vectors * p, math.sqrt(vectors * p * (1 - p))
    assert abs(stats["clipped"] - expected) < 5 * sigma + 1, (stats["clipped"], expected)


def test_error_does_not_grow_with_adc_bits_and_full_range_wastes_codes_on_sparse_sums():
    rng = np.random.default_rng(11)
    ta = _activations(rng, 16, 256, SdrConfig(16, 3, 16))
    w = np.clip(np.round(rng.normal(0, 30, (32, 256))), -128, 127).astype(np.int64)
    exact = decode(ta) @ w.T

    def errors(adc_range):
        return [
            float(np.sqrt(np.mean((pim_matmul(ta, w, config).y - exact) ** 2.0)))
            for config in (
                dense(rows=256, adc_bits=bits, adc_range=adc_range) for bits in range(1, 10)
            )
        ]

    low, full = errors("low"), errors("full")
    assert all(b <= a for a, b in zip(low, low[1:], strict=False)), low
    assert low[0] > 0 and low[-1] == 0 and full[-1] == 0
    # Full range spends its codes on sums the razored inputs never reach (not monotone at all).
    assert all(a <= b for a, b in zip(low, full, strict=True)), (low, full)


def test_noise_is_seeded_and_streams_are_independent():
    rng = np.random.default_rng(3)
    ta = _activations(rng, 8, 128, SdrConfig(16, 3, 16))
    w = _weights(rng, 16, 128, 8)
    noisy = dense(adc_bits=4, noise_swing=0.02, gain_sigma=0.01, offset_sigma=0.01, seed=7)
    first, second = pim_matmul(ta, w, noisy), pim_matmul(ta, w, noisy)
    assert first.y.tobytes() == second.y.tobytes() and first.stats == second.stats
    other_stream = pim_matmul(ta, w, noisy, stream=1)
    other_seed = pim_matmul(ta, w, dense(adc_bits=4, noise_swing=0.02, seed=8))
    exact = decode(ta) @ w.T
    for y in (first.y, other_stream.y, other_seed.y):
        assert not np.array_equal(y, exact)
    assert not np.array_equal(first.y, other_stream.y) and not np.array_equal(first.y, other_seed.y)


def test_more_noise_means_more_error_and_bitline_noise_hurts_a_low_range_adc_more():
    rng = np.random.default_rng(5)
    ta = _activations(rng, 16, 256, SdrConfig(16, 3, 16))
    w = np.clip(np.round(rng.normal(0, 30, (32, 256))), -128, 127).astype(np.int64)
    exact = decode(ta) @ w.T

    def error(**kwargs):
        y = pim_matmul(ta, w, dense(adc_bits=5, **kwargs)).y
        return float(np.sqrt(np.mean((y - exact) ** 2.0)))

    adc = [error(noise_swing=s) for s in (0.0, 0.005, 0.02, 0.08)]
    assert adc == sorted(adc) and adc[0] < adc[-1]
    assert error(noise_swing=0.02, noise_reference="bitline") > adc[2]


def test_dynamic_matrices_count_their_writes():
    rng = np.random.default_rng(0)
    ta = _activations(rng, 2, 64, SdrConfig(8, 3, 16))
    w = _weights(rng, 3, 64, 6)
    config = dense(weight_bits=6, rows=32, columns=8, adc_share=2)
    stats = pim_matmul(ta, w, config, dynamic=True).stats
    assert stats["weight_bits_written"] == 3 * 64 * 6
    # SRAM writes at Horowitz's 10 pJ per 64 bits: 1152 bits x 10 / 64 = 180 pJ.
    assert stats["energy_pj"]["weight_writes"] == pytest.approx(3 * 64 * 6 * 10 / 64)
    assert stats["tiles"] == 2 * math.ceil(3 * 6 / 8)
    stored = pim_matmul(ta, w, config).stats
    assert stored["weight_bits_written"] == 0
    assert stored["energy_pj"]["weight_writes"] == 0.0


def test_dense_energy_has_no_partial_sums_and_a_rate_dependent_adc():
    """One vector of 128 eMSB values, 40 of them 3 (shift 0, magnitude planes 0 and 1 hold 40
    ones each, planes 2..6 none and are skipped), against 2 outputs x 8 weight bits = 16
    bit-lines: dense mode converts each driven plane once per bit-line, 2 x 16 = 32 conversions,
    and reads each code straight into the shift-add: no partial sums, no compactor.

    Murmann's bound at 1.28 GS/s, 4 bits (Accelergy's fit): FoM_S = 302.7387 - 6.46079
    ln(1.28e9) = 167.255 dB (under the 180.14 dB cap of slow ADCs); SNDR = 6.02 x 4 + 1.76 =
    25.843 dB; E = 1 / (2 x 10**((FoM_S - SNDR) / 10)) J = 3.612e-3 pJ per conversion, 19 times
    the capped, rate-free figure (1.858e-4 pJ)."""
    x = np.zeros((1, 128), np.int64)
    x[0, :40] = 3
    w = np.ones((2, 128), np.int64)
    config = PimConfig(mvm="dense", adc_bits=4, adc_model="murmann")
    stats = pim_matmul(x, w, config).stats
    assert (stats["partials"], stats["conversions"], stats["shift_adds"]) == (2, 32, 32)
    foms = 302.7387019052544 - 6.460790934271676 * math.log(1.28e9)
    sndr = 20 * math.log10(2) * 4 + 10 * math.log10(1.5)
    per_conversion = 1e12 / (2 * 10 ** ((foms - sndr) / 10))
    assert per_conversion == pytest.approx(3.612e-3, rel=1e-3)
    energy = stats["energy_pj"]
    assert energy["adc"] == pytest.approx(32 * per_conversion)
    assert energy["partial_sum_adds"] == 0.0
    assert energy["compactor"] == 0.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"rows": 0}, r"rows must be in \[1, 4096\], not 0"),
        ({"adc_bits": 13}, r"adc_bits must be in \[1, 12\], not 13"),
        ({"adc_bits": 0}, r"adc_bits must be in \[1, 12\], not 0"),
        ({"noise_swing": -0.01}, r"noise_swing must be a number in \[0, 1\), not -0.01"),
        ({"gain_sigma": "0.1"}, r"gain_sigma must be a number in \[0, 1\)"),
        ({"adc_range": "mid"}, "adc_range must be one of 'low', 'full', not 'mid'"),
        ({"sign_mode": "offset"}, "sign_mode must be one of 'split', 'twos'"),
        ({"noise_reference": "die"}, "noise_reference must be one of 'bitline', 'adc'"),
        ({"weight_bits": 9}, r"weight_bits must be in \[2, 8\], not 9"),
        ({"adc_share": 200}, r"adc_share must be in \[1, 128\], not 200"),
        ({"skip_zero_planes": 1}, "skip_zero_planes must be one of True, False, not 1"),
    ],
)
def test_bad_configs_name_the_option(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PimConfig(**kwargs)


def test_bad_operands_name_the_argument():
    rng = np.random.default_rng(0)
    ta = _activations(rng, 2, 32, SdrConfig(8, 3, 16))
    with pytest.raises(ValueError, match=r"w must be \[N, K=32\], not shape \(3, 16\)"):
        pim_matmul(ta, np.zeros((3, 16), np.int64), dense())
    with pytest.raises(ValueError, match=r"w values must be in \[-8, 7\], found 8"):
        pim_matmul(ta, np.full((3, 32), 8), dense(weight_bits=4))
    with pytest.raises(ValueError, match="w must be an integer array"):
        pim_matmul(ta, np.zeros((3, 32)), dense())
    with pytest.raises(ValueError, match="x is an SdrTensor: it needs input_format 'sdr'"):
        pim_matmul(ta, np.zeros((3, 32), np.int64))
    with pytest.raises(ValueError, match="config must be a PimConfig"):
        pim_matmul(ta, np.zeros((3, 32), np.int64), {"rows": 8})


W4 = np.ones((1, 4), np.int64)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: pim_matmul(W4, W4, "dense"), "config must be a PimConfig, not str"),
        # The default 16-bit inputs: [-2**15, 2**15 - 1].
        (
            lambda: pim_matmul(np.full((1, 4), 1 << 15), W4),
            "x values must be in [-32768, 32767], found 32768",
        ),
        (
            lambda: pim_matmul(np.full((1, 4), -(1 << 15) - 1), W4),
            "x values must be in [-32768, 32767], found -32769",
        ),
        # SDR codes from integers: pim_matmul names x itself (the encoder would say q).
        (
            lambda: pim_matmul(np.full((1, 4), 1 << 15), W4, PimConfig(input_format="sdr")),
            "x values must be in [-32768, 32767], found 32768",
        ),
        (
            lambda: pim_matmul(np.full((1, 4), -(1 << 15) - 1), W4, PimConfig(input_format="sdr")),
            "x values must be in [-32768, 32767], found -32769",
        ),
        (
            lambda: pim_matmul(np.ones(4, np.int64), W4),
            "x must be 2-D [M, K] with K >= 1, not shape (4,)",
        ),
        (
            lambda: pim_matmul(np.ones((1, 0), np.int64), np.ones((1, 0), np.int64)),
            "x must be 2-D [M, K] with K >= 1, not shape (1, 0)",
        ),
        (
            lambda: pim_matmul(
                encode(np.arange(16), SdrConfig(16, 3, 16)),
                np.ones((1, 16), np.int64),
                PimConfig(input_format="sdr"),
            ),
            "x must be 2-D [M, K], not shape (16,)",
        ),
        (lambda: pim_matmul(W4, W4, stream=-1), "stream must be >= 0, not -1"),
    ],
)
def test_bad_x_stream_and_config_are_refused_with_whole_messages(call, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        call()


def test_products_that_may_exceed_int64_are_refused_and_the_edge_is_exact():
    """48-bit inputs (|x| <= 2**47) times 8-bit weights (|w| <= 2**7) over K terms reach
    2**54 K: K = 256 reaches 2**62, the guard's limit, and is refused. K = 255 is taken and exact
    at the edge: x = -2**47 razors (eMSB, target 8) by a shift of 47 + 1 - 8 = 40 to
    round(-128) clamped to -127, so y = 255 x (-127 x 2**40) x (-128), about 4.56e18 < 2**63."""
    config = PimConfig(input_bits=48)
    y = pim_matmul(np.full((1, 255), -(1 << 47)), np.full((1, 255), -128), config).y
    assert y.tolist() == [[255 * 127 * 128 << 40]]
    message = (
        "x (48-bit) times w (8-bit) over K=256 may exceed int64: use fewer input_bits or a "
        "shorter K"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        pim_matmul(np.full((1, 256), -(1 << 47)), np.full((1, 256), -128), config)


def test_an_empty_batch_gives_an_empty_product_and_no_work():
    result = pim_matmul(np.zeros((0, 16), np.int64), np.ones((3, 16), np.int64))
    assert result.y.shape == (0, 3)
    counts = ("vectors", "partials", "cycles", "planes_total", "macs")
    assert [result.stats[name] for name in counts] == [0] * 5


def test_windows_of_groups_with_different_flags_are_counted_plane_by_plane():
    """Two SDR groups of 16 (16-bit base, 3 magnitude bits, flag width bit_length(12) = 4) in
    one 32-row chunk: group A, flag 5, magnitudes 4, 1, 5 (planes 5, 6, 7); group B, flag 0,
    magnitude 3 (planes 0, 1, 2). The windows' union is planes 0, 1, 2, 5, 6, 7 in each of two
    phases: 12 planes; planes 3 and 4 lie in no window. Driven (positive phase, with ones):
    plane 0 (B's 3), 1 (B's 3), 5 (A's 1 and 5), 7 (A's 4 and 5): 4 planes, 1 + 1 + 2 + 2 = 6
    word-line pulses. y = (4 + 1 + 5) << 5 + 3 = 323. Buffers read 32 codes x (1 + 3) bits and
    2 flags x 4 bits = 136 bits."""
    config = SdrConfig(16, 3, 16)
    mag = np.zeros((1, 32), np.uint8)
    mag[0, [0, 2, 3]] = [4, 1, 5]
    mag[0, 16] = 3
    ta = SdrTensor(np.zeros_like(mag), mag, np.array([[5, 0]], np.uint8), config)
    result = pim_matmul(ta, np.ones((1, 32), np.int64), dense(rows=32, adc_bits=6))
    assert result.y.tolist() == [[323]]
    stats = result.stats
    assert (stats["planes_total"], stats["planes_driven"], stats["wordline_pulses"]) == (12, 4, 6)
    assert stats["input_bits_read"] == 32 * 4 + 2 * 4
