"""``python -m sim.run_mac``: run a GEMM workload through the MAC units and check every result.

With no argument, the default LLM-like workload runs on the NumPy cycle model through
``sdr_mac``, ``int8_mac`` and ``decompress_mac``, each fed its own format; every dot product is
checked against the golden model (value and cycle) and one table reports cycles, throughput,
latency, simulation speed, mismatches, accuracy against the float product and storage cost.
Exit status: 0 all results match, 1 a mismatch (the first one is printed), 2 a usage error.
"""

import gc
import json
import subprocess
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from hw.designs import build
from hw.params import DEFAULTS, MAX_ACC_BITS, MAX_LANES
from sim.golden.formats import GROUPS, check_int
from sim.util.cli import DefaultsHelpFormatter, UsageParser, cli_main
from sim.util.files import check_output_file, write_atomic
from sim.util.progress import LazyProgress
from sim.verify.backends import BACKENDS, RTL_BACKENDS
from sim.verify.mac_runs import MAC_UNITS, RUNNABLE_UNITS, run_unit, unit_parameters
from sim.workloads.llm_gemm import DEFAULT_SHAPE, Workload, check_workload_size, llm_workload


def build_parser():
    parser = UsageParser(
        prog="python -m sim.run_mac",
        description=__doc__.split("\n\n")[1],
        formatter_class=DefaultsHelpFormatter,
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default="model",
        help="simulator: the NumPy cycle model, the Amaranth simulator, a native Verilator "
        "testbench on the exported Verilog (no Python per cycle), or cocotb on it with "
        "Verilator or Icarus",
    )
    parser.add_argument(
        "--units",
        nargs="+",
        choices=RUNNABLE_UNITS,
        default=list(MAC_UNITS),
        help="MAC units to run, each once (int4_mac: W4A4 integers)",
    )
    parser.add_argument("--m", type=int, default=DEFAULT_SHAPE[0], help="tokens: rows of A")
    parser.add_argument(
        "--k",
        type=int,
        default=DEFAULT_SHAPE[1],
        help="reduction length K (a multiple of --group and --lanes)",
    )
    parser.add_argument(
        "--n", type=int, default=DEFAULT_SHAPE[2], help="output channels: rows of W"
    )
    parser.add_argument(
        "--lanes",
        type=int,
        default=DEFAULTS["LANES"],
        help="products per beat of every unit (a power of two dividing --group)",
    )
    parser.add_argument(
        "--group", type=int, choices=GROUPS, default=DEFAULTS["GROUP"], help="SDR group size"
    )
    parser.add_argument(
        "--acc-bits", type=int, default=DEFAULTS["ACC_BITS"], help="accumulator width of every unit"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated workload")
    parser.add_argument(
        "--activations",
        type=Path,
        metavar="NPY",
        help="float activations [M, K] from a .npy file (with --weights) "
        "instead of the generated workload (then --m, --k, --n and --seed do not apply)",
    )
    parser.add_argument(
        "--weights",
        type=Path,
        metavar="NPY",
        help="float weights [N, K] from a .npy file (with --activations)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        help="also write the figures as JSON (the same bytes for the same command and seed)",
    )
    parser.add_argument(
        "--timing",
        action="store_true",
        help="add the wall-clock figures (simulation seconds, simulated cycles/s per unit) to "
        'the JSON under one "timing" key; they differ from run to run',
    )
    parser.add_argument(
        "--synth",
        action="store_true",
        help="also synthesize the three MACs at --lanes onto the Liberty library (OSU 0.18 um "
        "when installed) and add the headline reductions of sdr_mac in area, power, energy/MAC "
        "and fmax (about 20 s at 4 lanes, minutes at 16; python -m synth.report for more)",
    )
    parser.add_argument(
        "--vcd",
        type=Path,
        metavar="PATH",
        help="write waveforms (RTL backends only); with several units, one file "
        "per unit: PATH's stem + _<unit> + suffix",
    )
    return parser


def _load_matrix(name, path):
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise ValueError(f"{name}: cannot read {path} as a .npy array ({error})") from None
    real = np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    if array.ndim != 2 or not real:
        raise ValueError(
            f"{name}: expected a 2-D array of real numbers (integer or float), got "
            f"{array.dtype} {array.shape}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: {path} holds NaN or infinity")
    return array.astype(np.float32)


def minimum_acc_bits(units, lanes, group):
    """``{unit: the narrowest ACC_BITS it accepts}`` (one full product) at ``lanes``, ``group``."""
    minimum = {}
    with warnings.catch_warnings():  # the trial units are never elaborated: no UnusedElaboratable
        warnings.simplefilter("ignore")
        for name in units:
            for bits in range(2, MAX_ACC_BITS + 1):
                try:
                    build(name, **unit_parameters(name, lanes=lanes, group=group, acc_bits=bits))
                except ValueError:
                    continue
                minimum[name] = bits
                break
        gc.collect()
    return minimum


def _check_acc_bits(args):
    """One statement of the narrowest ``--acc-bits`` for the units asked, whatever was given."""
    check_int("--acc-bits", args.acc_bits, 2, MAX_ACC_BITS)
    minimum = minimum_acc_bits(args.units, args.lanes, args.group)
    if minimum and args.acc_bits < max(minimum.values()):
        needs = ", ".join(f"{name} {bits}" for name, bits in minimum.items())
        raise ValueError(
            f"--acc-bits must be at least {max(minimum.values())} for --units "
            f"{' '.join(args.units)} (one full product: {needs}), not {args.acc_bits}"
        )


def _given(argv, *flags):
    """The flags among ``flags`` that ``argv`` gives explicitly."""
    argv = sys.argv[1:] if argv is None else argv
    return [flag for flag in flags if any(a == flag or a.startswith(flag + "=") for a in argv)]


def check_args(args, argv=None):
    """Refuse arguments that would fail late (or never) or not apply: LANES, duplicate units,
    the accumulator width, the generated shape's memory, options of the generated workload
    beside ``--activations``, non-``.npy`` input, the ``--json`` folder. Raises ``ValueError``
    naming the option."""
    check_int("--lanes", args.lanes, 1, MAX_LANES)
    if args.lanes & (args.lanes - 1):
        raise ValueError(f"--lanes must be a power of two, not {args.lanes}")
    if args.group % args.lanes and set(args.units) - {"int8_mac", "int4_mac"}:
        raise ValueError(f"--group {args.group} must be a multiple of --lanes {args.lanes}")
    _check_acc_bits(args)
    for option in ("activations", "weights"):
        path = getattr(args, option)
        if path is not None and path.suffix != ".npy":
            raise ValueError(
                f"--{option} {path}: give a .npy file (numpy.save), not "
                f"{path.suffix or 'a file without a suffix'}"
            )
    if args.activations is not None:
        ignored = _given(argv, "--m", "--k", "--n", "--seed")
        if ignored:
            raise ValueError(
                f"{', '.join(ignored)}: not used with --activations (the shape is the files')"
            )
    if args.activations is None:
        for name in ("m", "k", "n"):
            check_int(f"--{name}", getattr(args, name), 1)
        check_workload_size(args.m, args.k, args.n)
    for option in ("json", "vcd"):
        if getattr(args, option) is not None:
            check_output_file(getattr(args, option), f"--{option}")
    if args.timing and args.json is None:
        raise ValueError("--timing adds to the --json file: give --json PATH too")


def load_workload(args):
    """The workload the arguments ask for: from .npy files or generated."""
    if (args.activations is None) != (args.weights is None):
        raise ValueError("--activations and --weights go together")
    if args.activations is None:
        return llm_workload(args.m, args.k, args.n, args.seed, args.group)
    activations = _load_matrix("--activations", args.activations)
    weights = _load_matrix("--weights", args.weights)
    if activations.shape[1] != weights.shape[1]:
        raise ValueError(
            f"--activations has K={activations.shape[1]}, --weights has "
            f"K={weights.shape[1]}: they must match"
        )
    if activations.shape[1] % args.group:
        raise ValueError(f"K={activations.shape[1]} must be a multiple of --group {args.group}")
    return Workload(activations, weights, seed=-1)


def _vcd_path(args, unit):
    if args.vcd is None:
        return None
    if args.backend not in RTL_BACKENDS:
        raise ValueError(
            f"--vcd needs an RTL backend ({', '.join(RTL_BACKENDS)}), not --backend {args.backend}"
        )
    if len(args.units) == 1:
        return args.vcd
    return args.vcd.with_name(f"{args.vcd.stem}_{unit}{args.vcd.suffix}")


def run_all(args, workload):
    """Run every requested unit; returns the list of :class:`sim.mac_runs.UnitRun`."""
    runs = []
    with LazyProgress() as progress:
        for name in args.units:
            m, k, n = workload.shape
            update = progress.task(f"{name} on {args.backend}", m * n * k // args.lanes)
            runs.append(
                run_unit(
                    name,
                    workload,
                    args.backend,
                    lanes=args.lanes,
                    group=args.group,
                    acc_bits=args.acc_bits,
                    vcd_path=_vcd_path(args, name),
                    progress=update,
                )
            )
    return runs


def render_table(runs, workload, args):
    m, k, n = workload.shape
    source = "generated LLM-like" if workload.seed >= 0 else "loaded"
    seed = f", seed {workload.seed}" if workload.seed >= 0 else ""
    pipelines = sorted({str(run.parameters.get("PIPELINE", "-")) for run in runs})
    table = Table(
        title=f"{source} GEMM M={m} K={k} N={n}{seed}; LANES={args.lanes} "
        f"GROUP={args.group} PIPELINE={'/'.join(pipelines)}; backend {args.backend}"
    )
    columns = (
        "unit",
        "operands",
        "cycles",
        "MACs/cycle",
        "latency (cycles)",
        "sim cycles/s",
        "mismatches",
        "SQNR (dB)",
        "bits/elem A/W",
        "acc wrapped",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in ("unit", "operands") else "right")
    for run in runs:
        table.add_row(
            run.unit,
            run.scheme,
            str(run.cycles),
            f"{run.macs_per_cycle:.2f}",
            str(run.latency),
            f"{run.cycles_per_second:.3g}",
            f"{run.check.mismatches} / {run.check.results}",
            f"{run.sqnr_db:.2f}",
            f"{run.a_bits_per_element:.4g} / {run.w_bits_per_element:.4g}",
            f"{run.wrapped} / {run.check.results}" if run.wrapped else "0",
        )
    return table


def synth_headline(lanes):
    """``synth.report``'s headline at ``lanes``, from ``python -m synth.report.headline`` in a
    child process (the sim layer never imports synth): ``{"rows", "titles", "cells"}``."""
    command = [sys.executable, "-m", "synth.report.headline", "--lanes", str(lanes)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise RuntimeError(f"--synth: {lines[-1].removeprefix('error: ')}")
    return json.loads(done.stdout)


def render_headline(headline):
    table = Table(title="Synthesis headline (python -m synth.report gives the full report)")
    for title in headline["titles"]:
        table.add_column(title, justify="right")
    for row in headline["cells"]:
        table.add_row(*row)
    priced = headline.get("priced")
    return Group(table, Text(priced)) if priced else table


def write_json(path, runs, workload, args, headline):
    m, k, n = workload.shape
    record = {
        "workload": {
            "source": "generated" if workload.seed >= 0 else "npy",
            "seed": workload.seed,
            "m": m,
            "k": k,
            "n": n,
        },
        "backend": args.backend,
        "versions": {"qrazor-hw": version("qrazor-hw"), "numpy": np.__version__},
        "units": [run.as_dict() for run in runs],
    }
    if headline is not None:
        record["synth_headline"] = headline["rows"]
        record["synth_priced"] = {
            key: headline.get(key) for key in ("library", "clock_mhz", "netlists")
        }
    if args.timing:
        record["timing"] = {
            run.unit: {"seconds": run.seconds, "simulated_cycles_per_second": run.cycles_per_second}
            for run in runs
        }
    write_atomic(path, json.dumps(record, indent=2, sort_keys=True) + "\n")


@cli_main
def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        check_args(args, argv)
        workload = load_workload(args)
        runs = run_all(args, workload)
        headline = synth_headline(args.lanes) if args.synth else None
        if args.json:
            write_json(args.json, runs, workload, args, headline)
    except FileNotFoundError as error:  # a tool that is not installed: the message says how
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (ValueError, RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    console = Console(width=160)
    console.print(render_table(runs, workload, args))
    if headline is not None:
        console.print(render_headline(headline))
    for run in runs:
        if run.wrapped:
            print(
                f"warning: {run.unit}: {run.wrapped} of {run.check.results} dot products "
                f"overflow --acc-bits {args.acc_bits} and wrap (SQNR {run.sqnr_db:.2f} dB is "
                "of the wrapped results); widen --acc-bits",
                file=sys.stderr,
            )
    failed = [run for run in runs if not run.check.passed]
    for run in failed:
        print(
            f"MISMATCH {run.unit}: {run.check.mismatches} of {run.check.results} results; first "
            f"at cycle {run.check.first.get('cycle')}: {run.check.first}; operands "
            f"{run.first_operands}",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
