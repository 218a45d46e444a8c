"""sdr_mac (and decompress_mac, same ports) in the Amaranth simulator against the golden model."""

import itertools
import zlib

import numpy as np
import pytest
from rtl_harness import run_checked

from hw.units.decompress_mac import DecompressMac, decompress_mac_cuts
from hw.units.sdr_mac import SdrMac, sdr_mac_cuts
from sim.golden import wrap_signed
from sim.sdr import SdrConfig, SdrTensor, decode, encode, sdr_matmul
from sim.verify.stimulus import sdr_case
from sim.verify.streams import MacBeats, reset_between, sdr_mac_beats, with_bubbles

SDR_UNITS = [SdrMac, DecompressMac]


def all_code_pairs_case(unit):
    """One 1-lane dot product (one group of 4 beats) per (code pair, flag pair)."""
    p = unit.parameters
    a_cfg = SdrConfig(p["A_BITS"], p["MAG_BITS"], 4)
    w_cfg = SdrConfig(p["W_BITS"], p["MAG_BITS"], 4)
    codes = [c for c in range(2**a_cfg.code_bits) if c != 1 << a_cfg.mag_bits]
    combos = list(
        itertools.product(codes, codes, range(a_cfg.max_flag + 1), range(w_cfg.max_flag + 1))
    )
    a_codes = np.zeros((len(combos), 4), np.int64)
    w_codes = np.zeros((len(combos), 4), np.int64)
    columns = (np.array(c) for c in zip(*combos, strict=True))
    a_codes[:, 0], w_codes[:, 0], a_flags, w_flags = columns
    ta = SdrTensor.from_code(a_codes, a_flags[:, None], a_cfg)
    tw = SdrTensor.from_code(w_codes, w_flags[:, None], w_cfg)
    expected = wrap_signed(np.sum(decode(ta) * decode(tw), axis=1), p["ACC_BITS"])
    return sdr_mac_beats(ta, tw, 1, expected, pairs="zip")


@pytest.mark.parametrize("cls", SDR_UNITS)
def test_every_code_pair_and_flag_pair_one_lane(cls):
    unit = cls(lanes=1, group=4)
    run_checked(unit, all_code_pairs_case(unit), seed="exhaustive")


