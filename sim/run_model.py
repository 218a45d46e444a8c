"""``python -m sim.run_model``: every GEMM of a transformer forward pass through both engines.

all-MiniLM-L6-v2 (from the installed model package) on the accuracy study's sentence set, or one
LLM-like synthetic decoder layer (``--model synthetic``: LLaMA-7B's shape at ``--seq-len``), runs
on ``sdr_engine`` and ``int8_engine``: per layer and in total, cycles, utilization, bytes read
from the activation and weight buffers, energy (the engine's gate-level energy per cycle from
``synth.report`` times cycles, plus cited SRAM and DRAM energies per bit), mismatches against the
golden model and the accuracy of each engine's operands (SQNR; MiniLM: embedding cosine).
Exit status: 0 every result matches, 1 a mismatch, 2 a usage error.
"""

import argparse
import json
import sys
from importlib.util import find_spec
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from hw.designs import build, elaborated
from hw.params import DEFAULTS
from sim.golden.formats import GROUPS, check_int
from sim.system.engine.energy import engine_figures
from sim.system.engine.models import SYNTHETIC_MODELS, minilm_runs, synthetic_gemms, synthetic_runs
from sim.system.engine.runner import Engine
from sim.system.engine.summary import (
    EngineResult,
    constants_record,
    headline,
    layer_record,
    plot_energy,
    total_run,
)
from sim.util.files import write_atomic
from sim.util.progress import LazyProgress

__all__ = ["main", "build_parser"]

#: Where ``python -m synth.report --designs sdr_engine int8_engine -o ...`` writes by default
#: in this project, and the units' report (for the unit-level reduction).
DEFAULT_REPORT = Path("build/report-engines")
DEFAULT_UNIT_REPORT = Path("build/report")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m sim.run_model",
        description=__doc__.split("\n\n")[1],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--model",
        choices=("minilm", "synthetic"),
        default="minilm",
        help="all-MiniLM-L6-v2 (needs the model package) or a synthetic decoder layer",
    )
    parser.add_argument(
        "--synthetic", choices=sorted(SYNTHETIC_MODELS), default="llama-7b", help="layer shape"
    )
    parser.add_argument("--seq-len", type=int, default=2048, help="synthetic: prompt tokens")
    parser.add_argument(
        "--sample-rows",
        type=int,
        default=64,
        help="synthetic: token rows whose results are computed and checked per GEMM",
    )
    parser.add_argument(
        "--sample-cols",
        type=int,
        default=64,
        help="synthetic: output channels whose results are computed and checked per GEMM",
    )
    parser.add_argument(
        "--sentences", type=int, help="MiniLM: the first N sentences of the set (default: all)"
    )
    parser.add_argument("--cols", type=int, default=DEFAULTS["COLS"], help="engine columns")
    parser.add_argument("--lanes", type=int, default=16, help="lanes per column")
    parser.add_argument(
        "--group", type=int, choices=GROUPS, default=DEFAULTS["GROUP"], help="sdr_engine's group"
    )
    parser.add_argument(
        "--mag-bits", type=int, default=DEFAULTS["MAG_BITS"], help="sdr_engine's magnitude bits"
    )
    parser.add_argument(
        "--pipeline",
        default="none",
        help="pipeline registers of every column (SPEC: none, all or a comma list of cuts); "
        "synth.report's engine records are unpipelined",
    )
    parser.add_argument(
        "--check-tiles",
        type=int,
        default=1,
        help="column tiles of every layer run cycle by cycle on the cycle model (and --backend)",
    )
    parser.add_argument(
        "--backend",
        choices=("model", "verilator"),
        default="model",
        help="verilator: the checked tiles also run on the RTL (native Verilator testbench)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        help=f"synth.report folder with the engines' gate-level figures (by default "
        f"{DEFAULT_REPORT} when present; without one no energy is reported)",
    )
    parser.add_argument("--library", help="library of --report (by default the first)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sampled tiles and data")
    parser.add_argument("--json", type=Path, help="write the full record to this file")
    parser.add_argument("--plot", type=Path, help="write the stacked energy plot (PNG) here")
    return parser


