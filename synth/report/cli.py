"""``python -m synth.report``: area, timing and power of the QRazor units on Liberty libraries.

For each library (default: the OSU 0.18 um library and IHP SG13G2, those that are present),
every MAC at each LANES (default 1, 4, 16) and ``sdr_encoder`` go through one flow: the
pipelining policy, Booth and timing-driven mapping, gate-level activity of the default workload
over several seeds (every result checked against the golden model), power with the clock
network, OpenSTA timing and its power with the same activity. The RAP row units (``int_gelu``,
``int_softmax``, ``int_layernorm``, default LANES 1) go through the same flow as their own
group, on the integer rows an integer-only MiniLM pass feeds them (:mod:`synth.report.rap_rows`),
with energy per row element; they stay out of the MAC headline and plots. ``row_compactor``
(``--designs row_compactor``, ROWS 128 at each ``--compactor-k``) runs on MiniLM bit-planes
(:mod:`synth.report.compactor`), with energy per partial. Each library's report lands in
``OUT/<library>/`` (``report.md``, ``report.json``, ``report.csv``, PNG plots, work files under
``work/``) and both headlines in ``OUT/summary.md`` and ``OUT/summary.json``. The output folder
appears whole or not at all: the run writes into a sibling folder and renames it at the end.
"""

import math
import shutil
import sys
import time
from concurrent.futures import as_completed
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path

from hw.designs import DESIGNS, RAP_DESIGNS
from hw.params import DEFAULTS, RAP_LANES, check_compactor_params, check_row_params
from hw.yosys import YosysError, yosys_version
from sim.golden.formats import check_int
from sim.util.cli import UsageParser, cli_main, fill_defaults
from sim.util.files import check_report_folder, replace_folder, write_atomic
from sim.util.pool import process_pool
from sim.util.progress import LazyProgress
from sim.util.tables import markdown_table

from ..flow.areas import AREA_UNIT, GE_UNIT
from ..flow.pipelining import __doc__ as PIPELINING_POLICY
from ..flow.sta import StaError, sta_version
from ..flow.yosys import FLOW
from ..gates.gatesim import GateSimError
from ..library.liberty import LibertyError, default_libraries, load_liberty
from ..power.clock import CLOCK_TREE_CONSTANTS
from ..power.model import LIBERTY, OPENSTA_2_0_17, Conditions
from ..quantity import Quantity
from .compactor import COMPACTOR, DEFAULT_K
from .compactor import ENERGY_CONVENTION as COMPACTOR_ENERGY
from .compactor import ROWS as COMPACTOR_ROWS
from .compactor import WORKLOAD as COMPACTOR_WORKLOAD
from .evaluate import DEFAULT_CONDITIONS, Setup, evaluate_unit
from .findings import findings
from .headline import MACS, encoder_amortised, headline, headline_markdown
from .plots import write_plots
from .rap_rows import ENERGY_CONVENTION, REGISTERS_WHY, rap_parameters
from .rap_rows import STREAMS as RAP_STREAMS
from .rap_rows import WORKLOAD as RAP_WORKLOAD
from .stimulus import DEFAULT_BEATS, DEFAULT_SEEDS, DEFAULT_STREAMS, ENGINE_COLUMNS
from .writers import (
    compactor_summary,
    compactor_table,
    rap_summary,
    rap_table,
    write_csv,
    write_json,
    write_markdown,
)

__all__ = [
    "DEFAULT_LANES",
    "DEFAULT_RAP_LANES",
    "default_libraries",
    "units_to_run",
    "build_report",
    "main",
]

#: LANES settings of the default report.
DEFAULT_LANES = (1, 4, 16)
#: LANES settings of the RAP row units in the default report.
DEFAULT_RAP_LANES = (RAP_LANES,)
WORKLOAD = (
    "the default LLM-like GEMM (M=16 K=512 N=64, a few outlier channels over a Gaussian bulk; "
    "seeds {seeds}), {streams} streams per seed, each at least {beats} back-to-back beats: "
    "every unit is fed the operands of its own format (QRazor SDR codes from the A16/W8 bases "
    "for sdr_mac and decompress_mac, W8A8 for int8_mac, W4A4 RTN for int4_mac, the INT16 "
    "activations for sdr_encoder); each unit's record states its share"
)
#: Largest relative difference between the gate-level and OpenSTA figures left unexplained.
OPENSTA_TOLERANCE = 0.15


