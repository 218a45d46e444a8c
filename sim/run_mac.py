"""``python -m sim.run_mac``: run a GEMM workload through the QRazor schemes and report accuracy."""

import argparse
import sys

from rich.console import Console
from rich.table import Table

from .formats import GROUPS
from .metrics import max_relative_error, sqnr_db
from .schemes import QRAZOR_A_BITS, QRAZOR_W_BITS, golden_product, integer_gemm, qrazor_gemm
from .workload import DEFAULT_SHAPE, llm_workload


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m sim.run_mac",
        description="Quantize an LLM-like GEMM workload with QRazor SDR and with W8A8 INT8, "
        "compute the exact integer products with the golden model and report their error "
        "against the float product.",
    )
    parser.add_argument("--m", type=int, default=DEFAULT_SHAPE[0], help="tokens (rows of A)")
    parser.add_argument("--k", type=int, default=DEFAULT_SHAPE[1], help="reduction length K")
    parser.add_argument("--n", type=int, default=DEFAULT_SHAPE[2], help="output channels (rows of W)")
    parser.add_argument("--group", type=int, default=16, choices=GROUPS, help="SDR group size")
    parser.add_argument("--seed", type=int, default=0, help="workload seed")
    return parser


def accuracy_table(workload, group):
    """Rows ``(scheme, A bits/elem, W bits/elem, SQNR dB, max rel err)`` for the default schemes."""
    reference = workload.reference()
    rows = []
    schemes = (
        qrazor_gemm(workload, group),
        integer_gemm(workload, QRAZOR_A_BITS, QRAZOR_W_BITS),  # the bases before razoring
        integer_gemm(workload),
    )
    for gemm in schemes:
        approx = gemm.rescale(golden_product(gemm))
        rows.append((gemm.name, gemm.a_bits_per_element, gemm.w_bits_per_element,
                     sqnr_db(reference, approx), max_relative_error(reference, approx)))
    return rows


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        workload = llm_workload(args.m, args.k, args.n, args.seed, args.group)
        rows = accuracy_table(workload, args.group)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    m, k, n = workload.shape
    table = Table(title=f"LLM-like GEMM M={m} K={k} N={n}, seed {args.seed}, "
                  f"{len(workload.outlier_channels)} outlier channels: error vs float64")
    for column in ("scheme", "A bits/elem", "W bits/elem", "SQNR (dB)", "max |err| / max |ref|"):
        table.add_column(column, justify="left" if column == "scheme" else "right")
    for name, a_bits, w_bits, sqnr, rel in rows:
        table.add_row(name, f"{a_bits:.4g}", f"{w_bits:.4g}", f"{sqnr:.2f}", f"{rel:.3e}")
    Console(width=120).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
