// Gate-level testbench (rendered by synth/gatesim.py). Each cycle applies one input vector read
// from the vector file, writes the outputs seen during that cycle (before its rising edge) to the
// output file, then pulses the clock. Every net of the netlist's top scope is dumped to the VCD
// from the end of the first (reset) cycle on. The cell models' specify delays are not enabled, so
// the simulation is zero-delay and the activity functional (no glitches).
`timescale 1ns / 1ps
module gate_tb;
  localparam CYCLES = @cycles;
  localparam HALF = @half_period;
  reg clk = 1'b0;
  reg [@in_msb:0] vectors [0:CYCLES - 1];
  reg [@in_msb:0] in;
  wire [@out_msb:0] out;
  integer cycle;
  integer file;

  @top dut (
    .clk(clk)@connections
  );

  initial begin
    $readmemh("@vectors", vectors);
    file = $fopen("@outputs", "w");
    $dumpfile("@vcd");
    for (cycle = 0; cycle < CYCLES; cycle = cycle + 1) begin
      in = vectors[cycle];
      #HALF $fwrite(file, "%b\n", out);
      clk = 1'b1;
      #HALF clk = 1'b0;
      if (cycle == 0) $dumpvars(1, dut);
    end
    $fclose(file);
    $finish;
  end
endmodule