def _engines(args):
    """Both engines at the arguments' parameters (hw checks them: one-line errors)."""
    check_int("--cols", args.cols, 1)
    common = {"COLS": args.cols, "LANES": args.lanes, "PIPELINE": args.pipeline}
    sdr = {**common, "GROUP": args.group, "MAG_BITS": args.mag_bits}
    return {
        "sdr_engine": Engine(elaborated(build("sdr_engine", **sdr))),
        "int8_engine": Engine(elaborated(build("int8_engine", **common))),
    }


def _figures(args, engine):
    try:
        figures = engine_figures(args.report or DEFAULT_REPORT, engine.module, engine.parameters)
    except ValueError:
        if args.report is not None:
            raise
        return None  # the default folder is missing or has no record of this configuration
    if args.library is None:
        return figures[sorted(figures)[0]]
    if args.library not in figures:
        raise ValueError(f"--library {args.library!r}: the report has {', '.join(figures)}")
    return figures[args.library]


def _unit_reduction(library, lanes):
    """sdr_mac vs int8_mac energy per MAC reduction at ``lanes`` from the units' report."""
    path = DEFAULT_UNIT_REPORT / library / "report.json"
    if not path.is_file():
        return None
    with open(path, encoding="utf-8") as file:
        rows = json.load(file)["headline"]
    for row in rows:
        if row["lanes"] == lanes and row["baseline"] == "int8_mac":
            return row["energy_per_mac_reduction"]
    return None


def _check(args):
    check_int("--check-tiles", args.check_tiles, 0)
    check_int("--seed", args.seed, 0)
    if args.model == "synthetic":
        for name in ("seq_len", "sample_rows", "sample_cols"):
            check_int("--" + name.replace("_", "-"), getattr(args, name), 1)
    if args.sentences is not None:
        check_int("--sentences", args.sentences, 1)
    if args.json is not None and not args.json.parent.is_dir():
        raise ValueError(f"--json {args.json}: folder {args.json.parent} does not exist")
    if args.plot is not None:
        if not args.plot.parent.is_dir():
            raise ValueError(f"--plot {args.plot}: folder {args.plot.parent} does not exist")
        if find_spec("matplotlib") is None:
            raise ValueError("--plot needs matplotlib: pip install 'qrazor-hw[plots]'")


def _run_minilm(args, engines, progress):
    from sim.workloads.minilm import load_minilm
    from sim.workloads.sentences import SENTENCES

    model = load_minilm()
    sentences = SENTENCES[: args.sentences] if args.sentences else SENTENCES
    reference = model.embed(sentences)
    backends = ("verilator",) if args.backend == "verilator" else ()
    config = model.encoder.config
    calls = (6 + 2 * config.heads * len(sentences)) * config.layers  # linear, attention
    out = {}
    for name, engine in engines.items():
        update = progress.task(f"MiniLM on {name}", calls)
        done = [0]

        def step(_, update=update, done=done):
            done[0] += 1
            update(done[0])

        runs, embeddings = minilm_runs(
            model, sentences, engine, args.check_tiles, backends, args.seed, step
        )
        cosine = np.sum(embeddings.astype(np.float64) * reference, axis=1)
        accuracy = {"mean": float(cosine.mean()), "min": float(cosine.min())}
        out[name] = (runs, accuracy)
    return out, "inference", 1, f"all-MiniLM-L6-v2, {len(sentences)} sentences in one batch"


def _run_synthetic(args, engines, progress):
    shape = SYNTHETIC_MODELS[args.synthetic]
    gemms = synthetic_gemms(shape, args.seq_len, args.sample_rows, args.sample_cols, args.seed)
    backends = ("verilator",) if args.backend == "verilator" else ()
    out = {}
    for name, engine in engines.items():
        update = progress.task(f"{shape.name} layer on {name}", len(gemms))
        done = [0]

        def step(_, update=update, done=done):
            done[0] += 1
            update(done[0])

        out[name] = (
            synthetic_runs(gemms, engine, args.check_tiles, backends, args.seed, step),
            None,
        )
    what = (
        f"one {shape.name} decoder layer, prefill of {args.seq_len} tokens ({shape.source}); "
        f"results of {args.sample_rows} token rows x {args.sample_cols} output channels per GEMM"
    )
    return out, "token", args.seq_len, what


