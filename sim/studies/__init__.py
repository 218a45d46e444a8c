"""Layer 5, studies: experiments over the lower layers and their report writers.

:mod:`.accuracy` (QRazor SDR against other 4-bit formats on real tensors) and :mod:`.rap` (RAP's
kernel accuracy, tile comparison and sweep). The CLIs ``python -m sim.accuracy`` and
``python -m sim.rap`` run them.
"""
