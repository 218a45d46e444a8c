"""A mapped, flat netlist: its connectivity and blocks, its bit-parallel gate-level simulation,
the Icarus cross-check, and the activity those runs measure."""