def _table(result, per, count):
    table = Table(title=f"{result.engine.module} {result.engine.parameters}", title_justify="left")
    for column in ("layer", "calls", "cycles", "util", "act MB", "wt MB", "uJ", "mism", "SQNR dB"):
        table.add_column(column, justify="left" if column == "layer" else "right")
    rows = [*result.runs.items(), ("total", total_run(result.runs))]
    for name, run in rows:
        energy = result.energy(run)
        table.add_row(
            name,
            f"{run.calls}",
            f"{run.cycles:,}",
            f"{run.utilization:.3f}",
            f"{run.activation_bits / 8e6:.2f}",
            f"{run.weight_bits / 8e6:.2f}",
            "-" if energy is None else f"{sum(energy.values()) * 1e-6:.2f}",
            f"{run.mismatches + run.tile_mismatches}",
            f"{run.sqnr_db:.1f}",
        )
    return table


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        _check(args)
        engines = _engines(args)
        figures = {name: _figures(args, engine) for name, engine in engines.items()}
        if args.plot is not None and None in figures.values():
            raise ValueError(
                f"--plot needs the engines' figures: --report (none at {DEFAULT_REPORT})"
            )
        with LazyProgress() as progress:
            runner = _run_minilm if args.model == "minilm" else _run_synthetic
            runs, per, count, what = runner(args, engines, progress)
    except (ValueError, ImportError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    results = {
        name: EngineResult(engines[name], runs[name][0], figures[name], runs[name][1])
        for name in engines
    }
    library = next((f.library for f in figures.values() if f), None)
    unit = _unit_reduction(library, args.lanes) if library else None
    top = headline(results, per, count, unit)
    console = Console(width=140)
    console.print(what)
    for result in results.values():
        console.print(_table(result, per, count))
        if result.embedding_cosine:
            cosine = result.embedding_cosine
            console.print(
                f"embedding cosine to float32: mean {cosine['mean']:.4f}, min {cosine['min']:.4f}"
            )
    if top:
        key = f"energy_per_{per}_uj"
        console.print(
            f"energy per {per}: sdr_engine {top['sdr_engine'][key]:.2f} uJ, int8_engine "
            f"{top['int8_engine'][key]:.2f} uJ: {top['energy_reduction']:.1%} less (engines "
            f"alone {top['engine_energy_reduction']:.1%} less; "
            + ("" if unit is None else f"unit level sdr_mac vs int8_mac {unit:.1%} less; ")
            + f"{top['library']})"
        )
    else:
        console.print(
            f"no energy: no gate-level record of these engines in {DEFAULT_REPORT} "
            "(python -m synth.report --designs sdr_engine int8_engine; or --report DIR)"
        )
    record = {
        "model": what,
        "per": per,
        "count": count,
        "engines": {
            name: {
                "parameters": result.engine.parameters,
                "latency": result.engine.unit.LATENCY,
                "figures": None if result.figures is None else vars(result.figures),
                "embedding_cosine": result.embedding_cosine,
                "layers": {n: layer_record(r, result.energy(r)) for n, r in result.runs.items()},
                "total": layer_record(
                    total_run(result.runs), result.energy(total_run(result.runs))
                ),
            }
            for name, result in results.items()
        },
        "headline": top,
        "constants": constants_record(),
    }
    if args.json:
        write_atomic(args.json, json.dumps(record, indent=2, sort_keys=True) + "\n")
    if args.plot and top:
        plot_energy(results, args.plot, per, count)
    bad = sum(
        r.mismatches + r.tile_mismatches for res in results.values() for r in res.runs.values()
    )
    if bad:
        first = next(
            (n, r.first_mismatch)
            for res in results.values()
            for n, r in res.runs.items()
            if r.first_mismatch
        )
        print(f"MISMATCH: {bad} results differ; first in {first[0]}: {first[1]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
