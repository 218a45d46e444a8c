"""Layer 3, verify: driving units cycle by cycle and checking them against the golden model.

Per-cycle port streams and stimulus (:mod:`.ports`, :mod:`.streams`, :mod:`.stimulus`,
:mod:`.rap_streams`), the in-order checker, the simulation backends behind one contract
(cycle models, Amaranth, native Verilator, cocotb), MAC runs of a workload and the long
regression library. Sits above ``hw`` and :mod:`sim.cycle_models`.
"""
