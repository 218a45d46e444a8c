"""One unit's record: a unit that misses the clock is flagged and priced at its own fmax; the
encoder's power is per element; every part adds up."""

import dataclasses

import pytest

from sim.util.tools import find_tool
from synth.library.liberty import default_liberty
from synth.report.evaluate import DEFAULT_CONDITIONS, POWER_PARTS, Setup, evaluate_unit

LIBERTY = default_liberty()
pytestmark = pytest.mark.skipif(
    LIBERTY is None or find_tool("sta") is None,
    reason="needs the OSU 0.18 um Liberty (qflow-tech-osu018) and OpenSTA (opensta)",
)


def _setup(period=DEFAULT_CONDITIONS.clock_period):
    conditions = dataclasses.replace(DEFAULT_CONDITIONS, clock_period=period)
    return Setup(LIBERTY, conditions, seeds=(0, 1), streams=4, beats=32)


def test_a_unit_that_misses_the_clock_is_flagged_and_priced_at_its_fmax(tmp_path):
    record = evaluate_unit("int4_mac", {"LANES": 1}, _setup(0.7e-9), tmp_path)
    assert record["timing"]["meets_clock"] is False
    assert any("misses the 1428.57 MHz clock" in note for note in record["notes"])
    at = record["power"]["at_fmax"]
    fmax, clock = record["timing"]["fmax"].value, 1e-6 / 0.7e-9
    assert at["fmax"].value == pytest.approx(fmax) and fmax < clock
    stated, scaled = record["power"]["gate_level"], at["power"]
    assert scaled["leakage"].value == stated["leakage"].value
    assert scaled["switching"].value == pytest.approx(stated["switching"].value * fmax / clock)
    assert scaled["total"].value < stated["total"].value
    assert record["pipelining"]["meets_clock"] is False


def test_records_add_up_and_name_their_operands(tmp_path):
    mac = evaluate_unit("sdr_mac", {"LANES": 2, "GROUP": 16}, _setup(), tmp_path)
    parts = mac["power"]["gate_level"]
    assert parts["total"].value == pytest.approx(sum(parts[p].value for p in POWER_PARTS))
    assert set(mac["power"]["per_seed"]) == {"0", "1"}
    assert mac["power"]["operations_per_cycle"] == 2 and mac["power"]["operation"] == "MAC"
    energy = parts["total"].value * 1e-3 * 10e-9 / 2 * 1e12
    assert mac["power"]["energy_per_operation"].value == pytest.approx(energy)
    assert mac["accuracy"]["operands"].startswith("QRazor SDR A16/W8")
    assert mac["area"]["flip_flops"] > 32 and mac["latency"] >= 2  # group sum and accumulator
    encoder = evaluate_unit("sdr_encoder", {"GROUP": 8}, _setup(), tmp_path)
    assert encoder["tag"] == "sdr_encoder_G8" and "accuracy" not in encoder
    assert encoder["power"]["operation"] == "element"
    assert encoder["power"]["operations_per_cycle"] == 8
    assert encoder["timing"]["meets_clock"]
