"""python -m synth.report: the headline, the encoder shared by C columns, the written files,
determinism, the libraries it finds, the generic mode and refused arguments."""

import json

import pytest

from sim.util.tools import find_tool
from synth.library.liberty import default_liberty
from synth.quantity import Quantity
from synth.report.cli import default_libraries, main
from synth.report.headline import NO_HEADLINE, encoder_amortised, format_headline, headline

LIBERTY = default_liberty()
FULL_FLOW = LIBERTY is not None and find_tool("sta") is not None
FILES = ("report.json", "report.csv", "report.md")


def _q(value, unit):
    return Quantity(value, unit, "test")


def _record(design, lanes, area, power, energy, fmax, sqnr=None):
    return {
        "design": design,
        "parameters": {"LANES": lanes},
        "area": {"total": _q(area, "um^2")},
        "power": {
            "gate_level": {"total": _q(power, "mW")},
            "energy_per_operation": _q(energy, "pJ/MAC"),
        },
        "timing": {"fmax": _q(fmax, "MHz"), "meets_clock": True, "clock_period": _q(10, "ns")},
        "accuracy": {"sqnr_db": _q(sqnr, "dB")} if sqnr else None,
    }


def test_headline_ratios_and_reductions():
    rows = headline(
        [
            _record("sdr_mac", 4, 40.0, 3.0, 1.5, 200.0, 16.0),
            _record("int8_mac", 4, 100.0, 6.0, 3.0, 100.0, 30.0),
            _record("decompress_mac", 4, 80.0, 4.0, 2.0, 250.0, 16.0),
        ]
    )
    assert [row["baseline"] for row in rows] == ["int8_mac", "decompress_mac"]
    assert rows[0]["area_ratio"] == pytest.approx(0.4)
    assert rows[0]["area_reduction"] == pytest.approx(0.6)
    assert rows[0]["power_reduction"] == pytest.approx(0.5)
    assert rows[0]["energy_per_mac_reduction"] == pytest.approx(0.5)
    assert rows[0]["opensta_power_reduction"] is None
    assert rows[0]["sqnr_db"] == (16.0, 30.0)
    assert rows[1]["fmax_ratio"] == pytest.approx(0.8)
    titles, texts = format_headline(rows)
    assert len(titles) == len(texts[0])
    assert texts[0][2] == "0.400" and texts[0][3] == "60.0 %" and texts[0][6] == "n/a"
    assert texts[0][-1] == "16.0 / 30.0"


def test_the_encoder_is_shared_by_c_columns():
    encoder = _record("sdr_encoder", None, 64.0, 8.0, 0.5, 300.0)
    encoder["parameters"] = {"GROUP": 16}
    rows = encoder_amortised(
        [
            _record("sdr_mac", 16, 40.0, 4.0, 2.5, 200.0),
            _record("int8_mac", 16, 200.0, 16.0, 10.0, 200.0),
            encoder,
        ],
        columns=(1, 16),
    )
    assert [row["columns"] for row in rows] == [1, 16]
    assert rows[0]["area"] == 104.0 and rows[1]["area"] == 44.0
    assert rows[1]["power_mw"] == pytest.approx(4.5)
    assert rows[1]["energy_per_mac_pj"] == pytest.approx(4.5e-3 * 10e-9 / 16 * 1e12)
    assert rows[0]["area_reduction"] == pytest.approx(1 - 104 / 200)


def test_default_libraries_skip_a_missing_one_with_its_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("QRAZOR_IHP_LIBERTY", str(tmp_path / "missing.lib"))
    present, skipped = default_libraries()
    assert ("IHP SG13G2", f"no Liberty at {tmp_path / 'missing.lib'} (set QRAZOR_IHP_LIBERTY)") in (
        skipped
    )
    assert all(path.is_file() for path in present)


def _report(out, *extra):
    argv = [
        "--lanes",
        "1",
        "--designs",
        "sdr_mac",
        "int8_mac",
        "--seeds",
        "1",
        "--streams",
        "4",
        "--beats",
        "16",
        "--jobs",
        "1",
        "-o",
        str(out),
        *extra,
    ]
    assert main(argv) == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder, json.loads((folder / "report.json").read_text())


