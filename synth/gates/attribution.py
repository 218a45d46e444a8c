"""Which pipeline block each cell of a flat, timing-driven netlist belongs to.

The flow flattens a unit before mapping (so that ABC sizes and buffers whole paths) but first
marks every block's output ports ``keep``: they survive mapping as named nets, the block
boundaries. ABC's cells carry no hierarchy, so a cell is attributed to the block(s) whose
boundary it feeds: walking forward from its outputs through combinational cells, the first
boundary net, flip-flop or top-level output reached on each branch names a block (a flip-flop's
block is the scope of the register it holds, its output net's hierarchical name). A cell that
feeds several blocks is shared among them in equal parts, so the parts add up to the whole. A
boundary net's own driver belongs to the block that outputs it; a buffer ABC put behind it
belongs to the block that reads it.
"""

from collections import defaultdict
from dataclasses import replace

from .blocks import TOP

__all__ = ["block_shares", "with_blocks"]


def _register_block(netlist, instance, cell):
    for pin in cell.outputs():
        bit = instance.pins.get(pin.name)
        if bit is not None:
            return netlist.boundaries.get(bit, netlist.scopes.get(bit, TOP))
    return TOP


def block_shares(library, netlist):
    """``{instance name: {block: share}}`` (shares of one instance add up to 1)."""
    cells = {instance.name: library.cell(instance.cell) for instance in netlist.instances}
    loads = defaultdict(list)
    for instance in netlist.instances:
        for pin in cells[instance.name].inputs():
            bit = instance.pins.get(pin.name)
            if bit is not None:
                loads[bit].append(instance)
    outputs = netlist.output_bits()
    owners = {}

    def reached(bit):
        """Blocks the value on ``bit`` first reaches (memoized through ``owners``)."""
        if bit in netlist.boundaries:
            return {netlist.boundaries[bit]}
        blocks = {TOP} if bit in outputs else set()
        for load in loads[bit]:
            if cells[load.name].is_sequential:
                blocks.add(_register_block(netlist, load, cells[load.name]))
            else:
                blocks |= owner(load)
        return blocks

    def owner(instance):
        if instance.name not in owners:
            owners[instance.name] = set()  # a combinational loop ends here
            blocks = set()
            for pin in cells[instance.name].outputs():
                bit = instance.pins.get(pin.name)
                if bit is not None:
                    blocks |= reached(bit)
            owners[instance.name] = blocks or {TOP}
        return owners[instance.name]

    shares = {}
    for instance in _reverse_topological(netlist, cells, loads):
        cell = cells[instance.name]
        blocks = (
            {_register_block(netlist, instance, cell)} if cell.is_sequential else owner(instance)
        )
        shares[instance.name] = {block: 1 / len(blocks) for block in sorted(blocks)}
    return shares


def _reverse_topological(netlist, cells, loads):
    """Instances, each combinational one after every combinational cell it drives (so the
    memoized walk never recurses deeply)."""
    order, seen = [], set()
    for start in netlist.instances:
        if start.name in seen:
            continue
        stack = [(start, False)]
        while stack:
            instance, done = stack.pop()
            if done:
                order.append(instance)
                continue
            if instance.name in seen:
                continue
            seen.add(instance.name)
            stack.append((instance, True))
            if cells[instance.name].is_sequential:
                continue
            for pin in cells[instance.name].outputs():
                bit = instance.pins.get(pin.name)
                if bit is None or bit in netlist.boundaries:
                    continue
                for load in loads[bit]:
                    if load.name not in seen and not cells[load.name].is_sequential:
                        stack.append((load, False))
    return order


def with_blocks(netlist, shares):
    """``netlist`` with each instance's ``block`` set to its largest share (ties: first name)."""
    instances = tuple(
        replace(instance, block=max(sorted(shares[instance.name]), key=shares[instance.name].get))
        for instance in netlist.instances
    )
    return replace(netlist, instances=instances)
