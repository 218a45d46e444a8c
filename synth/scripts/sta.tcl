# Static timing of one flat netlist with OpenSTA (rendered and run by synth/flow/sta.py).
# Constraints: one ideal clock on `clk`; every other input arrives @input_delay after the clock
# edge with transition @input_transition; every output is due @output_delay before the next
# edge and drives @output_load. Numbers are in the library's units (time, capacitance).
# Results are written as JSON to the results file: the worst setup path (seconds, as OpenSTA's
# API returns them), its pins from start to end with the worst arrival time at each, and, with an
# activity script, `sta::design_power` (watts: internal, switching, leakage, total, then the same
# by group) with the annotated activity.
read_liberty "@liberty"
read_verilog "@netlist"
link_design @top
create_clock -name clk -period @period [get_ports clk]
set_clock_transition @input_transition [get_clocks clk]
set data_inputs [delete_from_list [all_inputs] [get_ports clk]]
set_input_delay @input_delay -clock clk $data_inputs
set_output_delay @output_delay -clock clk [all_outputs]
set_input_transition @input_transition $data_inputs
set_load @output_load [all_outputs]
report_checks -path_delay max -digits 4 > "@path_report"

set path_end [lindex [find_timing_paths -path_delay max -group_count 1] 0]
set points {}
foreach pin [lreverse [sta::PathRef_pins [$path_end path]]] {
  set worst [sta::vertex_worst_arrival_path [lindex [$pin vertices] 0] max]
  set arrival [expr {$worst eq "NULL" ? 0.0 : [$worst arrival]}]
  lappend points [format {["%s", %.6e]} [get_full_name $pin] $arrival]
}

set annotated 0
set power {}
if {"@activity" ne ""} {
  source "@activity"
  set power [sta::design_power [sta::cmd_corner]]
}

set results [open "@results" w]
puts $results [format {{"slack": %.9e, "arrival": %.9e, "path": [%s], "annotated_pins": %d, "design_power": [%s]}} \
  [$path_end slack] [$path_end data_arrival_time] [join $points ", "] $annotated \
  [join $power ", "]]
close $results
