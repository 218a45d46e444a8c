"""Issue 23 item 7: mistaken invocations of every CLI end with exactly one line on stderr, the
stated exit status, no traceback and no new file.

Each case runs the CLI's ``main(argv)`` in-process (a usage error raises ``SystemExit`` from
argparse, a refused value returns 2) in an empty working folder; every path the case names
lies in that folder, so a file written anywhere there is seen. :data:`CASES` holds the count the
closing note of issue 23 quotes.
"""

import importlib
import os
import re
import signal
from pathlib import Path

import numpy as np
import pytest

from sim.util.cli import INTERRUPTED, TERMINATED, UsageParser, cli_main

#: ``(module, argv)``: each is refused with exit status 2.
CASES = [
    # python -m sim.run_mac
    ("sim.run_mac", ["--backend", "nope"]),
    ("sim.run_mac", ["--units", "int16_mac"]),
    ("sim.run_mac", ["--units", "sdr_mac", "sdr_mac"]),
    ("sim.run_mac", ["--units"]),
    ("sim.run_mac", ["--m", "0"]),
    ("sim.run_mac", ["--m", "four"]),
    ("sim.run_mac", ["--lanes", "3"]),
    ("sim.run_mac", ["--lanes", "32"]),
    ("sim.run_mac", ["--lanes", "0"]),
    ("sim.run_mac", ["--group", "7"]),
    ("sim.run_mac", ["--acc-bits", "22"]),
    ("sim.run_mac", ["--acc-bits", "23"]),
    ("sim.run_mac", ["--acc-bits", "99"]),
    ("sim.run_mac", ["--activations", "x.npz", "--weights", "w.npz"]),
    ("sim.run_mac", ["--activations", "a.npy", "--weights", "w.npy", "--m", "4"]),
    ("sim.run_mac", ["--activations", "a.npy"]),
    ("sim.run_mac", ["--activations", "missing.npy", "--weights", "missing_w.npy"]),
    ("sim.run_mac", ["--activations", "text.npy", "--weights", "text.npy"]),
    ("sim.run_mac", ["--json", "no/such/folder/run.json"]),
    ("sim.run_mac", ["--timing"]),
    ("sim.run_mac", ["--vcd", "w.vcd"]),
    ("sim.run_mac", ["--m", "100000000", "--k", "100000"]),
    ("sim.run_mac", ["--no-such-option"]),
    # python -m hw.export
    ("hw.export", []),
    ("hw.export", ["nope"]),
    ("hw.export", ["sdr_mac", "--lanes", "3", "-o", "out"]),
    ("hw.export", ["sdr_mac", "--acc-bits", "12", "-o", "out"]),
    ("hw.export", ["sdr_encoder", "--lanes", "4", "-o", "out"]),
    ("hw.export", ["int8_mac", "--prefix", "9bad", "-o", "out"]),
    ("hw.export", ["int8_mac", "--prefix", "a-b", "-o", "out"]),
    ("hw.export", ["sdr_mac", "--lanes", "x", "-o", "out"]),
    # python -m sim.run_model
    ("sim.run_model", ["--workloads", "nope"]),
    ("sim.run_model", ["--engines", "nope"]),
    ("sim.run_model", ["--backend", "icarus"]),
    ("sim.run_model", ["--cols", "many"]),
    ("sim.run_model", ["--workloads", "minilm", "--seq-len", "100"]),
    ("sim.run_model", ["--workloads", "prefill", "--batch", "3"]),
    ("sim.run_model", ["--workloads", "minilm", "--sentences", "30"]),
    # python -m sim.accuracy
    ("sim.accuracy", ["--workload", "nope"]),
    ("sim.accuracy", ["--groups", "5"]),
    ("sim.accuracy", ["--layers", "x"]),
    # python -m sim.regress
    ("sim.regress", []),
    ("sim.regress", ["-o", "out", "--units", "nope"]),
    ("sim.regress", ["-o", "out", "--vectors", "many"]),
    ("sim.regress", ["-o", "out", "--chunk", "1000000000"]),
    # python -m synth.report
    ("synth.report", ["--lanes", "many"]),
    ("synth.report", ["--designs", "nope"]),
    ("synth.report", ["--clock-mhz", "fast"]),
    ("synth.report", ["--lanes", "3", "-o", "out"]),
    ("synth.report", ["--generic", "--streams", "4", "-o", "out"]),
    # python -m synth.sweep
    ("synth.sweep", ["--workers", "x"]),
    ("synth.sweep", ["--workers", "0", "-o", "out"]),
    ("synth.sweep", ["--scheduler", " ", "-o", "out"]),
    # python -m synth.formal
    ("synth.formal", []),
    ("synth.formal", ["-o", "out", "--pipelines", "nope"]),
    ("synth.formal", ["-o", "out", "--time-limit", "0"]),
    # python -m synth.fpga
    ("synth.fpga", ["--designs", "nope"]),
    ("synth.fpga", ["--devices", "nope"]),
    ("synth.fpga", ["--lanes", "x"]),
    # python -m sim.rap (sub-commands accuracy, compare, pim)
    ("sim.rap", []),
    ("sim.rap", ["nope"]),
    ("sim.rap", ["compare", "--nope"]),
    ("sim.rap", ["pim", "--rows", "x"]),
    ("sim.rap", ["accuracy", "--seed", "x"]),
    ("sim.rap", ["compare", "--workload", "synthetic", "--sentences", "9"]),
    # a value given twice to a list option (UsageParser), in every CLI that has one
    ("sim.rap", ["pim", "--adc-bits", "3", "3"]),
    ("synth.report", ["--lanes", "4", "4"]),
    ("synth.fpga", ["--lanes", "4", "4"]),
    ("sim.accuracy", ["--groups", "16", "16"]),
    ("synth.formal", ["-o", "out", "--pipelines", "none", "none"]),
    ("sim.regress", ["-o", "out", "--units", "int4_mac_L16", "int4_mac_L16"]),
    ("synth.sweep", ["--liberty", "a.lib", "a.lib"]),
    ("sim.run_model", ["--workloads", "decode", "decode"]),
    # output paths through a file, refused before any work
    ("sim.accuracy", ["-o", "text.npy/out"]),
    ("hw.export", ["sdr_mac", "-o", "text.npy"]),
    ("sim.regress", ["-o", "text.npy"]),
    ("sim.run_mac", ["--vcd", "text.npy/w.vcd", "--backend", "amaranth"]),
    ("sim.rap", ["compare", "-o", "text.npy"]),
    # python -m synth.report.headline (what run_mac --synth runs)
    ("synth.report.headline", ["--lanes", "x"]),
]

