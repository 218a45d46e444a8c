"""SPEC section 5's protocol, checked on a MAC's exported RTL by assertions in generated wrappers.

- ``latency``: ``out_valid`` is high exactly LATENCY cycles after each ``in_valid`` beat with
  ``in_last``, and never otherwise (a shift register of those beats beside the unit);
  k-induction extends it to every cycle.
- ``bubbles``: ``in_valid=0`` beats change nothing. A second copy of the unit gets the same
  stream with one more bubble inserted wherever the solver likes and with arbitrary other data
  on every bubble (``in_last`` included); both must give the same results in the same order,
  the second at most one cycle later.
- ``restart``: a new dot product may start on the cycle after ``in_last``. Two copies get
  unrelated streams until a cycle where both end a dot product, and the same stream from the
  next cycle on; every result from LATENCY cycles later must agree, so what a dot product
  yields does not depend on what ran before it, and back-to-back dot products run at full rate.

The last two are bounded checks (BMC from reset): the copies' accumulators differ between
results, so no simple induction closes.
"""

from pathlib import Path

from .sat import check_assertions, formal_design
from .verilog import STARTED, bus, declare, instance

__all__ = ["PROPERTIES", "wrapper_inputs", "protocol_verilog", "prove_protocol"]

PROPERTIES = ("latency", "bubbles", "restart")


def _header(module, inputs):
    text = f"module {module} (\n  input clk"
    text += "".join(f",\n  input {bus(w)}{n}" for n, w in inputs)
    return text + "\n);\n" + STARTED


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
        garbage = [(f"g_{n}", w) for n, w in (*_data(rtl), ("in_last", 1))]
        return [*rtl.inputs(), ("insert", 1), *garbage]
    if prop == "restart":
        return [*rtl.inputs(), *((f"h_{n}", w) for n, w in rtl.inputs()), ("sync", 1)]
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
    text = _header("bubbles_check", wrapper_inputs(rtl, "bubbles"))
    text += _unit(rtl, "a", lambda p: p)
    text += declare("reg", "inserted", 1)
    for name, width in rtl.inputs():
        text += declare("reg", f"{name}_q", width)
        text += f"  always @(posedge clk) {name}_q <= {name};\n"
    text += "  always @(posedge clk) inserted <= rst ? 1'b0 : inserted || insert;\n"
    text += "  wire bubble_now = insert && !inserted;\n"
    text += "  wire b_in_valid = inserted ? in_valid_q : in_valid && !bubble_now;\n"
    for name, width in (*data, ("in_last", 1)):
        text += declare("wire", f"b_{name}", width)
        text += f"  assign b_{name} = !b_in_valid ? g_{name} : inserted ? {name}_q : {name};\n"
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
    text = _header("restart_check", wrapper_inputs(rtl, "restart"))
    text += _unit(rtl, "a", lambda p: p)
    text += _unit(rtl, "b", lambda p: f"(synced ? {p} : h_{p})")
    text += declare("reg", "synced", 1) + declare("reg", "since", rtl.latency.bit_length())
    text += (
        "  wire both_end = in_valid && in_last && h_in_valid && h_in_last;\n"
        "  always @(posedge clk) begin\n"
        "    synced <= rst ? 1'b0 : synced || (sync && both_end);\n"
        f"    since <= !synced ? 0 : since == {rtl.latency} ? since : since + 1;\n"
        "  end\n"
        f"  always @* if (started && synced && since == {rtl.latency})\n"
        "    assert (a_out_valid == b_out_valid && (!a_out_valid || a_out == b_out));\n"
        "endmodule\n"
    )
    return text


def protocol_verilog(rtl, prop, latency=None):
    """The wrapper (module ``<prop>_check``) of property ``prop`` around ``rtl``; ``latency``
    overrides the LATENCY the latency check expects."""
    if prop == "latency":
        return _latency(rtl, rtl.latency if latency is None else latency)
    if prop == "bubbles":
        return _bubbles(rtl)
    if prop == "restart":
        return _restart(rtl)
    raise ValueError(f"property must be one of {', '.join(PROPERTIES)}, not {prop!r}")


def prove_protocol(rtl, prop, workdir, time_limit, depth, latency=None):
    """Check property ``prop`` of ``rtl`` (an exported MAC) for ``depth`` cycles from reset and,
    for ``latency``, for every cycle."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    wrapper = workdir / f"{prop}_check.v"
    text = protocol_verilog(rtl, prop, latency)
    wrapper.write_text(text)
    top = f"{prop}_check"
    inputs = [name for name, _ in wrapper_inputs(rtl, prop)]
    design = formal_design([(rtl.verilog, False), (wrapper, True)], top)
    induction = rtl.latency + 2 if prop == "latency" else None
    return check_assertions(design, top, inputs, depth, workdir, time_limit, induction)
