"""Pipeline blocks: names from the Verilog hierarchy, and the categories the report groups by.

``hw.export`` names each block's module ``<top>_<path>`` where ``path`` is the instance path with
Amaranth's ``$N`` suffixes dropped (``sdr_mac.products$47`` -> ``sdr_mac_products``). The flat
netlist keeps the instance path of every cell in its ``scopename`` attribute, so both views
resolve to the same block name (``products``, ``mac_tree``; ``top`` for the top module itself).
"""

import re

__all__ = [
    "TOP",
    "CATEGORIES",
    "REGISTERS",
    "CONTROL",
    "block_of_module",
    "block_of_scope",
    "category",
]

#: Block name of the top module's own cells (control and glue logic).
TOP = "top"
#: Report category of a block, by a word of its name (``mac_tree_level2``: ``tree``); anything
#: else is control logic.
CATEGORIES = (
    ("products", "multipliers"),
    ("tree", "adder tree"),
    ("group_sum", "group sum"),
    ("shifter", "shifter"),
    ("accumulator", "accumulator"),
    ("decoder", "decoders"),
    ("magnitudes", "magnitudes"),
    ("leading_one", "leading one"),
    ("razor", "window and rounding"),
)
#: Category of every flip-flop, whatever block it sits in.
REGISTERS = "registers"
CONTROL = "control"


def block_of_module(module, top):
    """Block of Yosys module ``module`` (``\\sdr_mac_products`` -> ``products``)."""
    name = module.lstrip("\\")
    if name == top:
        return TOP
    if not name.startswith(top + "_"):
        raise ValueError(f"module {module!r} is not a block of {top!r}")
    return name[len(top) + 1 :]


def block_of_scope(scope):
    """Block of a flat-netlist ``scopename`` (``"mac products$24"`` -> ``mac_products``).

    ``hw.export`` writes plain identifiers: an instance Amaranth calls ``products$24`` is
    ``products`` there, or ``products_24`` where a wire already has that name, so a trailing
    ``$N`` or ``_N`` is dropped (no block name ends in ``_<digits>``)."""
    if not scope:
        return TOP
    return "_".join(re.sub(r"[$_]\d+$", "", part) for part in scope.split())


def category(block):
    """Report category of ``block`` (``mac_products`` -> ``multipliers``)."""
    for word, name in CATEGORIES:
        if re.search(rf"(^|_){word}(_|$)", block):
            return name
    return CONTROL
