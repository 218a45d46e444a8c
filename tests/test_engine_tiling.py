"""A GEMM tiled onto the engines (sim.engine.tiling): golden results through the cycle model
and the RTL, the schedule's cycles equal to the last result's cycle, one-line errors."""

import numpy as np
import pytest
from rtl_harness import run_checked

from hw.designs import build, elaborated
from sim.cycle_models import simulate as model
from sim.golden import int_matmul
from sim.sdr import SdrConfig, encode, sdr_matmul
from sim.system.engine import plan
from sim.verify.checker import check_stream
from sim.verify.stimulus import random_groups, random_sdr_operands
from sim.verify.streams import drained, tiled_beats


def sdr_gemm(engine, rng, m, k, n):
    p = engine.parameters
    x = random_groups(rng, m * k // p["GROUP"], p["GROUP"], p["A_BITS"]).reshape(m, k)
    ta = encode(x, SdrConfig(p["A_BITS"], p["MAG_BITS"], p["GROUP"]))
    tw = random_sdr_operands(rng, n, k, SdrConfig(p["W_BITS"], p["MAG_BITS"], p["GROUP"]))
    return ta, tw, sdr_matmul(ta, tw, acc_bits=p["ACC_BITS"])


@pytest.mark.parametrize("n", [8, 7, 1])
def test_tiled_sdr_gemm_on_the_cycle_model_equals_golden(n):
    engine = elaborated(build("sdr_engine", COLS=4, LANES=4, GROUP=16))
    rng = np.random.default_rng(n)
    x, tw, expected = sdr_gemm(engine, rng, 3, 64, n)
    beats = drained(tiled_beats(engine, x, tw, expected), engine.LATENCY)
    outputs = model(engine, beats.stream)
    check = check_stream(outputs, beats.stream, beats.expected, engine.LATENCY)
    assert check.passed and check.results == -(-n // 4) * 3, check
    schedule = plan(engine, 3, 64, n)
    assert np.flatnonzero(outputs["out_valid"])[-1] == schedule.cycles - 1
    assert schedule.beats == int(beats.stream["in_valid"].sum())
    got = outputs["out"][outputs["out_valid"] == 1].reshape(-1, 3, 4).transpose(1, 0, 2)
    assert np.array_equal(got.reshape(3, -1)[:, :n], expected)


def test_tiled_gemms_on_the_rtl_equal_golden():
    rng = np.random.default_rng(5)
    engine = elaborated(build("sdr_engine", COLS=3, LANES=8, GROUP=16, PIPELINE="none"))
    x, tw, expected = sdr_gemm(engine, rng, 2, 32, 5)
    run_checked(engine, tiled_beats(engine, x, tw, expected), 5)
    for module, top in (("int8_engine", 128), ("int4_engine", 8)):
        baseline = elaborated(build(module, COLS=3, LANES=8))
        a, w = rng.integers(-top, top, (2, 32)), rng.integers(-top, top, (5, 32))
        run_checked(baseline, tiled_beats(baseline, a, w, int_matmul(a, w, 32)), 5)


def test_schedule_figures():
    engine = elaborated(build("sdr_engine", COLS=4, LANES=16, GROUP=16))
    schedule = plan(engine, m=8, k=384, n=10)
    assert schedule.tiles == 3 and schedule.beats == 3 * 8 * 24
    assert schedule.cycles == schedule.beats + engine.LATENCY
    assert schedule.utilization == pytest.approx(8 * 10 * 384 / (schedule.cycles * 64))
    bits = SdrConfig(8, 3, 16).bits_per_element
    assert schedule.weight_bits_read == pytest.approx(schedule.beats * 64 * bits)
    # the activations are read as stored: SDR codes and flags (4 + 4/16 bits), not INT16
    assert schedule.activation_bits_read == 3 * 8 * 384 * SdrConfig(16, 3, 16).bits_per_element
    for module, bits in (("int8_engine", 8), ("int4_engine", 4)):
        baseline = plan(elaborated(build(module, COLS=4, LANES=16)), m=8, k=384, n=10)
        assert baseline.weight_bits_read == baseline.beats * 64 * bits
        assert baseline.activation_bits_read == 3 * 8 * 384 * bits


@pytest.mark.parametrize(
    "module, shape, message",
    [
        ("sdr_engine", (2, 40, 3), r"k \(40\) must be a multiple of the group size \(16\)"),
        ("int8_engine", (2, 6, 3), r"k \(6\) must be a multiple of the lanes \(4\)"),
        ("int4_engine", (2, 6, 3), r"k \(6\) must be a multiple of the lanes \(4\)"),
        ("sdr_engine", (0, 32, 3), "m must be >= 1, not 0"),
    ],
)
def test_shapes_that_do_not_tile_are_refused(module, shape, message):
    engine = elaborated(build(module, COLS=2, LANES=4))
    with pytest.raises(ValueError, match=message):
        plan(engine, *shape)
