"""The pipelining policy: the fewest cuts that meet the clock, each one needed, the reason
recorded, and a unit that no cut can save reported as missing the clock."""

import dataclasses

import pytest

from hw.pipeline import parse_pipeline
from sim.util.tools import find_tool
from synth.flow.implementation import implement
from synth.flow.pipelining import choose_pipeline
from synth.library.liberty import default_liberty, load_liberty
from synth.report.evaluate import DEFAULT_CONDITIONS

LIBERTY = default_liberty()
pytestmark = pytest.mark.skipif(
    LIBERTY is None or find_tool("sta") is None,
    reason="needs the OSU 0.18 um Liberty (qflow-tech-osu018) and OpenSTA (opensta)",
)


def _at(period):
    return dataclasses.replace(DEFAULT_CONDITIONS, clock_period=period)


def test_a_relaxed_clock_needs_no_pipeline_register(tmp_path):
    choice = choose_pipeline("int8_mac", {"LANES": 4}, load_liberty(LIBERTY), _at(10e-9), tmp_path)
    assert choice.met and choice.implementation.unit.parameters["PIPELINE"] == "none"
    assert len(choice.steps) == 1 and "no pipeline register needed" in choice.reason


def test_a_tight_clock_gets_the_fewest_needed_cuts(tmp_path):
    library, conditions = load_liberty(LIBERTY), _at(4e-9)
    choice = choose_pipeline("int8_mac", {"LANES": 4}, library, conditions, tmp_path)
    unit = choice.implementation.unit
    chosen = parse_pipeline(unit.parameters["PIPELINE"], unit.cuts, "int8_mac")
    assert choice.met and chosen and choice.implementation.timing.slack >= 0
    assert choice.steps[0].pipeline == "none" and choice.steps[0].slack < 0
    assert "registered" in choice.reason and all(step.decision for step in choice.steps)
    # Each chosen cut is needed: without it the unit misses the clock.
    for cut in chosen:
        fewer = ",".join(c for c in unit.cuts if c in chosen - {cut}) or "none"
        without = implement(
            "int8_mac", {"LANES": 4, "PIPELINE": fewer}, library, conditions, tmp_path / cut
        )
        assert without.timing.slack < 0, cut
    record = choice.as_record()
    assert record["chosen"] == unit.parameters["PIPELINE"] and record["meets_clock"]


def test_a_unit_no_cut_can_save_is_reported_as_missing_the_clock(tmp_path):
    choice = choose_pipeline("int8_mac", {"LANES": 1}, load_liberty(LIBERTY), _at(1e-9), tmp_path)
    assert not choice.met
    assert choice.steps[-1].decision.startswith("stop")
    assert "misses the clock" in choice.reason
