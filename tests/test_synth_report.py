"""python -m synth.report: the headline, the written files, determinism, the generic mode."""

import json

import pytest

from sim.tools import find_tool
from synth.headline import format_headline, headline
from synth.liberty import default_liberty
from synth.quantity import Quantity
from synth.report import main

LIBERTY = default_liberty()
FULL_FLOW = LIBERTY is not None and find_tool("iverilog") is not None
FILES = ("report.json", "report.csv", "report.md")


def _record(design, lanes, area, power, energy, fmax):
    quantity = lambda value, unit: Quantity(value, unit, "test")  # noqa: E731
    return {
        "design": design,
        "parameters": {"LANES": lanes},
        "area": {"total": quantity(area, "um^2")},
        "power": {
            "gate_level": {"total": quantity(power, "mW")},
            "energy_per_operation": quantity(energy, "pJ/MAC"),
        },
        "timing": {"fmax": quantity(fmax, "MHz")},
    }


def test_headline_reductions_are_one_minus_the_ratio():
    rows = headline(
        [
            _record("sdr_mac", 4, 40.0, 3.0, 1.5, 200.0),
            _record("int8_mac", 4, 100.0, 6.0, 3.0, 100.0),
            _record("decompress_mac", 4, 80.0, 4.0, 2.0, 250.0),
        ]
    )
    assert [row["baseline"] for row in rows] == ["int8_mac", "decompress_mac"]
    assert rows[0]["area_reduction"] == pytest.approx(0.6)
    assert rows[0]["power_reduction"] == pytest.approx(0.5)
    assert rows[0]["energy_per_mac_reduction"] == pytest.approx(0.5)
    assert rows[0]["opensta_power_reduction"] is None
    assert rows[1]["fmax_ratio"] == pytest.approx(0.8)
    titles, texts = format_headline(rows)
    assert len(titles) == len(texts[0]) and texts[0][2] == "60.0 %" and texts[0][4] == "n/a"


def _report(out, *extra):
    argv = [
        "--lanes",
        "1",
        "--designs",
        "sdr_mac",
        "int8_mac",
        "--dot-products",
        "1",
        "--jobs",
        "1",
        "-o",
        str(out),
        *extra,
    ]
    assert main(argv) == 0
    return json.loads((out / "report.json").read_text())


def test_report_files_are_complete_and_the_same_bytes_twice(tmp_path):
    extra = () if FULL_FLOW else ("--generic",)
    report = _report(tmp_path / "a", *extra)
    _report(tmp_path / "b", *extra)
    for name in FILES + tuple(p.name for p in (tmp_path / "a").glob("*.png")):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert [u["tag"] for u in report["units"]] == ["sdr_mac_L1", "int8_mac_L1"]
    assert [row["baseline"] for row in report["headline"]] == ["int8_mac"]
    area = report["units"][0]["area"]["total"]
    assert area["value"] > 0 and area["unit"] and (tmp_path / "a" / area["source"]).is_file()
    markdown = (tmp_path / "a" / "report.md").read_text()
    assert "| 1 | int8_mac |" in markdown and str(tmp_path) not in markdown
    assert len((tmp_path / "a" / "report.csv").read_text().splitlines()) == 3
    if FULL_FLOW:
        power = report["units"][0]["power"]
        assert power["gate_level"]["total"]["value"] > 0
        assert power["check"].startswith("bit-exact")
        assert report["headline"][0]["power_reduction"] is not None


def test_generic_mode_reports_area_only_and_says_why(tmp_path):
    report = _report(tmp_path, "--generic")
    assert report["area_unit"] == "GE (NAND2)"
    assert all(u["power"] is None and u["timing"] is None for u in report["units"])
    assert report["headline"][0]["area_reduction"] is not None
    assert report["headline"][0]["power_reduction"] is None
    assert "generic mode" in (tmp_path / "report.md").read_text()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--lanes", "3"], "lanes must be a power of two"),
        (["--clock-mhz", "0"], "--clock-mhz must be positive"),
        (["--dot-products", "0"], "--dot-products"),
    ],
)
def test_bad_arguments_give_one_line_and_no_files(tmp_path, capsys, argv, message):
    assert main([*argv, "-o", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert not (tmp_path / "out").exists()
