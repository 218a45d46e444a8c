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