@pytest.mark.skipif(not FULL_FLOW, reason="needs the OSU 0.18 um Liberty and OpenSTA")
def test_report_files_are_complete_and_the_same_bytes_twice(tmp_path):
    folder, report = _report(tmp_path / "a", "--liberty", str(LIBERTY))
    again, _ = _report(tmp_path / "b", "--liberty", str(LIBERTY))
    names = FILES + tuple(p.name for p in folder.glob("*.png"))
    assert len(names) > len(FILES)
    for name in names:
        assert (folder / name).read_bytes() == (again / name).read_bytes(), name
    assert (tmp_path / "a" / "summary.json").read_bytes() == (
        tmp_path / "b" / "summary.json"
    ).read_bytes()
    assert [u["tag"] for u in report["units"]] == ["sdr_mac_L1", "int8_mac_L1"]
    assert [row["baseline"] for row in report["headline"]] == ["int8_mac"]
    unit = report["units"][0]
    assert (
        unit["area"]["total"]["value"] > 0 and (folder / unit["area"]["total"]["source"]).is_file()
    )
    assert unit["pipelining"]["chosen"] == unit["parameters"]["PIPELINE"]
    assert unit["timing"]["meets_clock"] is True
    power = unit["power"]
    assert power["check"].startswith("bit-exact")
    parts = power["gate_level"]
    assert parts["total"]["value"] == pytest.approx(
        sum(parts[k]["value"] for k in parts if k not in ("total", "input_ports"))
    )
    assert parts["clock_nets"]["value"] > 0 and parts["clock_buffers"]["value"] > 0
    ratio = power["opensta"]["components"]["switching"]["ratio"]
    assert ratio == pytest.approx(1, abs=0.02)
    # Operand SQNR of sdr_mac (default GEMM, seed 0): measured 16.28 dB, spread 0.91 over seeds
    # 0, 1, 2 (16.28, 17.19, 16.81); bound: the seed-0 value within half the spread.
    assert unit["accuracy"]["sqnr_db"]["value"] == pytest.approx(16.283, abs=0.911 / 2)
    markdown = (folder / "report.md").read_text()
    assert "| 1 | int8_mac |" in markdown and str(tmp_path) not in markdown
    assert "## Pipeline registers and why" in markdown
    assert len((folder / "report.csv").read_text().splitlines()) == 3
    assert not (tmp_path / "a.partial").exists()


@pytest.mark.skipif(not FULL_FLOW, reason="needs the OSU 0.18 um Liberty and OpenSTA")
def test_a_rap_unit_is_reported_apart_with_its_energy_per_row_element(tmp_path, progress_log):
    out = tmp_path / "rap"
    argv = ["--designs", "int_gelu", "--seeds", "1", "--streams", "4", "--beats", "16"]
    assert main([*argv, "--jobs", "1", "--liberty", str(LIBERTY), "-o", str(out)]) == 0
    assert len(progress_log.tasks) == 1 and progress_log.finished()  # "<library> units"
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    report = json.loads((folder / "report.json").read_text())
    (unit,) = report["units"]
    assert unit["tag"] == "int_gelu_L1" and unit["parameters"] == {"LANES": 1, "IN_BITS": 16}
    assert unit["pipelining"] is None and "every" in report["rap"]["registers"]
    assert "accuracy" not in unit and report["headline"] == []
    power = unit["power"]
    assert power["check"].startswith("bit-exact: all ") and "last pass" in power["check"]
    assert power["operation"] == "element" and power["passes"] == 1
    energy = power["energy_per_operation"]
    assert energy["unit"] == "pJ/element"
    total = power["gate_level"]["total"]["value"]
    assert energy["value"] == pytest.approx(
        total * 1e-3 * 10e-9 / power["operations_per_cycle"] * 1e12
    )
    assert "MiniLM" in power["workload"] and "FFN pre-activation" in power["workload"]
    markdown = (folder / "report.md").read_text()
    assert "## RAP digital periphery: int_gelu at LANES=1" in markdown
    # No sdr_mac and baseline pair: a sentence, not a table of headers without rows.
    for text in (markdown, (out / "summary.md").read_text()):
        assert NO_HEADLINE in text and "| LANES | sdr_mac vs |" not in text
    assert "| int_gelu_L1 | LANES=1, IN_BITS=16 | 1 |" in markdown
    assert "| unit | parameters | passes | LATENCY (cycles) |" in markdown
    assert not list(folder.glob("*.png")) and "plot_note" not in report  # no MAC to plot
    summary = json.loads((out / "summary.json").read_text())
    (row,) = summary["libraries"][folder.name]["rap"]
    assert row["unit"] == "int_gelu_L1" and row["energy_pj"] == pytest.approx(energy["value"])


