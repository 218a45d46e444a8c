"""Small pieces of the Verilog that the proofs generate: port lists, instances, the reset.

Every generated wrapper resets its units itself: ``started`` starts at 0 (its ``init``), so
cycle 0 is a reset cycle (``rst`` high for one clock edge, as the units require) and the
assertions hold from cycle 1 on.
"""

__all__ = ["STARTED", "declare", "instance", "bus"]

#: The reset register every wrapper starts with.
STARTED = """  reg started = 1'b0;
  always @(posedge clk) started <= 1'b1;
  wire rst = !started;
"""


def bus(width):
    """``[W-1:0] `` (empty for one bit)."""
    return f"[{width - 1}:0] " if width > 1 else ""


def declare(kind, name, width):
    """``  input [7:0] a;`` and the like (``kind``: input, output, wire, reg)."""
    return f"  {kind} {bus(width)}{name};\n"


def instance(module, name, connections):
    """An instance of ``module`` connecting ``{port: expression}``."""
    pins = ",\n".join(f"    .{port}({expression})" for port, expression in connections.items())
    return f"  {module} {name} (\n{pins}\n  );\n"
