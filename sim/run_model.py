"""``python -m sim.run_model``: QRazor's GEMM engines on whole workloads, the system around them
costed by ZigZag.

Workloads: all-MiniLM-L6-v2 on the study's 24 sentences (per inference), a LLaMA-7B-shaped
decoder layer in prefill (per token of a ``--seq-len`` prompt) and in decode (per generated token,
one for each of ``--batch`` sequences against a ``--seq-len`` KV cache). Engines: ``sdr_engine``
(every tensor stored as SDR codes, razored once where it is produced), ``int8_engine`` (W8A8),
``int4_engine`` (RTN W4A4).

Values: every MiniLM GEMM runs through each engine's exact model (sampled column tiles cycle by
cycle, ``--check-tiles``) and gives the embedding cosine; the LLaMA layer's GEMMs run on sampled
rows and output channels and give each format's GEMM SQNR. Energy, latency and traffic: ZigZag
per GEMM shape (``sim.system.zigzag``) on the gate-level figures of a ``synth.report`` folder
(``--report``, ``make model`` writes one); without them the values still run and one line says
which command makes them. Writes ``model.md``, ``model.json`` and ``model_energy.png`` into
``-o``. Exit status: 0 every result matches, 1 a mismatch, 2 a usage error.
"""

import sys
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from hw.designs import build, elaborated
from hw.params import DEFAULTS
from sim.golden.formats import GROUPS, check_int
from sim.system.engine.models import SYNTHETIC_MODELS, minilm_runs, synthetic_gemms, synthetic_runs
from sim.system.engine.runner import Engine
from sim.system.engine.tiling import plan
from sim.system.model.costing import REPORT_COMMAND, Workload, cost_models, workload_row
from sim.system.model.formats import ENGINES, stored_formats
from sim.system.model.gemms import decode_gemms, minilm_gemms, prefill_gemms
from sim.system.model.report import energy_plot, goals, json_text, markdown, storage_bound
from sim.system.zigzag.accelerator import DEFAULT_HIERARCHY
from sim.system.zigzag.cacti import CACTI_NODE_NM
from sim.util.cli import DefaultsHelpFormatter, UsageParser, cli_main, fill_defaults
from sim.util.files import check_output_folder, write_files
from sim.util.progress import LazyProgress
from sim.util.tables import counted

__all__ = ["main", "build_parser"]

WORKLOADS = ("minilm", "prefill", "decode")
DEFAULT_REPORT = Path("build/model/report")
DEFAULT_OUT = Path("build/model")
PLOT = "model_energy.png"
#: Bytes of memory a run may ask for in its largest exact GEMM (seq-len x seq-len scores).
MAX_EXACT_ELEMENTS = 1 << 28
#: The LLaMA workloads' options when not given (they do not apply to MiniLM).
LLAMA_DEFAULTS = {"seq_len": 2048, "batch": [1, 16], "sample_rows": 64, "sample_cols": 64}
#: The workloads each of those options applies to.
LLAMA_WORKLOADS = {
    "--seq-len": ("prefill", "decode"),
    "--batch": ("decode",),
    "--sample-rows": ("prefill", "decode"),
    "--sample-cols": ("prefill", "decode"),
}