@pytest.mark.skipif(not FULL_FLOW, reason="needs the OSU 0.18 um Liberty and OpenSTA")
def test_the_row_compactor_is_priced_per_partial(tmp_path):
    out = tmp_path / "compactor"
    argv = ["--designs", "row_compactor", "--compactor-k", "7", "--seeds", "1", "--streams", "4"]
    argv += ["--beats", "48", "--jobs", "1", "--liberty", str(LIBERTY), "-o", str(out)]
    assert main(argv) == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    report = json.loads((folder / "report.json").read_text())
    (unit,) = report["units"]
    assert unit["tag"] == "row_compactor_R128_K7" and unit["parameters"] == {"ROWS": 128, "K": 7}
    assert "accuracy" not in unit and report["headline"] == [] and "rap" not in report
    power = unit["power"]
    assert power["check"].startswith("bit-exact: all ") and "ready included" in power["check"]
    assert power["operation"] == "partial" and 0.5 < power["operations_per_cycle"] <= 1
    energy = power["energy_per_operation"]
    assert energy["unit"] == "pJ/partial"
    parts = power["gate_level"]
    clock = sum(parts[k]["value"] for k in ("clock_pins", "clock_nets", "clock_buffers"))
    per_partial = 1e-3 * 10e-9 / power["operations_per_cycle"] * 1e12
    assert energy["value"] == pytest.approx(parts["total"]["value"] * per_partial)
    assert power["energy_per_operation_without_clock"]["value"] == pytest.approx(
        (parts["total"]["value"] - clock) * per_partial
    )
    assert "MiniLM bit-planes" in power["workload"] and "emsb_razor" in power["workload"]
    markdown = (folder / "report.md").read_text()
    assert "## RAP row compactor" in markdown and "| row_compactor_R128_K7 |" in markdown
    summary = json.loads((out / "summary.json").read_text())
    (row,) = summary["libraries"][folder.name]["compactor"]
    assert row["k"] == 7 and row["energy_pj"] == pytest.approx(energy["value"])
    assert "RAP row compactor" in (out / "summary.md").read_text()


def test_compactor_streams_hold_each_plane_until_ready():
    from sim.cycle_models import run
    from sim.verify.compactor import check_partials
    from synth.report.cli import units_to_run
    from synth.report.stimulus import workload_stimulus

    units = units_to_run([], designs=("row_compactor",), rap_lanes=(), compactor_k=(3, 15))
    assert units == [
        ("row_compactor", {"ROWS": 128, "K": 3}),
        ("row_compactor", {"ROWS": 128, "K": 15}),
    ]
    parameters = {"ROWS": 128, "K": 3}
    stimulus = workload_stimulus("row_compactor", parameters, 1, 2, 3, 60)
    assert stimulus.operation == "partial" and 0 < stimulus.operations_per_cycle < 1
    assert "split sign mode" in stimulus.workload and "% all-zero" in stimulus.workload
    stacked = stimulus.stacked()
    first, last = stimulus.window
    assert stacked["rst"][:, 0].all() and stacked["in_valid"][:, 1:last].all()  # never idle
    shown = run("row_compactor", parameters, stacked)["out_valid"][:, first:last]
    assert shown.mean() == pytest.approx(stimulus.operations_per_cycle)
    for beats in stimulus.beats:
        outputs = run("row_compactor", parameters, beats.stream)
        check = check_partials(outputs, beats.stream, beats.expected, 3)
        assert check.passed and check.results == len(beats.expected) > 0


