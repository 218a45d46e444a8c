"""The SDR datapath equals the decompress-then-multiply datapath (``sdr_mac`` against
``decompress_mac``, same parameters and ports).

Both units get the same inputs, any codes and flags, with bubbles and dot products of any
length; the assumptions are those SPEC sections 2 and 5 make of the producer: flags are SDR
flags (at most ``B-1-M``), held over a group's GROUP/LANES beats. The faster unit's outputs
are delayed by the LATENCY difference; then ``out_valid`` must agree in every cycle and
``out`` whenever it is valid. Two bounded checks from reset (the two accumulators hold
different partial sums between results, so no simple induction closes):

- :func:`prove_datapath`, flags free and changing from group to group, by Yosys' ``sat``: it
  needs narrow data to finish (``decompress_mac``'s A_BITS x W_BITS multipliers, unrolled).
- :func:`prove_datapath_each_flag`, at full width: one check per pair of flag values, the
  flags constant over the unrolled cycles, by ``&cec``. The flags are tied to the constants in
  the AIG (:func:`.aiger.tie_inputs`), which turns the decoded operands into shifted codes
  whose products ABC can match with the SDR products.
"""

import time
from pathlib import Path

from sim.golden.formats import SdrConfig

from .aiger import tie_inputs
from .cec import aiger_commands, prove_cases, stopped
from .result import Outcome
from .runner import run_yosys
from .sat import check_assertions, formal_design
from .verilog import STARTED, bus, declare, instance

__all__ = ["datapath_verilog", "prove_datapath", "prove_datapath_each_flag"]


def _delayed(prefix, outputs, cycles):
    """Registers that delay ``prefix_<output>`` by ``cycles``; valid bits reset. Returns the
    text and ``{output: delayed expression}``."""
    text, names = "", {}
    for name, width in outputs:
        source = f"{prefix}_{name}"
        for step in range(cycles):
            target = f"{prefix}_{name}_d{step + 1}"
            text += declare("reg", target, width)
            reset = "rst ? 1'b0 : " if name == "out_valid" else ""
            text += f"  always @(posedge clk) {target} <= {reset}{source};\n"
            source = target
        names[name] = source
    return text, names


def _max_flags(sdr):
    """The largest legal activation and weight flags of ``sdr``'s parameters."""
    return tuple(
        SdrConfig(sdr.parameters[base], sdr.parameters["MAG_BITS"]).max_flag
        for base in ("A_BITS", "W_BITS")
    )


def datapath_verilog(sdr, dec, flags=None):
    """``datapath_miter`` over exported ``sdr_mac`` and ``decompress_mac`` (:class:`Rtl`); with
    ``flags`` (``(a_flag, w_flag)``) it assumes the flags have those values."""
    group, lanes = sdr.parameters["GROUP"], sdr.parameters["LANES"]
    beats = group // lanes
    inputs = sdr.inputs()
    widths = dict(inputs)
    text = "module datapath_miter (\n  input clk"
    text += "".join(f",\n  input {bus(w)}{n}" for n, w in inputs) + "\n);\n" + STARTED
    if flags is not None:
        text += f"  always @* assume (a_flag == {flags[0]} && w_flag == {flags[1]});\n"
    for prefix, rtl in (("sdr", sdr), ("dec", dec)):
        connections = {"clk": "clk", "rst": "rst", **{n: n for n, _ in inputs}}
        for name, width in rtl.outputs():
            text += declare("wire", f"{prefix}_{name}", width)
            connections[name] = f"{prefix}_{name}"
        text += instance(rtl.module, f"{prefix}_unit", connections)
    a_max, w_max = _max_flags(sdr)
    text += f"  always @* if (in_valid) assume (a_flag <= {a_max} && w_flag <= {w_max});\n"
    if beats > 1:  # the producer holds the flags over a group's beats
        text += declare("reg", "beat", beats.bit_length())
        text += declare("reg", "held_a", widths["a_flag"])
        text += declare("reg", "held_w", widths["w_flag"])
        text += (
            "  always @(posedge clk)\n"
            "    if (rst) beat <= 0;\n"
            "    else if (in_valid) begin\n"
            f"      beat <= (in_last || beat == {beats - 1}) ? 0 : beat + 1;\n"
            "      held_a <= a_flag;\n      held_w <= w_flag;\n    end\n"
            "  always @* if (started && in_valid && beat != 0)\n"
            "    assume (a_flag == held_a && w_flag == held_w);\n"
        )
    lag = sdr.latency - dec.latency
    delays = {"sdr": max(0, -lag), "dec": max(0, lag)}
    aligned = {}
    for prefix, rtl in (("sdr", sdr), ("dec", dec)):
        delay_text, aligned[prefix] = _delayed(prefix, rtl.outputs(), delays[prefix])
        text += delay_text
    s, d = aligned["sdr"], aligned["dec"]
    text += (
        f"  always @* if (started) assert ({s['out_valid']} == {d['out_valid']} && "
        f"(!{s['out_valid']} || {s['out']} == {d['out']}));\nendmodule\n"
    )
    return text