#: Where each CLI's ``main`` lives.
MAINS = {
    "sim.accuracy": "sim.accuracy.__main__",
    "sim.rap": "sim.rap.__main__",
    "synth.report": "synth.report.cli",
    "synth.sweep": "synth.sweep.cli",
    "synth.formal": "synth.formal.cli",
    "synth.fpga": "synth.fpga.cli",
}


def _files(folder):
    return sorted(
        os.path.relpath(os.path.join(root, name), folder)
        for root, dirs, names in os.walk(folder)
        for name in dirs + names
    )


def invoke(module, argv, capsys):
    """``(exit status, stderr)`` of ``module``'s ``main(argv)`` run in-process."""
    main = importlib.import_module(MAINS.get(module, module)).main
    capsys.readouterr()
    try:
        status = main(list(argv))
    except SystemExit as stop:
        status = stop.code
    return status, capsys.readouterr().err


def test_at_least_forty_cases_across_every_cli():
    assert len(CASES) >= 40
    assert {module for module, _ in CASES} >= {
        "sim.run_mac",
        "hw.export",
        "sim.run_model",
        "sim.accuracy",
        "sim.regress",
        "synth.report",
        "synth.sweep",
        "synth.formal",
        "synth.fpga",
        "sim.rap",
    }


@pytest.mark.parametrize(
    "module, argv", CASES, ids=[f"{m}:{' '.join(a) or '(none)'}" for m, a in CASES]
)
def test_bad_invocation_is_one_line(module, argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "a.npy", np.ones((2, 32), np.float32))
    np.save(tmp_path / "w.npy", np.ones((3, 32), np.float32))
    (tmp_path / "text.npy").write_text("not an array")
    (tmp_path / "x.npz").write_bytes(b"PK")
    before = _files(tmp_path)
    status, err = invoke(module, argv, capsys)
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    assert ".tmp" not in lines[0] and ".partial" not in lines[0]
    assert _files(tmp_path) == before


