"""``python -m hw.export DESIGN [parameters] [--prefix P] -o DIR``: write ``<module>.v`` and
``<module>.json``, where ``<module>`` is ``P<design>``.

The Verilog comes from Amaranth's RTLIL, cleaned by Yosys (pyosys): processes lowered, unused
wires purged, register initial values dropped (reset is synchronous: hold ``rst`` for a cycle
first), submodules renamed to plain identifiers ``<top>_<block>``. Each pipeline block stays a
module of its own so that synthesis can report area per block. Every identifier is a plain one
(no ``\\escaped`` names: Amaranth's ``name$N`` becomes ``name`` where free, else ``name_N``;
Yosys' ``$auto$...`` wires ``_auto_...``; a Verilog keyword gets a trailing ``_``).
``--prefix`` prefixes the top module, every submodule and the file names, so that two variants
of a unit (say LANES=4 and LANES=16) sit in one folder and one design. The output carries no
source locations or paths, and the same parameters give the same bytes.
"""

import json
import re
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from amaranth.back import rtlil

from hw.designs import DESIGNS, build
from hw.interface import port_layout
from hw.params import PARAMETERS
from hw.yosys import YosysError, run_script, yosys_version
from sim.util.cli import UsageParser, cli_main
from sim.util.files import check_output_folder, write_files
from sim.util.progress import LazyProgress

__all__ = ["LINT_WAIVERS", "plain_identifiers", "describe", "verilog_text", "export", "main"]

#: Verilator ``-Wall`` warnings the generated Verilog is allowed to raise, and why.
LINT_WAIVERS = {
    "DECLFILENAME": "each pipeline block is a submodule kept in its unit's file, so that "
    "synthesis reports area per block; only the top module matches the file name",
    "WIDTHEXPAND": "Yosys write_verilog relies on Verilog's context-determined widths: operands "
    "are extended exactly as the netlist cells specify",
    "WIDTHTRUNC": "as WIDTHEXPAND: assignments truncate exactly as the netlist cells specify",
    "UNOPTFLAT": "Yosys' write_verilog sign-extends some wires from their own top bit "
    "(w[47:33] = {w[32], ...}, as in the RAP units' signed products): a word-level "
    "self-reference without any bit-level loop, which Verilator's build (not --lint-only) "
    "reports because it orders whole words; it costs simulation speed only",
    "UNUSEDSIGNAL": "bits the netlist provably never needs: the carry-out of wrapping sums "
    "(two's-complement wrap modulo 2**ACC_BITS), bit 0 of the encoder's rounding "
    "constant 2**flag >> 1, and high bits of the encoder's leading-one mux chain "
    "that Yosys' wreduce proved constant; in the RAP units, the bits below a rounding "
    "shift's rounding point, the high bits of products and sums cut to the range the "
    "golden arithmetic bounds them to, and the reset input of blocks whose registers "
    "carry data only",
}

_MODULE_LINE = re.compile(r"^module \\(\S+)$", re.MULTILINE)


def _plain_module_name(rtlil_name):
    """``sdr_mac.products$53`` -> ``sdr_mac_products``."""
    return re.sub(r"\$\d+", "", rtlil_name).replace(".", "_")


_ESCAPED = re.compile(r"\\(\S+)(?=\s)")
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Verilog-2005 keywords a net may be called in Amaranth (``end``, ``begin``, ...).
_KEYWORDS = frozenset(
    "always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config "
    "deassign default defparam design disable edge else end endcase endconfig endfunction "
    "endgenerate endmodule endprimitive endspecify endtable endtask event for force forever fork "
    "function generate genvar highz0 highz1 if ifnone incdir include initial inout input "
    "instance integer join large liblist library localparam macromodule medium module nand "
    "negedge nmos nor noshowcancelled not notif0 notif1 or output parameter pmos posedge "
    "primitive pull0 pull1 pulldown pullup pulsestyle_onevent pulsestyle_ondetect rcmos real "
    "realtime reg release repeat rnmos rpmos rtran rtranif0 rtranif1 scalared showcancelled "
    "signed small specify specparam strong0 strong1 supply0 supply1 table task time tran "
    "tranif0 tranif1 tri tri0 tri1 triand trior trireg unsigned use uwire vectored wait wand "
    "weak0 weak1 while wire wor xnor xor logic bit byte int".split()
)