def _sources(sdr, dec, workdir, flags=None):
    """The two units and the miter written into ``workdir``, as ``(path, formal)`` pairs."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    wrapper = workdir / "datapath_miter.v"
    wrapper.write_text(datapath_verilog(sdr, dec, flags))
    return [(sdr.verilog, False), (dec.verilog, False), (wrapper, True)]


def prove_datapath(sdr, dec, workdir, time_limit, depth, flags=None):
    """BMC of ``sdr`` against ``dec`` (exported units) for ``depth`` cycles from reset (with
    ``flags``, only for those flag values)."""
    design = formal_design(_sources(sdr, dec, workdir, flags), "datapath_miter")
    inputs = [n for n, _ in sdr.inputs()]
    return check_assertions(design, "datapath_miter", inputs, depth, workdir, time_limit)


def prove_datapath_each_flag(sdr, dec, workdir, time_limit, depth):
    """``sdr`` against ``dec`` for ``depth`` cycles from reset at every pair of legal flag
    values, each held over those cycles (unrolled, ``&cec``)."""
    workdir = Path(workdir)
    aag, names = workdir / "datapath_miter.aag", workdir / "datapath_miter.map"
    design = formal_design(_sources(sdr, dec, workdir), "datapath_miter")
    start = time.perf_counter()
    run = run_yosys(
        [*design, "techmap", *aiger_commands(aag, names)], workdir / "aiger.log", time_limit
    )
    if not run.ok:
        return Outcome("unknown", f"no check ran: {stopped(run, time_limit, run.error)}")
    text, map_text = aag.read_text(), names.read_text()
    a_max, w_max = _max_flags(sdr)
    pairs = [(a, w) for a in range(a_max + 1) for w in range(w_max + 1)]

    def tied():
        for a, w in pairs:
            aig = workdir / "tied.aig"
            aig.write_bytes(tie_inputs(text, map_text, {"a_flag": a, "w_flag": w}))
            yield (a, w), aig

    status, pair, why = prove_cases(tied(), time_limit, depth, start)
    flags = pair and f"a_flag={pair[0]} w_flag={pair[1]}"
    if status == "unknown":
        return Outcome("unknown", f"&cec: {why} at {flags}")
    if status == "failed":
        remaining = max(10.0, time_limit - (time.perf_counter() - start))
        found = prove_datapath(sdr, dec, workdir / "counterexample", remaining, depth, pair)
        if found.status == "failed":
            return Outcome("failed", f"{found.detail}, {flags}", found.counterexample)
        return Outcome("failed", f"&cec: a counterexample at {flags} (inputs not found)")
    return Outcome(
        "proven",
        f"bounded: no counterexample in {depth} cycles from reset at each of the "
        f"{len(pairs)} flag pairs (a_flag 0-{a_max}, w_flag 0-{w_max}; unrolled, &cec)",
    )
