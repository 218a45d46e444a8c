"""``python -m synth.fpga [--designs ...] [--lanes ...] -o DIR``: LUT, FF, DSP and fmax of the
QRazor units on an ECP5 (LFE5U-25F) and an iCE40 UltraPlus (iCE40UP5K), with and without DSP
inference, and the SDR against INT8 comparison; written to ``DIR/fpga.json`` and ``DIR/fpga.md``.

Yosys (pyosys) maps each unit (:mod:`.flow`); nextpnr from the YoWASP wheels (the ``fpga`` extra)
places and routes it inside a five-pin serial wrapper (:mod:`.wrapper`). A unit larger than a
device is reported as not fitting, not as an error. The output folder appears whole or not at
all: the run writes into ``DIR.partial`` and renames it at the end; work files (Yosys and nextpnr
logs, cell counts, nextpnr reports) stay under ``DIR/work/``. Exit status 0, or 2 with a one-line
message on bad arguments or a tool failure.
"""

import shlex
import shutil
import sys
import time
from concurrent.futures import as_completed
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from hw.designs import build, elaborated
from hw.yosys import YosysError, yosys_version
from sim.golden.formats import check_int
from sim.util.cli import cli_main
from sim.util.files import check_report_folder, replace_folder
from sim.util.pool import process_pool
from sim.util.progress import LazyProgress

from ..formal.units import export_rtl
from ..report.evaluate import unit_tag
from ..usage import UsageParser
from .devices import DEVICES
from .flow import FpgaError, check_workaround, implement
from .nextpnr import NextpnrError, available, nextpnr_version
from .wrapper import TOP
from .writers import comparisons, notes, write_json, write_markdown

__all__ = ["MACS", "UNITS", "DEFAULT_LANES", "QUICK", "units_to_run", "build_parser", "main"]

#: The MACs, reported at each LANES setting.
MACS = ("sdr_mac", "int8_mac", "int4_mac", "decompress_mac")
#: Every unit the report can place: the MACs, the encoder and the GEMM engines (these two at
#: their hw defaults: LANES 16, COLS 4).
UNITS = (*MACS, "sdr_encoder", "sdr_engine", "int8_engine")
DEFAULT_LANES = (1, 4, 16)
#: ``--quick``: the comparison's two MACs at LANES 1 (a few minutes).
QUICK = {"designs": ("sdr_mac", "int8_mac"), "lanes": (1,)}
DSP_SETTINGS = {"on": True, "off": False}

METHOD = {
    "summary": "Each unit is exported from Amaranth (`hw.export`), mapped by Yosys onto each "
    "device with and without DSP inference, and placed and routed by nextpnr (seed 1) inside a "
    "five-pin serial wrapper.",
    "wrapper": "every unit has more I/O bits than the iCE40UP5K SG48 package has pins (39), and "
    "the wide ones more than the ECP5 CABGA256 (197), so every unit is placed inside the same "
    f"wrapper `{TOP}` on both devices: pins clk, rst, sin, cap, sout; `sin` shifts into a "
    "register chain that drives all data inputs, and on `cap` a register captures all outputs, "
    "which shift out of `sout`. The wrapper is synthesized apart (against a black box of the "
    "unit's ports) and joined to the unit's own netlist, so nothing is optimised across the "
    "boundary; its cells are listed (`wrapper LUT / FF`: one FF per I/O bit, one LUT per output "
    "bit).",
    "counts": "LUT, carry, FF and DSP are Yosys `stat -json` of the unit alone, after the "
    "device's synthesis command, wrapper excluded. On ECP5, LUT counts each LUT4 and each CCU2C "
    "carry cell as two LUT4 (the CCU2C holds two); PFUMX / L6MUX21 slice multiplexers (LUT5 / "
    "LUT6) are in the cell list of fpga.json, not in LUT. On iCE40, an adder bit is an SB_LUT4 "
    "plus an SB_CARRY. DSP inference off: ECP5 `synth_ecp5 -nodsp`, iCE40 `synth_ice40` without "
    "`-dsp`.",
    "fmax": "nextpnr's achieved frequency of the one clock (--report), register to register, "
    "of the wrapped design; paths from and to pins are not in it. The unit's inputs come from "
    "the wrapper's flip-flops and its outputs go to flip-flops through one 2:1 multiplexer.",
    "fit": "a unit is reported as not fitting when nextpnr stops because the wrapped design "
    "needs more sites of a kind than the device has (its log's utilisation table), or finds no "
    "site or route; the reason names the resource.",
    "workaround": "iCE40 with DSP inference: Yosys 0.70's `ice40_dsp` pass (part of "
    "`synth_ice40 -dsp`, it packs registers and a following adder into SB_MAC16) drops every "
    "other product of a sum of two registered products (int8_mac from LANES 2: the netlist "
    "differs from the RTL in simulation), so the flow runs `synth_ice40 -dsp` without that "
    "pass: each SB_MAC16 is a plain multiplier, its registers and adders stay in logic cells "
    "(fewer DSP features used than a fixed Yosys would; fpga.json lists the exact script).",
    "parameters": "hw defaults (PIPELINE all: every optional pipeline register) except LANES; "
    "the engines at LANES 16, COLS 4.",
}


