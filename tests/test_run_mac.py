"""python -m sim.run_mac: the table, the JSON, the checks and the errors."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from sim import run_mac
from sim.verify import mac_runs
from sim.verify.backends import get_backend

SMALL = ["--m", "2", "--k", "64", "--n", "3", "--lanes", "4"]


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "sim.run_mac", *args], capture_output=True, text=True, check=False
    )


def test_default_units_match_the_golden_model(tmp_path):
    result = run_cli(*SMALL, "--json", str(tmp_path / "run.json"))
    assert result.returncode == 0, result.stderr
    for unit in ("sdr_mac", "int8_mac", "decompress_mac"):
        assert unit in result.stdout
    record = json.loads((tmp_path / "run.json").read_text())
    assert [u["unit"] for u in record["units"]] == ["sdr_mac", "int8_mac", "decompress_mac"]
    for unit in record["units"]:
        assert unit["mismatches"] == 0 and unit["results"] == 6
        assert unit["macs"] == 2 * 64 * 3
        assert (
            unit["latency_cycles"]
            == {"sdr_mac": 6, "int8_mac": 4, "decompress_mac": 5}[unit["unit"]]
        )
    sdr, int8 = record["units"][0], record["units"][1]
    assert sdr["a_bits_per_element"] == 4.25 and int8["a_bits_per_element"] == 8


def test_json_is_byte_identical_and_timing_is_kept_apart(tmp_path):
    for name in ("a", "b"):
        assert run_mac.main([*SMALL, "--json", str(tmp_path / f"{name}.json")]) == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert "timing" not in json.loads((tmp_path / "a.json").read_text())
    assert run_mac.main([*SMALL, "--timing", "--json", str(tmp_path / "t.json")]) == 0
    timed = json.loads((tmp_path / "t.json").read_text())
    timing = timed.pop("timing")
    assert set(timing) == {unit["unit"] for unit in timed["units"]}
    assert all(t["seconds"] > 0 and t["simulated_cycles_per_second"] > 0 for t in timing.values())
    assert timed == json.loads((tmp_path / "a.json").read_text())


def test_amaranth_backend_and_waveforms(tmp_path):
    args = [
        "--m",
        "1",
        "--k",
        "32",
        "--n",
        "2",
        "--lanes",
        "4",
        "--backend",
        "amaranth",
        "--units",
        "sdr_mac",
        "int8_mac",
        "--vcd",
        str(tmp_path / "w.vcd"),
    ]
    assert run_mac.main(args) == 0
    for unit in ("sdr_mac", "int8_mac"):
        assert "$enddefinitions" in (tmp_path / f"w_{unit}.vcd").read_text()


def test_loaded_matrices(tmp_path):
    rng = np.random.default_rng(1)
    np.save(tmp_path / "a.npy", rng.standard_normal((2, 32)))
    np.save(tmp_path / "w.npy", rng.standard_normal((3, 32)))
    assert (
        run_mac.main(
            [
                "--activations",
                str(tmp_path / "a.npy"),
                "--weights",
                str(tmp_path / "w.npy"),
                "--lanes",
                "4",
            ]
        )
        == 0
    )


def test_a_mismatch_exits_1_and_names_the_first_cycle(monkeypatch, capsys):
    model = get_backend("model")

    def broken(unit, stream, vcd_path=None, progress=None):
        outputs = model(unit, stream)
        if unit.MODULE_NAME == "int8_mac":
            first = np.flatnonzero(outputs["out_valid"])[1]
            outputs["out"] = outputs["out"].copy()
            outputs["out"][first] += 1
        return outputs

    monkeypatch.setattr(mac_runs, "get_backend", lambda name: broken)
    assert run_mac.main(SMALL) == 1
    err = capsys.readouterr().err
    assert "MISMATCH int8_mac: 1 of 6 results" in err and "'result': 1" in err
    assert "'row': 0, 'column': 1" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--k", "100"], "error: k must be a multiple of the group size 16, not 100"),
        (["--lanes", "3"], "error: --lanes must be a power of two, not 3"),
        (["--lanes", "32"], r"error: --group 16 must be a multiple of --lanes 32"),
        (
            ["--units", "sdr_mac", "sdr_mac"],
            r"error: argument --units: sdr_mac given twice \(see --help\)",
        ),
        (
            ["--activations", "x.npz", "--weights", "w.npy"],
            r"error: --activations x.npz: give a .npy file \(numpy.save\), not .npz",
        ),
        (
            ["--activations", "x.npy", "--weights", "w.npy", "--m", "8"],
            r"error: --m: not used with --activations \(the shape is the files'\)",
        ),
        (["--activations", "x.npy"], "error: --activations and --weights go together"),
        (["--lanes", "0"], r"error: --lanes must be in \[1, 128\], not 0"),
        (
            ["--m", "100000000", "--k", "100000"],
            r"error: --m 100000000 --k 100000 --n 64 would need about 74,553.5 GiB for the "
            r"operands and product alone \(the limit is 8 GiB\)",
        ),
        (
            ["--json", "no/such/folder/run.json"],
            "error: --json no/such/folder/run.json: folder no/such/folder does not exist",
        ),
        (["--timing"], r"error: --timing adds to the --json file: give --json PATH too"),
        (
            ["--vcd", "w.vcd"],
            r"error: --vcd needs an RTL backend \(amaranth, verilator, cocotb-verilator, "
            r"cocotb-icarus\), not --backend model",
        ),
    ],
)
def test_usage_errors_are_one_line(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.fullmatch(message, lines[0]), result.stderr


def test_pickled_or_bad_npy_is_refused(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(tmp_path / "nan.npy", np.full((2, 32), np.nan))
    np.save(tmp_path / "ok.npy", np.ones((2, 32)))
    np.save(tmp_path / "complex.npy", np.ones((2, 32)) * (1 + 1j))
    for bad, reason in (
        ("obj.npy", "cannot read"),
        ("nan.npy", "NaN or infinity"),
        ("complex.npy", "real numbers (integer or float), got complex128"),
    ):
        result = run_cli(
            "--activations", str(tmp_path / bad), "--weights", str(tmp_path / "ok.npy")
        )
        assert result.returncode == 2 and reason in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("acc_bits", [2, 22, 23])
def test_minimum_acc_bits_is_stated_the_same_whatever_is_asked(acc_bits):
    """Issue 23: the narrowest --acc-bits of the units asked, one statement (not the first unit
    that fails)."""
    result = run_cli(*SMALL, "--acc-bits", str(acc_bits))
    assert result.returncode == 2
    assert result.stderr.startswith("error: --acc-bits must be at least 24 for --units sdr_mac ")
    assert result.stderr.strip().endswith(f"not {acc_bits}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_wrapping_accumulator_is_flagged(tmp_path):
    """--acc-bits 24 at K=4096 wraps some dot products: the table, the JSON and one warning per
    unit say so."""
    result = run_cli(
        "--m",
        "4",
        "--k",
        "4096",
        "--n",
        "8",
        "--acc-bits",
        "24",
        "--units",
        "sdr_mac",
        "--json",
        str(tmp_path / "run.json"),
    )
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "run.json").read_text())
    wrapped = record["units"][0]["accumulator_wrapped"]
    assert wrapped > 0
    assert f"{wrapped} / 32" in result.stdout and "acc wrapped" in result.stdout
    assert re.match(
        r"warning: sdr_mac: \d+ of 32 dot products overflow --acc-bits 24", result.stderr
    )


def test_int4_mac_runs_and_the_table_names_the_pipelining():
    result = run_cli(*SMALL, "--units", "int4_mac")
    assert result.returncode == 0, result.stderr
    assert "int4_mac" in result.stdout and "W4A4" in result.stdout
    assert "PIPELINE=all" in result.stdout and "latency (cycles)" in result.stdout


def test_synth_headline_names_library_clock_and_pipelining():
    """run_mac --synth prints what synth.report.headline priced beside its figures."""
    from rich.console import Console

    from sim.run_mac import render_headline
    from synth.report.headline import priced_text

    run = {
        "rows": [],
        "library": "osu018_stdcells",
        "clock_mhz": 100.0,
        "netlists": {"sdr_mac_L4": {"design": "sdr_mac", "PIPELINE": "none", "LATENCY": 2}},
    }
    headline = {**run, "priced": priced_text(run), "titles": ["LANES"], "cells": []}
    console = Console(width=200, record=True)
    console.print(render_headline(headline))
    text = console.export_text()
    assert "osu018_stdcells at 100 MHz" in text
    assert "sdr_mac_L4 PIPELINE=none LATENCY=2" in text
