"""The serial I/O wrapper that places any unit on a small package.

Every unit has more I/O than the iCE40UP5K's SG48 package has pins (39; ``sdr_mac`` at LANES 1
already has 52), and the wide ones more than the ECP5's CABGA256 (197). So each unit is placed
inside the same five-pin wrapper on both devices: ``clk``, ``rst``, ``sin``, ``cap``, ``sout``.
``sin`` shifts into a register chain that drives every data input of the unit; on ``cap`` a
second register captures every output, which then shifts out of ``sout``. The unit's own
register-to-register paths are unchanged; its inputs come from flip-flops and its outputs go to
flip-flops, as in a system. The wrapper is synthesized apart, against a black-box copy of the
unit's ports, so that its cells are counted exactly and the unit's own netlist is placed as
Yosys mapped it (no optimisation across the boundary).
"""

__all__ = ["TOP", "wrapper_verilog", "blackbox_verilog"]

#: Module name of the wrapper (no unit or block is called this).
TOP = "qrazor_fpga_top"


def _range(width):
    return f"[{width - 1}:0] " if width > 1 else ""


def blackbox_verilog(rtl):
    """A port-only ``(* blackbox *)`` module with ``rtl``'s name and ports."""
    ports = ",\n".join(f"  {d} {_range(w)}{n}" for n, d, w in rtl.ports)
    return f"(* blackbox *)\nmodule {rtl.module} (\n{ports}\n);\nendmodule\n"


def _shift(register, width, bit):
    if width == 1:
        return bit
    return f"{{{register}[{width - 2}:0], {bit}}}"


def wrapper_verilog(rtl):
    """Verilog of :data:`TOP` around unit ``rtl`` (:class:`synth.formal.units.Rtl`)."""
    inputs, outputs = rtl.inputs(), rtl.outputs()
    n_in, n_out = sum(w for _, w in inputs), sum(w for _, w in outputs)
    connections, low = [".clk(clk)", ".rst(rst)"], 0
    for name, width in inputs:
        connections.append(f".{name}(in_shift[{low + width - 1}:{low}])")
        low += width
    low = 0
    for name, width in outputs:
        connections.append(f".{name}(result[{low + width - 1}:{low}])")
        low += width
    ports = ",\n    ".join(connections)
    zero = "1'b0"
    return (
        f"module {TOP} (input clk, input rst, input sin, input cap, output sout);\n"
        f"  reg [{n_in - 1}:0] in_shift;\n"
        f"  reg [{n_out - 1}:0] out_shift;\n"
        f"  wire [{n_out - 1}:0] result;\n"
        f"  always @(posedge clk) in_shift <= {_shift('in_shift', n_in, 'sin')};\n"
        f"  always @(posedge clk) out_shift <= cap ? result : "
        f"{_shift('out_shift', n_out, zero)};\n"
        f"  assign sout = out_shift[{n_out - 1}];\n"
        f"  {rtl.module} unit (\n    {ports}\n  );\n"
        "endmodule\n"
    )
