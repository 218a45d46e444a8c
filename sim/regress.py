"""Long seeded regressions of every unit against the golden model.

Engines: ``model`` (the NumPy cycle models), ``verilator`` (the native Verilator testbench) and
``cocotb`` (the cocotb benches on Verilator, with functional coverage). For the first two the work
is cut into chunks of about 2^20 beats, one seed each: even seeds are random streams (operands
over every flag / magnitude, bubbles, a reset between two halves), odd seeds LLM-like workloads
(:func:`sim.workloads.llm_gemm.llm_workload`); a chunk is generated once with its golden
results and run on both. The cocotb benches run seed after seed (directed, random and LLM phases
each) until
``--bench-vectors`` valid beats were driven. Each finished (unit, engine, seed) is appended to
``DIR/runs.jsonl`` as soon as it ends; a re-run skips it, so an interrupted regression resumes
where it stopped, and larger targets extend one. ``DIR/regress.json`` and ``DIR/regress.md`` sum
the runs per unit and engine: vectors (valid input beats), results checked, mismatches, seconds,
and for the cocotb benches the coverage bins never hit (a bench run fails on any). Exit status 1
on any mismatch or coverage hole (the seed to rerun is printed), 2 on a usage error.

Usage::

    python -m sim.regress -o build/regress   # 10^7 beats per unit on model and verilator,
                                                 # 10^5 through each cocotb bench
    python -m sim.regress -o DIR --vectors 100000 --bench-vectors 1000 --units sdr_mac_L16
"""

import contextlib
import json
import sys
from pathlib import Path

from hw.designs import build, elaborated
from sim.util.cli import UsageParser, cli_main
from sim.util.files import check_output_folder, write_atomic
from sim.util.progress import LazyProgress
from sim.verify.regression import (
    CHUNK_BEATS,
    ENGINES,
    MAX_CHUNK_BEATS,
    NO_CYCLE_MODEL,
    UNITS,
    append_run,
    chunk,
    completed_runs,
    markdown,
    run_bench,
    run_engine,
    summarise,
)


def _parser():
    parser = UsageParser(prog="python -m sim.regress", description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True, help="results folder")
    parser.add_argument(
        "--units",
        nargs="+",
        choices=UNITS,
        default=list(UNITS),
        metavar="UNIT",
        help=f"units to regress: {', '.join(UNITS)} (default: all)",
    )
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=ENGINES,
        default=list(ENGINES),
        metavar="ENGINE",
        help=f"engines: {', '.join(ENGINES)} (default: all)",
    )
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
    if args.chunk > MAX_CHUNK_BEATS:
        parser.error(
            f"--chunk must be at most {MAX_CHUNK_BEATS:,} beats (a chunk is held in memory: "
            f"about 7 GiB at that size for the largest unit), not {args.chunk:,}"
        )
    if args.first_seed < 0:
        parser.error("--first-seed must be at least 0")
    try:
        check_output_folder(args.output)
    except ValueError as error:
        parser.error(str(error))


def _regress_unit(name, args, runs_file, runs, done, bar):
    """Every engine's seeds of unit ``name`` not yet in ``done``, then its cocotb benches."""
    module, parameters = UNITS[name]
    unit = elaborated(build(module, **parameters))
    engines = [e for e in args.engines if not (e == "model" and module in NO_CYCLE_MODEL)]
    stream_engines = [e for e in engines if e != "cocotb"]
    seeds = range(args.first_seed, args.first_seed + -(-args.vectors // args.chunk))
    streamed = len(stream_engines) * len(seeds) * args.chunk
    benched = args.bench_vectors if "cocotb" in engines else 0
    update = bar.task(f"{name} (beats)", streamed + benched)
    for index, seed in enumerate(seeds):
        todo = [e for e in stream_engines if (name, e, seed) not in done]
        if todo:
            beats = chunk(unit, seed, args.chunk)
            for engine in todo:
                record = {"unit": name, **run_engine(unit, engine, beats, seed)}
                append_run(runs_file, record, runs, done)
                _say(record)
        update((index + 1) * len(stream_engines) * args.chunk)
    if benched:
        seed, driven = args.first_seed, 0
        while driven < args.bench_vectors:  # seed after seed until enough beats were driven
            if (name, "cocotb", seed) not in done:
                record = {"unit": name, **run_bench(unit, seed, args.bench_transactions)}
                append_run(runs_file, record, runs, done)
                _say(record)
            driven += next(
                r["vectors"]
                for r in runs
                if (r["unit"], r["engine"], r["seed"]) == (name, "cocotb", seed)
            )
            update(streamed + min(driven, benched))
            seed += 1


@cli_main
def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    _check_args(parser, args)
    args.output.mkdir(parents=True, exist_ok=True)
    runs_file = args.output / "runs.jsonl"
    runs, done = completed_runs(runs_file)
    with LazyProgress() as bar:
        for name in args.units:
            _regress_unit(name, args, runs_file, runs, done, bar)
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
