"""Accuracy study: QRazor SDR against other 4-bit schemes on real transformer tensors.

``python -m sim.accuracy`` runs it (see :mod:`sim.accuracy.__main__`). Modules: :mod:`.formats`
(every format fact), :mod:`.blocks` (RTN INT4 and OCP MX quantizers, block GEMM), :mod:`.gemm`
(one quantized GEMM per scheme, error figures), :mod:`.bert` and :mod:`.minilm` (NumPy
all-MiniLM-L6-v2 read from a PyPI package), :mod:`.sentences`, :mod:`.study`, :mod:`.report`
and :mod:`.plot`.
"""