#: The units the report evaluates by default: the MACs, the encoder and the RAP row units.
REPORTED = tuple(d for d in DESIGNS if d in MACS or d == "sdr_encoder" or d in RAP_DESIGNS)
#: Reported on request (``--designs``): the GEMM engines, at LANES 16 and the default COLS, every
#: column unpipelined (what the policy chose for their 16-lane columns at 100 MHz on both
#: libraries; an engine that then misses the clock is flagged as any unit is).
ENGINES = tuple(ENGINE_COLUMNS)
ENGINE_PARAMETERS = {"LANES": 16, "COLS": DEFAULTS["COLS"], "PIPELINE": "none"}


#: The options that only a Liberty run uses (timing, power and its workload), when not given.
LIBRARY_DEFAULTS = {
    "clock_mhz": 1e-6 / DEFAULT_CONDITIONS.clock_period,
    "seeds": len(DEFAULT_SEEDS),
    "seed": 0,
    "streams": DEFAULT_STREAMS,
    "beats": DEFAULT_BEATS,
}


def units_to_run(lanes, designs=REPORTED, rap_lanes=DEFAULT_RAP_LANES, compactor_k=DEFAULT_K):
    """``[(design, parameters)]``: each MAC in ``designs`` at each LANES, the encoder once, each
    RAP row unit at each of ``rap_lanes`` with the parameters of its MiniLM rows,
    ``row_compactor`` (ROWS 128) at each of ``compactor_k``."""
    for value in (*lanes, *rap_lanes):
        check_int("lanes", value, 1)
    for k in compactor_k:
        check_compactor_params(COMPACTOR_ROWS, k)
    units = [(design, {"LANES": value}) for value in lanes for design in MACS if design in designs]
    units += [("sdr_encoder", {})] if "sdr_encoder" in designs else []
    units += [(design, dict(ENGINE_PARAMETERS)) for design in ENGINES if design in designs]
    units += [
        (design, rap_parameters(design, value))
        for value in rap_lanes
        for design in RAP_DESIGNS
        if design in designs
    ]
    compactors = compactor_k if COMPACTOR in designs else ()
    return units + [(COMPACTOR, {"ROWS": COMPACTOR_ROWS, "K": k}) for k in compactors]


def _group(design):
    """Report order of a unit's group: the MACs, the encoder, the engines, the RAP row units,
    the row compactor."""
    if design == COMPACTOR:
        return 4
    if design in RAP_DESIGNS:
        return 3
    return 2 if design in ENGINES else 1 if design == "sdr_encoder" else 0


def _tool_versions(liberty):
    tools = {"yosys (pyosys)": yosys_version()}
    for package in ("liberty-parser", "amaranth", "numpy"):
        try:
            tools[package] = version(package)
        except PackageNotFoundError:
            tools[package] = "not installed"
    if liberty is not None:
        tools["OpenSTA"] = sta_version() or "not installed"
    return tools


