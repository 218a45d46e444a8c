"""``python -m synth.report``: area, timing and power of the QRazor units on a Liberty library.

Synthesizes ``sdr_mac``, ``int8_mac`` and ``decompress_mac`` at each LANES (default 1, 4, 16)
plus ``sdr_encoder``; simulates every mapped netlist at gate level on the default workload
(checked bit-exactly against the golden model), turns the measured activity into power, runs
OpenSTA for timing and a power cross-check, and writes ``report.md``, ``report.json``,
``report.csv`` and PNG plots into the output folder (work files under ``work/``).
"""

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from hw.designs import DESIGNS
from hw.params import DEFAULTS
from hw.yosys import YosysError, yosys_version
from sim.formats import check_int

from .areas import AREA_UNIT, GE_UNIT
from .evaluate import DEFAULT_CONDITIONS, Setup, evaluate_unit
from .findings import area_findings
from .gatesim import GateSimError
from .headline import MACS, headline
from .liberty import default_liberty, load_liberty
from .plots import write_plots
from .power import Conditions
from .quantity import Quantity
from .sta import StaError, sta_version
from .stimulus import DEFAULT_DOT_PRODUCTS
from .writers import write_csv, write_json, write_markdown

__all__ = ["DEFAULT_LANES", "units_to_run", "build_report", "main"]

#: LANES settings of the default report.
DEFAULT_LANES = (1, 4, 16)
WORKLOAD = (
    "{count} dot products of the default LLM-like GEMM (M=16 K=512 N=64, seed {seed}), "
    "dot product i pairing token i mod 16 with output channel i mod 64: QRazor SDR "
    "operands (A16/W8 bases razored to 4-bit codes) for sdr_mac and decompress_mac, the "
    "W8A8 operands of the same GEMM for int8_mac; sdr_encoder razors the same tokens' "
    "INT16 activations, one group per cycle"
)


def units_to_run(lanes, designs=tuple(DESIGNS)):
    """``[(design, parameters)]``: each MAC in ``designs`` at each LANES, the encoder once."""
    for value in lanes:
        check_int("lanes", value, 1)
    units = [(design, {"LANES": value}) for value in lanes for design in MACS if design in designs]
    return units + ([("sdr_encoder", {})] if "sdr_encoder" in designs else [])


def _tool_versions(liberty):
    tools = {"yosys (pyosys)": yosys_version()}
    for package in ("liberty-parser", "pywellen", "amaranth"):
        try:
            tools[package] = version(package)
        except PackageNotFoundError:
            tools[package] = "not installed"
    if liberty is not None:
        import subprocess

        from sim.tools import find_tool

        if find_tool("iverilog"):
            text = subprocess.run(
                ["iverilog", "-V"], capture_output=True, text=True, check=False
            ).stdout
            tools["iverilog"] = (
                text.split("\n")[0].replace("Icarus Verilog version ", "").replace(" ()", "")
            )
        tools["OpenSTA"] = sta_version() or "not installed"
    return tools


def _library_record(liberty):
    if liberty is None:
        return {
            "name": "none (generic mode)",
            "description": "none: generic mode, Yosys internal gates "
            "(abc -g cmos2; $_DFF_P_ flip-flops); area = Yosys `stat -tech cmos` "
            "transistor estimate / 4, in NAND2 gate equivalents; no timing, no power",
        }
    library = load_liberty(liberty)
    return {
        "name": library.name,
        "path": str(liberty),
        "voltage": library.voltage,
        "description": f"{library.name} ({liberty}); cell areas in square micrometres "
        "(Liberty area units)",
    }


def _conditions_record(conditions):
    return {
        "clock_period": Quantity(conditions.clock_period * 1e9, "ns", "stated"),
        "clock_frequency": Quantity(1e-6 / conditions.clock_period, "MHz", "stated"),
        "input_delay": Quantity(0.0, "ns", "stated"),
        "output_delay": Quantity(0.0, "ns", "stated"),
        "input_transition": Quantity(conditions.input_transition * 1e9, "ns", "stated"),
        "output_load": Quantity(conditions.output_load * 1e12, "pF", "stated"),
    }


def _run(task):
    design, parameters, setup, out_dir = task
    return evaluate_unit(design, parameters, setup, out_dir)


