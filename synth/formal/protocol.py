"""SPEC section 5's protocol, checked on a MAC's exported RTL by assertions in generated wrappers.

- ``latency``: ``out_valid`` is high exactly LATENCY cycles after each ``in_valid`` beat with
  ``in_last``, and never otherwise (a shift register of those beats beside the unit);
  k-induction extends it to every cycle.
- ``bubbles``: ``in_valid=0`` beats change nothing. A second copy of the unit gets the same
  stream (its own bubbles included) with one more bubble inserted at cycle AT, carrying
  arbitrary data (``in_last`` included); both must give the same results in the same order,
  the second at most one cycle later.
- ``restart``: a new dot product may start on the cycle after ``in_last``. Two copies get
  unrelated streams up to cycle AT, where both end a dot product, and the same stream from the
  next cycle on; every result from LATENCY cycles later must agree, so what a dot product
  yields does not depend on what ran before it, and back-to-back dot products run at full rate.

The last two are bounded checks from reset, one per cycle AT (a parameter of the wrapper, so
that after AT the two copies compute the same functions of the same inputs, which ABC's
``&cec`` merges on the unrolled AIG instead of proving multipliers equal bit by bit; a
counterexample's inputs come from Yosys' ``sat``). The copies' accumulators differ between
results, so no simple induction closes.
"""

import time
from pathlib import Path

from .cec import prove_each
from .result import Outcome
from .sat import check_assertions, formal_design, read_sources
from .verilog import STARTED, bus, declare, instance

__all__ = ["PROPERTIES", "wrapper_inputs", "protocol_verilog", "check_cycles", "prove_protocol"]

PROPERTIES = ("latency", "bubbles", "restart")


#: The wrappers' cycle counter: 0 in the reset cycle, saturating at 255.
_CYCLE = """  reg [7:0] cycle = 8'd0;
  always @(posedge clk) if (cycle != 8'd255) cycle <= cycle + 8'd1;
"""


def _header(module, inputs, at=False):
    """A wrapper's ports, reset and (``at``: a wrapper with parameter AT) cycle counter."""
    text = f"module {module} {'#(parameter AT = 1) ' if at else ''}(\n  input clk"
    text += "".join(f",\n  input {bus(w)}{n}" for n, w in inputs)
    return text + "\n);\n" + STARTED + (_CYCLE if at else "")


def _unit(rtl, name, source):
    """An instance of ``rtl`` whose inputs are ``source(port)`` and outputs ``<name>_<port>``."""
    text, connections = "", {"clk": "clk", "rst": "rst"}
    for port, _ in rtl.inputs():
        connections[port] = source(port)
    for port, width in rtl.outputs():
        text += declare("wire", f"{name}_{port}", width)
        connections[port] = f"{name}_{port}"
    return text + instance(rtl.module, f"{name}_unit", connections)


def _data(rtl):
    return [(n, w) for n, w in rtl.inputs() if n not in ("in_valid", "in_last")]


def wrapper_inputs(rtl, prop):
    """``[(name, width)]`` of the inputs of property ``prop``'s wrapper besides ``clk``."""
    if prop == "bubbles":
        return [*rtl.inputs(), *((f"g_{n}", w) for n, w in (*_data(rtl), ("in_last", 1)))]
    if prop == "restart":
        return [*rtl.inputs(), *((f"h_{n}", w) for n, w in rtl.inputs())]
    return rtl.inputs()


def _latency(rtl, latency):
    text = _header("latency_check", wrapper_inputs(rtl, "latency")) + _unit(rtl, "u", lambda p: p)
    text += declare("reg", "due", latency)
    beat = "in_valid && in_last"
    shifted = beat if latency == 1 else f"{{due[{latency - 2}:0], {beat}}}"
    text += f"  always @(posedge clk) due <= rst ? {latency}'d0 : {shifted};\n"
    check = f"u_out_valid == due[{latency - 1}]"
    return text + f"  always @* if (started) assert ({check});\nendmodule\n"


def _bubbles(rtl):
    data = _data(rtl)
    text = _header("bubbles_check", wrapper_inputs(rtl, "bubbles"), at=True)
    text += _unit(rtl, "a", lambda p: p)
    for name, width in rtl.inputs():
        text += declare("reg", f"{name}_q", width)
        text += f"  always @(posedge clk) {name}_q <= {name};\n"
    text += "  wire bubble_now = cycle == AT;\n  wire inserted = cycle > AT;\n"
    text += "  wire b_in_valid = !bubble_now && (inserted ? in_valid_q : in_valid);\n"
    for name, width in (*data, ("in_last", 1)):
        text += declare("wire", f"b_{name}", width)
        text += f"  assign b_{name} = bubble_now ? g_{name} : inserted ? {name}_q : {name};\n"
    text += _unit(rtl, "b", lambda p: f"b_{p}")
    width = dict(rtl.outputs())["out"]
    text += declare("reg", "pending", 1) + declare("reg", "held", width)
    text += (
        "  always @(posedge clk) begin\n"
        "    pending <= rst ? 1'b0 : a_out_valid && !(b_out_valid && !pending);\n"
        "    if (a_out_valid) held <= a_out;\n"
        "  end\n"
        "  always @* if (started) begin\n"
        "    if (pending) assert (b_out_valid && b_out == held);\n"
        "    if (!pending && b_out_valid) assert (a_out_valid && b_out == a_out);\n"
        "  end\nendmodule\n"
    )
    return text