def _library_record(liberty):
    if liberty is None:
        return {
            "name": "generic",
            "description": "none: generic mode, Yosys internal gates "
            "(abc -g cmos2; $_DFF_P_ flip-flops); area = Yosys `stat -tech cmos` "
            "transistor estimate / 4, in NAND2 gate equivalents; no timing, no power",
        }
    library = load_liberty(liberty)
    wire = library.wire_load
    return {
        "name": library.name,
        "path": str(liberty),
        "voltage": library.voltage,
        "wire_load": wire.name if wire else None,
        "description": f"{library.name} ({liberty}); cell areas in square micrometres "
        "(Liberty area units); "
        + (
            f"nets carry the library's default wire-load model {wire.name!r}"
            if wire
            else "the library defines no wire-load model: pin capacitances only"
        ),
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


def _methods(setup):
    seeds = ", ".join(map(str, setup.seeds))
    return {
        "flow": {
            **FLOW,
            "mapping": "Yosys `synth -booth` (every unit: radix-4 Booth multipliers), block "
            "outputs kept, flattened, `dfflibmap`, then ABC `"
            + FLOW["abc_script"]
            + f"` with D = {100 * FLOW['logic_share_of_period']:.0f} % of the clock period",
            "pipelining": " ".join(PIPELINING_POLICY.strip().split("\n\n")[1].split()),
        },
        "activity_method": "zero-delay, two-state gate-level simulation of the mapped netlist "
        f"(synth.gates.logicsim, bit-parallel over {setup.streams} streams, equal to Icarus "
        f"Verilog net by net in the tests), seeds {seeds}; every result checked bit-exactly "
        "against the golden model; rises, falls and duty of every net over the steady-state window",
        "power_method": "per net: rises x rise_power and falls x fall_power of the Liberty "
        "internal-power tables at the net's load and slew (state-dependent groups by the "
        "probability of their state, from the measured duties), C V^2/2 per transition "
        "(pin capacitances plus the library's default wire-load model where it has one), "
        "cell_leakage_power; nets driven from outside (data inputs) apart (synth/power/model.py)",
        "clock_method": "flip-flop clock pins (their internal-power tables), the clock nets "
        "(C V^2 per cycle: clock pins, buffer inputs, an H-tree wire estimate) and a buffer tree "
        "of fan-out 8 (synth/power/clock.py; constants below); in every total and energy per "
        "operation",
        "opensta_method": "OpenSTA timing on the same netlist and constraints (ideal clock); its "
        "power from every net's measured activity and duty, annotated pin by pin "
        "(sta::set_power_pin_activity) through a Liberty copy whose combinational functions "
        "reference their own pin, so that OpenSTA 2.0.17's activity propagation keeps the "
        "annotations (synth/flow/sta.py)",
        "opensta_conventions": f"The gate-level figure ({LIBERTY.name}) is recomputed with "
        f"{OPENSTA_2_0_17.name}, read from its power/Power.cc and checked cell by cell: it adds "
        "the rise and fall energies and charges the sum per transition (later releases average "
        "them), gives an input pin's default group duty 0.5 and a clock pin's 1, times the "
        "ideal clock's pins at zero slew, weighs every arc by its `when` state's probability or "
        "0.5 without normalising (a single-arc inverter counts half, an XOR's six arcs three "
        "times), reads tied pins as duty 0.5, and loads nets with the largest pin capacitance "
        "(maximum analysis). The last ratio column shows what remains: the slews (OpenSTA "
        "propagates them through every stage; the gate-level model looks one stage deep).",
        "opensta_tolerance": OPENSTA_TOLERANCE,
        "constants": CLOCK_TREE_CONSTANTS,
    }


def _run(task):
    design, parameters, setup, out_dir = task
    return evaluate_unit(design, parameters, setup, out_dir)


def _rap_record(records, setup):
    """The RAP group's shared texts, or ``None`` when the report has no RAP unit."""
    units = [r for r in records if r["design"] in RAP_DESIGNS]
    if not units:
        return None
    return {
        "units": [r["tag"] for r in units],
        "lanes": sorted({r["parameters"]["LANES"] for r in units}),
        "workload": RAP_WORKLOAD if setup.liberty else "none (no gate-level simulation)",
        "streams": RAP_STREAMS,
        "energy_convention": ENERGY_CONVENTION,
        "registers": REGISTERS_WHY,
    }


def build_report(
    lanes,
    setup,
    out_dir,
    jobs=1,
    progress=None,
    designs=REPORTED,
    rap_lanes=DEFAULT_RAP_LANES,
    compactor_k=DEFAULT_K,
):
    """Evaluate every unit (``jobs`` at a time) and return the report dictionary."""
    tasks = [
        (design, parameters, setup, out_dir)
        for design, parameters in units_to_run(lanes, designs, rap_lanes, compactor_k)
    ]
    # Largest units first, so that the workers finish together (a RAP unit weighs as a
    # 16-lane MAC).
    order = sorted(
        tasks,
        key=lambda t: (
            -(16 if t[0] in RAP_DESIGNS else t[1].get("LANES", 4) * t[1].get("COLS", 1)),
            t[0] != "decompress_mac",
        ),
    )
    records = []
    if jobs > 1:
        with process_pool(jobs) as pool:
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
            _group(r["design"]),
            r["parameters"].get("LANES", r["parameters"].get("K", 0)),
            MACS.index(r["design"])
            if r["design"] in MACS
            else RAP_DESIGNS.index(r["design"])
            if r["design"] in RAP_DESIGNS
            else ENGINES.index(r["design"])
            if r["design"] in ENGINES
            else 0,
        )
    )
    area_unit = GE_UNIT if setup.liberty is None else AREA_UNIT
    rows = headline(records)
    rap = _rap_record(records, setup)
    report = {
        "generator": "python -m synth.report",
        "library": _library_record(setup.liberty),
        "area_unit": area_unit,
        "conditions": _conditions_record(setup.conditions),
        "workload": WORKLOAD.format(
            seeds=", ".join(map(str, setup.seeds)), streams=setup.streams, beats=setup.beats
        )
        if setup.liberty
        else "none (no gate-level simulation)",
        **_methods(setup),
        "tools": _tool_versions(setup.liberty),
        "seeds": list(setup.seeds),
        "units": records,
        "headline": rows,
        "encoder_amortised": encoder_amortised(records),
        "findings": findings(records, rows, area_unit),
    }
    if rap:
        report["rap"] = rap
    if any(r["design"] == COMPACTOR for r in records):
        report["compactor"] = {
            "workload": COMPACTOR_WORKLOAD if setup.liberty else "none (no gate-level simulation)",
            "energy_convention": COMPACTOR_ENERGY,
        }
    return report