def build_parser():
    parser = UsageParser(
        prog="python -m sim.run_model",
        description=__doc__.split("\n\n")[0].removeprefix("``python -m sim.run_model``: "),
        formatter_class=DefaultsHelpFormatter,
    )
    parser.add_argument(
        "--workloads",
        nargs="+",
        choices=WORKLOADS,
        default=list(WORKLOADS),
        help="workloads to run",
    )
    parser.add_argument(
        "--engines", nargs="+", choices=ENGINES, default=list(ENGINES), help="engines to compare"
    )
    parser.add_argument(
        "--seq-len",
        type=int,
        help="LLaMA layer: prompt tokens (prefill) and KV-cache tokens (decode) "
        f"(default: {LLAMA_DEFAULTS['seq_len']})",
    )
    parser.add_argument(
        "--batch",
        type=int,
        nargs="+",
        help="decode: sequences generating one token each "
        f"(default: {' '.join(map(str, LLAMA_DEFAULTS['batch']))})",
    )
    parser.add_argument(
        "--sentences",
        type=int,
        default=None,
        help="MiniLM: the first N of the 24 sentences (default: all)",
    )
    parser.add_argument(
        "--sample-rows",
        type=int,
        help="LLaMA layer: token rows whose results are computed and checked "
        f"(default: {LLAMA_DEFAULTS['sample_rows']})",
    )
    parser.add_argument(
        "--sample-cols",
        type=int,
        help="LLaMA layer: output channels whose results are computed and checked "
        f"(default: {LLAMA_DEFAULTS['sample_cols']})",
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
        "--check-tiles",
        type=int,
        default=1,
        help="column tiles of every GEMM run cycle by cycle on the cycle model",
    )
    parser.add_argument(
        "--backend",
        choices=("model", "verilator"),
        default="model",
        help="verilator: the checked tiles also run on the RTL",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=DEFAULT_REPORT,
        help="synth.report folder with the engines' and the encoder's figures",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the sampled tiles and data")
    parser.add_argument(
        "-o",
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output folder: model.md, model.json, model_energy.png, and cache/ "
        "with the CACTI and ZigZag results, reused by later runs",
    )
    return parser


def _check(args):
    """Refuse what is wrong or does not apply (in one line), then fill the LLaMA defaults."""
    for option in fill_defaults(args, LLAMA_DEFAULTS):
        applies = LLAMA_WORKLOADS[option]
        if not set(applies) & set(args.workloads):
            raise ValueError(
                f"{option} applies only to --workloads {' and '.join(applies)}, not chosen"
            )
    for name in ("seq_len", "sample_rows", "sample_cols"):
        check_int("--" + name.replace("_", "-"), getattr(args, name), 1)
    for batch in args.batch:
        check_int("--batch", batch, 1, 4096)
    if args.sentences is not None:
        check_int("--sentences", args.sentences, 1, 24)
        if "minilm" not in args.workloads:
            raise ValueError("--sentences applies to the minilm workload, which is not chosen")
    check_int("--check-tiles", args.check_tiles, 0)
    check_int("--seed", args.seed, 0)
    llama = {"prefill", "decode"} & set(args.workloads)
    if llama and args.sample_rows * args.seq_len > MAX_EXACT_ELEMENTS:
        raise ValueError(
            f"--seq-len {args.seq_len} x --sample-rows {args.sample_rows} exceeds the "
            f"{MAX_EXACT_ELEMENTS:,} score elements the exact check holds in memory"
        )
    check_output_folder(args.out)


def _engines(args):
    """The engines at the arguments' parameters (hw checks them: one-line errors)."""
    check_int("--cols", args.cols, 1)
    common = {"COLS": args.cols, "LANES": args.lanes, "PIPELINE": "none"}
    sdr = {"GROUP": args.group, "MAG_BITS": args.mag_bits}
    return {
        name: Engine(elaborated(build(name, **common, **(sdr if name == "sdr_engine" else {}))))
        for name in args.engines
    }


def _counter(progress, title, total):
    update, done = progress.task(title, total), [0]

    def step(_):
        done[0] += 1
        update(done[0])

    return step


def _exact_minilm(args, engines, model, sentences, progress):
    """``{engine: {"cosine": (mean, min), "mismatches": n}}`` of MiniLM on each engine."""
    reference = model.embed(sentences)
    backends = ("verilator",) if args.backend == "verilator" else ()
    calls = (6 + 2 * model.encoder.config.heads * len(sentences)) * model.encoder.config.layers
    out = {}
    for name, engine in engines.items():
        step = _counter(progress, f"MiniLM values on {name}", calls)
        runs, embeddings = minilm_runs(
            model, sentences, engine, args.check_tiles, backends, args.seed, step
        )
        cosine = np.sum(embeddings.astype(np.float64) * reference, axis=1)
        out[name] = {
            "cosine_mean": float(cosine.mean()),
            "cosine_min": float(cosine.min()),
            **_checked(runs),
        }
    return out


def _exact_llama(args, engines, shape, progress):
    """``{engine: {"sqnr_db": mean over the layer's GEMMs, "mismatches": n}}`` on samples."""
    gemms = synthetic_gemms(shape, args.seq_len, args.sample_rows, args.sample_cols, args.seed)
    backends = ("verilator",) if args.backend == "verilator" else ()
    out = {}
    for name, engine in engines.items():
        step = _counter(progress, f"LLaMA layer values on {name}", len(gemms))
        runs = synthetic_runs(gemms, engine, args.check_tiles, backends, args.seed, step)
        out[name] = {
            "sqnr_db": float(np.mean([r.sqnr_db for r in runs.values()])),
            **_checked(runs),
        }
    return out


def _checked(runs):
    bad = sum(r.mismatches + r.tile_mismatches for r in runs.values())
    first = next((f"{n}: {r.first_mismatch}" for n, r in runs.items() if r.first_mismatch), None)
    return {
        "results_checked": sum(r.results + r.checked_results for r in runs.values()),
        "mismatches": bad,
        "first_mismatch": first,
    }


def _workloads(args, minilm_lengths, bert, shape):
    out = []
    if "minilm" in args.workloads:
        weights = bert.layers * (4 * bert.hidden**2 + 2 * bert.hidden * bert.intermediate)
        out.append(
            Workload(
                "minilm",
                f"all-MiniLM-L6-v2, {counted(len(minilm_lengths), 'sentence')} "
                f"({counted(sum(minilm_lengths), 'token')}) in one batch; "
                "attention per sentence and head",
                1,
                "inference",
                lambda f: minilm_gemms(minilm_lengths, bert, f),
                weights,
                0,
            )
        )
    d, f, s = shape.hidden, shape.ffn, args.seq_len
    weights = 4 * d * d + 3 * d * f
    if "prefill" in args.workloads:
        out.append(
            Workload(
                "prefill",
                f"one {shape.name} decoder layer, prefill of {counted(s, 'token')} "
                f"({shape.source})",
                s,
                "token",
                lambda fm: prefill_gemms(shape, s, fm),
                weights,
                2 * s * d,
            )
        )
    if "decode" in args.workloads:
        for batch in args.batch:
            out.append(
                Workload(
                    f"decode-b{batch}",
                    f"one {shape.name} decoder layer, one new token for each of "
                    f"{batch} sequence(s) against a {s}-token KV cache",
                    batch,
                    "token",
                    lambda fm, b=batch: decode_gemms(shape, s, b, fm),
                    weights,
                    2 * s * d * batch,
                )
            )
    return out


def _schedule_check(engines, workloads):
    """For every GEMM, ZigZag's MACs and the schedule's: the engine's beats for (M, K, N)
    against ZigZag's ideal cycles are compared in the rows; here the schedule's beats and
    drain per GEMM, from :func:`~sim.system.engine.tiling.plan`."""
    out = {}
    for name, engine in engines.items():
        formats = stored_formats(name, engine.parameters)
        for workload in workloads:
            for gemm in workload.gemms(formats):
                step = engine.step
                schedule = plan(engine.unit, gemm.m, -(-gemm.k // step) * step, gemm.n)
                out[name, workload.key, gemm.name] = {
                    "beats": schedule.beats * gemm.repeat,
                    "drain_cycles": schedule.latency * gemm.repeat,
                    "macs": gemm.macs,
                }
    return out


def _rows(args, engines, workloads, schedule, accuracy, progress):
    models = cost_models(args.report, {n: e.parameters for n, e in engines.items()})
    cache = args.out / "cache"
    step = _counter(progress, "ZigZag per layer shape", len(models) * len(workloads))
    rows = []
    for (engine, _), model in sorted(models.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        for workload in workloads:
            row = workload_row(model, workload, cache)
            row["accuracy"] = accuracy.get((engine, workload.key), "-")
            for gemm in row["gemms"]:
                gemm["schedule"] = schedule[engine, workload.key, gemm["gemm"]]
            rows.append(row)
            step(None)
    return rows


def _accuracy(exact_minilm, exact_llama, workloads):
    out = {}
    for workload in workloads:
        for engine, values in (exact_minilm if workload.key == "minilm" else exact_llama).items():
            if workload.key == "minilm":
                out[engine, workload.key] = f"cosine {values['cosine_mean']:.4f}"
            else:
                out[engine, workload.key] = f"GEMM SQNR {values['sqnr_db']:.1f} dB"
    return out


def _notes(args):
    h = DEFAULT_HIERARCHY
    return [
        f"Memories: local activation buffer {h.local_act_bytes // 1024} KiB, local weight "
        f"buffer {h.local_weight_bytes // 1024} KiB, global buffer {h.global_bytes // 2**20} MiB "
        f"({h.global_bus_bits}-bit port), all priced by CACTI 7 at {CACTI_NODE_NM} nm, the "
        "largest node it accepts (nearest to both libraries: OSU 180 nm, IHP 130 nm); buffer "
        "leakage is not charged (CACTI gives it per bank in the cache's sram.json).",
        f"DRAM: {h.dram_source}.",
        "MAC array: the engine's gate-level energy per cycle (clock network included) over its "
        "COLS x LANES MACs, from the report of the same library; sdr_engine's encoder: "
        "sdr_encoder's gate-level energy per element, charged once per element written (every "
        "GEMM output, K and V included). int8_engine and int4_engine are charged nothing for "
        "their activation quantizers.",
        "SDR flags: ZigZag is given the 4-bit code width; every transfer of an SDR operand is "
        "charged (code + F/G) / code times ZigZag's figure, and DRAM stalls stretched by it. "
        "INT8 and INT4 per-row scales (16 bits per K elements) are not charged.",
        "Loop orders: the reduction innermost (a column cannot reload a partial sum), blocks of "
        "rows and column tiles above; ZigZag's cost model picks the order of least energy "
        "(sim/system/zigzag/evaluate.py). Latency is ZigZag's, stalls included, at 100 MHz.",
        "Schedule check: every GEMM's ZigZag ideal cycles equal the engine's beats (column "
        "tiles x rows x K / LANES); the engine's drain (LATENCY per call) is listed beside them "
        "in model.json; MiniLM's attention is padded to 8-token multiples (padded MACs in "
        "model.json next to the exact count).",
    ]


def _print(console, rows):
    table = Table(title="Energy per inference or token, latency, accuracy")
    for column in (
        "workload",
        "engine",
        "library",
        "energy (uJ)",
        "latency (us)",
        "utilization",
        "accuracy",
    ):
        table.add_column(column, justify="left" if column in ("workload", "engine") else "right")
    for r in rows:
        table.add_row(
            r["workload"],
            r["engine"],
            r["library"].split()[0],
            f"{r['energy_total_uj']:.4g}",
            f"{r['latency_us']:.4g}",
            f"{r['utilization']:.3f}",
            r["accuracy"],
        )
    console.print(table)


@cli_main
def main(argv=None):
    args = build_parser().parse_args(argv)
    console = Console(width=140)
    try:
        _check(args)
        engines = _engines(args)
        shape = SYNTHETIC_MODELS["llama-7b"]
        exact_minilm, exact_llama, lengths, bert = {}, {}, [], None
        with LazyProgress() as progress:
            if "minilm" in args.workloads:
                from sim.workloads.minilm import load_minilm
                from sim.workloads.sentences import SENTENCES

                model = load_minilm()
                sentences = SENTENCES[: args.sentences] if args.sentences else SENTENCES
                lengths = [len(ids) for ids in model.tokenize(sentences)]
                bert = model.encoder.config
                exact_minilm = _exact_minilm(args, engines, model, sentences, progress)
            if {"prefill", "decode"} & set(args.workloads):
                exact_llama = _exact_llama(args, engines, shape, progress)
            workloads = _workloads(args, lengths, bert, shape)
            accuracy = _accuracy(exact_minilm, exact_llama, workloads)
            figures = args.report.is_dir() and any(args.report.glob("*/report.json"))
            rows = []
            if figures:
                schedule = _schedule_check(engines, workloads)
                rows = _rows(args, engines, workloads, schedule, accuracy, progress)
    except (ValueError, ImportError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    checks = {
        **{f"minilm/{k}": v for k, v in exact_minilm.items()},
        **{f"llama/{k}": v for k, v in exact_llama.items()},
    }
    for key, check in checks.items():
        console.print(
            f"{key}: {check['results_checked']:,} results checked, {check['mismatches']} mismatches"
        )
    if not figures:
        print(
            f"no energy: no gate-level figures in {args.report}; make them with `make model` "
            f"({REPORT_COMMAND} -o {args.report})"
        )
    else:
        _print(console, rows)
        record = _record(args, engines, workloads, rows, checks)
        args.out.mkdir(parents=True, exist_ok=True)
        write_files(
            args.out,
            {
                "model.md": markdown(record, PLOT),
                "model.json": json_text(record),
                PLOT: energy_plot(record),
            },
        )
        console.print(f"wrote {args.out / 'model.md'}")
    bad = [k for k, c in checks.items() if c["mismatches"]]
    for key in bad:
        print(f"MISMATCH {key}: first {checks[key]['first_mismatch']}", file=sys.stderr)
    return 1 if bad else 0


def _schedule_summary(rows):
    """How many GEMMs have ZigZag's ideal cycles equal to the engine's beats, and the largest
    share of a GEMM's cycles the drain adds."""
    gemms = [g for row in rows for g in row["gemms"]]
    equal = sum(g["ideal_cycles"] == g["schedule"]["beats"] for g in gemms)
    drain = max((g["schedule"]["drain_cycles"] / g["schedule"]["beats"] for g in gemms), default=0)
    return {"gemms": len(gemms), "ideal_cycles_equal_beats": equal, "largest_drain_share": drain}


def _record(args, engines, workloads, rows, checks):
    sqnr = {e: checks[f"llama/{e}"]["sqnr_db"] for e in engines if f"llama/{e}" in checks}
    bounds = {}
    for workload in workloads:
        if "sdr_engine" in engines and "int8_engine" in engines:
            gemms = {
                e: workload.gemms(stored_formats(e, engines[e].parameters))
                for e in ("sdr_engine", "int8_engine")
            }
            bounds[workload.key] = storage_bound(gemms["sdr_engine"], gemms["int8_engine"])
    complete = set(ENGINES) <= set(engines) and len(sqnr) == len(ENGINES)
    return {
        "generator": "python -m sim.run_model",
        "settings": {
            "engines": ", ".join(f"{n} {e.parameters}" for n, e in engines.items()),
            "seq-len": args.seq_len,
            "decode batches": ", ".join(map(str, args.batch)),
            "gate-level report": str(args.report),
            "seed": args.seed,
        },
        "workloads": [
            {"key": w.key, "description": w.description, "per": w.per_label} for w in workloads
        ],
        "rows": rows,
        "checks": checks,
        "storage_bounds": bounds,
        "schedule_check": _schedule_summary(rows),
        "goals": goals(rows, bounds, sqnr) if complete else [],
        "notes": _notes(args),
    }


if __name__ == "__main__":
    sys.exit(main())
