"""The simulation backends a unit can run on, all with one contract.

``simulate(unit, stream, vcd_path=None, progress=None) -> {output port: per-cycle array}``
(see :mod:`sim.ports` for streams). ``model`` is the NumPy cycle model, ``amaranth`` the
Amaranth simulator on the unit's description, ``verilator`` a generated C++ testbench on the
exported Verilog (no Python per cycle), ``cocotb-verilator`` / ``cocotb-icarus`` cocotb on it.
"""

import functools

__all__ = ["BACKENDS", "RTL_BACKENDS", "get_backend", "prepare"]

BACKENDS = ("model", "amaranth", "verilator", "cocotb-verilator", "cocotb-icarus")
#: Backends that simulate RTL (and can write waveforms).
RTL_BACKENDS = BACKENDS[1:]
#: cocotb backends, by the simulator they run.
_COCOTB = {"cocotb-verilator": "verilator", "cocotb-icarus": "icarus"}


def _model(unit, stream, vcd_path=None, progress=None):
    from sim.cycle_models import simulate

    if vcd_path is not None:
        raise ValueError("vcd_path: the model backend has no waveforms; use an RTL backend")
    return simulate(unit, stream)


def _cocotb(unit, stream, vcd_path=None, progress=None, *, simulator):
    from sim.verify.rtl_cocotb import simulate

    return simulate(unit, stream, simulator=simulator, vcd_path=vcd_path)


def prepare(name, unit, waves=False):
    """Do backend ``name``'s one-time work for ``unit`` (a Verilator or Icarus build) now.

    Callers that time a run call this first, so that the time is simulation only.
    """
    if name == "verilator":
        from sim.verify.rtl_native import compiled

        compiled(unit, waves=waves)
    elif name in _COCOTB:
        from sim.verify.rtl_cocotb import compiled

        compiled(unit, _COCOTB[name], waves=waves)


def get_backend(name):
    """The ``simulate`` function of backend ``name`` (one of :data:`BACKENDS`)."""
    if name == "model":
        return _model
    if name == "amaranth":
        from sim.verify.rtl_amaranth import simulate

        return simulate
    if name == "verilator":
        from sim.verify.rtl_native import simulate

        return simulate
    if name in _COCOTB:
        return functools.partial(_cocotb, simulator=_COCOTB[name])
    raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {name!r}")