def test_rap_streams_run_rows_back_to_back_and_count_row_elements():
    from hw.designs import build, elaborated
    from synth.report.rap_rows import rap_parameters
    from synth.report.stimulus import workload_stimulus

    parameters = rap_parameters("int_softmax", 2)
    assert parameters["SCALE"] == pytest.approx(1 / 32**0.5) and parameters["IN_BITS"] == 21
    unit = elaborated(build("int_softmax", **parameters))
    stimulus = workload_stimulus("int_softmax", parameters, unit.LATENCY, 3, 3, 40)
    assert stimulus.operations_per_cycle == pytest.approx(2 / 3)
    assert stimulus.operation == "element" and "attention-score rows" in stimulus.workload
    stacked = stimulus.stacked()
    first, last = stimulus.window
    assert first == 1 + unit.LATENCY and stacked["rst"][:, 0].all()
    assert stacked["in_valid"][:, 1:last].all()  # no bubble in any stream up to the window's end
    assert stacked["in_valid"][:, -unit.LATENCY :].sum() == 0  # drained


@pytest.mark.parametrize("design", ["sdr_engine", "int8_engine", "int4_engine"])
def test_engine_streams_are_exact_on_the_cycle_model(design):
    from hw.designs import build, elaborated
    from sim.cycle_models import run
    from sim.verify.checker import check_stream
    from synth.report.cli import ENGINE_PARAMETERS, units_to_run
    from synth.report.stimulus import operand_sqnr, operands_name, workload_stimulus

    assert (design, ENGINE_PARAMETERS) in units_to_run([4], designs=(design,), rap_lanes=())
    parameters = {"COLS": 2, "LANES": 4, "PIPELINE": "none"}
    unit = elaborated(build(design, **parameters))
    stimulus = workload_stimulus(design, unit.parameters, unit.LATENCY, 0, 3, 300)
    assert stimulus.operations_per_cycle == 8 and stimulus.operation == "MAC"
    for beats in stimulus.beats:  # each stream: dot products of a token against 2 channels
        outputs = run(design, unit.parameters, beats.stream)
        check = check_stream(outputs, beats.stream, beats.expected, unit.LATENCY)
        assert beats.expected.shape == (3, 2)  # 300 beats: 3 products of K=512 / 4 lanes
        assert check.results == 3 and check.mismatches == 0
    column = {"sdr_engine": "sdr_mac", "int8_engine": "int8_mac", "int4_engine": "int4_mac"}[design]
    column_parameters = {k: v for k, v in unit.parameters.items() if k != "COLS"}
    # the engine's operands are its column's: SDR codes for sdr_engine (no on-chip razoring)
    assert operands_name(design, unit.parameters) == operands_name(column, column_parameters)
    assert operand_sqnr(design, unit.parameters) == operand_sqnr(column, column_parameters)


