"""The cocotb benches of ``tests/cocotb`` on the exported Verilog, on Verilator and Icarus.

Each bench runs in the simulator's own Python; :func:`sim.rtl_cocotb.run_module` reads its
results file and raises when a cocotb test failed, so these tests fail with the bench. Set
``QRAZOR_COCOTB_VECTORS`` and ``QRAZOR_SEED`` for a longer run or another seed.
"""

import json
from pathlib import Path

import pytest

from hw.designs import build, elaborated
from sim.util.tools import INSTALL_HINTS, find_tool
from sim.verify.rtl_cocotb import CocotbFailure, compiled, run_module, unit_record

#: The bench modules; the simulator's Python inherits this process's sys.path. The folder has no
#: __init__.py: as a package named cocotb it would shadow cocotb itself.
BENCH_DIR = Path(__file__).parent / "cocotb"
#: One small configuration per unit (4 lanes; accumulators narrow enough to wrap). The
#: equivalence tests of test_rtl_cocotb.py use the same ones, so each compiles once.
CONFIGS = {
    "sdr_mac": {"LANES": 4, "GROUP": 16, "ACC_BITS": 24},
    "int8_mac": {"LANES": 4, "ACC_BITS": 18},
    "int4_mac": {"LANES": 4, "ACC_BITS": 12},
    "decompress_mac": {"LANES": 4, "GROUP": 16, "ACC_BITS": 24},
    "sdr_encoder": {"GROUP": 16, "BASE_BITS": 16},
}
#: The GEMM engines' bench configurations (several columns, a narrow accumulator that wraps).
ENGINE_BENCHES = {
    "sdr_engine": {"COLS": 3, "LANES": 4, "GROUP": 16, "ACC_BITS": 24},
    "int8_engine": {"COLS": 3, "LANES": 4, "ACC_BITS": 18},
    "int4_engine": {"COLS": 3, "LANES": 4, "ACC_BITS": 10},
}
#: Bench configurations: the shared ones, an INT8-base encoder (weights, KV cache), the engines.
BENCHES = [
    *(pytest.param(module, {}, id=module) for module in CONFIGS),
    pytest.param("sdr_encoder", {"GROUP": 8, "BASE_BITS": 8}, id="sdr_encoder-B8"),
]
#: The RAP row units' bench (tests/cocotb/tb_rap.py) and a small configuration of each.
RAP_BENCHES = {
    "int_gelu": {"LANES": 4, "IN_BITS": 16},
    "int_softmax": {"LANES": 4, "IN_BITS": 16, "MAX_ROW": 32},
    "int_layernorm": {"LANES": 4, "D": 16},
}
#: row_compactor's bench (tests/cocotb/tb_compactor.py): small planes with K 1 and 3, and the
#: SPEC default.
COMPACTOR_BENCHES = [{"ROWS": 16, "K": 1}, {"ROWS": 16, "K": 3}, {"ROWS": 128, "K": 7}]
#: Verilator comes with the Python environment; Icarus is optional (CI installs it).
needs_icarus = pytest.mark.skipif(
    find_tool("iverilog") is None,
    reason=f"Icarus Verilog is not installed ({INSTALL_HINTS['iverilog']})",
)
#: The suite runs the benches on Icarus, which compiles a unit in a second or two, and on
#: Verilator (20-40 s of C++ per unit under cocotb) only ``sdr_mac``'s. The native Verilator
#: backend builds every unit (test_rtl_native.py); scripts/regress.py runs every bench on
#: Verilator.
BENCH_RUNS = [
    pytest.param("sdr_mac", {}, "verilator", id="sdr_mac-verilator"),
    *(
        pytest.param(*bench.values, "icarus", id=f"{bench.id}-icarus", marks=needs_icarus)
        for bench in BENCHES
    ),
]


def configured(module, **changes):
    """Unit ``module`` in its test configuration (``changes`` override parameters)."""
    return elaborated(build(module, **{**CONFIGS.get(module, {}), **changes}))


