"""FPGA resource report of the QRazor units: ``python -m synth.fpga`` (:mod:`.cli`).

Yosys (pyosys) maps each unit onto an ECP5 LFE5U-25F and an iCE40UP5K, with and without DSP
inference (:mod:`.devices`, :mod:`.flow`); nextpnr from the YoWASP wheels (the ``fpga`` extra)
places and routes it inside a five-pin serial wrapper (:mod:`.wrapper`, :mod:`.nextpnr`).
"""
