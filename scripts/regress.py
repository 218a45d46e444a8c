"""Long seeded regressions of every unit against the golden model.

Engines: ``model`` (the NumPy cycle models), ``verilator`` (the native Verilator testbench) and
``cocotb`` (the cocotb benches on Verilator, with functional coverage). For the first two the work
is cut into chunks of about 2^20 beats, one seed each: even seeds are random streams (operands
over every flag / magnitude, bubbles, a reset between two halves), odd seeds LLM-like workloads
(:func:`sim.workload.llm_workload`); a chunk is generated once with its golden results and run on
both. The cocotb benches run seed after seed (directed, random and LLM phases each) until
``--bench-vectors`` valid beats were driven. Each finished (unit, engine, seed) is appended to
``DIR/runs.jsonl`` as soon as it ends; a re-run skips it, so an interrupted regression resumes
where it stopped, and larger targets extend one. ``DIR/regress.json`` and ``DIR/regress.md`` sum
the runs per unit and engine: vectors (valid input beats), results checked, mismatches, seconds,
and for the cocotb benches the coverage bins never hit (a bench run fails on any). Exit status 1
on any mismatch or coverage hole (the seed to rerun is printed), 2 on a usage error.

Usage::

    python scripts/regress.py -o build/regress   # 10^7 beats per unit on model and verilator,
                                                 # 10^5 through each cocotb bench
    python scripts/regress.py -o DIR --vectors 100000 --bench-vectors 1000 --units sdr_mac_L16
"""

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hw.designs import build, elaborated  # noqa: E402
from sim.backends import get_backend, prepare  # noqa: E402
from sim.checker import check_stream  # noqa: E402
from sim.engine import tiled_beats  # noqa: E402
from sim.files import write_atomic  # noqa: E402
from sim.golden import int_matmul  # noqa: E402
from sim.quant import absmax_quantize  # noqa: E402
from sim.rap.streams import gelu_beats, layernorm_beats, softmax_beats  # noqa: E402
from sim.schemes import golden_product, integer_gemm, qrazor_gemm  # noqa: E402
from sim.stimulus import (  # noqa: E402
    encoder_case,
    int8_engine_case,
    int_case,
    random_groups,
    sdr_case,
    sdr_engine_case,
)
from sim.streams import (  # noqa: E402
    concatenated,
    drained,
    int_mac_beats,
    reset_between,
    sdr_mac_beats,
    with_bubbles,
)
from sim.workload import llm_workload  # noqa: E402

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
    """An engine: random tiles (even seeds) or an LLM-like GEMM tiled onto it (odd seeds)."""
    p = unit.parameters
    sdr = unit.MODULE_NAME == "sdr_engine"
    if seed % 2:
        k = 4096
        n = p["COLS"] * max(1, beats * p["LANES"] // (16 * k))  # whole tiles of 16 rows
        workload = llm_workload(16, k, n, seed=seed, group=p.get("GROUP", 16))
        if sdr:
            x, _ = absmax_quantize(workload.activations, p["A_BITS"], axis=-1)
            gemm = qrazor_gemm(
                workload,
                p["GROUP"],
                p["MAG_BITS"],
                rounding=p["ROUNDING"],
                a_bits=p["A_BITS"],
                w_bits=p["W_BITS"],
            )
            return tiled_beats(unit, x, gemm.w, golden_product(gemm, p["ACC_BITS"]))
        gemm = integer_gemm(workload, 8, 8)
        expected = int_matmul(gemm.a, gemm.w, p["ACC_BITS"])
        return tiled_beats(unit, gemm.a, gemm.w, expected)
    per_row = 8 * p.get("GROUP", p["LANES"]) // p["LANES"]
    rows = max(1, beats // (2 * 8 * per_row))
    parts = []
    for _ in range(2):
        tiles = [
            sdr_engine_case(unit, rng, 8, groups=8)
            if sdr
            else int8_engine_case(unit, rng, 8, per_row)
            for _ in range(rows)
        ]
        parts.append(concatenated(tiles))
    return _bubbly_halves(parts, rng)


def _rap_rows(rng, seed, count, d):
    """``count`` int16 rows: random magnitudes (even seeds) or LLM-like activations (odd)."""
    if seed % 2:
        workload = llm_workload(count, d, 1, seed=seed, group=d)
        return list(absmax_quantize(workload.activations, 16, axis=-1)[0])
    return list(rng.integers(-(1 << 15), 1 << 15, (count, d)) >> rng.integers(0, 16, (count, 1)))


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
    from sim.rtl_cocotb import CocotbFailure, compiled, run_module, unit_record

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


def _done(runs_file):
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
    lines = [
        "| unit | engine | seeds | vectors | results | mismatches | seconds | coverage holes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        holes = row.get("coverage_holes", "-")
        results = f"{row['results']:,}"
        lines.append(
            f"| {row['unit']} | {row['engine']} | {row['seeds']} | {row['vectors']:,} | "
            f"{results} | {row['mismatches']} | {row['seconds']:.1f} | {holes} |"
        )
    return "\n".join(lines) + "\n"


def _parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True, help="results folder")
    parser.add_argument(
        "--units", nargs="+", choices=UNITS, default=list(UNITS), help="units to regress"
    )
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument(
        "--vectors", type=int, default=10**7, help="beats per unit on model and verilator"
    )
    parser.add_argument(
        "--bench-vectors",
        type=int,
        default=10**5,
        help="valid beats per unit through its cocotb bench (seed after seed)",
    )
    parser.add_argument(
        "--bench-transactions",
        type=int,
        default=2000,
        help="random transactions of one cocotb bench run (one seed)",
    )
    parser.add_argument("--chunk", type=int, default=CHUNK_BEATS, help="beats per seed")
    parser.add_argument("--first-seed", type=int, default=0)
    return parser


def _check_args(parser, args):
    for name in ("vectors", "bench_vectors", "bench_transactions", "chunk"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.first_seed < 0:
        parser.error("--first-seed must be at least 0")
    if not args.output.parent.is_dir():
        parser.error(f"-o {args.output}: folder {args.output.parent} does not exist")


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    _check_args(parser, args)
    args.output.mkdir(exist_ok=True)
    runs_file = args.output / "runs.jsonl"
    runs, done = _done(runs_file)
    for name in args.units:
        module, parameters = UNITS[name]
        unit = elaborated(build(module, **parameters))
        engines = [e for e in args.engines if not (e == "model" and module in NO_CYCLE_MODEL)]
        stream_engines = [e for e in engines if e != "cocotb"]
        seeds = range(args.first_seed, args.first_seed + -(-args.vectors // args.chunk))
        for seed in seeds:
            todo = [e for e in stream_engines if (name, e, seed) not in done]
            if not todo:
                continue
            beats = chunk(unit, seed, args.chunk)
            for engine in todo:
                record = {"unit": name, **run_engine(unit, engine, beats, seed)}
                _append(runs_file, record, runs, done)
                _say(record)
        if "cocotb" in engines:
            seed, driven = args.first_seed, 0
            while driven < args.bench_vectors:  # seed after seed until enough beats were driven
                if (name, "cocotb", seed) not in done:
                    record = {"unit": name, **run_bench(unit, seed, args.bench_transactions)}
                    _append(runs_file, record, runs, done)
                    _say(record)
                driven += next(
                    r["vectors"]
                    for r in runs
                    if (r["unit"], r["engine"], r["seed"]) == (name, "cocotb", seed)
                )
                seed += 1
    rows = summarise([run for run in runs if run["unit"] in args.units])
    write_atomic(args.output / "regress.json", json.dumps({"rows": rows}, indent=2) + "\n")
    write_atomic(args.output / "regress.md", markdown(rows))
    print(markdown(rows), end="")
    failed = [row for row in rows if row["mismatches"] or _holes(row)]
    for row in failed:
        print(
            f"FAILED {row['unit']} on {row['engine']}: rerun with --first-seed "
            f"{row.get('failing_seed')} ({row.get('first_mismatch')})",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _holes(row):
    holes = row.get("coverage_holes")
    return isinstance(holes, int) and holes > 0


def _append(runs_file, record, runs, done):
    with open(runs_file, "a", encoding="utf-8") as file:
        file.write(json.dumps(record, sort_keys=True) + "\n")
        file.flush()
        os.fsync(file.fileno())
    runs.append(record)
    done.add((record["unit"], record["engine"], record["seed"]))


def _say(record):
    print(
        f"{record['unit']:28s} {record['engine']:9s} seed {record['seed']:3d}: "
        f"{record['vectors']:>9,} vectors, {record['mismatches']} mismatches, "
        f"{record['seconds']:.1f} s",
        flush=True,
    )


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
