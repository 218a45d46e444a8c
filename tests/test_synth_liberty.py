"""Liberty loading (liberty-parser), table lookup, and refusals of bad --liberty arguments."""

import numpy as np
import pytest

from synth.library.liberty import LibertyError, Table, default_liberty, load_liberty
from synth.report.cli import main

LIBERTY = default_liberty()
needs_liberty = pytest.mark.skipif(
    LIBERTY is None, reason="OSU 0.18 um Liberty not installed (apt-get install qflow-tech-osu018)"
)

MINIMAL = """library(tiny) {
  time_unit : "1ps"; voltage_unit : "1V"; leakage_power_unit : "1pW";
  capacitive_load_unit (1, ff); nom_voltage : 0.9;
  cell (INV) { area : 2.5; cell_leakage_power : 7;
    pin (A) { direction : input; capacitance : 1.5; }
    pin (Y) { direction : output; function : "!A"; } }
}
"""


def test_units_and_cells_of_a_small_library(tmp_path):
    path = tmp_path / "tiny.lib"
    path.write_text(MINIMAL)
    library = load_liberty(path)
    assert (library.name, library.voltage) == ("tiny", 0.9)
    assert library.time_scale == pytest.approx(1e-12)
    assert library.capacitance_scale == pytest.approx(1e-15)
    assert library.leakage_scale == pytest.approx(1e-12)
    assert library.energy_scale == pytest.approx(1e-15)  # fF * V^2
    cell = library.cell("INV")
    assert (cell.area, cell.leakage, cell.is_sequential) == (2.5, 7.0, False)
    assert cell.pins["A"].capacitance == 1.5 and cell.pins["Y"].direction == "output"
    with pytest.raises(LibertyError, match="cell 'NAND' is not in"):
        library.cell("NAND")


def test_table_interpolates_inside_and_extrapolates_outside():
    table = Table(
        ("total_output_net_capacitance", "input_transition_time"),
        (np.array([0.0, 1.0]), np.array([0.0, 2.0])),
        np.array([[0.0, 2.0], [10.0, 12.0]]),
    )  # value = 10 c + t
    for c, t in ((0.5, 1.0), (0.25, 0.5), (2.0, 3.0), (-1.0, 4.0)):
        assert table.lookup(
            total_output_net_capacitance=c, input_transition_time=t
        ) == pytest.approx(10 * c + t)


@needs_liberty
def test_osu018_cells_have_what_the_power_model_reads():
    library = load_liberty(LIBERTY)
    flop = library.cell("DFFPOSX1")
    assert flop.is_sequential and flop.pins["CLK"].is_clock
    assert flop.pins["CLK"].power and flop.pins["Q"].power[0].related_pin == "CLK"
    nand = library.cell("NAND2X1")
    assert {arc.related_pin for arc in nand.pins["Y"].power} == {"A", "B"}
    assert all(arc.rise and arc.fall for arc in nand.pins["Y"].power)
    assert nand.pins["Y"].transitions and nand.area > 0 and nand.leakage > 0


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "cannot read Liberty file"),
        ("this is not liberty at all {", "is not a readable Liberty file"),
        ("cell (X) { area : 1; }\n", "is not a Liberty file"),
        ('library(x) { time_unit : "1ns"; }\n', "the library has no leakage_power_unit"),
    ],
)
def test_bad_liberty_files_raise_one_readable_line(tmp_path, content, message):
    path = tmp_path / "bad.lib"
    if content is not None:
        path.write_text(content)
    with pytest.raises(LibertyError, match=message) as caught:
        load_liberty(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_a_directory_is_not_a_liberty_file(tmp_path):
    with pytest.raises(LibertyError, match="cannot read Liberty file"):
        load_liberty(tmp_path)


def test_cli_refuses_a_bad_liberty_path_with_one_line_and_no_output(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["--liberty", str(tmp_path / "missing.lib"), "-o", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: cannot read Liberty file") and error.count("\n") == 1
    assert not out.exists()
