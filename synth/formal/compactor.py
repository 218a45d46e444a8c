"""``row_compactor`` (SPEC section 9) against its handshake and the golden split, by assertions
in a generated wrapper, for every input sequence.

The wrapper keeps, beside the unit, the plane it accepted last (a cycle with ``in_valid`` and
``ready``) and the OR of the masks shown for it so far; ``pend`` (the plane's ones not shown yet)
follows. From reset on it asserts, every cycle:

- ``out_valid`` exactly while ``pend`` has ones (a mask on every cycle after the acceptance until
  the plane is done, none for an all-zero plane), ``mask`` and ``out_last`` 0 otherwise;
- a mask has at most K ones, at least one, and only ones of ``pend``: the masks of one plane are
  disjoint and within it;
- it holds ``min(K, popcount(pend))`` ones and no one of ``pend`` left out lies below its highest
  one: the lowest ones still pending, as the golden split takes them;
- ``out_last`` exactly when the mask takes the last ones of ``pend``: the plane's masks OR to the
  plane, and the last of them carries ``out_last``;
- ``ready`` exactly when no ones remain after the current cycle's mask.

A bounded check covers every input sequence of a few planes from reset; k-induction then
extends it to every cycle. The popcounts are sums of the bits, written out.
"""

from pathlib import Path

from .sat import check_assertions, formal_design
from .verilog import STARTED, bus, declare, instance

__all__ = ["compactor_verilog", "compactor_depth", "prove_compactor"]


def _popcount(name, vector, rows, width):
    terms = " + ".join(f"{vector}[{row}]" for row in range(rows))
    return f"  wire {bus(width)}{name} = {terms};\n"


def compactor_verilog(rtl, k=None):
    """Module ``compactor_check`` around exported ``row_compactor`` ``rtl``, checking masks of
    at most ``k`` ones (default: the unit's K)."""
    rows = rtl.parameters["ROWS"]
    k = rtl.parameters["K"] if k is None else k
    width = rows.bit_length()
    text = (
        f"module compactor_check (\n  input clk,\n  input {bus(rows)}plane,\n  input in_valid\n);\n"
    )
    text += STARTED
    outputs = {"ready": 1, "mask": rows, "out_valid": 1, "out_last": 1}
    for name, bits in outputs.items():
        text += declare("wire", f"u_{name}", bits)
    text += instance(
        rtl.module,
        "unit",
        {"clk": "clk", "rst": "rst", "plane": "plane", "in_valid": "in_valid"}
        | {name: f"u_{name}" for name in outputs},
    )
    smear = " | ".join(f"(u_mask >> {shift})" for shift in range(rows))
    text += declare("reg", "plane_q", rows) + declare("reg", "seen", rows)
    text += declare("reg", "open_q", 1)
    text += f"  wire {bus(rows)}pend = plane_q & ~seen;\n"
    text += f"  wire {bus(rows)}left = pend & ~u_mask;\n"
    text += f"  wire {bus(rows)}below = {smear};\n"
    text += _popcount("in_mask", "u_mask", rows, width) + _popcount("in_pend", "pend", rows, width)
    text += f"  wire {bus(width)}want = in_pend < {k} ? in_pend : {k};\n"
    text += (
        "  always @(posedge clk)\n"
        "    if (rst) begin\n"
        f"      plane_q <= {rows}'d0; seen <= {rows}'d0; open_q <= 1'b0;\n"
        "    end else if (in_valid && u_ready) begin\n"
        f"      plane_q <= plane; seen <= {rows}'d0; open_q <= |plane;\n"
        "    end else if (u_out_valid) begin\n"
        "      seen <= seen | u_mask; open_q <= |left;\n"
        "    end\n"
        "  always @* if (started) begin\n"
        "    assert (u_out_valid == open_q);\n"
        "    assert (u_ready == (!open_q || left == 0));\n"
        "    if (u_out_valid) begin\n"
        f"      assert (u_mask != 0 && in_mask <= {k} && (u_mask & ~pend) == 0);\n"
        "      assert (in_mask == want && (left & below) == 0);\n"
        "      assert (u_out_last == (left == 0));\n"
        "    end else\n"
        "      assert (u_mask == 0 && !u_out_last);\n"
        "  end\nendmodule\n"
    )
    return text


def compactor_depth(rtl):
    """Reset, a full plane split into ``ceil(ROWS/K)`` masks, and two more planes' worth of
    cycles after it (a plane accepted on its last mask's cycle, back to back)."""
    rows, k = rtl.parameters["ROWS"], rtl.parameters["K"]
    return 1 + 2 * -(-rows // k) + 4


def prove_compactor(rtl, workdir, time_limit, depth=None, k=None):
    """Prove exported ``row_compactor`` ``rtl`` keeps its handshake and splits as the golden
    split with ``k`` (default: its K): a bounded check of ``depth`` cycles (default
    :func:`compactor_depth`), then k-induction."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    wrapper = workdir / "compactor_check.v"
    wrapper.write_text(compactor_verilog(rtl, k))
    design = formal_design([(rtl.verilog, False), (wrapper, True)], "compactor_check")
    depth = compactor_depth(rtl) if depth is None else depth
    induction = -(-rtl.parameters["ROWS"] // rtl.parameters["K"]) + 4
    return check_assertions(
        design, "compactor_check", ["plane", "in_valid"], depth, workdir, time_limit, induction
    )