def build_parser():
    parser = UsageParser(
        prog="python -m synth.fpga",
        description="LUT, FF, DSP and fmax of the QRazor units on ECP5 LFE5U-25F and iCE40UP5K "
        "(Yosys and nextpnr), with and without DSP inference.",
    )
    parser.add_argument(
        "--designs",
        nargs="+",
        choices=UNITS,
        default=None,
        metavar="DESIGN",
        help=f"units to report: {', '.join(UNITS)} (default: all)",
    )
    parser.add_argument(
        "--lanes",
        type=int,
        nargs="+",
        default=None,
        help="LANES settings of the MACs (default " + " ".join(map(str, DEFAULT_LANES)) + ")",
    )
    parser.add_argument(
        "--devices",
        nargs="+",
        choices=list(DEVICES),
        default=list(DEVICES),
        help="FPGAs (default: ecp5 ice40)",
    )
    parser.add_argument(
        "--dsp",
        nargs="+",
        choices=list(DSP_SETTINGS),
        default=list(DSP_SETTINGS),
        help="DSP inference settings (default: on off)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="sdr_mac and int8_mac at LANES 1 only (unless --designs / --lanes say otherwise)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="placements run at once (default 2)")
    parser.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path("build/fpga"),
        help="output folder (default build/fpga)",
    )
    return parser


def units_to_run(designs, lanes):
    """``[(design, parameters)]``: each MAC of ``designs`` at each of ``lanes``, then the
    encoder and the engines (hw defaults) when named. Raises ``ValueError`` on a bad LANES."""
    for value in lanes:
        check_int("--lanes", value, 1)
    units = [(d, {"LANES": value}) for value in lanes for d in MACS if d in designs]
    return units + [(d, {}) for d in UNITS if d not in MACS and d in designs]


def _command(args, designs, lanes):
    words = ["python", "-m", "synth.fpga", "--designs", *designs]
    if any(d in MACS for d in designs):
        words += ["--lanes", *map(str, lanes)]
    words += ["--devices", *args.devices, "--dsp", *args.dsp]
    return shlex.join(words)


def _tools(devices):
    tools = {"yosys (pyosys)": yosys_version()}
    for device in devices:
        tools[device.nextpnr] = f"{nextpnr_version(device)} (wheel {version(device.wheel)})"
    for package in ("yowasp-runtime", "wasmtime", "amaranth"):
        try:
            tools[package] = version(package)
        except PackageNotFoundError:
            tools[package] = "not installed"
    return tools


def _device_record(device):
    counted = {
        "lut": " + ".join(n if w == 1 else f"{w} x {n}" for n, w in device.lut.items()),
        "ff": ", ".join(device.ff),
        "dsp": ", ".join(device.dsp),
    }
    return {
        "title": device.title,
        "synthesis_dsp": device.synth_label("<unit>", True),
        "synthesis_nodsp": device.synth_label("<unit>", False),
        "nextpnr": " ".join((device.nextpnr, *device.arguments)),
        "target": {"value": device.freq_mhz, "unit": "MHz", "source": "nextpnr --freq"},
        **counted,
    }