def plain_identifiers(text):
    """``text`` (Verilog) with every escaped identifier replaced by a plain one, unique in the
    file: Amaranth's ``name$N`` becomes ``name`` where that is free, else characters outside
    ``[A-Za-z0-9_]`` become ``_``; a keyword gets a trailing ``_``, a clash with a name already
    used gets ``_`` appended until it is new. Deterministic: names
    are assigned in order of first appearance."""
    used = set(_PLAIN.findall(_ESCAPED.sub(" ", text))) | _KEYWORDS
    mapping = {}
    for escaped in _ESCAPED.findall(text):
        if escaped in mapping:
            continue
        # Amaranth's ``name$N`` (a submodule instance, a renamed wire) keeps ``name`` when free,
        # so that instance paths read as the block names (synth.gates.blocks).
        base = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\$\d+", escaped)
        plain = re.sub(r"[^A-Za-z0-9_]", "_", escaped)
        if plain[0].isdigit():
            plain = "_" + plain
        if base and base.group(1) not in used:
            plain = base.group(1)
        while plain in used:
            plain += "_"
        used.add(plain)
        mapping[escaped] = plain
    return _ESCAPED.sub(lambda match: mapping[match.group(1)], text)


def verilog_text(unit, name, workdir):
    """Verilog of ``unit`` as module ``name``; Yosys files go to ``workdir``."""
    text = rtlil.convert(unit, name=name, emit_src=False)
    for module in _MODULE_LINE.findall(text):  # RTLIL identifiers end at whitespace
        plain = "\\" + _plain_module_name(module)
        text = re.sub(re.escape("\\" + module) + r"(?=\s)", lambda _, new=plain: new, text)
    source, target = Path(workdir) / f"{name}.il", Path(workdir) / f"{name}.v"
    source.write_text(text)
    run_script(
        [
            f"read_rtlil {source}",
            "proc",
            # Registers reset synchronously; their power-up values (`init`) are dropped before
            # optimising, as Yosys' opt_clean can refuse a constant register bit whose `init`
            # sits on two merged wires ("Conflicting init values", an int_layernorm at D=16).
            "setattr -unset init",
            "opt -purge",
            "wreduce",
            "opt -purge",
            f"write_verilog -noattr {target}",
        ],
        Path(workdir) / "yosys.log",
    )
    # Yosys' own banner names the compiler that built it (an absolute path): replace it.
    banner, body = target.read_text().split("\n", 1)
    if not banner.startswith("/* Generated by Yosys"):
        raise YosysError(f"unexpected first line of write_verilog output: {banner!r}")
    parameters = " ".join(f"{key}={value}" for key, value in unit.parameters.items())
    header = (
        f"// {name}: {parameters} LATENCY={unit.LATENCY}\n"
        f"// Generated by qrazor-hw `python -m hw.export` (Amaranth {version('amaranth')}, "
        f"Yosys {yosys_version()}); do not edit.\n"
    )
    return header + plain_identifiers(body)