def test_generic_mode_reports_area_only_and_says_why(tmp_path, capsys):
    argv = ["--lanes", "1", "--designs", "sdr_mac", "int8_mac", "--jobs", "1", "--generic"]
    # No timing, power or workload without a Liberty: their options are refused, not ignored.
    assert main([*argv, "--streams", "4", "-o", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: --streams: timing, power and the workload need a Liberty, not --generic"
    )
    assert main([*argv, "-o", str(tmp_path)]) == 0
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    report = json.loads((folder / "report.json").read_text())
    assert folder.name == "generic" and report["area_unit"] == "GE (NAND2)"
    assert all(u["power"] is None and u["timing"] is None for u in report["units"])
    assert report["headline"][0]["area_reduction"] is not None
    assert report["headline"][0]["power_reduction"] is None
    assert "generic mode" in (folder / "report.md").read_text()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--lanes", "3"], "lanes must be a power of two"),
        (["--rap-lanes", "3"], "lanes must be a power of two"),
        (["--compactor-k", "0"], r"k must be in [1, 128], not 0"),
        (["--clock-mhz", "0"], "--clock-mhz must be a positive number"),
        (["--clock-mhz", "inf"], "--clock-mhz must be a positive number, not inf"),
        (["--clock-mhz", "nan"], "--clock-mhz must be a positive number, not nan"),
        (["--seeds", "0"], "--seeds must be >= 1"),
        (["--liberty", "/nonexistent.lib"], "cannot read Liberty file /nonexistent.lib"),
    ],
)
def test_bad_arguments_give_one_line_and_no_files(tmp_path, capsys, argv, message):
    assert main([*argv, "-o", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_an_existing_folder_that_is_not_a_report_is_left_alone(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["--generic", "--lanes", "1", "--designs", "sdr_mac", "-o", str(tmp_path)]) == 2
    assert "is not a report folder" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def _fake_record(design, pipeline, latency):
    return {
        "design": design,
        "tag": f"{design}_L4",
        "parameters": {"LANES": 4, "PIPELINE": pipeline},
        "latency": latency,
        "area": {"total": 100.0},
        "power": None,
        "timing": None,
        "notes": [],
    }


def test_headline_json_names_library_clock_and_pipelining(monkeypatch, capsys):
    """Issue 23 item 2: ``python -m synth.report.headline`` (what ``run_mac --synth`` runs) names
    the library, the clock and the PIPELINE and LATENCY of every netlist it priced."""
    import synth.report.headline as module

    latencies = {"sdr_mac": 2, "int8_mac": 1, "int4_mac": 1, "decompress_mac": 1}
    monkeypatch.setattr(
        module,
        "evaluate_unit",
        lambda design, parameters, setup, folder: _fake_record(design, "none", latencies[design]),
    )
    assert module.main(["--lanes", "4"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["netlists"]["sdr_mac_L4"] == {
        "design": "sdr_mac",
        "PIPELINE": "none",
        "LATENCY": 2,
    }
    if default_liberty() is not None:
        assert record["library"] and record["clock_mhz"] == pytest.approx(100)
        assert f"on {record['library']} at 100 MHz" in record["priced"]
    assert "sdr_mac_L4 PIPELINE=none LATENCY=2" in record["priced"]


def test_report_markdown_names_the_priced_netlists():
    from synth.report.writers import _priced_line

    report = {"units": [_fake_record("sdr_mac", "none", 2), _fake_record("sdr_encoder", "all", 3)]}
    line = _priced_line(report)
    assert "sdr_mac_L4 PIPELINE=none LATENCY=2" in line and "sdr_encoder" not in line
    assert "hw.export` defaults to PIPELINE=all" in line


def _plotted_record(design, lanes, logic, registers, clock, sqnr):
    """A unit record as the plots read it: one block of each kind, clock parts apart."""

    def blocks(scale):
        return {
            "products": {
                "category": "multipliers",
                "logic": _q(scale * logic, "x"),
                "registers": _q(0.0, "x"),
            },
            "accumulator": {
                "category": "accumulator",
                "logic": _q(0.0, "x"),
                "registers": _q(scale * registers, "x"),
            },
        }

    record = _record(design, lanes, 1000.0, logic + registers + clock, 2.0, 150.0, sqnr)
    record["tag"] = f"{design}_L{lanes}"
    record["area"]["blocks"] = blocks(1000.0)
    record["power"]["blocks"] = blocks(1.0)
    parts = {"clock_pins": clock / 2, "clock_nets": clock / 4, "clock_buffers": clock / 4}
    record["power"]["gate_level"].update({k: _q(v, "mW") for k, v in parts.items()})
    return record


def test_plots_name_the_library_and_clock_and_stack_the_clock_network():
    """Each plot's title names the library and the clock; each power bar is the unit's whole
    gate-level power: its blocks plus a "clock network" segment (clock pins, nets, buffers)."""
    import matplotlib.pyplot as plt

    from synth.report.plots import CLOCK_NETWORK, PLOT_FILES, figures

    units = [
        _plotted_record("sdr_mac", 4, 1.5, 0.5, 1.0, 16.0),
        _plotted_record("int8_mac", 4, 3.0, 1.0, 1.2, 30.0),
    ]
    report = {
        "units": units,
        "headline": headline(units),
        "library": {"name": "testlib"},
        "conditions": {"clock_frequency": _q(100.0, "MHz")},
        "area_unit": "um^2",
    }
    drawn = figures(report)
    try:
        assert list(drawn) == list(PLOT_FILES)
        for figure in drawn.values():
            assert figure.axes[0].get_title().endswith("(testlib, 100 MHz)")
        axes = drawn["power_by_block.png"].axes[0]
        legend = [t.get_text() for t in axes.get_legend().get_texts()]
        assert legend[-1] == CLOCK_NETWORK
        tops = {}
        for bar in axes.patches:
            x = round(bar.get_x(), 6)
            tops[x] = max(tops.get(x, 0.0), bar.get_y() + bar.get_height())
        # 1.5 + 0.5 + 1.0 and 3.0 + 1.0 + 1.2 mW: the totals of the units' records
        assert sorted(tops.values()) == pytest.approx([3.0, 5.2])
    finally:
        for figure in drawn.values():
            plt.close(figure)
