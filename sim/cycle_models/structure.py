"""Latencies and internal widths of the units, computed from their SPEC parameters alone.

The cycle models never read an ``hw`` object: what they need of the datapath's structure is
restated here from SPEC section 5 and the units' documented pipelines (one optional register per
named cut, plus the registers that always exist), and a test checks every figure against ``hw``.
"""

import numpy as np

from ..formats import SdrConfig

__all__ = [
    "latency",
    "cut_count",
    "registered_cuts",
    "sdr_shifter_width",
    "COLUMN_PARAMETERS",
    "per_column",
]

#: The GEMM engines: their column unit and the parameters they pass to every column.
COLUMN_PARAMETERS = {
    "sdr_engine": ("LANES", "GROUP", "MAG_BITS", "A_BITS", "W_BITS", "ACC_BITS", "PIPELINE"),
    "int8_engine": ("LANES", "ACC_BITS", "PIPELINE"),
}
_COLUMN_UNIT = {"sdr_engine": "sdr_mac", "int8_engine": "int8_mac"}


def per_column(values, cols, lanes=False):
    """``values`` (``(..., cycles)``, or ``(..., cycles, lanes)`` with ``lanes``) seen by each
    of ``cols`` columns: a column axis inserted before the cycle axis (a broadcast view)."""
    axis = -3 if lanes else -2
    values = np.expand_dims(values, axis)
    shape = list(values.shape)
    shape[axis] = cols
    return np.broadcast_to(values, shape)


def _tree_levels(lanes):
    return lanes.bit_length() - 1


def cut_count(module, parameters):
    """Number of optional pipeline cuts of ``module`` (what ``PIPELINE="all"`` registers; an
    engine's are those of one column)."""
    p = parameters
    if module in _COLUMN_UNIT:
        return cut_count(_COLUMN_UNIT[module], p)
    if module == "sdr_mac":
        return 1 + _tree_levels(p["LANES"]) + (p["GROUP"] == p["LANES"]) + 1
    if module in ("int8_mac", "int4_mac"):
        return 1 + _tree_levels(p["LANES"])
    if module == "decompress_mac":
        return 2 + _tree_levels(p["LANES"])
    if module == "sdr_encoder":
        return 2
    raise ValueError(f"module must be a unit with a cycle model, not {module!r}")


def registered_cuts(module, parameters):
    """Number of pipeline registers ``parameters["PIPELINE"]`` (``all``, ``none`` or a comma list
    of cut names) puts on the datapath."""
    text = parameters["PIPELINE"].strip()
    if text == "all":
        return cut_count(module, parameters)
    if text == "none":
        return 0
    return len(text.split(","))


def latency(module, parameters):
    """``LATENCY`` (SPEC 5): the state register at the end (accumulator, or the encoder's output
    registers), one per registered cut, and ``sdr_mac``'s group partial sum, a register whenever a
    group takes several beats; an engine adds its encoder register (``sdr_engine``) to one
    column's."""
    if module == "sdr_engine":  # the encoder's register, then a column
        return 1 + latency("sdr_mac", parameters)
    if module == "int8_engine":
        return latency("int8_mac", parameters)
    cycles = 1 + registered_cuts(module, parameters)
    if module == "sdr_mac" and parameters["GROUP"] > parameters["LANES"]:
        cycles += 1
    return cycles


def sdr_shifter_width(parameters):
    """Width of ``sdr_mac``'s shifted group sum: the signed (2M+1)-bit lane product, one bit per
    adder-tree level, the bits of a group's beat count, then the largest shift ``fa + fw``; every
    stage capped at ACC_BITS (sums wrap there)."""
    p = parameters
    acc = p["ACC_BITS"]
    width = min(2 * p["MAG_BITS"] + 1 + _tree_levels(p["LANES"]), acc)
    width = min(width + (p["GROUP"] // p["LANES"] - 1).bit_length(), acc)
    max_shift = sum(
        SdrConfig(p[base], p["MAG_BITS"], p["GROUP"]).max_flag for base in ("A_BITS", "W_BITS")
    )
    return min(width + max_shift, acc)
