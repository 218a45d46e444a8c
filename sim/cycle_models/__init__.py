"""Fast cycle-accurate NumPy models of the units (SPEC section 6).

``simulate(unit, stream)`` takes the same per-cycle stream as the RTL backends (see
:mod:`sim.ports`), optionally with leading axes for many independent streams at once
(``(streams, cycles[, lanes])``), and returns the per-cycle outputs the RTL produces: same
``out_valid`` cycles, same values, every cycle. Latencies and internal widths are read from the
``hw`` unit, never copied.
"""

from . import decompress_mac, int_mac, sdr_encoder, sdr_mac

__all__ = ["simulate", "MODELS"]

MODELS = {
    "sdr_mac": sdr_mac.simulate,
    "int8_mac": int_mac.simulate,
    "int4_mac": int_mac.simulate,
    "decompress_mac": decompress_mac.simulate,
    "sdr_encoder": sdr_encoder.simulate,
}


def simulate(unit, stream):
    """Per-cycle outputs of ``unit`` on ``stream`` (dict of per-cycle arrays)."""
    return MODELS[unit.MODULE_NAME](unit, stream)
