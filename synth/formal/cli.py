"""``python -m synth.formal -o DIR``: prove the QRazor units correct and write ``formal.json``
and ``formal.md``.

Proofs (:mod:`.catalog`): each synthesized netlist equal to its RTL on every library found
(:mod:`.lec`); ``sdr_mac``'s datapath equal to ``decompress_mac``'s (:mod:`.datapath`); SPEC
section 5's protocol on ``sdr_mac`` and ``int8_mac`` (:mod:`.protocol`); ``sdr_encoder`` equal to
an independent reference of SPEC section 2 (:mod:`.encoder`); ``row_compactor``'s handshake and
split of SPEC section 9 at small ROWS (:mod:`.compactor`). Each proof has a time limit and
ends ``proven``, ``failed`` (its counterexample is printed and written) or ``unknown``.

Exit status: 0 when no proof failed, 1 when one did, 2 on a usage error. The output folder
appears whole or not at all: the run writes into ``DIR.partial`` and renames it at the end
(work files, Yosys logs included, stay under ``DIR/work/``).
"""

import os
import shutil
import sys
import time
from concurrent.futures import as_completed
from pathlib import Path

from sim.util.cli import cli_main
from sim.util.files import check_report_folder, replace_folder
from sim.util.pool import process_pool
from sim.util.progress import LazyProgress

from ..library.liberty import default_libraries
from ..usage import UsageParser
from .catalog import all_proofs, run_proof, select
from .result import format_counterexample
from .writers import report_record, write_json, write_markdown

__all__ = ["DEFAULT_TIME_LIMIT", "default_libraries", "build_parser", "main"]

#: Seconds each proof may spend in its solver runs by default.
DEFAULT_TIME_LIMIT = 180.0
PIPELINES = ("none", "all")


def build_parser():
    parser = UsageParser(
        prog="python -m synth.formal",
        description="Formal proofs of the QRazor units: netlists against RTL, the SDR datapath "
        "against decompress-then-multiply, the MAC protocol, the encoder against a reference, "
        "the RAP row compactor against its handshake and the golden split.",
    )
    parser.add_argument(
        "-o", "--out", type=Path, help="output folder (needed unless --list is given)"
    )
    parser.add_argument(
        "--proofs", nargs="+", metavar="NAME", help="run these proofs only (names or patterns)"
    )
    parser.add_argument(
        "--liberty",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="Liberty libraries of the netlist proofs (default: OSU 0.18 um and IHP SG13G2)",
    )
    parser.add_argument(
        "--pipelines",
        nargs="+",
        choices=PIPELINES,
        default=list(PIPELINES),
        help="PIPELINE settings proven (default: none all)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help=f"time limit of each proof (default {DEFAULT_TIME_LIMIT:g})",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="proofs run at once (default: 2, or 1 on one core)",
    )
    parser.add_argument("--list", action="store_true", help="print the proof names and stop")
    return parser


def _libraries(args):
    if args.liberty is None:
        return default_libraries()
    missing = [str(path) for path in args.liberty if not path.is_file()]
    if missing:
        raise ValueError(f"--liberty: no such file {', '.join(missing)}")
    return list(args.liberty), []


def _run_all(proofs, staging, time_limit, jobs, start):
    """Every proof's result, in ``proofs`` order (``jobs`` 1: one after the other, in this
    process), with a progress bar and a line per finished proof."""
    results = {}
    with LazyProgress() as bar:
        update = bar.task("proofs", len(proofs))

        def finished(result):
            results[result.name] = result
            update(len(results))
            bar.note(
                f"{result.name}: {result.status} ({result.seconds:.1f} s; "
                f"{time.perf_counter() - start:.0f} s elapsed)"
            )

        if jobs == 1:
            for proof in proofs:
                finished(run_proof(proof, staging / "work" / proof.name, time_limit))
        else:
            with process_pool(jobs) as pool:
                futures = [
                    pool.submit(run_proof, proof, staging / "work" / proof.name, time_limit)
                    for proof in proofs
                ]
                for future in as_completed(futures):
                    finished(future.result())
    return [results[proof.name] for proof in proofs]


@cli_main
def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:  # --help (0) or a usage error (2), already printed
        return stop.code
    if args.out is None and not args.list:
        print("error: -o/--out DIR is required (unless --list) (see --help)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    staging = args.out.with_name(args.out.name + ".partial") if args.out else None
    try:
        if args.time_limit <= 0 or args.jobs < 1:
            raise ValueError("--time-limit and --jobs must be positive")
        libraries, skipped = _libraries(args)
        proofs = all_proofs(libraries, tuple(args.pipelines))
        if args.proofs:
            proofs = select(proofs, args.proofs)
        if args.list:
            print("\n".join(proof.name for proof in proofs))
            return 0
        check_report_folder(args.out, "formal.json", "formal report")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        results = _run_all(proofs, staging, args.time_limit, args.jobs, start)
        record = report_record(results, skipped)
        write_json(staging / "formal.json", record)
        write_markdown(staging / "formal.md", record)
        replace_folder(staging, args.out)
    except (ValueError, OSError) as error:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BaseException:  # SIGINT / SIGTERM (sim.util.cli): no *.partial left
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    for name, reason in skipped:
        print(f"skipped {name}: {reason}")
    for result in results:
        print(f"{result.status:8} {result.seconds:7.1f} s  {result.name}")
    failed = [result for result in results if result.status == "failed"]
    for result in failed:
        print(f"\n{result.name} failed: {result.outcome.detail}")
        print(format_counterexample(result.outcome.counterexample))
    elapsed = time.perf_counter() - start
    print(f"wrote {args.out / 'formal.md'} in {elapsed:.1f} s", file=sys.stderr)
    return 1 if failed else 0
