"""Area of a synthesized unit, per block, read from Yosys ``stat -json`` files.

Liberty mode: ``stat -json -liberty`` gives each module's ``area`` and ``sequential_area`` in the
library's area unit. Generic mode: ``stat -json -tech cmos`` gives transistor estimates; the
area is reported in NAND2 gate equivalents (transistors / 4).
"""

import json
from dataclasses import dataclass

from ..gates.blocks import block_of_module
from ..quantity import Quantity

__all__ = ["AREA_UNIT", "GE_UNIT", "TRANSISTORS_PER_GE", "UnitArea", "read_area"]

#: Unit of Liberty cell areas (Liberty has no area-unit attribute; square micrometres by custom).
AREA_UNIT = "um^2"
#: Unit of the generic mode.
GE_UNIT = "GE (NAND2)"
#: Transistors of a CMOS NAND2 gate: one gate equivalent.
TRANSISTORS_PER_GE = 4


@dataclass(frozen=True)
class UnitArea:
    """Total and register area, per-block ``{"logic": Quantity, "registers": Quantity}``."""

    total: Quantity
    registers: Quantity
    blocks: dict
    cells: int


def _load(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def _transistors(record, path):
    text = str(record.get("estimated_num_transistors", "0"))
    if text.endswith("+"):
        raise ValueError(f"{path}: Yosys could not estimate every cell's transistors ({text})")
    return int(text)


def _own(modules, value):
    """``{module: value(record)}`` without its submodules (stat totals include them)."""
    names = {name.lstrip("\\"): name for name in modules}
    totals = {name: value(record) for name, record in modules.items()}
    return {
        name: totals[name]
        - sum(
            count * totals[names[child]]
            for child, count in record["num_cells_by_type"].items()
            if child in names
        )
        for name, record in modules.items()
    }


def _check_sum(parts, total, what, path):
    if abs(sum(parts.values()) - total) > 1e-6 * max(1.0, abs(total)):
        raise ValueError(
            f"{path}: the blocks' {what} add up to {sum(parts.values())}, the design's is {total}"
        )


def read_area(synthesis, source):
    """:class:`UnitArea` of a :class:`~synth.flow.Synthesis`; ``source(path)`` names files."""
    stat = _load(synthesis.stat_blocks)
    modules, design = stat["modules"], stat["design"]
    src = source(synthesis.stat_blocks)
    names = {name.lstrip("\\") for name in modules}
    cells = sum(count for name, count in design["num_cells_by_type"].items() if name not in names)
    if synthesis.generic:
        stat_registers = _load(synthesis.stat_registers)
        unit, scale = GE_UNIT, 1 / TRANSISTORS_PER_GE
        registers_src = source(synthesis.stat_registers)
        total = _own(modules, lambda r: _transistors(r, synthesis.stat_blocks))
        flops = _own(stat_registers["modules"], lambda r: _transistors(r, synthesis.stat_registers))
        design_total = _transistors(design, synthesis.stat_blocks)
        design_flops = sum(flops.values())  # a selective stat has no design total
    else:
        unit, scale, registers_src = AREA_UNIT, 1.0, src
        total = _own(modules, lambda r: r["area"])
        flops = _own(modules, lambda r: r["sequential_area"])
        design_total, design_flops = design["area"], design["sequential_area"]
    _check_sum(total, design_total, "areas", synthesis.stat_blocks)
    _check_sum(flops, design_flops, "register areas", synthesis.stat_blocks)
    blocks = {}
    for module in modules:
        registers = flops.get(module, 0)
        blocks[block_of_module(module, synthesis.top)] = {
            "logic": Quantity((total[module] - registers) * scale, unit, src),
            "registers": Quantity(registers * scale, unit, registers_src),
        }
    return UnitArea(
        Quantity(design_total * scale, unit, src),
        Quantity(design_flops * scale, unit, registers_src),
        blocks,
        cells,
    )
