"""RAP's bit-sparse tiles (SPEC section 9): eMSB razoring against a scalar reference, the row
split, exact noise-free products, no clipping whatever the data, partial counts from the razored
bits, and the refused configurations."""

import itertools
import math

import numpy as np
import pytest

from sim.golden.rap.emsb import emsb_decode, emsb_razor
from sim.golden.rap.row_split import partial_count, partial_index, split_plane
from sim.rap import PimConfig, pim_matmul
from sim.rap import emsb_razor as public_emsb_razor
from sim.sdr import SdrConfig, decode, encode
from sim.system.rap.adc import AdcColumns
from sim.system.rap.pim import sparse_plane_sums
from sim.system.rap.pim_energy import ENERGY_COMPONENTS


def scalar_emsb(group, bits, target):
    """The SPEC 9 razor of one group, one value at a time (Python ints)."""
    differs = 0
    for x in group:
        differs |= x ^ (x >> (bits - 1))
    shift = max(0, differs.bit_length() + 1 - target)
    top = (1 << (target - 1)) - 1
    out = []
    for x in group:
        r = (x + (1 << (shift - 1))) >> shift if shift else x
        out.append(max(-top, min(top, r)))
    return out, shift


@pytest.mark.parametrize("size, targets", [(2, range(2, 8)), (3, (2, 3, 4, 6))])
def test_emsb_razor_equals_the_scalar_reference_on_every_six_bit_group(size, targets):
    values = range(-32, 32)
    groups = np.array(list(itertools.product(values, repeat=size)), np.int64)
    for target in targets:
        razored, shift = public_emsb_razor(groups, 6, target, size)
        for group, got, got_shift in zip(
            groups.tolist(), razored.tolist(), shift[:, 0].tolist(), strict=True
        ):
            want, want_shift = scalar_emsb(group, 6, target)
            assert (got, got_shift) == (want, want_shift), (group, target)
    # The saturation edge: rounding up past the window's top clamps, never changes the shift.
    # 31 = 0b11111: L = 5, shift = 5 + 1 - 4 = 2, (31 + 2) >> 2 = 8 clamps to 7.
    razored, shift = emsb_razor(np.array([[31, 0]]), 6, 4, 2)
    assert razored.tolist() == [[7, 0]] and shift.tolist() == [[2]]
    # -32 differs from its sign in bits 0-4 (-32 ^ -1 = 31): L = 5, shift = 3,
    # (-32 + 4) >> 3 = -4 clamps to -3 (symmetric).
    razored, shift = emsb_razor(np.array([[-32, 1]]), 6, 3, 2)
    assert razored.tolist() == [[-3, 0]] and shift.tolist() == [[3]]


def test_emsb_razor_refuses_bad_arguments_by_name():
    with pytest.raises(ValueError, match=r"target_bits must be in \[2, 16\], not 17"):
        emsb_razor(np.zeros((1, 4), np.int64), 8, 17, 4)
    with pytest.raises(ValueError, match=r"x values must be in \[-128, 127\], found 128"):
        emsb_razor(np.array([[128, 0]]), 8, 4, 2)
    with pytest.raises(ValueError, match="multiple of the group size 4"):
        emsb_razor(np.zeros((1, 6), np.int64), 8, 4, 4)


