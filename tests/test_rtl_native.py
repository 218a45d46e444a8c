"""The native Verilator testbench (sim.rtl_native) equals the Amaranth simulation and the cycle
model every cycle, on every unit, with bubbles and resets; and it fails loudly."""

import numpy as np
import pytest
from test_cocotb_benches import CONFIGS, RAP_BENCHES, configured
from test_rtl_cocotb import _values, assert_same_outputs, stream_with_reset

from hw.designs import build, elaborated
from sim.cycle_models import simulate as cycle_model
from sim.verify import rtl_amaranth, rtl_native
from sim.verify.backends import get_backend
from sim.verify.checker import check_stream
from sim.verify.stimulus import int_engine_case, sdr_engine_case
from sim.verify.streams import MacBeats, drained, reset_between, sdr_mac_beats, with_bubbles
from sim.workloads.llm_gemm import llm_workload
from sim.workloads.schemes import golden_product, qrazor_gemm


@pytest.mark.parametrize("module", CONFIGS)
def test_same_outputs_as_amaranth_and_the_model_every_cycle(module):
    unit = configured(module)
    for seed in (7, 8):
        beats = stream_with_reset(unit, seed)
        got = rtl_native.simulate(unit, beats.stream)
        assert_same_outputs(got, rtl_amaranth.simulate(unit, beats.stream), seed)
        assert_same_outputs(got, cycle_model(unit, beats.stream), seed)
        check = check_stream(
            got, beats.stream, beats.expected, unit.LATENCY, is_mac=module != "sdr_encoder"
        )
        assert check.passed and check.results > 0, (seed, check)


#: The GEMM engines in the configurations test_hw_engine.py builds natively (one build each).
ENGINES = {
    "sdr_engine": dict(COLS=2, LANES=4, GROUP=16),
    "int8_engine": dict(COLS=2, LANES=4),
    "int4_engine": dict(COLS=2, LANES=4),
}


@pytest.mark.parametrize("module", ENGINES)
def test_an_engine_equals_amaranth_and_the_model_every_cycle(module):
    """Tiles with bubbles, one cut short by a reset, then another: the native testbench, the
    Amaranth simulation and the cycle model agree every cycle, and with the golden model."""
    unit = elaborated(build(module, **ENGINES[module]))
    rng = np.random.default_rng(13)
    if module == "sdr_engine":
        make = lambda: sdr_engine_case(unit, rng, m=3, groups=2)  # noqa: E731
    else:
        make = lambda: int_engine_case(unit, rng, m=3, beats=3)  # noqa: E731
    first = with_bubbles(make(), rng, 0.5)
    stream = {port: values[: first.cycles // 2] for port, values in first.stream.items()}
    stream["in_last"] = np.zeros_like(stream["in_last"])  # a dot product cut short
    cut = MacBeats(stream, first.expected[:0])
    beats = drained(reset_between(cut, with_bubbles(make(), rng, 0.5)), unit.LATENCY)
    got = rtl_native.simulate(unit, beats.stream)
    assert_same_outputs(got, rtl_amaranth.simulate(unit, beats.stream), 13)
    assert_same_outputs(got, cycle_model(unit, beats.stream), 13)
    check = check_stream(got, beats.stream, beats.expected, unit.LATENCY)
    assert check.passed and check.results == 3, check


def test_a_rap_unit_equals_amaranth():
    unit = elaborated(build("int_gelu", **RAP_BENCHES["int_gelu"]))
    rng = np.random.default_rng(3)
    cycles = 300
    stream = {
        "x": rng.integers(-(1 << 15), 1 << 15, (cycles, 4)),
        "e": np.full(cycles, -10),
        "in_valid": rng.integers(0, 2, cycles),
        "in_last": rng.integers(0, 2, cycles),
        "rst": (np.arange(cycles) == 150).astype(np.int64),
    }
    assert_same_outputs(rtl_native.simulate(unit, stream), rtl_amaranth.simulate(unit, stream), 3)


def test_long_llm_stream_on_the_16_lane_sdr_mac_equals_the_model():
    """A stream longer than several pack chunks (chunk borders inside dot products)."""
    unit = elaborated(build("sdr_mac", LANES=16))
    gemm = qrazor_gemm(llm_workload(8, 4096, 40, seed=2), 16)
    beats = drained(sdr_mac_beats(gemm.a, gemm.w, 16, golden_product(gemm, 32)), unit.LATENCY)
    assert beats.cycles > 2 * rtl_native.CHUNK_CYCLES
    assert_same_outputs(rtl_native.simulate(unit, beats.stream), cycle_model(unit, beats.stream), 2)


def test_vcd_records_the_run(tmp_path):
    unit = configured("sdr_encoder")
    beats = stream_with_reset(unit, seed=8)
    vcd_path = tmp_path / "run.vcd"
    outputs = get_backend("verilator")(unit, beats.stream, vcd_path=vcd_path)
    assert_same_outputs(outputs, rtl_amaranth.simulate(unit, beats.stream), seed=8)
    pulses = np.count_nonzero(np.diff(outputs["out_valid"], prepend=0) == 1)
    assert pulses > 1
    assert _values(vcd_path, "TOP.out_valid").count(1) == pulses
    assert not list(tmp_path.glob("*.partial"))


def test_bad_streams_and_failed_runs_are_refused(monkeypatch, tmp_path):
    unit = configured("int8_mac")
    beats = drained(stream_with_reset(unit, 9), unit.LATENCY)
    with pytest.raises(ValueError, match="stream has no entry for input port 'w'"):
        rtl_native.simulate(unit, {p: v for p, v in beats.stream.items() if p != "w"})
    short = dict(beats.stream, a=beats.stream["a"][:, :2])
    with pytest.raises(ValueError, match=r"stream\['a'\] must have shape"):
        rtl_native.simulate(unit, short)
    build_ = rtl_native.compiled(unit)
    broken = tmp_path / "tb"
    broken.write_text("#!/bin/sh\necho 'input ends at cycle 0' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(rtl_native, "compiled", lambda *a, **k: type(build_)(broken, False))
    with pytest.raises(RuntimeError, match=r"native Verilator run of int8_mac failed \(3\)"):
        rtl_native.simulate(unit, beats.stream)
