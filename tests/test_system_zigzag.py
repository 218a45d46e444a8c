"""The ZigZag system cost model: buffer costs from CACTI, the accelerator description, the loop
orders an engine can run, and ZigZag's counts against the project's exact schedule."""

import math

import pytest

pytest.importorskip("zigzag", reason="the system extra is not installed (pip install '.[system]')")

from sim.system.zigzag.accelerator import accelerator  # noqa: E402
from sim.system.zigzag.cacti import CACTI_NODE_NM, sram_costs  # noqa: E402
from sim.system.zigzag.costs import EngineCostModel, gemm_costs  # noqa: E402
from sim.system.zigzag.evaluate import candidates, evaluate_layer  # noqa: E402
from sim.system.zigzag.layers import Gemm, StoredFormat  # noqa: E402

SDR_A = StoredFormat("SDR A16 G16", 4, 4.25)
SDR_W = StoredFormat("SDR W8 G16", 4, 4 + 3 / 16)
PARAMS = {"COLS": 4, "LANES": 16, "ACC_BITS": 32}


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("zigzag-cache")


def test_cacti_prices_a_buffer_once_at_90_nm(cache):
    first = sram_costs(16 * 1024, 64, cache)
    assert first.node_nm == CACTI_NODE_NM == 90
    assert 0 < first.read_pj < first.write_pj and first.area_mm2 > 0 and first.access_ns > 0
    bigger = sram_costs(64 * 1024, 64, cache)
    assert bigger.read_pj > first.read_pj and bigger.area_mm2 > first.area_mm2
    assert sram_costs(16 * 1024, 64, cache) == first  # from sram.json, no second CACTI run


@pytest.mark.parametrize("m, k, n", [(7, 64, 8), (64, 128, 64), (1, 512, 12)])
def test_every_candidate_reduces_innermost_and_covers_the_loops(m, k, n):
    gemm = Gemm("g", m, k, n, SDR_A, SDR_W, SDR_A)
    orders = candidates(gemm, 4, 16)
    assert orders and len(orders) == len({tuple(o) for o in orders})
    for loops in orders:
        assert loops[0] == ("C", k // 16)
        for dim, size in (("B", m), ("K", math.ceil(n / 4))):
            assert math.prod(s for d, s in loops if d == dim) == size


def test_zigzag_counts_the_schedules_macs_and_cycles(cache):
    """ZigZag's ideal cycles are the engine's beats (tiles x rows x K / LANES) when N fills the
    columns; its MACs are M K N; stalls only add cycles."""
    description, sources = accelerator(
        "sdr_engine", PARAMS, 1.0, 100.0, {"I": 4, "W": 4}, ("W",), cache
    )
    assert set(sources) == {"accumulators", "local_act", "local_weight", "global_buffer", "dram"}
    gemm = Gemm("g", 24, 256, 32, SDR_A, SDR_W, SDR_A)
    record = evaluate_layer(description, gemm, 32, cache)
    beats = math.ceil(32 / 4) * 24 * (256 // 16)
    assert record["ideal_cycles"] == beats
    assert record["mac_energy_pj"] == pytest.approx(24 * 256 * 32 * 1.0)
    assert record["latency_cycles"] >= beats
    assert record["order"][0] == "C 16"


def test_sdr_flags_scale_every_memory_transfer(cache):
    model = EngineCostModel("sdr_engine", "lib", PARAMS, 0.5, 100.0, 0.25, "test")
    sdr = gemm_costs(model, Gemm("g", 24, 256, 32, SDR_A, SDR_W, SDR_A), cache)
    codes = StoredFormat("codes only", 4, 4.0)
    bare = gemm_costs(model, Gemm("g", 24, 256, 32, codes, codes, codes), cache)
    assert sdr["energy_pj"]["MAC array"] == pytest.approx(24 * 256 * 32 * 0.5)
    assert sdr["energy_pj"]["encoder"] == pytest.approx(24 * 32 * 0.25)  # each output written
    # Weights (4.1875 bits) alone in the local weight buffer; DRAM holds only the weights.
    assert sdr["energy_pj"]["local_weight"] == pytest.approx(
        bare["energy_pj"]["local_weight"] * (4 + 3 / 16) / 4
    )
    assert sdr["energy_pj"]["dram"] == pytest.approx(bare["energy_pj"]["dram"] * (4 + 3 / 16) / 4)
    assert sdr["bits_moved"]["local_act"] == pytest.approx(
        bare["bits_moved"]["local_act"] * 4.25 / 4
    )


def test_goals_and_the_storage_bound_by_hand():
    """Decode-like: only the weights in DRAM (n x k elements): SDR W8 G16 stores 4.1875 bits
    against INT8's 8, so the bound is 4.1875 / 8 = 0.5234."""
    from sim.system.model.report import goals, storage_bound

    int8 = StoredFormat("INT8", 8, 8.0)
    sdr = [Gemm("g", 1, 256, 64, SDR_A, SDR_W, SDR_A, ("W",))]
    base = [Gemm("g", 1, 256, 64, int8, int8, int8, ("W",))]
    assert storage_bound(sdr, base) == pytest.approx(4.1875 / 8)

    def row(engine, energy):
        return {
            "engine": engine,
            "library": "lib",
            "workload": "decode-b1",
            "energy_total_uj": energy,
        }

    rows = [row("sdr_engine", 0.53), row("int8_engine", 1.0), row("int4_engine", 0.5)]
    sqnr = {"sdr_engine": 16.4, "int4_engine": 13.4}
    (goal,) = goals(rows, {"decode-b1": 0.5234}, sqnr)
    assert goal["met"] and goal["sdr_over_int4"] == pytest.approx(1.06)
    assert goal["sqnr_sdr_minus_int4_db"] == pytest.approx(3.0)
    rows[0]["energy_total_uj"] = 0.56  # 7 % above the bound
    assert not goals(rows, {"decode-b1": 0.5234}, sqnr)[0]["met"]