def build_report(lanes, setup, out_dir, jobs=1, progress=None, designs=tuple(DESIGNS)):
    """Evaluate every unit (``jobs`` at a time) and return the report dictionary."""
    tasks = [
        (design, parameters, setup, out_dir) for design, parameters in units_to_run(lanes, designs)
    ]
    # Largest units first, so that two workers finish together.
    order = sorted(tasks, key=lambda t: (-t[1].get("LANES", 4), t[0] != "decompress_mac"))
    records = []
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for future in as_completed([pool.submit(_run, task) for task in order]):
                records.append(future.result())
                if progress:
                    progress(records[-1])
    else:
        for task in order:
            records.append(_run(task))
            if progress:
                progress(records[-1])
    records.sort(
        key=lambda r: (
            r["design"] == "sdr_encoder",
            r["parameters"].get("LANES", 0),
            MACS.index(r["design"]) if r["design"] in MACS else 0,
        )
    )
    area_unit = GE_UNIT if setup.liberty is None else AREA_UNIT
    return {
        "generator": "python -m synth.report",
        "library": _library_record(setup.liberty),
        "area_unit": area_unit,
        "conditions": _conditions_record(setup.conditions),
        "workload": WORKLOAD.format(count=setup.dot_products, seed=setup.seed)
        if any(r["power"] for r in records)
        else "none (no gate-level simulation)",
        "activity_method": "zero-delay gate-level simulation of the mapped netlist (Icarus "
        "Verilog with the library's cell models), every result checked "
        "bit-exactly against the golden model; rises and falls of every net "
        "counted from the VCD (pywellen), from the end of the reset cycle on",
        "power_method": "per-net rises x rise_power and falls x fall_power tables (at the "
        "net's load and slew), C V^2/2 per transition of every cell-driven "
        "net (input capacitances, no wire load), cell_leakage_power; nets "
        "driven from outside the unit (inputs, clock) are listed apart",
        "opensta_method": "OpenSTA report_power data (sta::design_power) with the measured "
        "activity and duty of every input bit (set_power_activity "
        "-input_ports); OpenSTA 2.0.17 propagates activity through the "
        "logic itself (it overwrites annotations on internal pins) and "
        "charges rise+fall internal energy per transition, so its figure "
        "is an independent vectorless estimate, not the same activity",
        "tools": _tool_versions(setup.liberty),
        "dot_products": setup.dot_products,
        "seed": setup.seed,
        "units": records,
        "headline": headline(records),
        "findings": area_findings(records, area_unit),
    }


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m synth.report",
        description="Synthesize the QRazor units onto a Liberty library (default: the Debian "
        "qflow-tech-osu018 OSU 0.18 um library), measure gate-level activity on the default "
        "workload, and report area, timing, power and the sdr_mac headline.",
    )
    parser.add_argument(
        "--lanes",
        type=int,
        nargs="+",
        default=list(DEFAULT_LANES),
        help="LANES settings of the three MACs (default 1 4 16)",
    )
    parser.add_argument(
        "--designs",
        nargs="+",
        choices=list(DESIGNS),
        default=list(DESIGNS),
        help="units to report (default: all four)",
    )
    library = parser.add_mutually_exclusive_group()
    library.add_argument(
        "--liberty",
        type=Path,
        default=None,
        help="Liberty file (default: the OSU 0.18 um library when installed)",
    )
    library.add_argument(
        "--generic",
        action="store_true",
        help="ignore any Liberty: Yosys internal gates, area in NAND2 gate equivalents only",
    )
    parser.add_argument(
        "--clock-mhz",
        type=float,
        default=1e-6 / DEFAULT_CONDITIONS.clock_period,
        help="clock frequency for power and timing (default 100)",
    )
    parser.add_argument(
        "--dot-products",
        type=int,
        default=DEFAULT_DOT_PRODUCTS,
        help=f"dot products (K=512) each MAC computes at gate level "
        f"(default {DEFAULT_DOT_PRODUCTS})",
    )
    parser.add_argument("--seed", type=int, default=0, help="workload seed (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="units evaluated at once (default 2)")
    parser.add_argument("--keep-vcd", action="store_true", help="keep the gate-level VCDs")
    parser.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path("build/report"),
        help="output folder (default build/report)",
    )
    return parser


def _setup(args):
    if args.clock_mhz <= 0:
        raise ValueError(f"--clock-mhz must be positive, not {args.clock_mhz}")
    check_int("--dot-products", args.dot_products, 1)
    check_int("--jobs", args.jobs, 1)
    check_int("--seed", args.seed, 0)
    liberty = None if args.generic else (args.liberty or default_liberty())
    if liberty is not None:
        load_liberty(liberty)  # a bad file fails here, before any work
    conditions = Conditions(
        1e-6 / args.clock_mhz, DEFAULT_CONDITIONS.input_transition, DEFAULT_CONDITIONS.output_load
    )
    return Setup(liberty, conditions, args.dot_products, args.seed, args.keep_vcd)


def main(argv=None):
    args = build_parser().parse_args(argv)
    start = time.perf_counter()
    try:
        setup = _setup(args)
        for value in args.lanes:  # refuse bad LANES before minutes of work
            for design in MACS:
                cls = DESIGNS[design]
                cls.check_parameters(
                    **{
                        name.lower(): value if name == "LANES" else DEFAULTS[name]
                        for name in cls.PARAMETERS
                    }
                )
        args.out.mkdir(parents=True, exist_ok=True)

        def progress(record):
            print(f"{record['tag']}: done ({time.perf_counter() - start:.0f} s)", file=sys.stderr)

        report = build_report(args.lanes, setup, args.out, args.jobs, progress, args.designs)
        plots = write_plots(report, args.out)
        if not plots:
            report["plot_note"] = (
                "plots skipped: matplotlib is not installed (pip install 'qrazor-hw[plots]')"
            )
        write_json(args.out / "report.json", report)
        write_csv(args.out / "report.csv", report)
        write_markdown(args.out / "report.md", report, plots)
    except (ValueError, OSError, YosysError, GateSimError, StaError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start
    print(
        f"wrote {args.out / 'report.md'} ({len(report['units'])} units) in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
