"""``python -m sim.regress`` in a CI-sized run: every engine checks every result, a finished
seed is not run twice, a wrong engine is caught with the seed to rerun, bad options exit 2."""

import json

import numpy as np
import pytest

import sim.regress
import sim.verify.regression


@pytest.fixture(scope="module")
def regress():
    return sim.regress


SMALL = [
    *("--vectors", "12000", "--chunk", "6000"),
    *("--bench-vectors", "300", "--bench-transactions", "100"),
]


def test_small_run_checks_everything_and_resumes(regress, tmp_path, capsys, progress_log):
    out = tmp_path / "run"
    # One unit, whose native and cocotb builds the suite's other tests share (test_rtl_native,
    # test_cocotb_benches), so that the run adds no compilation to the suite.
    units = ["--units", "int_layernorm_L4"]
    assert regress.main(["-o", str(out), *units, *SMALL]) == 0
    assert list(progress_log.tasks) == ["int_layernorm_L4 (beats)"] and progress_log.finished()
    rows = {
        (r["unit"], r["engine"]): r for r in json.loads((out / "regress.json").read_text())["rows"]
    }
    assert set(rows) == {
        ("int_layernorm_L4", engine) for engine in ("model", "verilator", "cocotb")
    }
    for (_, engine), row in rows.items():
        assert row["mismatches"] == 0 and row["results"] > 0, row
        if engine == "cocotb":  # seed after seed until 300 beats were driven
            assert row["vectors"] >= 300 and row["coverage_holes"] == 0, row
        else:
            assert row["seeds"] == 2 and row["vectors"] >= 10_000, row
    runs = (out / "runs.jsonl").read_text()
    assert "| int_layernorm_L4 | verilator | 2 |" in (out / "regress.md").read_text()
    capsys.readouterr()
    assert regress.main(["-o", str(out), *units, *SMALL]) == 0  # resumed: nothing left to run
    assert (out / "runs.jsonl").read_text() == runs
    assert " seed " not in capsys.readouterr().out  # no run was announced


def test_a_wrong_engine_is_caught_with_its_seed(regress, tmp_path, monkeypatch, capsys):
    real = sim.verify.regression.get_backend

    def off_by_one(name):
        def simulate(unit, stream, **options):
            outputs = real(name)(unit, stream, **options)
            outputs["out"] = outputs["out"] + (np.arange(len(outputs["out"])) == 500)
            return outputs

        return simulate

    monkeypatch.setattr(sim.verify.regression, "get_backend", off_by_one)
    args = ["-o", str(tmp_path / "bad"), "--units", "int8_mac_L16", "--engines", "model"]
    assert regress.main([*args, *SMALL]) == 1
    err = capsys.readouterr().err
    assert "FAILED int8_mac_L16 on model: rerun with --first-seed 0" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--vectors", "0"], "--vectors must be at least 1"),
        (["--units", "sdr_mux"], "invalid choice: 'sdr_mux'"),
    ],
)
def test_bad_options_exit_2(regress, tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as stop:
        regress.main(["-o", str(tmp_path / "x"), *args])
    assert stop.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
