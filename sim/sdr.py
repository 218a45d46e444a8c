"""SPEC section 4's public name for the SDR golden model: re-exports :mod:`sim.golden.sdr`."""

from sim.golden.sdr import SdrConfig, SdrTensor, decode, encode, pack, sdr_matmul, unpack

__all__ = ["SdrConfig", "SdrTensor", "encode", "decode", "pack", "unpack", "sdr_matmul"]