def describe(unit, name):
    """The ``<module>.json`` record: module name, parameters (PIPELINE among them), ports,
    LATENCY, the handshake of a unit with backpressure (its ``HANDSHAKE``), lint waivers, tool
    versions."""
    ports = [
        {"name": "clk", "direction": "input", "width": 1, "signed": False},
        {"name": "rst", "direction": "input", "width": 1, "signed": False},
    ]
    for port, (direction, lane_width, lanes, signed) in port_layout(unit).items():
        record = {"name": port, "direction": direction, "signed": signed}
        if lanes is None:
            record["width"] = lane_width
        else:  # lane i at bits [i*lane_width +: lane_width]; "signed" is each lane's
            record.update(width=lane_width * lanes, lanes=lanes, lane_width=lane_width)
        ports.append(record)
    return {
        "module": name,
        "parameters": dict(unit.parameters),
        "ports": ports,
        "LATENCY": unit.LATENCY,
        **({"handshake": unit.HANDSHAKE} if hasattr(unit, "HANDSHAKE") else {}),
        "reset": "synchronous, active high; registers have no initial value, so hold rst high "
        "for at least one clock edge before the first beat",
        "lint_waivers": LINT_WAIVERS,
        "generator": {
            "qrazor-hw": version("qrazor-hw"),
            "amaranth": version("amaranth"),
            "yosys": yosys_version(),
        },
    }


def export(designs, out_dir, prefix="", progress=None, **parameters):
    """Build every unit in ``designs`` and write its ``.v`` and ``.json`` into ``out_dir``.

    ``prefix`` (a plain Verilog identifier, or "") goes before the top module's name, every
    submodule's and the file names. ``progress(done)`` after each unit's Verilog.

    All units are built (and their parameters checked) before any file is written, and the files
    appear as one set (:func:`sim.files.write_files`): all of them or, on a failure, none.
    Returns the written paths.
    """
    if prefix and not _PREFIX.fullmatch(prefix):
        raise ValueError(
            f"--prefix {prefix!r}: a Verilog identifier (letters, digits, _; not a digit first)"
        )
    units = {
        name: build(name, **{k: v for k, v in parameters.items() if k in DESIGNS[name].PARAMETERS})
        for name in designs
    }
    files = {}
    with tempfile.TemporaryDirectory() as workdir:
        for name, unit in units.items():
            module = prefix + name
            files[f"{module}.v"] = verilog_text(unit, module, workdir)
            files[f"{module}.json"] = json.dumps(describe(unit, module), indent=2) + "\n"
            if progress:
                progress(len(files) // 2)
    return write_files(out_dir, files)


def build_parser():
    parser = UsageParser(
        prog="python -m hw.export",
        description="Export QRazor units as Verilog (<module>.v) with a description "
        "(<module>.json: parameters, ports, LATENCY).",
    )
    parser.add_argument("design", choices=[*DESIGNS, "all"], help="unit to export, or all of them")
    for parameter in PARAMETERS.values():
        parser.add_argument(
            parameter.flag,
            dest=parameter.name,
            default=None,
            type=type(parameter.default),
            metavar=parameter.name,
            help=f"{parameter.help} (default {parameter.default_text})",
        )
    parser.add_argument(
        "--prefix",
        default="",
        help="prefix of the top module, every submodule and the file names (a Verilog "
        "identifier), so that two variants of a unit sit in one folder and one design",
    )
    parser.add_argument(
        "-o", "--out", default="build/rtl", help="output directory (default build/rtl)"
    )
    return parser


@cli_main
def main(argv=None):
    args = build_parser().parse_args(argv)
    given = {name: getattr(args, name) for name in PARAMETERS if getattr(args, name) is not None}
    designs = list(DESIGNS) if args.design == "all" else [args.design]
    if args.design != "all":
        unknown = set(given) - set(DESIGNS[args.design].PARAMETERS)
        if unknown:
            flags = ", ".join(PARAMETERS[name].flag for name in sorted(unknown))
            print(f"error: {args.design} does not take {flags}", file=sys.stderr)
            return 2
    start = time.perf_counter()
    try:
        check_output_folder(args.out)
        with LazyProgress() as bar:
            update = bar.task("export", len(designs))
            written = export(designs, args.out, prefix=args.prefix, progress=update, **given)
    except (ValueError, YosysError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start
    for path in written:
        print(path)
    print(f"exported {len(designs)} design(s) in {elapsed:.2f} s", file=sys.stderr)
    print(
        "PIPELINE and LATENCY of each netlist are in its .json and first line; synth.report "
        "prices the pipelining its policy chooses (named in its report)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
