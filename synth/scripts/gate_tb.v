// Gate-level testbench (rendered by synth/gates/gatesim.py). Cycle t starts at time t * 2 * HALF: from
// t = 1 on, with a rising clock edge at which the flip-flops sample what settled in cycle t - 1,
// while the inputs take vector t through a nonblocking assignment of the same time step (as if
// driven by upstream registers on that edge). So every net settles once per cycle; the cell
// models' specify delays are not enabled, the simulation is zero-delay and glitch-free. Half-way
// through cycle t the outputs of cycle t go to the output file and the clock falls. The nets of
// the netlist's top scope are dumped to the VCD from there in cycle FIRST - 1 on: it holds the
// transitions into cycles FIRST .. CYCLES - 1.
`timescale 1ns / 1ps
module gate_tb;
  localparam CYCLES = @cycles;
  localparam HALF = @half_period;
  localparam FIRST = @first;
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
    in = vectors[0];
    for (cycle = 0; cycle < CYCLES; cycle = cycle + 1) begin
      if (cycle > 0) begin
        clk = 1'b1;
        in <= vectors[cycle];
      end
      #HALF $fwrite(file, "%b\n", out);
      clk = 1'b0;
      if (cycle == FIRST - 1) $dumpvars(1, dut);
      #HALF;
    end
    $fclose(file);
    $finish;
  end
endmodule
