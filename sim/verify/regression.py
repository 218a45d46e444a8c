"""Long seeded regressions of every unit against the golden model: the stimulus chunks, one run
per engine, and the summaries (``python -m sim.regress`` is the CLI; its help has the details).

Engines: ``model`` (the NumPy cycle models), ``verilator`` (the native Verilator testbench) and
``cocotb`` (the cocotb benches on Verilator, with functional coverage). For the first two the work
is cut into chunks of about 2^20 beats, one seed each: even seeds are random streams (operands
over every flag / magnitude, bubbles, a reset between two halves), odd seeds LLM-like workloads
(:func:`sim.workloads.llm_gemm.llm_workload`); a chunk is generated once with its golden results
and run on both.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sim.golden.integer import int_matmul
from sim.golden.quant import absmax_quantize
from sim.util.tables import markdown_table
from sim.verify.backends import get_backend, prepare
from sim.verify.checker import check_stream
from sim.verify.rap_streams import gelu_beats, layernorm_beats, softmax_beats
from sim.verify.stimulus import (
    encoder_case,
    int_case,
    int_engine_case,
    random_groups,
    random_shifted,
    sdr_case,
    sdr_engine_case,
)
from sim.verify.streams import (
    concatenated,
    drained,
    int_mac_beats,
    reset_between,
    sdr_mac_beats,
    tiled_beats,
    with_bubbles,
)
from sim.workloads.llm_gemm import llm_workload
from sim.workloads.schemes import golden_product, integer_gemm, qrazor_gemm

ROOT = Path(__file__).resolve().parents[2]
#: Units under regression: name -> (module, parameters). The MACs' accumulators are narrower than
#: the default 32 bits so that their wrap-around is exercised (and its coverage bin reachable).
UNITS = {
    "sdr_mac_L16": ("sdr_mac", {"LANES": 16, "ACC_BITS": 24}),
    "sdr_mac_L4_G32_none": (
        "sdr_mac",
        {"LANES": 4, "GROUP": 32, "ACC_BITS": 24, "PIPELINE": "none"},
    ),
    "decompress_mac_L16": ("decompress_mac", {"LANES": 16, "ACC_BITS": 24}),
    "int8_mac_L16": ("int8_mac", {"LANES": 16, "ACC_BITS": 18}),
    "int4_mac_L16": ("int4_mac", {"LANES": 16, "ACC_BITS": 12}),
    "sdr_encoder_G16": ("sdr_encoder", {}),
    "sdr_encoder_G16_B8_truncate": ("sdr_encoder", {"BASE_BITS": 8, "ROUNDING": "truncate"}),
    "sdr_engine_C4_L16": ("sdr_engine", {"COLS": 4, "LANES": 16, "ACC_BITS": 24}),
    "int8_engine_C4_L16": ("int8_engine", {"COLS": 4, "LANES": 16, "ACC_BITS": 18}),
    "int4_engine_C4_L16": ("int4_engine", {"COLS": 4, "LANES": 16, "ACC_BITS": 12}),
    "int_gelu_L4": ("int_gelu", {"LANES": 4, "IN_BITS": 16}),
    "int_softmax_L4": ("int_softmax", {"LANES": 4, "IN_BITS": 16, "MAX_ROW": 32}),
    "int_layernorm_L4": ("int_layernorm", {"LANES": 4, "D": 16}),
}
ENGINES = ("model", "verilator", "cocotb")
#: Units without a cycle model (SPEC 6: every unit has one, the RAP row units included).
NO_CYCLE_MODEL = ()
#: The RAP row units: their own streams, result rows and cocotb bench.
ROW_UNITS = ("int_gelu", "int_softmax", "int_layernorm")
#: Beats per chunk (one seed).
CHUNK_BEATS = 1 << 20
#: The most beats one chunk may hold: a chunk and its golden results are built in memory, and
#: the largest unit, sdr_engine_C4_L16, peaked at 881 MiB per 2**18 beats (ru_maxrss, measured),
#: so 2**21 beats take about 7 GiB.
MAX_CHUNK_BEATS = 1 << 21
#: Row exponents the RAP streams draw from (those of tests/test_hw_rap.py).
EXPONENTS = (-64, -40, -30, -24, -20, -16, -12, -8, -4, 0, 2, 3, 4, 5, 8, 24, 64)
BENCH_DIR = ROOT / "tests" / "cocotb"


def _mac_chunk(unit, rng, seed, beats):
    """About ``beats`` beats of dot products for a MAC: random or LLM-like (odd seeds)."""
    p = unit.parameters
    module = unit.MODULE_NAME
    group = p.get("GROUP", p["LANES"])
    k = 4096 if seed % 2 else group * 8
    per_product = k // p["LANES"]
    m = 16
    n = max(1, beats // (m * per_product))
    if seed % 2:
        workload = llm_workload(m, k, n, seed=seed, group=group)
        if module in ("sdr_mac", "decompress_mac"):
            gemm = qrazor_gemm(workload, group)
            expected = golden_product(gemm, p["ACC_BITS"])
            return sdr_mac_beats(gemm.a, gemm.w, p["LANES"], expected)
        bits = 4 if module == "int4_mac" else 8
        gemm = integer_gemm(workload, bits, bits)
        return int_mac_beats(gemm.a, gemm.w, p["LANES"], int_matmul(gemm.a, gemm.w, p["ACC_BITS"]))
    half = max(1, n // 2)
    if module in ("sdr_mac", "decompress_mac"):
        parts = [sdr_case(unit, rng, m, half, groups=8) for _ in range(2)]
    else:
        parts = [int_case(unit, rng, m, half, beats=per_product) for _ in range(2)]
    return _bubbly_halves(parts, rng)


def _bubbly_halves(parts, rng):
    """Two parts with bubbles (mean 0.25 per beat) and a reset between them."""
    return reset_between(*(with_bubbles(part, rng, 0.25) for part in parts))


def _encoder_chunk(unit, rng, seed, beats):
    p = unit.parameters
    if seed % 2:
        workload = llm_workload(beats // 256, 256 * p["GROUP"], 1, seed=seed, group=p["GROUP"])
        q, _ = absmax_quantize(workload.activations, p["BASE_BITS"], axis=-1)
        return encoder_case(unit, q.reshape(-1, p["GROUP"]))
    parts = [
        encoder_case(unit, random_groups(rng, beats // 2, p["GROUP"], p["BASE_BITS"]))
        for _ in range(2)
    ]
    return _bubbly_halves(parts, rng)


def _engine_chunk(unit, rng, seed, beats):
    """An engine: random tiles (even seeds) or an LLM-like GEMM tiled onto it (odd seeds):
    ``sdr_engine`` QRazor SDR codes (the activations razored once, as produced), the integer
    engines W8A8 / RTN W4A4 (absmax per token and per output channel)."""
    p = unit.parameters
    sdr = unit.MODULE_NAME == "sdr_engine"
    if seed % 2:
        k = 4096
        n = p["COLS"] * max(1, beats * p["LANES"] // (16 * k))  # whole tiles of 16 rows
        workload = llm_workload(16, k, n, seed=seed, group=p.get("GROUP", 16))
        if sdr:
            gemm = qrazor_gemm(
                workload, p["GROUP"], p["MAG_BITS"], a_bits=p["A_BITS"], w_bits=p["W_BITS"]
            )
        else:
            bits = 4 if unit.MODULE_NAME == "int4_engine" else 8
            gemm = integer_gemm(workload, bits, bits)
        return tiled_beats(unit, gemm.a, gemm.w, golden_product(gemm, p["ACC_BITS"]))
    per_row = 8 * p.get("GROUP", p["LANES"]) // p["LANES"]
    rows = max(1, beats // (2 * 8 * per_row))
    parts = []
    for _ in range(2):
        tiles = [
            sdr_engine_case(unit, rng, 8, groups=8)
            if sdr
            else int_engine_case(unit, rng, 8, per_row)
            for _ in range(rows)
        ]
        parts.append(concatenated(tiles))
    return _bubbly_halves(parts, rng)


def _rap_rows(rng, seed, count, d):
    """``count`` int16 rows: random magnitudes (even seeds) or LLM-like activations (odd)."""
    if seed % 2:
        workload = llm_workload(count, d, 1, seed=seed, group=d)
        return list(absmax_quantize(workload.activations, 16, axis=-1)[0])
    return list(random_shifted(rng, (count, d), 16))


def _rap_chunk(unit, rng, seed, beats):
    p = unit.parameters
    lanes = p["LANES"]
    module = unit.MODULE_NAME
    if module == "int_gelu":
        d = 64
        rows = _rap_rows(rng, seed, beats * lanes // d, d)
        exponents = [rng.choice(EXPONENTS, size=d // lanes) for _ in rows]
        made = gelu_beats(rows, exponents, lanes)
    elif module == "int_softmax":
        d = p["MAX_ROW"]
        rows = _rap_rows(rng, seed, beats * lanes // (3 * d), d)
        exponents = rng.choice(EXPONENTS, size=len(rows))
        made = softmax_beats(rows, exponents, lanes, p["OUT_BITS"], p["SCALE"], rng=rng)
    else:
        d = p["D"]
        rows = _rap_rows(rng, seed, beats * lanes // (2 * d), d)
        exponents = rng.choice(EXPONENTS, size=len(rows))
        weight, bias = rng.normal(1.0, 0.3, d), rng.normal(0.0, 0.5, d)
        made = layernorm_beats(rows, exponents, weight, bias, lanes, p["EPS"], rng=rng)
    return made if seed % 2 else with_bubbles(made, rng, 0.25)


def chunk(unit, seed, beats=CHUNK_BEATS):
    """The stream of chunk ``seed`` for ``unit`` (drained) and its golden results."""
    rng = np.random.default_rng([seed, sum(map(ord, unit.MODULE_NAME))])
    module = unit.MODULE_NAME
    if module == "sdr_encoder":
        made = _encoder_chunk(unit, rng, seed, beats)
    elif module.endswith("_engine"):
        made = _engine_chunk(unit, rng, seed, beats)
    elif module in ROW_UNITS:
        made = _rap_chunk(unit, rng, seed, beats)
    else:
        made = _mac_chunk(unit, rng, seed, beats)
    return drained(made, unit.LATENCY)


def result_kind(unit):
    """``is_mac`` of :func:`sim.checker.check_stream` for ``unit``."""
    if unit.MODULE_NAME in ROW_UNITS:
        return unit.RESULTS
    return unit.MODULE_NAME != "sdr_encoder"


def run_engine(unit, engine, beats, seed):
    """One (unit, engine, chunk) run: a record for ``runs.jsonl``."""
    prepare(engine, unit)  # a build is not simulation time
    start = time.perf_counter()
    outputs = get_backend(engine)(unit, beats.stream)
    seconds = time.perf_counter() - start
    check = check_stream(outputs, beats.stream, beats.expected, unit.LATENCY, result_kind(unit))
    return {
        "engine": engine,
        "seed": seed,
        "vectors": int(np.count_nonzero(beats.stream["in_valid"])),
        "results": check.results,
        "mismatches": check.mismatches,
        "first_mismatch": check.first,
        "seconds": seconds,
    }


def run_bench(unit, seed, transactions):
    """The unit's cocotb bench on Verilator, seed ``seed``, ``transactions`` random transactions
    (plus its directed and LLM phases): the valid beats it drove and the results it checked."""
    from sim.verify.rtl_cocotb import CocotbFailure, compiled, run_module, unit_record

    sys.path.insert(0, str(BENCH_DIR))  # the simulator imports the bench from sys.path
    bench = "tb_rap" if unit.MODULE_NAME in ROW_UNITS else "tb_bench"
    with tempfile.TemporaryDirectory(prefix="qrazor-regress-") as work:
        summary_file = Path(work) / "coverage.json"
        environment = {
            "QRAZOR_BENCH_UNIT": json.dumps(unit_record(unit)),
            "QRAZOR_COCOTB_VECTORS": str(transactions),
            "QRAZOR_SEED": str(seed),
            "QRAZOR_COVERAGE_FILE": str(summary_file),
        }
        build_ = compiled(unit, "verilator")
        start = time.perf_counter()
        error = None
        try:
            run_module(build_, bench, work, environment, log_file=Path(work) / "bench.log")
        except CocotbFailure as failure:
            error = str(failure).splitlines()[0]
        seconds = time.perf_counter() - start
        summary = json.loads(summary_file.read_text()) if summary_file.is_file() else {}
    return {
        "engine": "cocotb",
        "seed": seed,
        "transactions": transactions,
        "vectors": summary.get("beats", 0),
        "results": summary.get("results", 0),
        "mismatches": int(error is not None),
        "first_mismatch": error,
        "seconds": seconds,
        "coverage_bins": summary.get("bins"),
        "coverage_holes": summary.get("empty"),
    }


def completed_runs(runs_file):
    """``{(unit, engine, seed)}`` of the runs already in ``runs_file``."""
    if not runs_file.is_file():
        return [], set()
    runs = [json.loads(line) for line in runs_file.read_text().splitlines() if line.strip()]
    return runs, {(run["unit"], run["engine"], run["seed"]) for run in runs}


def summarise(runs):
    """Per (unit, engine): seeds, vectors, results, mismatches, seconds, coverage holes."""
    rows = {}
    for run in runs:
        row = rows.setdefault(
            (run["unit"], run["engine"]),
            {"seeds": 0, "vectors": 0, "results": 0, "mismatches": 0, "seconds": 0.0},
        )
        row["seeds"] += 1
        row["vectors"] += run["vectors"]
        row["results"] += run["results"] or 0
        row["mismatches"] += run["mismatches"]
        row["seconds"] += run["seconds"]
        if run["engine"] == "cocotb":
            holes = set(row.get("holes", ())) | set(run.get("coverage_holes") or ())
            row["holes"] = sorted(holes)
            row["coverage_holes"] = len(holes)
        if run["mismatches"] and "failing_seed" not in row:
            row["failing_seed"] = run["seed"]
            row["first_mismatch"] = run["first_mismatch"]
    return [{"unit": unit, "engine": engine, **row} for (unit, engine), row in sorted(rows.items())]


def markdown(rows):
    titles = [
        "unit",
        "engine",
        "seeds",
        "vectors",
        "results",
        "mismatches",
        "seconds",
        "coverage holes",
    ]
    cells = [
        (
            row["unit"],
            row["engine"],
            row["seeds"],
            f"{row['vectors']:,}",
            f"{row['results']:,}",
            row["mismatches"],
            f"{row['seconds']:.1f}",
            row.get("coverage_holes", "-"),
        )
        for row in rows
    ]
    return markdown_table(titles, cells) + "\n"


def append_run(runs_file, record, runs, done):
    """Append ``record`` to ``runs_file`` (flushed to disk) and to ``runs`` and ``done``."""
    with open(runs_file, "a", encoding="utf-8") as file:
        file.write(json.dumps(record, sort_keys=True) + "\n")
        file.flush()
        os.fsync(file.fileno())
    runs.append(record)
    done.add((record["unit"], record["engine"], record["seed"]))
