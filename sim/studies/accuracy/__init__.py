"""Studies layer: QRazor SDR against other 4-bit schemes on real transformer tensors.

:mod:`.formats` (every format fact of the study), :mod:`.blocks` (RTN INT4 and OCP MX quantizers,
block GEMM), :mod:`.gemm` (one quantized GEMM per scheme), :mod:`.study`, :mod:`.report` and
:mod:`.plot`. ``python -m sim.accuracy`` runs it.
"""