@pytest.mark.parametrize("module", ENGINE_BENCHES)
@needs_icarus
def test_engine_bench_passes(module, tmp_path, monkeypatch):
    """The engines' bench, on Icarus (:data:`BENCH_RUNS`)."""
    unit = configured(module, **ENGINE_BENCHES[module])
    assert run_bench(unit, unit_record(unit), "icarus", tmp_path, monkeypatch) == 4


def run_bench(unit, record, simulator, work_dir, monkeypatch, bench="tb_bench"):
    """Run the bench, told the facts of ``record`` (a unit record), on the compiled ``unit``."""
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    return run_module(
        compiled(unit, simulator), bench, work_dir, {"QRAZOR_BENCH_UNIT": json.dumps(record)}
    )


@pytest.mark.parametrize("module, changes, simulator", BENCH_RUNS)
def test_bench_passes(module, changes, simulator, tmp_path, monkeypatch):
    unit = configured(module, **changes)
    assert run_bench(unit, unit_record(unit), simulator, tmp_path, monkeypatch) == 4


@pytest.mark.parametrize(
    "module, lie, simulator",
    [
        ("sdr_mac", {"latency": 1}, "verilator"),  # to the bench, every result comes a cycle early
        pytest.param(  # values differ, not timing
            "sdr_encoder", {"parameters": {"ROUNDING": "truncate"}}, "icarus", marks=needs_icarus
        ),
        pytest.param(  # told a wider accumulator, the bench expects no wrap where the unit wraps
            "sdr_engine", {"parameters": {"ACC_BITS": 32}}, "icarus", marks=needs_icarus
        ),
    ],
)
def test_bench_fails_on_a_wrong_unit(module, lie, simulator, tmp_path, monkeypatch):
    """The bench checks a unit it was told the wrong facts about: it must fail, and so must we."""
    monkeypatch.setenv("QRAZOR_COCOTB_VECTORS", "20")
    unit = configured(module, **ENGINE_BENCHES.get(module, {}))
    record = unit_record(unit)
    record["latency"] += lie.get("latency", 0)
    record["parameters"].update(lie.get("parameters", {}))
    with pytest.raises(CocotbFailure, match="cocotb tests failed"):
        run_bench(unit, record, simulator, tmp_path, monkeypatch)


@needs_icarus
@pytest.mark.parametrize("module", RAP_BENCHES)
def test_rap_bench_passes(module, tmp_path, monkeypatch):
    unit = elaborated(build(module, **RAP_BENCHES[module]))
    assert run_bench(unit, unit_record(unit), "icarus", tmp_path, monkeypatch, "tb_rap") == 3


@needs_icarus
def test_rap_bench_fails_on_a_wrong_unit(tmp_path, monkeypatch):
    """Told a LATENCY one cycle short, the RAP bench must fail, and so must we."""
    monkeypatch.setenv("QRAZOR_COCOTB_VECTORS", "10")
    unit = elaborated(build("int_softmax", **RAP_BENCHES["int_softmax"]))
    record = unit_record(unit)
    record["latency"] -= 1
    with pytest.raises(CocotbFailure, match="cocotb tests failed"):
        run_bench(unit, record, "icarus", tmp_path, monkeypatch, "tb_rap")


@needs_icarus
@pytest.mark.parametrize(
    "parameters", COMPACTOR_BENCHES, ids=[f"R{p['ROWS']}-K{p['K']}" for p in COMPACTOR_BENCHES]
)
def test_compactor_bench_passes(parameters, tmp_path, monkeypatch):
    unit = elaborated(build("row_compactor", **parameters))
    record = unit_record(unit)
    assert run_bench(unit, record, "icarus", tmp_path, monkeypatch, "tb_compactor") == 3


@needs_icarus
def test_compactor_bench_fails_on_a_wrong_unit(tmp_path, monkeypatch):
    """Told K one larger than the unit's, the bench expects other masks (and ready) and must
    fail, and so must we."""
    monkeypatch.setenv("QRAZOR_COCOTB_VECTORS", "20")
    unit = elaborated(build("row_compactor", ROWS=16, K=3))
    record = unit_record(unit)
    record["parameters"]["K"] = 4
    with pytest.raises(CocotbFailure, match="cocotb tests failed"):
        run_bench(unit, record, "icarus", tmp_path, monkeypatch, "tb_compactor")