def _restart(rtl):
    text = _header("restart_check", wrapper_inputs(rtl, "restart"), at=True)
    text += "  wire synced = cycle > AT;\n"
    text += _unit(rtl, "a", lambda p: p)
    text += _unit(rtl, "b", lambda p: f"(synced ? {p} : h_{p})")
    text += declare("reg", "ended", 1)
    text += (
        "  always @(posedge clk)\n"
        "    if (cycle == AT) ended <= in_valid && in_last && h_in_valid && h_in_last;\n"
        f"  always @* if (started && synced && ended && cycle > AT + {rtl.latency})\n"
        "    assert (a_out_valid == b_out_valid && (!a_out_valid || a_out == b_out));\n"
        "endmodule\n"
    )
    return text


def protocol_verilog(rtl, prop, latency=None):
    """The wrapper (module ``<prop>_check``) of property ``prop`` around ``rtl``; ``latency``
    overrides the LATENCY the latency check expects. The two-copy wrappers have a parameter AT
    (:func:`check_cycles`)."""
    if prop == "latency":
        return _latency(rtl, rtl.latency if latency is None else latency)
    if prop == "bubbles":
        return _bubbles(rtl)
    if prop == "restart":
        return _restart(rtl)
    raise ValueError(f"property must be one of {', '.join(PROPERTIES)}, not {prop!r}")


def check_cycles(rtl, prop, depth):
    """The values of AT at which ``prop`` is checked for ``depth`` cycles: every cycle after
    reset that is in the bound (an extra bubble), or whose results are (a restart's come
    LATENCY + 1 cycles later)."""
    last = depth - 1 if prop == "bubbles" else depth - 2 - rtl.latency
    if last < 1:
        raise ValueError(f"{depth} cycles are too few to check {prop}")
    return range(1, last + 1)


#: How each two-copy check's detail names AT.
_AT = {
    "bubbles": "with the extra bubble at",
    "restart": "with both streams ending a dot product at",
}


def _counterexample(rtl, prop, sources, at, workdir, time_limit, depth):
    """The failed :class:`Outcome` of ``prop`` at AT=``at``, which ``&cec`` found to fail,
    with the inputs of a counterexample from Yosys' ``sat``."""
    top = f"{prop}_check"
    inputs = [name for name, _ in wrapper_inputs(rtl, prop)]
    design = formal_design(sources, top, {"AT": at})
    found = check_assertions(design, top, inputs, depth, workdir / f"at{at}", time_limit)
    if found.status == "failed":
        detail = f"{found.detail}, {_AT[prop]} cycle {at}"
        return Outcome("failed", detail, found.counterexample)
    why = f"&cec: a counterexample within {depth} cycles from reset, {_AT[prop]} cycle {at}"
    return Outcome("failed", f"{why} (its inputs not found: {found.detail})")


def _each_cycle(rtl, prop, sources, workdir, time_limit, depth):
    """Check ``prop`` for every AT of :func:`check_cycles`: unrolled ``depth`` cycles, by
    ``&cec``."""
    cycles = check_cycles(rtl, prop, depth)
    unit, wrapper = read_sources(sources)
    prepare = [unit, f"hierarchy -top {rtl.module}", "proc", "flatten", "techmap", "opt_clean"]
    settings = [{"AT": at} for at in cycles]
    start = time.perf_counter()
    status, setting, why = prove_each(
        [*prepare, wrapper], f"{prop}_check", settings, workdir, time_limit, depth
    )
    if status == "failed":
        remaining = max(10.0, time_limit - (time.perf_counter() - start))
        return _counterexample(rtl, prop, sources, setting["AT"], workdir, remaining, depth)
    if status == "unknown":
        where = f" unrolling {depth} cycles {_AT[prop]} cycle {setting['AT']}" if setting else ""
        return Outcome("unknown", f"&cec: {why}{where}" if setting else why)
    span = "cycle 1" if len(cycles) == 1 else f"each of cycles 1-{cycles[-1]}"
    return Outcome(
        "proven",
        f"bounded: no counterexample in {depth} cycles from reset, {_AT[prop]} {span} "
        "(unrolled, &cec)",
    )


def prove_protocol(rtl, prop, workdir, time_limit, depth, latency=None):
    """Check property ``prop`` of ``rtl`` (an exported MAC) for ``depth`` cycles from reset and,
    for ``latency``, for every cycle."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    wrapper = workdir / f"{prop}_check.v"
    wrapper.write_text(protocol_verilog(rtl, prop, latency))
    sources = [(rtl.verilog, False), (wrapper, True)]
    if prop != "latency":
        return _each_cycle(rtl, prop, sources, workdir, time_limit, depth)
    top = f"{prop}_check"
    inputs = [name for name, _ in wrapper_inputs(rtl, prop)]
    design = formal_design(sources, top)
    return check_assertions(design, top, inputs, depth, workdir, time_limit, rtl.latency + 2)
