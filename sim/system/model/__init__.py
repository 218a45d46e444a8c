"""System layer: whole workloads on the GEMM engines, costed by ZigZag (:mod:`sim.system.zigzag`):
the stored formats of each engine (:mod:`.formats`), the GEMMs of all-MiniLM-L6-v2 and of a
LLaMA-7B-shaped layer in prefill and decode (:mod:`.gemms`)."""