def build_parser():
    parser = UsageParser(
        prog="python -m synth.report",
        description="Synthesize the QRazor units onto Liberty libraries (default: OSU 0.18 um "
        "and IHP SG13G2, where present) with one fair flow, and report area, timing, power "
        "with the clock, the OpenSTA cross-check and the sdr_mac headline.",
    )
    parser.add_argument(
        "--lanes",
        type=int,
        nargs="+",
        default=list(DEFAULT_LANES),
        help="LANES settings of the MACs (default 1 4 16)",
    )
    parser.add_argument(
        "--rap-lanes",
        type=int,
        nargs="+",
        default=list(DEFAULT_RAP_LANES),
        help="LANES settings of the RAP row units (default "
        + " ".join(map(str, DEFAULT_RAP_LANES))
        + ")",
    )
    parser.add_argument(
        "--compactor-k",
        type=int,
        nargs="+",
        default=list(DEFAULT_K),
        help=f"K settings of row_compactor (ROWS {COMPACTOR_ROWS}; default "
        + " ".join(map(str, DEFAULT_K))
        + ")",
    )
    parser.add_argument(
        "--designs",
        nargs="+",
        choices=list(REPORTED + ENGINES + (COMPACTOR,)),
        default=list(REPORTED),
        help="units to report (default: all but the GEMM engines sdr_engine, int8_engine and "
        "int4_engine, which take long, and row_compactor: name them to add them)",
    )
    library = parser.add_mutually_exclusive_group()
    library.add_argument(
        "--liberty",
        type=Path,
        nargs="+",
        default=None,
        help="Liberty files (default: OSU 0.18 um and IHP SG13G2, where present)",
    )
    library.add_argument(
        "--generic",
        action="store_true",
        help="no Liberty: Yosys internal gates, area in NAND2 gate equivalents only",
    )
    parser.add_argument(
        "--clock-mhz",
        type=float,
        help="clock frequency for mapping, timing and power "
        f"(default {LIBRARY_DEFAULTS['clock_mhz']:g})",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        help=f"workload seeds, from --seed on (default {LIBRARY_DEFAULTS['seeds']})",
    )
    parser.add_argument("--seed", type=int, help="first workload seed (default 0)")
    parser.add_argument(
        "--streams",
        type=int,
        help=f"streams simulated at once per seed (default {DEFAULT_STREAMS})",
    )
    parser.add_argument(
        "--beats",
        type=int,
        help=f"beats per stream, at least (default {DEFAULT_BEATS})",
    )
    parser.add_argument("--jobs", type=int, default=2, help="units evaluated at once (default 2)")
    parser.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path("build/report"),
        help="output folder (default build/report)",
    )
    return parser


def _setups(args):
    """``[(folder name, Setup)]`` and the skipped libraries; raises ``ValueError``."""
    given = fill_defaults(args, LIBRARY_DEFAULTS)
    if args.generic and given:
        raise ValueError(
            f"{', '.join(given)}: timing, power and the workload need a Liberty, not --generic"
        )
    if not math.isfinite(args.clock_mhz) or args.clock_mhz <= 0:
        raise ValueError(f"--clock-mhz must be a positive number, not {args.clock_mhz}")
    for name in ("seeds", "streams", "beats", "jobs"):
        check_int(f"--{name}", getattr(args, name), 1)
    check_int("--seed", args.seed, 0)
    conditions = Conditions(
        1e-6 / args.clock_mhz, DEFAULT_CONDITIONS.input_transition, DEFAULT_CONDITIONS.output_load
    )
    seeds = tuple(range(args.seed, args.seed + args.seeds))
    if args.generic:
        libraries, skipped = [None], []
    elif args.liberty:
        libraries, skipped = list(args.liberty), []
    else:
        libraries, skipped = default_libraries()
        if not libraries:
            raise ValueError(
                "no Liberty library found (" + "; ".join(f"{n}: {r}" for n, r in skipped) + "); "
                "pass --liberty PATH or --generic"
            )
    setups = []
    for liberty in libraries:
        name = "generic" if liberty is None else load_liberty(liberty).name  # a bad file fails here
        setups.append((name, Setup(liberty, conditions, seeds, args.streams, args.beats)))
    if len({name for name, _ in setups}) < len(setups):
        raise ValueError("--liberty names the same library twice")
    return setups, skipped


