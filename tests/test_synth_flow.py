"""The Yosys flow: Booth and timing-driven mapping, kept block boundaries, areas per block that
add up to Yosys' own total, and the generic mode."""

import dataclasses
import json
from collections import Counter

import pytest

from hw.export import export
from sim.util.tools import find_tool
from synth.flow.areas import GE_UNIT, read_area
from synth.flow.implementation import block_areas, implement
from synth.flow.yosys import abc_delay_target, synthesize
from synth.gates.attribution import block_shares
from synth.gates.netlist import read_netlist
from synth.library.liberty import default_liberty, load_liberty
from synth.report.evaluate import DEFAULT_CONDITIONS

LIBERTY = default_liberty()
needs_liberty = pytest.mark.skipif(
    LIBERTY is None, reason="OSU 0.18 um Liberty not installed (apt-get install qflow-tech-osu018)"
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rtl")
    export(["sdr_mac"], folder, LANES=4, PIPELINE="none")
    return folder / "sdr_mac.v"


@needs_liberty
def test_one_timing_driven_booth_flow(exported, tmp_path):
    synthesis = synthesize(exported, "sdr_mac", tmp_path, LIBERTY, period=8e-9)
    script = (tmp_path / "synth.ys").read_text()
    assert "synth -booth -top sdr_mac" in script
    assert synthesis.delay_target_ps == abc_delay_target(8e-9) == 7200
    log = synthesis.log.read_text()
    for step in ("map -D 7200", "buffer -p", "upsize -D 7200", "dnsize -D 7200"):
        assert f"ABC: + {step}" in log, step


@needs_liberty
def test_cells_split_among_blocks_add_up_to_yosys_area(exported, tmp_path):
    synthesis = synthesize(exported, "sdr_mac", tmp_path, LIBERTY)
    library = load_liberty(LIBERTY)
    netlist = read_netlist(synthesis.netlist_json, "sdr_mac")
    shares = block_shares(library, netlist)
    assert set(shares) == {i.name for i in netlist.instances}
    assert all(sum(s.values()) == pytest.approx(1) for s in shares.values())
    cells = Counter(i.cell for i in netlist.instances)
    total = sum(count * library.cell(name).area for name, count in cells.items())
    assert json.loads(synthesis.stat_flat.read_text())["design"]["area"] == pytest.approx(total)
    by_block = {}
    for instance in netlist.instances:
        for block, share in shares[instance.name].items():
            by_block[block] = by_block.get(block, 0) + share * library.cell(instance.cell).area
    assert sum(by_block.values()) == pytest.approx(total)
    # Every block of the unboundaried-by-registers datapath keeps its own logic.
    for block in ("products", "tree_level1", "tree_level2", "group_sum", "shifter", "accumulator"):
        assert by_block[block] > 0, block
    # Registers sit where their hierarchical names say.
    flops = {
        b for i in netlist.instances if library.cell(i.cell).is_sequential for b in shares[i.name]
    }
    assert flops == {"group_sum", "accumulator", "top"}


@needs_liberty
@pytest.mark.skipif(
    find_tool("sta") is None, reason="OpenSTA not installed (apt-get install opensta)"
)
def test_a_tighter_clock_buys_speed_with_area(tmp_path):
    """ABC maps to the stated clock: at 250 MHz it sizes and buffers a faster, larger netlist
    than at 100 MHz, from the same RTL."""
    library = load_liberty(LIBERTY)
    slow = implement(
        "int8_mac", {"LANES": 4, "PIPELINE": "none"}, library, DEFAULT_CONDITIONS, tmp_path / "slow"
    )
    fast_clock = dataclasses.replace(DEFAULT_CONDITIONS, clock_period=4e-9)
    fast = implement(
        "int8_mac", {"LANES": 4, "PIPELINE": "none"}, library, fast_clock, tmp_path / "fast"
    )
    assert fast.timing.critical_delay < 0.9 * slow.timing.critical_delay
    assert fast.area > slow.area


@needs_liberty
def test_implementation_areas_by_block(tmp_path):
    im = implement(
        "int8_mac",
        {"LANES": 2},
        load_liberty(LIBERTY),
        DEFAULT_CONDITIONS,
        tmp_path,
        timing=False,
    )
    areas = block_areas(im)
    assert sum(p["logic"] + p["registers"] for p in areas.values()) == pytest.approx(im.area)
    assert areas["products"]["registers"] > 0 and areas["tree_level1"]["registers"] > 0


def test_generic_mode_reports_gate_equivalents_per_block(exported, tmp_path):
    synthesis = synthesize(exported, "sdr_mac", tmp_path, None)
    assert synthesis.generic and synthesis.netlist is None
    area = read_area(synthesis, str)
    assert area.total.unit == GE_UNIT and area.total.value > area.registers.value > 0
    parts = sum(p["logic"].value + p["registers"].value for p in area.blocks.values())
    assert parts == pytest.approx(area.total.value)
    assert all(parts["logic"].value >= 0 for parts in area.blocks.values())
