"""Cited constants shared by the systems' energy models: :class:`Constant` and the memory
energies per bit (RAP's tile model, :mod:`sim.rap.costs`; the GEMM engines, :mod:`sim.engine`).

A source names the paper, its year, the figure and the node and voltage; "via X" means the figure
was read in X, a transcription; "assumption" marks a stated guess. Nothing here is rescaled to
another node: a report that combines these with gate-level figures of another node says so.
"""

from dataclasses import dataclass

__all__ = ["Constant", "HOROWITZ", "MEMORY_CONSTANTS"]


@dataclass(frozen=True)
class Constant:
    """One cited number: ``value`` in ``unit``, where it came from (``source``) and how it was
    read or derived (``note``)."""

    name: str
    value: float
    unit: str
    source: str
    note: str = ""


HOROWITZ = (
    "M. Horowitz, 'Computing's energy problem (and what we can do about it)', ISSCC 2014, "
    "pp. 10-14, Fig. 1.1.9 (45 nm, 0.9 V), via secondary copies (stillwater-sc/universal "
    "generic_45nm.hpp; Frontiers/PMC8934428 Table 3); the original figure was not read here"
)
# fmt: off
_MEMORY_ROWS = [
    ("sram_read_pj_per_bit", 10 / 64, "pJ/bit", HOROWITZ, "8 KB SRAM, 10 pJ per 64-bit access"),
    ("sram_1mb_read_pj_per_bit", 100 / 64, "pJ/bit", HOROWITZ,
     "1 MB SRAM, 100 pJ per 64-bit access; seen in one secondary transcription only"),
    ("sram_write_pj_per_bit", 10 / 64, "pJ/bit", "assumption: write = read of " + HOROWITZ,
     "8 KB SRAM; the figure is per access, not split into read and write"),
    ("dram_pj_per_bit", 1300 / 64, "pJ/bit", HOROWITZ, "low end of 1.3-2.6 nJ per 64 bits"),
    ("dram_pj_per_bit_high", 2600 / 64, "pJ/bit", HOROWITZ, "high end of 1.3-2.6 nJ per 64 bits"),
]
# fmt: on
#: The memory energies by name.
MEMORY_CONSTANTS = {row[0]: Constant(*row) for row in _MEMORY_ROWS}