HELPS = [
    *((module, []) for module in sorted({module for module, _ in CASES}) if module != "sim.rap"),
    *(("sim.rap", [command]) for command in ("accuracy", "compare", "pim")),
]


@pytest.mark.parametrize("module, command", HELPS, ids=[f"{m} {' '.join(c)}" for m, c in HELPS])
def test_help_states_each_default_once_as_typed(module, command, capsys):
    """``--help`` exits 0 with usage; no option's help names its default twice, says
    "(default: None)", or shows a list default as a Python list."""
    main = importlib.import_module(MAINS.get(module, module)).main
    try:
        status = main([*command, "--help"])
    except SystemExit as stop:
        status = stop.code
    text = capsys.readouterr().out
    assert status == 0 and text.startswith("usage: ")
    for entry in re.split(r"\n  (?=-)", text):
        flat = " ".join(entry.split())
        assert flat.lower().count("default") <= 1, flat
        assert "(default: None)" not in flat and "default: [" not in flat, flat


def test_help_is_argparse_usage(capsys):
    parser = UsageParser(prog="x")
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(["--help"])
    assert stop.value.code == 0 and capsys.readouterr().out.startswith("usage: x")


@pytest.mark.parametrize(
    "signum, status, word",
    [(signal.SIGINT, INTERRUPTED, "interrupted"), (signal.SIGTERM, TERMINATED, "terminated")],
)
def test_a_signal_ends_with_one_line_and_cleans_up(signum, status, word, tmp_path, capsys):
    """SIGINT / SIGTERM during a run: exit 130 / 143, one line, the staging folder removed by the
    run's own clean-up (as synth.report's and synth.formal's *.partial), handlers put back."""
    staging = tmp_path / "out.partial"
    before = signal.getsignal(signal.SIGTERM)

    @cli_main
    def main(argv=None):
        staging.mkdir()
        try:
            os.kill(os.getpid(), signum)
            raise AssertionError("the signal did not stop the run")
        except BaseException:
            import shutil

            shutil.rmtree(staging, ignore_errors=True)
            raise

    assert main([]) == status
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(word)
    assert not staging.exists() and not any(tmp_path.iterdir())
    assert signal.getsignal(signal.SIGTERM) is before


def test_run_mac_sigterm_in_a_real_run(tmp_path):
    """A real ``python -m sim.run_mac`` run sent SIGTERM mid-simulation: exit 143, one line, no
    traceback, no JSON or temporary file left."""
    import subprocess
    import sys
    import time

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim.run_mac",
            "--m",
            "64",
            "--k",
            "4096",
            "--n",
            "512",
            "--json",
            str(tmp_path / "run.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    time.sleep(6)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == TERMINATED, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("terminated"), err
    assert not any(tmp_path.iterdir())


def test_formal_list_needs_no_output_folder(tmp_path, monkeypatch, capsys):
    """``python -m synth.formal --list`` names the proofs without ``-o`` (docs/formal.md)."""
    monkeypatch.chdir(tmp_path)
    status, _ = invoke("synth.formal", ["--list"], capsys)
    assert status == 0 and not any(tmp_path.iterdir())


def _sleeper(path):
    """A worker task that starts a tool (``sleep``) and records its pid."""
    import subprocess

    tool = subprocess.Popen(["sleep", "60"])
    path.write_text(str(tool.pid))
    tool.wait()


def test_an_interrupted_pool_stops_its_workers_and_their_tools(tmp_path):
    """sim.util.pool.process_pool (synth.report, synth.formal, synth.fpga): on an interrupt every
    worker and the tool it started are gone before the exception leaves the ``with``, so the
    caller's *.partial clean-up is not raced."""
    import time

    from sim.util.pool import process_pool

    marker = tmp_path / "pid"
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        with process_pool(1) as pool:
            pool.submit(_sleeper, marker)
            while not marker.exists() or not marker.read_text():
                time.sleep(0.05)
            workers = list(pool._processes.values())
            raise KeyboardInterrupt
    assert time.monotonic() - start < 30
    assert all(not worker.is_alive() for worker in workers)
    tool = Path(f"/proc/{int(marker.read_text())}/stat")
    time.sleep(0.2)
    # gone, or a zombie waiting for its new parent to reap it (state Z)
    assert not tool.exists() or tool.read_text().rsplit(")", 1)[1].split()[0] == "Z"
