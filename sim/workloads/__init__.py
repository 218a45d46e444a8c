"""Layer 1, workloads: the operands the studies feed the hardware.

The seeded LLM-like GEMM (:mod:`.llm_gemm`), the quantized GEMM schemes of the default comparison
(:mod:`.schemes`), error figures (:mod:`.metrics`), and the model zoo: the float NumPy BERT
(:mod:`.bert`), all-MiniLM-L6-v2 read from its PyPI package (:mod:`.minilm`), the sentence set,
seeded synthetic BERTs and the encoder models the RAP studies run on. Imports only
:mod:`sim.golden` and :mod:`sim.util`.
"""