def _run(task):
    rtl, device_key, dsp, workdir, root = task
    prefix = f"{Path(root).resolve()}/"
    # resolved, so that the paths the record keeps are relative to the report for any -o
    return implement(
        rtl,
        DEVICES[device_key],
        dsp,
        Path(workdir).resolve(),
        lambda text: str(text).replace(prefix, ""),
    )


def _report(args, staging, start):
    designs = list(args.designs or (QUICK["designs"] if args.quick else UNITS))
    lanes = list(args.lanes or (QUICK["lanes"] if args.quick else DEFAULT_LANES))
    check_int("--jobs", args.jobs, 1)
    units = units_to_run(designs, lanes)
    # a bad LANES fails here, before any work
    tags = [unit_tag(d, elaborated(build(d, **p)).parameters) for d, p in units]
    check_report_folder(args.out, "fpga.json", "synth.fpga report")
    devices = [DEVICES[key] for key in args.devices]
    missing = [d.wheel for d in devices if not available(d)]
    if missing:
        raise ValueError(
            f"{', '.join(missing)} not installed: run make fpga (it installs the fpga extra "
            "into .venv), or pass --devices with the installed ones"
        )
    dsp_settings = [DSP_SETTINGS[s] for s in args.dsp]
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "work").mkdir()
    if True in dsp_settings:
        for device in devices:
            check_workaround(device, staging / "work")
    records, tasks = [], []
    for (design, parameters), tag in zip(units, tags, strict=True):
        rtl = export_rtl(design, parameters, staging / "work" / tag / "rtl")
        records.append(
            {
                "design": design,
                "tag": tag,
                "parameters": rtl.parameters,
                "latency": rtl.latency,
                "io_bits": {
                    "inputs": sum(w for _, w in rtl.inputs()),
                    "outputs": sum(w for _, w in rtl.outputs()),
                    "unit": "bits (clk and rst apart)",
                },
                "results": [],
            }
        )
        for device in devices:
            for dsp in dsp_settings:
                folder = staging / "work" / tag / f"{device.key}_{'dsp' if dsp else 'nodsp'}"
                tasks.append((len(records) - 1, (rtl, device.key, dsp, folder, staging)))
    # Largest first, so that the workers finish together; ECP5 and no-DSP place slower.
    order = sorted(
        range(len(tasks)),
        key=lambda i: (
            -records[tasks[i][0]]["parameters"].get("LANES", 16)
            * records[tasks[i][0]]["parameters"].get("COLS", 1),
            tasks[i][1][2],
            tasks[i][1][1] != "ecp5",
        ),
    )
    results = [None] * len(tasks)
    with LazyProgress() as bar, process_pool(args.jobs) as pool:
        update = bar.task("place and route", len(tasks))
        futures = {pool.submit(_run, tasks[i][1]): i for i in order}
        for done, future in enumerate(as_completed(futures), 1):
            i = futures[future]
            try:
                results[i] = future.result()
            except BaseException:
                for queued in futures:  # the running ones finish
                    queued.cancel()
                raise
            update(done)
            placement = results[i]["placement"]
            fmax = placement.get("fmax")
            outcome = f"{fmax['value']:.1f} MHz" if fmax else placement["status"]
            bar.note(
                f"{records[tasks[i][0]]['tag']} {results[i]['device']} "
                f"{'dsp' if results[i]['dsp_inference'] else 'nodsp'}: {outcome} "
                f"({time.perf_counter() - start:.0f} s)"
            )
    for (unit, _), result in zip(tasks, results, strict=True):
        records[unit]["results"].append(result)
    device_records = {d.key: _device_record(d) for d in devices}
    report = {
        "generator": "python -m synth.fpga",
        "command": _command(args, designs, lanes),
        "method": METHOD,
        "devices": device_records,
        "tools": _tools(devices),
        "units": records,
        "comparisons": comparisons(records),
        "notes": notes(records, device_records),
    }
    write_json(staging / "fpga.json", report)
    write_markdown(staging / "fpga.md", report)
    return report


@cli_main
def main(argv=None):
    args = build_parser().parse_args(argv)
    start = time.perf_counter()
    staging = args.out.with_name(args.out.name + ".partial")
    try:
        _report(args, staging, start)
        replace_folder(staging, args.out)
    except (ValueError, OSError, YosysError, NextpnrError, FpgaError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print(f"wrote {args.out / 'fpga.md'} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