@pytest.mark.parametrize("cls", SDR_UNITS)
@pytest.mark.parametrize("lanes", [1, 4, 16])
@pytest.mark.parametrize("group", [16, 32, 64])
@pytest.mark.parametrize("a_bits", [8, 16])
def test_random_streams_with_bubbles(cls, lanes, group, a_bits):
    seed = zlib.crc32(f"{cls.__name__}-{lanes}-{group}-{a_bits}".encode())
    rng = np.random.default_rng(seed)
    unit = cls(lanes=lanes, group=group, a_bits=a_bits)
    beats = with_bubbles(sdr_case(unit, rng, m=3, n=4, groups=128 // group), rng, rate=0.4)
    run_checked(unit, beats, seed)


@pytest.mark.parametrize("cls", SDR_UNITS)
@pytest.mark.parametrize("lanes, group", [(1, 4), (4, 4), (4, 16), (16, 16), (16, 32)])
@pytest.mark.parametrize("cut", ["none", "first", "last", "alternate"])
def test_every_pipeline_choice(cls, lanes, group, cut):
    """No register, only the first or last cut, or every other cut: same results, LATENCY on."""
    cuts = sdr_mac_cuts(lanes, group) if cls is SdrMac else decompress_mac_cuts(lanes)
    chosen = {"none": [], "first": cuts[:1], "last": cuts[-1:], "alternate": cuts[::2]}[cut]
    seed = zlib.crc32(f"{cls.__name__}-{lanes}-{group}-{cut}".encode())
    rng = np.random.default_rng(seed)
    unit = cls(lanes=lanes, group=group, pipeline=",".join(chosen) or "none")
    assert unit.LATENCY == len(chosen) + 1 + (cls is SdrMac and "group" not in cuts)
    beats = with_bubbles(sdr_case(unit, rng, m=2, n=3, groups=64 // group), rng, rate=0.4)
    run_checked(unit, beats, seed)


class TestCorners:
    @pytest.fixture(params=[(cls, p) for cls in SDR_UNITS for p in ("all", "none")])
    def unit(self, request):
        cls, pipeline = request.param
        return cls(lanes=4, group=16, pipeline=pipeline)

    def test_all_zero_group_and_max_flags(self, unit):
        cfg_a, cfg_w = SdrConfig(16, group=16), SdrConfig(8, group=16)
        a = np.zeros((2, 32), np.int64)
        a[1, 16:] = 2**15 - 1  # max flag, saturated codes
        w = np.full((2, 32), -128)
        w[0, :16] = 0
        ta, tw = encode(a, cfg_a), encode(w, cfg_w)
        assert ta.flag.max() == cfg_a.max_flag and tw.flag.max() == cfg_w.max_flag
        run_checked(unit, sdr_mac_beats(ta, tw, 4, sdr_matmul(ta, tw, 32)), seed="corners")

    def test_accumulator_wraps(self):
        unit = SdrMac(lanes=4, group=16, acc_bits=23)
        ta = encode(np.full((1, 128), 2**15 - 1), SdrConfig(16))
        tw = encode(np.full((1, 128), -127), SdrConfig(8))
        exact = sdr_matmul(ta, tw)
        wrapped = sdr_matmul(ta, tw, acc_bits=23)
        assert exact[0, 0] != wrapped[0, 0]
        run_checked(unit, sdr_mac_beats(ta, tw, 4, wrapped), seed="wrap")

    def test_back_to_back_without_bubbles(self, unit):
        rng = np.random.default_rng(3)
        beats = sdr_case(unit, rng, m=3, n=4, groups=1)
        assert beats.stream["in_valid"].all()
        run_checked(unit, beats, seed=3)

    def test_reset_mid_stream_drops_in_flight_work_only(self, unit):
        rng = np.random.default_rng(4)
        first = sdr_case(unit, rng, m=1, n=3, groups=2)
        second = sdr_case(unit, rng, m=1, n=2, groups=2)
        partial = MacBeats(
            {port: values[:5].copy() for port, values in first.stream.items()},
            np.zeros(0, np.int64),
        )
        partial.stream["in_last"][:] = 0  # a dot product cut short by the reset
        beats = reset_between(first, partial, second)
        outputs = run_checked(unit, beats, seed=4)
        # Results still in flight (due two or more cycles after their last beat) are lost.
        delivered = outputs["out_valid"].sum()
        assert 0 < delivered <= len(beats.expected)
        assert (delivered < len(beats.expected)) == (unit.LATENCY > 1)


def corner_operands(rng, m, k, cfg, random_rows):
    """``m`` rows at the shifter's corner: every group at its maximal flag and maximal magnitude
    (code 7 = +7, code 15 = -7) with one sign per group, so a group's sum reaches GROUP x 49
    before the shift by ``max_flag_a + max_flag_w``; the last ``random_rows`` rows draw
    magnitudes from the top three (5..7), a group-wide sign half the time, and the maximal flag
    three times in four (the random streams of ``sdr_case`` spread the flags and rarely get
    there)."""
    groups = k // cfg.group
    sign = np.repeat(rng.integers(0, 2, size=(m, groups)), cfg.group, axis=1)
    sign[0] = 0  # row 0 all +7: the largest positive sum
    mag = np.full((m, k), cfg.mag_max)
    flag = np.full((m, groups), cfg.max_flag)
    if random_rows:
        r = slice(m - random_rows, m)
        mag[r] = rng.integers(cfg.mag_max - 2, cfg.mag_max + 1, size=(random_rows, k))
        mixed = rng.random((random_rows, groups)) < 0.5
        per_element = rng.integers(0, 2, size=(random_rows, k))
        sign[r] = np.where(np.repeat(mixed, cfg.group, axis=1), per_element, sign[r])
        low = rng.integers(0, cfg.max_flag + 1, size=(random_rows, groups))
        flag[r] = np.where(rng.random((random_rows, groups)) < 0.75, cfg.max_flag, low)
    return SdrTensor.from_code((sign << cfg.mag_bits) | mag, flag, cfg)


@pytest.mark.parametrize(
    "lanes, group, a_bits, acc_bits",
    [(4, 4, 8, 16), (4, 16, 8, 24), (16, 16, 8, 24), (4, 32, 16, 24), (16, 64, 8, 32)],
)
def test_maximal_flags_with_large_group_sums(lanes, group, a_bits, acc_bits):
    """Directed rows (every element +-7 << max_flag) and random rows near that corner; the
    all-positive directed dot product is checked against the hand figure GROUP x 49 <<
    (max_flag_a + max_flag_w) per group, wrapped by Python's modular arithmetic."""
    seed = zlib.crc32(f"corner-{lanes}-{group}-{a_bits}-{acc_bits}".encode())
    rng = np.random.default_rng(seed)
    unit = SdrMac(lanes=lanes, group=group, a_bits=a_bits, acc_bits=acc_bits)
    a_cfg, w_cfg = unit.a_config, unit.w_config
    k = 2 * group
    ta = corner_operands(rng, 6, k, a_cfg, random_rows=3)
    tw = corner_operands(rng, 3, k, w_cfg, random_rows=1)
    expected = sdr_matmul(ta, tw, acc_bits=acc_bits)
    half = 1 << (acc_bits - 1)
    exact = 2 * group * 49 << (a_cfg.max_flag + w_cfg.max_flag)
    assert expected[0, 0] == (exact + half) % (2 * half) - half
    run_checked(unit, sdr_mac_beats(ta, tw, lanes, expected), seed)


@pytest.mark.parametrize(
    "lanes, group, a_bits, acc_bits",
    [(4, 4, 8, 16), (4, 16, 16, 24), (16, 32, 8, 24), (4, 16, 16, 32)],
)
def test_accumulator_reaches_the_wrap_boundary(lanes, group, a_bits, acc_bits):
    """Dot products whose exact sums are +2**(B-1) (wraps to -2**(B-1)), -2**(B-1) (stays) and
    2**(B-1) - 16 << s (stays): n elements of 4 x 4 = 16 = 2**4 shifted by s = fa + fw, with
    n = 2**(B - 5 - s), so n x 2**(4 + s) = 2**(B-1); the rest of the row zero."""
    unit = SdrMac(lanes=lanes, group=group, a_bits=a_bits, acc_bits=acc_bits)
    a_cfg, w_cfg = unit.a_config, unit.w_config
    shift = min(a_cfg.max_flag + w_cfg.max_flag, acc_bits - 5)
    fa = min(a_cfg.max_flag, shift)
    fw = shift - fa
    n = 1 << (acc_bits - 5 - shift)
    k = -(-max(n, 2 * group) // group) * group
    half = 1 << (acc_bits - 1)
    a_code = np.zeros((3, k), np.int64)
    a_code[0, :n] = 4
    a_code[1, :n] = 4 | (1 << a_cfg.mag_bits)  # -4
    a_code[2, : n - 1] = 4
    w_code = np.zeros((1, k), np.int64)
    w_code[0, :n] = 4
    groups = k // group
    ta = SdrTensor.from_code(a_code, np.full((3, groups), fa), a_cfg)
    tw = SdrTensor.from_code(w_code, np.full((1, groups), fw), w_cfg)
    expected = sdr_matmul(ta, tw, acc_bits=acc_bits)
    assert expected[:, 0].tolist() == [-half, -half, half - (16 << shift)]
    run_checked(unit, sdr_mac_beats(ta, tw, lanes, expected), f"wrap-{acc_bits}")
