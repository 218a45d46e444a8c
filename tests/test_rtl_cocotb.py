"""The exported Verilog under cocotb, the Amaranth simulation and the cycle model agree every cycle.

Units use the configurations of test_cocotb_benches.py, so the compiled models are shared.
"""

import numpy as np
import pytest
import pywellen
from test_cocotb_benches import CONFIGS, configured, needs_icarus

from sim.cycle_models import simulate as cycle_model
from sim.golden import int_matmul
from sim.verify import rtl_amaranth, rtl_cocotb
from sim.verify.checker import check_stream
from sim.verify.stimulus import encoder_case, sdr_case
from sim.verify.streams import MacBeats, drained, int_mac_beats, reset_between, with_bubbles


def _case(unit, rng):
    """A short random stream for ``unit`` with its golden results."""
    if unit.MODULE_NAME == "sdr_encoder":
        bits = unit.parameters["BASE_BITS"]
        x = rng.integers(-(1 << (bits - 1)), 1 << (bits - 1), size=(6, unit.parameters["GROUP"]))
        return encoder_case(unit, x >> rng.integers(0, bits, size=(6, 1)))
    if unit.MODULE_NAME in ("int8_mac", "int4_mac"):
        top = 8 if unit.MODULE_NAME == "int4_mac" else 128
        a, w = rng.integers(-top, top, size=(2, 16)), rng.integers(-top, top, size=(3, 16))
        return int_mac_beats(
            a, w, unit.parameters["LANES"], int_matmul(a, w, unit.parameters["ACC_BITS"])
        )
    return sdr_case(unit, rng, m=2, n=2, groups=2)


def stream_with_reset(unit, seed):
    """Two bubbly parts with a reset between them, the first cut in the middle of its work."""
    rng = np.random.default_rng(seed)
    first = with_bubbles(_case(unit, rng), rng, 0.5)
    stream = {port: values[: first.cycles // 2] for port, values in first.stream.items()}
    if "in_last" in stream:
        stream["in_last"] = np.zeros_like(stream["in_last"])  # a dot product cut short
    done = np.count_nonzero(stream["in_valid"] & stream.get("in_last", 1))
    cut = MacBeats(stream, first.expected[:done])
    return drained(reset_between(cut, with_bubbles(_case(unit, rng), rng, 0.5)), unit.LATENCY)


def assert_same_outputs(got, want, seed):
    assert got.keys() == want.keys()
    for port in want:
        assert np.shape(got[port]) == np.shape(want[port]), port
        differ = np.flatnonzero(np.any((got[port] != want[port]).reshape(len(got[port]), -1), 1))
        assert not len(differ), (
            f"seed {seed}: {port} differs first at cycle {differ[0]}: "
            f"{got[port][differ[0]]} vs {want[port][differ[0]]}"
        )


#: Every unit on Icarus, ``sdr_mac`` also on Verilator (the builds test_cocotb_benches.py makes).
RUNS = [
    ("sdr_mac", "verilator"),
    *(pytest.param(module, "icarus", marks=needs_icarus) for module in CONFIGS),
]


@pytest.mark.parametrize("module, simulator", RUNS)
def test_same_outputs_as_amaranth_and_the_model_every_cycle(module, simulator):
    unit = configured(module)
    beats = stream_with_reset(unit, seed=7)
    got = rtl_cocotb.simulate(unit, beats.stream, simulator)
    assert_same_outputs(got, rtl_amaranth.simulate(unit, beats.stream), seed=7)
    assert_same_outputs(got, cycle_model(unit, beats.stream), seed=7)
    check = check_stream(
        got, beats.stream, beats.expected, unit.LATENCY, is_mac=module != "sdr_encoder"
    )
    assert check.passed and check.results > 0, check


def _values(vcd_path, name):
    """Successive values of signal ``name`` (``scope.signal``) in a waveform file."""
    signal = next(
        var for var in pywellen.Waveform(str(vcd_path)).all_vars() if var.full_name == name
    ).signal
    return [signal[index][1] for index in range(len(signal))]


@pytest.mark.parametrize(  # Verilator's VCD: test_rtl_native.py
    "simulator", [pytest.param("icarus", marks=needs_icarus)]
)
def test_vcd_records_the_run(simulator, tmp_path):
    unit = configured("sdr_encoder")
    beats = stream_with_reset(unit, seed=8)
    vcd_path = tmp_path / "run.vcd"
    outputs = rtl_cocotb.simulate(unit, beats.stream, simulator, vcd_path=vcd_path)
    assert_same_outputs(outputs, rtl_amaranth.simulate(unit, beats.stream), seed=8)
    pulses = np.count_nonzero(np.diff(outputs["out_valid"], prepend=0) == 1)
    assert pulses > 1
    values = _values(vcd_path, "sdr_encoder.out_valid")  # a change per VCD entry
    assert values.count(1) == pulses, values


def test_stream_without_reset_column_starts_from_reset():
    unit = configured("sdr_mac")  # the one unit compiled for cocotb on Verilator (RUNS)
    beats = drained(_case(unit, np.random.default_rng(9)), unit.LATENCY)
    assert "rst" not in beats.stream
    assert_same_outputs(
        rtl_cocotb.simulate(unit, beats.stream), rtl_amaranth.simulate(unit, beats.stream), seed=9
    )


def test_second_build_is_cached(monkeypatch):
    unit = configured("sdr_mac")
    first = rtl_cocotb.compiled(unit)

    def no_runner(*_):
        raise AssertionError("compiled() ran the runner for a cached build")

    monkeypatch.setattr("cocotb_tools.runner.get_runner", no_runner)
    assert rtl_cocotb.compiled(configured("sdr_mac")) == first


def test_refuses_bad_arguments():
    unit = configured("sdr_encoder")
    beats = encoder_case(unit, np.zeros((2, 16), np.int64))
    with pytest.raises(ValueError, match="simulator must be one of 'verilator', 'icarus'"):
        rtl_cocotb.simulate(unit, beats.stream, "modelsim")
    with pytest.raises(ValueError, match="no entry for input port 'x'"):
        rtl_cocotb.simulate(unit, {"in_valid": beats.stream["in_valid"]})
    with pytest.raises(ValueError, match=r"stream\['x'\] must have shape \(2, 16\)"):
        rtl_cocotb.simulate(unit, {**beats.stream, "x": beats.stream["x"][:, :8]})


def test_missing_simulator_names_the_install_command(monkeypatch):
    monkeypatch.setattr(rtl_cocotb, "find_tool", lambda name: None)
    with pytest.raises(rtl_cocotb.SimulatorMissing, match="apt-get install iverilog"):
        rtl_cocotb.compiled(configured("sdr_encoder"), "icarus")