def _check_lanes(lanes, rap_lanes=()):
    for value in rap_lanes:
        check_row_params(lanes=value)
    for value in lanes:  # refuse bad LANES before minutes of work
        for design in MACS:
            cls = DESIGNS[design]
            cls.check_parameters(
                **{
                    name.lower(): value if name == "LANES" else DEFAULTS[name]
                    for name in cls.PARAMETERS
                }
            )


def _summary(reports, skipped):
    """``summary.json`` content and ``summary.md`` text of every library's headline."""
    parts = [
        "# QRazor units: headline on every library",
        "",
        "Each library's full report is in its own folder (`<library>/report.md`).",
        "",
    ]
    for name, report in reports.items():
        parts += [f"## {name}", "", headline_markdown(report["headline"]), ""]
        if "rap" in report:
            parts += [
                f"RAP digital periphery on {name} (energy per row element, clock included):",
                "",
                markdown_table(*rap_table(report)),
                "",
            ]
        if "compactor" in report:
            parts += [
                f"RAP row compactor on {name} (energy per partial):",
                "",
                markdown_table(*compactor_table(report)),
                "",
            ]
    if skipped:
        parts += ["## Skipped", "", *[f"- {name}: {reason}" for name, reason in skipped], ""]
    summary = {
        "libraries": {
            name: {
                "headline": report["headline"],
                "encoder_amortised": report["encoder_amortised"],
                **({"rap": rap_summary(report)} if "rap" in report else {}),
                **({"compactor": compactor_summary(report)} if "compactor" in report else {}),
            }
            for name, report in reports.items()
        },
        "skipped": [{"library": name, "reason": reason} for name, reason in skipped],
    }
    return summary, "\n".join(parts)


def _write(report, folder):
    plots = write_plots(report, folder)
    if not plots and find_spec("matplotlib") is None:
        report["plot_note"] = (
            "plots skipped: matplotlib is not installed (pip install 'qrazor-hw[plots]')"
        )
    write_json(folder / "report.json", report)
    write_csv(folder / "report.csv", report)
    write_markdown(folder / "report.md", report, plots)


@cli_main
def main(argv=None):
    args = build_parser().parse_args(argv)
    start = time.perf_counter()
    staging = args.out.with_name(args.out.name + ".partial")
    try:
        setups, skipped = _setups(args)
        _check_lanes(args.lanes, args.rap_lanes)
        for k in args.compactor_k:
            check_compactor_params(COMPACTOR_ROWS, k)
        check_report_folder(args.out, "summary.json", "report")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        reports = {}
        units = units_to_run(args.lanes, args.designs, args.rap_lanes, args.compactor_k)
        with LazyProgress() as bar:
            for name, setup in setups:
                folder = staging / name
                update = bar.task(f"{name} units", len(units))
                done = []

                def progress(record, name=name, update=update, done=done):
                    done.append(record)
                    update(len(done))
                    elapsed = time.perf_counter() - start
                    bar.note(f"{name}: {record['tag']} done ({elapsed:.0f} s)")

                folder.mkdir()
                reports[name] = build_report(
                    args.lanes,
                    setup,
                    folder,
                    args.jobs,
                    progress,
                    args.designs,
                    args.rap_lanes,
                    args.compactor_k,
                )
                _write(reports[name], folder)
        summary, markdown = _summary(reports, skipped)
        write_json(staging / "summary.json", summary)
        write_atomic(staging / "summary.md", markdown + "\n")
        replace_folder(staging, args.out)
    except (ValueError, OSError, YosysError, GateSimError, StaError, LibertyError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BaseException:  # SIGINT / SIGTERM (sim.util.cli): no *.partial left
        shutil.rmtree(staging, ignore_errors=True)
        raise
    elapsed = time.perf_counter() - start
    print(
        f"wrote {args.out / 'summary.md'} ({', '.join(reports)}) in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
