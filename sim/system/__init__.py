"""Layer 4, system: whole workloads on an accelerator.

QRazor's GEMM engines (:mod:`.engine`: tiling, runs, energy) with the memory constants
(:mod:`.memory`), and RAP's AMS-PiM tiles, ADC and system map (:mod:`.rap`). Uses the verify
layer to check values against the golden model.
"""