@pytest.mark.parametrize("k", [1, 3, 7])
def test_the_row_split_takes_the_lowest_pending_ones_k_at_a_time(k):
    rng = np.random.default_rng(k)
    planes = [np.ones(16, bool), np.zeros(16, bool), np.arange(16) >= 16 - k - 1]
    planes += [rng.random(16) < p for p in (0.1, 0.5, 0.9)]
    for plane in planes:
        masks = split_plane(plane, k)
        ones = np.flatnonzero(plane)
        assert len(masks) == -(-len(ones) // k) == partial_count(len(ones), k)
        for j, mask in enumerate(masks):
            assert np.flatnonzero(mask).tolist() == ones[j * k : (j + 1) * k].tolist()
        assert not np.any(partial_index(plane, k)[~plane] != -1)


def razored(x, config):
    """The integers a tile's inputs stand for, computed with the golden razors."""
    group = config.group_size
    padded = np.pad(x, ((0, 0), (0, -x.shape[1] % group)))
    if config.input_format == "sdr":
        values = decode(encode(padded, SdrConfig(config.input_bits, config.target_bits - 1, group)))
    else:
        values = emsb_decode(*emsb_razor(padded, config.input_bits, config.target_bits, group))
    return values[:, : x.shape[1]]


def operands(rng, m, k, n, weight_bits):
    x = rng.integers(-(1 << 15), 1 << 15, (m, k)) >> rng.integers(0, 15, (m, 1))
    x[:, rng.integers(0, k, 3)] = rng.integers(-(1 << 15), 1 << 15, 3)  # outlier channels
    w = rng.integers(-(1 << (weight_bits - 1)), 1 << (weight_bits - 1), (n, k))
    return x, w


INPUTS = [
    ("emsb", "split", None),
    ("emsb", "twos", None),
    ("emsb", "split", 8),
    ("emsb", "twos", 4),
    ("sdr", "split", 16),
    ("sdr", "split", 8),
]


@pytest.mark.parametrize(
    "rows, k", [(r, k) for r in (16, 64, 128, 512) for k in (1, 3, 7, 15, 63) if k <= r]
)
def test_noise_free_sparse_products_are_exact(rows, k):
    seed = rows * 100 + k
    rng = np.random.default_rng(seed)
    for (fmt, sign_mode, group), weight_bits in itertools.product(INPUTS, range(2, 9)):
        target = int(rng.choice([4, 6, 8]))
        config = PimConfig(
            rows=rows,
            adc_bits=k.bit_length(),
            max_active_rows=k,
            weight_bits=weight_bits,
            input_format=fmt,
            sign_mode=sign_mode,
            target_bits=target,
            group=group,
        )
        x, w = operands(rng, 3, int(rng.integers(1, 3 * rows)), 4, weight_bits)
        result = pim_matmul(x, w, config)
        assert np.array_equal(result.y, razored(x, config) @ w.T), (seed, fmt, sign_mode, group)
        assert result.stats["clipped"] == 0


def test_the_partial_count_follows_the_razored_bits():
    """Partials counted one plane at a time from the razored integers (a loop, not the model's
    arrays): split phases of |x'|'s magnitude bits, and two's-complement planes."""
    rng = np.random.default_rng(4)
    x, w = operands(rng, 4, 40, 3, 8)
    for sign_mode, k in itertools.product(("split", "twos"), (1, 3, 7)):
        config = PimConfig(
            rows=16, adc_bits=3, max_active_rows=k, sign_mode=sign_mode, target_bits=6
        )
        razor, shift = emsb_razor(np.pad(x, ((0, 0), (0, 8))), 16, 6, 16)
        want = 0
        for m, chunk in itertools.product(range(4), range(3)):
            values = razor[m, chunk * 16 : chunk * 16 + 16].tolist()
            if sign_mode == "split":
                phases = [[abs(v) for v in values if v > 0], [abs(v) for v in values if v < 0]]
                planes = range(5)
            else:
                phases = [[v & 63 for v in values]]
                planes = range(6)
            for phase, plane in itertools.product(phases, planes):
                ones = sum((v >> plane) & 1 for v in phase)
                want += -(-ones // k)
        stats = pim_matmul(x, w, config).stats
        assert stats["partials"] == want, (sign_mode, k)
        assert stats["conversions"] == want * 3 * 8
        assert sum(stats["popcount_histogram"]) == stats["planes_total"]


@pytest.mark.parametrize("k", [1, 3, 7, 15])
def test_sparse_mode_never_clips_whatever_the_data(k):
    rows = 64
    config = PimConfig(
        rows=rows, adc_bits=k.bit_length(), max_active_rows=k, gain_sigma=1e-6
    )  # a non-ideal ADC: every partial is converted
    top = (1 << 15) - 1
    extremes = [
        np.full((2, rows * 2), top),
        np.full((2, rows * 2), -top),
        np.tile([top, -top], (2, rows)),
        np.eye(2, rows * 2, dtype=np.int64) * top,
    ]
    w = np.full((3, rows * 2), -128)
    for x in extremes:
        result = pim_matmul(x, w, config)
        assert result.stats["clipped"] == 0
        assert np.array_equal(result.y, razored(x, config) @ w.T)
    # The partial-by-partial conversion itself, on planes of every density.
    rng = np.random.default_rng(k)
    chosen = rng.random((2, 9, rows)) < np.linspace(0, 1, 9)[None, :, None]
    weights = np.ones((2, rows, 5), np.float32)
    adc = AdcColumns(config, (2, 1, 5), rng)
    codes, clipped = sparse_plane_sums(chosen, weights, adc, k)
    assert clipped.sum() == 0
    assert np.array_equal(codes, np.matmul(chosen.astype(np.float32), weights))


def test_dense_low_range_clips_where_sparse_does_not():
    x = np.full((2, 128), (1 << 15) - 1)
    w = np.ones((3, 128), np.int64)
    dense = pim_matmul(x, w, PimConfig(adc_bits=3, mvm="dense")).stats
    sparse = pim_matmul(x, w, PimConfig(adc_bits=3)).stats
    assert dense["clipped"] > 0 and sparse["clipped"] == 0
    assert sparse["partials"] == 2 * 7 * -(-128 // 7)  # 7 magnitude planes of 128 ones each


def test_bitline_noise_is_referred_to_the_active_rows():
    """At equal ``noise_swing``, sparse partials of at most k rows see k/rows of the dense
    design's noise (a fixed voltage swing over fewer cells), unless referred to the ADC."""
    rng = np.random.default_rng(2)
    x, w = operands(rng, 16, 256, 16, 8)
    exact = razored(x, PimConfig()) @ w.T

    def error(**kwargs):
        y = pim_matmul(x, w, PimConfig(**{"adc_bits": 3, "noise_swing": 0.02, **kwargs})).y
        return float(np.sqrt(np.mean((y - exact) ** 2.0)))

    # k = 7 = the ADC's top code: the bit-line's swing and the ADC's range are the same 7 steps.
    assert error() == error(noise_reference="adc")
    # k = 3 under a 3-bit ADC: sigma is 3/7 of the ADC-referred one.
    assert error(max_active_rows=3) < error(max_active_rows=3, noise_reference="adc")
    # Dense, full range: the swing is all 128 rows, sigma 128/7 times the sparse one.
    assert 4 * error() < error(mvm="dense", adc_bits=8, adc_range="full")


def test_adc_budget_is_stated():
    stats = pim_matmul(np.ones((1, 256), np.int64), np.ones((4, 256), np.int64)).stats
    config = PimConfig()
    assert stats["adcs_per_tile"] == 128 // 8
    # Walden/Murmann ADC area: ISAAC's 8-bit SAR (1,200 um^2) scaled by 2**(bits - 8).
    assert stats["adc_area_um2"] == pytest.approx(stats["tiles"] * 16 * 1200 * 2.0 ** (3 - 8))
    assert config.k == 7


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"adc_bits": 2, "max_active_rows": 7},
            r"max_active_rows \(7\) exceeds what a 2-bit low-range ADC reads \(3\)",
        ),
        ({"max_active_rows": 0}, r"max_active_rows must be in \[1, 128\], not 0"),
        ({"target_bits": 17}, r"target_bits must be in \[2, 16\], not 17"),
        ({"target_bits": 1}, r"target_bits must be in \[2, 16\], not 1"),
        ({"mvm": "half"}, "mvm must be one of 'sparse', 'dense', not 'half'"),
        ({"input_format": "fp8"}, "input_format must be one of 'emsb', 'sdr', not 'fp8'"),
        ({"input_format": "sdr", "sign_mode": "twos"}, "sign_mode 'twos' needs input_format"),
        ({"group": 48}, r"group \(48\) must divide rows \(128\)"),
        ({"input_format": "sdr", "input_bits": 12}, "input_bits must be one of 8, 16, not 12"),
        ({"mvm": "dense", "max_active_rows": 7}, "max_active_rows applies to mvm 'sparse'"),
    ],
)
def test_bad_sparse_configs_name_the_option(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PimConfig(**kwargs)


def test_tile_energy_is_charged_per_conversion_partial_and_plane():
    """Hand-derived: one vector of 128 values 0 or +3 (eMSB window: shift 0, planes 0 and 1 of
    the magnitudes), 40 of them 3: both planes hold 40 ones, so with k = 7 each plane takes
    ceil(40 / 7) = 6 partials; 2 outputs x 8 weight bits = 16 bit-lines in one column tile."""
    x = np.zeros((1, 128), np.int64)
    x[0, :40] = 3
    w = np.ones((2, 128), np.int64)
    config = PimConfig(adc_bits=3)
    stats = pim_matmul(x, w, config).stats
    assert (stats["partials"], stats["conversions"], stats["shift_adds"]) == (12, 12 * 16, 2 * 16)
    energy = stats["energy_pj"]
    # Walden FoM 2.2 fJ per step x 2**3 steps = 17.6 fJ per conversion.
    assert energy["adc"] == pytest.approx(192 * 2.2e-3 * 8)
    # ISAAC: 2.4 mW for 8 x 128 columns over one 100 ns read = 0.234375 pJ per column read.
    assert energy["bitline"] == pytest.approx(192 * 2.4e-3 * 100e-9 / 1024 * 1e12)
    # ISAAC: 4 mW for 8 x 128 one-bit DACs over 100 ns = 0.390625 pJ per word-line pulse.
    assert energy["wordline"] == pytest.approx(80 * 4e-3 * 100e-9 / 1024 * 1e12)
    # The synthesized compactor at K = 7: 18.68 pJ per partial (IHP, clock included).
    assert energy["compactor"] == pytest.approx(12 * 18.68)
    assert energy["partial_sum_adds"] == pytest.approx(192 * 0.03)  # Horowitz 8-bit add
    assert energy["shift_add"] == pytest.approx(32 * 2.57)
    # Buffers, Horowitz's 8 KB SRAM at 10 pJ per 64 bits (writes assumed the same): read 128
    # razored 8-bit codes and the group's shift in bit_length(16) = 5 bits, 1029 bits; write
    # 2 results x 32 bits = 64 bits: (1029 + 64) x 10 / 64 = 170.78125 pJ.
    assert energy["buffers"] == pytest.approx((128 * 8 + 5 + 2 * 32) * 10 / 64)
    assert energy["weight_writes"] == 0.0  # a stored matrix: nothing written
    assert tuple(energy) == ENERGY_COMPONENTS


@pytest.mark.parametrize("adc_range, mvm", [("low", "sparse"), ("full", "dense")])
def test_noisy_adc_reads_stay_inside_the_range_at_both_ends(adc_range, mvm):
    """Bit-line sums at 0 and at the top of the range under noise: every estimate is an integer
    in [0, k] (code 0 and the top code clip, both ends), and both ends are actually reached.

    Hand derivation, "low" range, 3-bit ADC, k = 7, noise_swing = 0.1 of the bit-line's 7-step
    swing: sigma = 0.7 step. A sum of 0 reads code 0 when the noise n rounds to <= 0, i.e.
    n < 0.5: P = Phi(0.5 / 0.7) = Phi(0.714) = 0.762; without the clip at 0 the other ~half
    (n < -0.5, P = 0.238) would read -1 or below. A sum of 7 reads the top code 7 when
    n > -0.5 (P = 0.762) and is flagged clipped when n rounds above 0, n > 0.5 (P = 0.238).
    "full" range, dense, k = 128 rows over 7 codes: step 128/7, sigma = 0.1 * 128 = 12.8 =
    0.7 code; the same code probabilities, estimates multiples of 128/7 rounded, in [0, 128].
    """
    config = PimConfig(adc_bits=3, adc_range=adc_range, mvm=mvm, noise_swing=0.1)
    k, n = config.k, 20_000
    adc = AdcColumns(config, (1, 1), np.random.default_rng(5))
    phi = 0.5 * (1 + math.erf(0.5 / 0.7 / math.sqrt(2)))  # 0.762
    tolerance = 0.015  # five binomial sigmas: sqrt(0.762 * 0.238 / 20000) = 0.003
    for level in (0, k):
        estimates, clipped = adc.read(np.full((n, 1), level, np.float32))
        assert estimates.min() >= 0 and estimates.max() <= k
        assert np.array_equal(estimates, np.rint(estimates))
        at_end = float(np.mean(estimates == level))
        assert at_end == pytest.approx(phi, abs=tolerance)
        assert float(np.mean(clipped)) == pytest.approx(0 if level == 0 else 1 - phi, abs=tolerance)
        inside = estimates[estimates != level]
        assert inside.size and (inside > 0 if level == 0 else inside < k).all()


def test_a_small_batch_is_counted_by_hand():
    """Three vectors of 128 eMSB values (shift 0; split: magnitude planes 0..6 in two phases,
    14 window planes each, 42 in all): v0 has 40 threes (planes 0 and 1, 40 ones each:
    ceil(40 / 7) = 6 partials per plane, 12), v1 seven ones (plane 0: 1 partial), v2 zeros (no
    plane driven). 2 outputs x 8 weight bits = 16 bit-lines over 8-column tiles: 2 column tiles
    of one chunk; 8 / 2 = 4 flash ADCs per tile. Written into the tiles first (dynamic)."""
    x = np.zeros((3, 128), np.int64)
    x[0, :40] = 3
    x[1, :7] = 1
    w = np.ones((2, 128), np.int64)
    config = PimConfig(adc_bits=3, columns=8, adc_share=2, adc_model="flash")
    result = pim_matmul(x, w, config, dynamic=True)
    assert result.y.tolist() == [[120, 120], [7, 7], [0, 0]]
    stats = result.stats
    expected = {
        "vectors": 3,
        "tiles": 2,
        "adcs_per_tile": 4,
        "partials": 13,
        "conversions": 13 * 16,
        "planes_total": 42,
        "planes_driven": 3,
        "planes_skipped": 39,
        # Each vector takes its chunk's partials one after another, 2 ADC cycles each (two
        # bit-lines per ADC): (12 + 1 + 0) x 2.
        "cycles": 26,
        "write_cycles": 128,  # one word-line per cycle, min(K, rows)
        "weight_bits_written": 2 * 128 * 8,
        # 40 + 40 + 7 word-lines driven, in each of the 2 column tiles.
        "wordline_pulses": 87 * 2,
        "compactor_partials": 13 * 2,
        "shift_adds": 3 * 16,
        "macs": 3 * 2 * 128,
        "results": 6,
        # 3 x (128 codes x 8 bits + a 5-bit shift).
        "input_bits_read": 3 * (128 * 8 + 5),
    }
    assert {name: stats[name] for name in expected} == expected
    # 2 tiles x 4 ADCs x (2**3 - 1) comparators x 40 um^2.
    assert stats["adc_area_um2"] == pytest.approx(2 * 4 * 7 * 40)
    assert stats["latency_s"] == pytest.approx((26 + 128) / 1.28e9)
    histogram = stats["popcount_histogram"]
    assert {i: n for i, n in enumerate(histogram) if n} == {0: 39, 7: 1, 40: 2}
    assert all(type(n) is int for n in histogram)
    stored = pim_matmul(x, w, config).stats
    assert (stored["write_cycles"], stored["latency_s"]) == (0, pytest.approx(26 / 1.28e9))


def test_twos_mode_drives_the_top_plane_alone_in_the_negative_phase():
    """Two's complement, target 8: -3 is 0b11111101 (planes 0 and 2..6 positive, plane 7
    counting -128), 2 is plane 1. Window: 7 positive planes and the top one in the negative
    phase, 8 in all, each holding a one, one partial each."""
    x = np.zeros((1, 128), np.int64)
    x[0, :2] = [-3, 2]
    result = pim_matmul(x, np.ones((1, 128), np.int64), PimConfig(sign_mode="twos"))
    assert result.y.tolist() == [[-1]]
    stats = result.stats
    assert (stats["planes_total"], stats["planes_driven"], stats["partials"]) == (8, 8, 8)


class CountingAdc:
    """A stand-in ADC: reads each bit-line sum as itself plus one and flags every conversion
    clipped, counting the conversions (rows of ``sums``, one per partial)."""

    def __init__(self):
        self.reads = 0

    def read(self, sums, tile_rows=None):
        self.reads += len(sums)
        return sums + 1, np.ones(sums.shape, bool)


def test_each_partial_is_converted_once_and_its_clips_counted():
    """k = 3 over 8 rows, weight row r = (r, 1) on two bit-lines. Vector 0 drives rows 0..6:
    partials {0, 1, 2}, {3, 4, 5}, {6}, sums (3, 3), (12, 3), (6, 1), read as one more each:
    codes (21 + 3, 7 + 3) = (24, 10), 3 x 2 clipped conversions. Vector 1 drives rows 2 and 5:
    one partial, (7, 2) read as (8, 3), 2 clipped. Four conversions in all; an empty plane
    converts nothing."""
    weights = np.stack([np.arange(8), np.ones(8)], axis=-1)[None].astype(np.float32)
    chosen = np.zeros((1, 2, 8), bool)
    chosen[0, 0, :7] = True
    chosen[0, 1, [2, 5]] = True
    adc = CountingAdc()
    codes, clipped = sparse_plane_sums(chosen, weights, adc, 3)
    assert codes.dtype == np.float32
    assert codes.tolist() == [[[24, 10], [8, 3]]]
    assert clipped.tolist() == [[6, 2]]
    assert adc.reads == 4
    empty = CountingAdc()
    codes, clipped = sparse_plane_sums(np.zeros((1, 2, 8), bool), weights, empty, 3)
    assert (codes.tolist(), clipped.tolist(), empty.reads) == ([[[0, 0], [0, 0]]], [[0, 0]], 0)


def test_sparse_clips_under_noise_are_counted_over_every_partial_and_plane():
    """250 vectors of 14 threes (planes 0 and 1, 14 ones each: two partials of k = 7 per plane,
    four per vector) against w = -1 (every weight bit set), 4 outputs = 32 bit-lines: every
    conversion reads a sum of 7, the 3-bit ADC's top code. noise_swing 0.1 of the 7-row swing:
    sigma 0.7; a read clips when 7 + n rounds above 7, n > 0.5: p = Q(0.5 / 0.7) = 0.2375 of
    250 x 4 x 32 = 32,000 conversions, 7,600 expected (binomial sigma 76)."""
    config = PimConfig(adc_bits=3, noise_swing=0.1)
    stats = pim_matmul(np.full((250, 14), 3), np.full((4, 14), -1), config).stats
    n = 250 * 4 * 32
    assert stats["conversions"] == n
    p = 0.5 * math.erfc(0.5 / 0.7 / math.sqrt(2))
    assert abs(stats["clipped"] - n * p) < 5 * math.sqrt(n * p * (1 - p))


def test_a_full_range_step_of_two_reads_sparse_partials_to_even_levels():
    """k = 6 rows per partial over a 2-bit full-range ADC's codes 0..3: a step of 2. Five ones
    (plane 0, one partial) against w = 1: bit-line 0 sums to 5 = code 2.5, rounded half to even
    to code 2 and read back as 4. Noise-free, yet not exact: y = 4, not 5."""
    config = PimConfig(adc_bits=2, adc_range="full", max_active_rows=6)
    y = pim_matmul(np.ones((1, 5), np.int64), np.ones((1, 5), np.int64), config).y
    assert y.tolist() == [[4]]
