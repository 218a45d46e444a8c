"""``python -m synth.sweep [--quick] -o DIR [--scheduler tcp://HOST:PORT] [--workers N]``.

Sweeps the declared grid (:mod:`synth.sweep.grid`) on every Liberty library found (OSU 0.18 um
and IHP SG13G2, as ``python -m synth.report``) through Dask: a ``LocalCluster`` of ``--workers``
single-threaded workers on loopback, or the cluster at ``--scheduler``. Writes ``sweep.csv``,
``sweep.json``, ``sweep.md`` and one Pareto plot per library into ``DIR`` (staged, then renamed
into place); the points cache ``DIR/points/`` persists across runs.
"""

import shutil
import sys
import time
from pathlib import Path

from sim.golden.formats import check_int
from sim.util.cli import Terminated, UsageParser, cli_main
from sim.util.files import check_report_folder, replace_folder, write_atomic
from sim.util.progress import LazyProgress
from sim.util.tables import counted

from ..library.liberty import LibertyError
from ..report.cli import default_libraries
from ..report.writers import write_json
from .engine import POINTS, run_points
from .grid import flow_setup, full_grid, grid_record, quick_grid
from .minilm import format_key, model_available, operand_format
from .points import flow_settings, library_of
from .writers import sweep_csv, sweep_markdown, sweep_report, write_plots

__all__ = ["build_parser", "run", "main"]

#: The file that marks a folder as a sweep's output.
MARKER = "sweep.json"


def build_parser():
    parser = UsageParser(
        prog="python -m synth.sweep",
        description="Design-space sweep of sdr_mac (GROUP, LANES, MAG_BITS, A_BITS) against "
        "int8_mac and int4_mac (LANES): each point synthesized with the fair flow and priced "
        "with gate-level power, on Dask; Pareto fronts of area, area per MAC/cycle and energy per "
        "MAC against SQNR.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a small grid (4 units, LANES 1-4), light workload"
    )
    parser.add_argument(
        "-o", "--out", type=Path, default=Path("build/sweep"), help="output folder (build/sweep)"
    )
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://HOST:PORT)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="workers of the LocalCluster started when no --scheduler is given (default 2)",
    )
    parser.add_argument(
        "--liberty",
        type=Path,
        nargs="+",
        default=None,
        help="Liberty files (default: OSU 0.18 um and IHP SG13G2, where present)",
    )
    parser.add_argument(
        "--no-minilm",
        action="store_true",
        help="skip the MiniLM embedding cosine per operand format (computed by default where "
        "the model package is installed; tens of seconds per format)",
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="re-run the cached points that failed"
    )
    return parser


def _libraries(args):
    if args.liberty:
        paths, skipped = list(args.liberty), []
    else:
        paths, skipped = default_libraries()
        if not paths:
            raise ValueError(
                "no Liberty library found ("
                + "; ".join(f"{n}: {r}" for n, r in skipped)
                + "); pass --liberty PATH"
            )
    libraries = []
    for path in paths:
        if not path.is_file():
            raise ValueError(f"--liberty {path}: no such file")
        libraries.append(library_of(path))
    if len({lib.name for lib in libraries}) < len(libraries):
        raise ValueError("--liberty names the same library twice")
    return libraries, skipped


def _check_out(out):
    """The output folder may be absent, a sweep's, or hold only a points cache."""
    if out.is_dir() and {p.name for p in out.iterdir()} <= {POINTS}:
        return
    check_report_folder(out, MARKER, "sweep")


def run(out, points, setups, skipped, grid, scheduler=None, workers=2, **options):
    """Run the sweep of ``points`` on ``setups`` (``[(Library, Setup)]``) and write ``out``;
    returns the report dictionary and this run's counts (see
    :func:`~synth.sweep.engine.run_points`)."""
    out = Path(out)
    _check_out(out)
    staging = out.with_name(out.name + ".partial")
    if (staging / POINTS).is_dir() and not (out / POINTS).exists():
        out.mkdir(parents=True, exist_ok=True)  # a run that stopped mid-rename: keep its cache
        (staging / POINTS).rename(out / POINTS)
    shutil.rmtree(staging, ignore_errors=True)
    minilm = options.pop("minilm", False)
    note = "not computed (--no-minilm)"
    if minilm:
        reason = model_available()
        if reason:
            minilm, note = False, f"skipped: {reason}"
        else:
            note = "mean over the sentence set (sim.accuracy.sentences), once per operand format"
    created = not out.exists()
    try:
        with LazyProgress() as bar:
            formats = {format_key(operand_format(*point)) for point in points} if minilm else ()
            update = bar.task("sweep points", len(points) * len(setups) + len(formats))
            records, cosines, counts = run_points(
                points,
                setups,
                out,
                scheduler,
                workers,
                minilm=minilm,
                progress=lambda done, total: update(done),
                **options,
            )
    except BaseException as stop:
        kept = len(list((out / POINTS).glob("*.json"))) if (out / POINTS).is_dir() else 0
        if created and not kept:
            shutil.rmtree(out, ignore_errors=True)  # nothing finished: leave no folder behind
        if kept and isinstance(stop, KeyboardInterrupt | Terminated):
            raise type(stop)(
                f"{counted(kept, 'finished point')} kept in {out / POINTS} for the next run"
            ) from None
        raise
    flow = flow_settings(setups[0][1])
    if any(flow_settings(setup) != flow for _, setup in setups):
        raise ValueError("every library of a sweep takes the same flow settings")
    libraries = [library for library, _ in setups]
    report = sweep_report(records, cosines, libraries, skipped, grid, flow, note)
    plots = write_plots(report)
    staging.mkdir(parents=True)
    write_json(staging / "sweep.json", report)
    write_atomic(staging / "sweep.csv", sweep_csv(report))
    for file, data in plots.values():
        write_atomic(staging / file, data)
    write_atomic(
        staging / "sweep.md", sweep_markdown(report, {n: f for n, (f, _) in plots.items()})
    )
    (out / POINTS).rename(staging / POINTS)
    replace_folder(staging, out)
    return report, counts


@cli_main
def main(argv=None):
    args = build_parser().parse_args(argv)
    start = time.perf_counter()
    try:
        if args.scheduler is not None and args.workers is not None:
            raise ValueError("--workers: only without --scheduler (its cluster has its workers)")
        if args.scheduler is not None and not args.scheduler.strip():
            raise ValueError("--scheduler must be an address such as tcp://HOST:PORT")
        workers = check_int("--workers", 2 if args.workers is None else args.workers, 1)
        _check_out(args.out)
        libraries, skipped = _libraries(args)
        setups = [(lib, flow_setup(Path(lib.path), args.quick)) for lib in libraries]
        points = quick_grid() if args.quick else full_grid()
        _, counts = run(
            args.out,
            points,
            setups,
            skipped,
            grid_record(args.quick),
            args.scheduler,
            workers,
            minilm=not args.no_minilm,
            retry_failed=args.retry_failed,
        )
    except (ValueError, OSError, LibertyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"wrote {args.out / 'sweep.md'}: {counts['cached']} cached, {counts['computed']} "
        f"computed, {counts['failed_total']} failed in all ({time.perf_counter() - start:.1f} s)",
        file=sys.stderr,
    )
    return 0
