"""The Yosys flow: areas from `stat -json` agree with the Liberty and add up per block."""

import json
from collections import Counter

import pytest

from hw.export import export
from synth.areas import AREA_UNIT, GE_UNIT, read_area
from synth.flow import synthesize
from synth.liberty import default_liberty, load_liberty
from synth.netlist import read_netlist

LIBERTY = default_liberty()
needs_liberty = pytest.mark.skipif(
    LIBERTY is None, reason="OSU 0.18 um Liberty not installed (apt-get install qflow-tech-osu018)"
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rtl")
    export(["sdr_mac"], folder, LANES=1)
    return folder / "sdr_mac.v"


def _block_sum(area, kind):
    return sum(parts[kind].value for parts in area.blocks.values())


@needs_liberty
def test_liberty_area_is_the_sum_of_the_cells_liberty_areas(exported, tmp_path):
    synthesis = synthesize(exported, "sdr_mac", tmp_path, LIBERTY)
    area = read_area(synthesis, str)
    library = load_liberty(LIBERTY)
    netlist = read_netlist(synthesis.netlist_json, "sdr_mac")
    cells = Counter(instance.cell for instance in netlist.instances)
    assert area.total.unit == AREA_UNIT and area.total.source == str(synthesis.stat_blocks)
    assert area.cells == sum(cells.values()) > 0
    assert area.total.value == pytest.approx(
        sum(count * library.cell(name).area for name, count in cells.items())
    )
    assert area.registers.value == pytest.approx(
        sum(
            count * library.cell(name).area
            for name, count in cells.items()
            if library.cell(name).is_sequential
        )
    )
    flat = json.loads(synthesis.stat_flat.read_text())["design"]
    assert flat["area"] == pytest.approx(area.total.value)
    assert _block_sum(area, "logic") + _block_sum(area, "registers") == pytest.approx(
        area.total.value
    )
    # The netlist's per-block cells add up to the per-module stat of the same block.
    for block, parts in area.blocks.items():
        in_block = [i for i in netlist.instances if i.block == block]
        assert sum(library.cell(i.cell).area for i in in_block) == pytest.approx(
            parts["logic"].value + parts["registers"].value
        ), block
    assert {"products", "group_sum", "shifter", "accumulator", "top"} <= set(area.blocks)


def test_generic_mode_reports_gate_equivalents_per_block(exported, tmp_path):
    synthesis = synthesize(exported, "sdr_mac", tmp_path, None)
    assert synthesis.generic and synthesis.netlist is None
    area = read_area(synthesis, str)
    assert area.total.unit == GE_UNIT and area.total.value > area.registers.value > 0
    assert _block_sum(area, "logic") + _block_sum(area, "registers") == pytest.approx(
        area.total.value
    )
    assert all(parts["logic"].value >= 0 for parts in area.blocks.values())
