"""``python -m sim.accuracy``: per-layer and end-to-end accuracy of QRazor SDR and other schemes.

Writes ``accuracy.md``, ``accuracy.json``, ``accuracy.csv`` and ``accuracy.png`` (the PNG needs
matplotlib) into ``--out``. ``--workload minilm`` (default) needs the model extra (see
:data:`sim.accuracy.minilm.INSTALL_HINT`); ``--workload synthetic`` needs nothing more than the
project.
"""

import os
import sys

from rich.console import Console
from rich.table import Table

from sim.studies.accuracy.formats import STUDY_GROUPS
from sim.studies.accuracy.report import csv_report, json_report, markdown_report
from sim.studies.accuracy.study import model_study, single_threaded_blas, synthetic_study
from sim.util.cli import UsageParser, cli_main
from sim.util.files import check_output_folder, write_files
from sim.util.progress import LazyProgress
from sim.workloads.llm_gemm import DEFAULT_SHAPE, check_workload_size
from sim.workloads.minilm import ModelUnavailable, load_minilm

#: Options of the synthetic workload, with their defaults.
SYNTHETIC_DEFAULTS = {
    "seed": 0,
    "layers": 4,
    "m": DEFAULT_SHAPE[0],
    "k": DEFAULT_SHAPE[1],
    "n": DEFAULT_SHAPE[2],
}
#: Output file names, written into --out.
OUTPUTS = ("accuracy.md", "accuracy.json", "accuracy.csv", "accuracy.png")


def build_parser():
    parser = UsageParser(
        prog="python -m sim.accuracy",
        description="Quantize every linear layer of all-MiniLM-L6-v2 (or synthetic LLM-like "
        "GEMMs) with QRazor SDR, W8A8, RTN INT4, MXINT4 and MXFP4; report per-layer GEMM SQNR "
        "and end-to-end embedding cosine similarity against float32.",
    )
    parser.add_argument(
        "--workload",
        choices=("minilm", "synthetic"),
        default="minilm",
        help="real model tensors (needs the model package) or seeded synthetic "
        "GEMMs (default: %(default)s)",
    )
    parser.add_argument(
        "--groups",
        type=int,
        nargs="+",
        default=list(STUDY_GROUPS),
        choices=STUDY_GROUPS,
        metavar="G",
        help=f"group sizes to sweep, from {STUDY_GROUPS} (default: all)",
    )
    parser.add_argument(
        "-o",
        "--out",
        default=os.path.join("build", "accuracy"),
        help="output folder (default: %(default)s)",
    )
    synthetic = parser.add_argument_group("synthetic workload only")
    synthetic.add_argument("--seed", type=int, help="first workload seed (default: 0)")
    synthetic.add_argument("--layers", type=int, help="number of GEMMs (default: 4)")
    for name, what in (("m", "tokens"), ("k", "reduction length K"), ("n", "output channels")):
        synthetic.add_argument(
            f"--{name}", type=int, help=f"{what} (default: {SYNTHETIC_DEFAULTS[name]})"
        )
    return parser


def run_study(args, progress):
    """The :class:`~sim.accuracy.study.Study` the arguments ask for."""
    groups = sorted(set(args.groups))
    synthetic = {name: getattr(args, name) for name in SYNTHETIC_DEFAULTS}
    if args.workload == "minilm":
        given = [f"--{name}" for name, value in synthetic.items() if value is not None]
        if given:
            raise ValueError(f"{', '.join(given)}: only for --workload synthetic")
        return model_study(load_minilm(), groups, progress)
    options = {
        name: SYNTHETIC_DEFAULTS[name] if value is None else value
        for name, value in synthetic.items()
    }
    check_workload_size(options["m"], options["k"], options["n"])
    return synthetic_study(
        groups,
        options["layers"],
        options["m"],
        options["k"],
        options["n"],
        options["seed"],
        progress,
    )


def render(study):
    """``{file name: bytes}`` of every report; the plot is left out when matplotlib is missing."""
    outputs = {
        "accuracy.md": markdown_report(study),
        "accuracy.json": json_report(study),
        "accuracy.csv": csv_report(study),
    }
    try:
        from sim.studies.accuracy.plot import sqnr_plot
    except ImportError:
        return outputs
    outputs["accuracy.png"] = sqnr_plot(study)
    return outputs


def print_summary(study, console):
    table = Table(
        title="Layer-averaged GEMM SQNR"
        + (" and end-to-end cosine" if study.cosines else "")
        + " vs float32"
    )
    columns = ["scheme", "bits/elem", "SQNR mean (dB)", "SQNR worst (dB)"]
    columns += ["cosine mean", "cosine min"] if study.cosines else []
    for column in columns:
        table.add_column(column, justify="left" if column == "scheme" else "right")
    for entry in study.summary:
        row = [
            entry["label"],
            f"{entry['bits_per_element']:.4g}",
            f"{entry['sqnr_db_mean']:.2f}",
            f"{entry['sqnr_db_min']:.2f}",
        ]
        row += [f"{entry[k]:.4f}" for k in ("cosine_mean", "cosine_min")] if study.cosines else []
        table.add_row(*row)
    console.print(table)


@cli_main
def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        check_output_folder(args.out)
        with single_threaded_blas(), LazyProgress() as progress:
            study = run_study(args, progress)
        outputs = render(study)
        write_files(args.out, outputs)
    except ModelUnavailable as error:
        print(
            f"error: {error} (or use --workload synthetic, which needs no model)", file=sys.stderr
        )
        return 2
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print_summary(study, Console(width=120))
    print(f"wrote {', '.join(os.path.join(args.out, name) for name in outputs)}")
    if "accuracy.png" not in outputs:
        print(
            "plot skipped: matplotlib is not installed (pip install 'qrazor-hw[plots]')",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
