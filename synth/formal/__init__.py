"""Formal proofs of the QRazor units with Yosys (pyosys): ``python -m synth.formal``.

One component per module: :mod:`.runner` (a Yosys script under a time limit), :mod:`.sat`
(bounded checks and k-induction of a wrapper's assertions), :mod:`.wavejson` (counterexamples),
:mod:`.units` (exported RTL and netlists), the proofs :mod:`.lec`, :mod:`.datapath`,
:mod:`.protocol`, :mod:`.encoder` (with :mod:`.encoder_reference`), :mod:`.catalog` (every proof
by name), :mod:`.writers` and :mod:`.cli`.
"""
