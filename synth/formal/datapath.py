"""The SDR datapath equals the decompress-then-multiply datapath (``sdr_mac`` against
``decompress_mac``, same parameters and ports).

Both units get the same inputs, any codes and flags, with bubbles and dot products of any
length; the assumptions are those SPEC sections 2 and 5 make of the producer: flags are SDR
flags (at most ``B-1-M``), held over a group's GROUP/LANES beats. The faster unit's outputs
are delayed by the LATENCY difference; then ``out_valid`` must agree in every cycle and
``out`` whenever it is valid. A bounded check from reset (the two accumulators hold different
partial sums between results, so no simple induction closes); the SAT solver needs narrow
data to finish it (``decompress_mac``'s A_BITS x W_BITS multipliers, unrolled over the cycles).
"""

from pathlib import Path

from sim.formats import SdrConfig

from .result import Outcome
from .sat import check_assertions, formal_design
from .verilog import STARTED, bus, declare, instance

__all__ = ["datapath_verilog", "prove_datapath"]


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


def datapath_verilog(sdr, dec):
    """``datapath_miter`` over exported ``sdr_mac`` and ``decompress_mac`` (:class:`Rtl`)."""
    group, lanes = sdr.parameters["GROUP"], sdr.parameters["LANES"]
    beats = group // lanes
    inputs = sdr.inputs()
    widths = dict(inputs)
    text = "module datapath_miter (\n  input clk"
    text += "".join(f",\n  input {bus(w)}{n}" for n, w in inputs) + "\n);\n" + STARTED
    for prefix, rtl in (("sdr", sdr), ("dec", dec)):
        connections = {"clk": "clk", "rst": "rst", **{n: n for n, _ in inputs}}
        for name, width in rtl.outputs():
            text += declare("wire", f"{prefix}_{name}", width)
            connections[name] = f"{prefix}_{name}"
        text += instance(rtl.module, f"{prefix}_unit", connections)
    a_max, w_max = (
        SdrConfig(sdr.parameters[base], sdr.parameters["MAG_BITS"]).max_flag
        for base in ("A_BITS", "W_BITS")
    )
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


def prove_datapath(sdr, dec, workdir, time_limit, depth):
    """BMC of ``sdr`` against ``dec`` (exported units) for ``depth`` cycles from reset."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    wrapper = workdir / "datapath_miter.v"
    wrapper.write_text(datapath_verilog(sdr, dec))
    design = formal_design(
        [(sdr.verilog, False), (dec.verilog, False), (wrapper, True)], "datapath_miter"
    )
    outcome = check_assertions(
        design, "datapath_miter", [n for n, _ in sdr.inputs()], depth, workdir, time_limit
    )
    return Outcome(outcome.status, outcome.detail, outcome.counterexample)
