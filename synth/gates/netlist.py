"""Connectivity of a flat mapped netlist, read from Yosys ``write_json``.

Every net is one bit, identified by Yosys' bit number. Each cell instance knows its library cell,
its block (from the ``scopename`` attribute ``flatten -scopename`` leaves) and which bit each pin
connects to; constant pins (``"0"``/``"1"``) connect to no net, and their values are kept apart
(``"x"`` and ``"z"`` read as 0, as a two-state simulation sees them).
"""

import json
from dataclasses import dataclass, field

from .blocks import block_of_scope

__all__ = ["Instance", "Netlist", "read_netlist"]


@dataclass(frozen=True)
class Instance:
    """One cell instance: name, library cell, block, ``{pin: bit or None (constant)}``.

    ``constants`` maps each pin tied to a constant to its value, 0 or 1."""

    name: str
    cell: str
    block: str
    pins: dict
    constants: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Netlist:
    """A flat netlist: instances, top-level ports and the public wires (bits LSB first).

    ``port_constants`` gives the value of each port bit tied to a constant:
    ``{port: {bit index: 0 or 1}}``. ``boundaries`` maps each bit of a block's output port (a wire
    the flow marked ``keep``) to that block, and ``scopes`` each named bit to the block of its
    deepest hierarchical name (``hdlname``); where several names share a bit, the deepest wins:
    an output port of a block is also a wire of its parent.
    """

    top: str
    instances: tuple
    ports: dict  # {name: (direction, [bit, ...] LSB first)}
    wires: dict = field(repr=False)  # {name: [bit or None (constant), ...] LSB first}
    port_constants: dict = field(default_factory=dict, repr=False)
    boundaries: dict = field(default_factory=dict, repr=False)  # {bit: block of a block output}
    scopes: dict = field(default_factory=dict, repr=False)  # {bit: block of its deepest name}

    def input_bits(self, exclude=()):
        """Bits of the top-level input ports, except the ports named in ``exclude``."""
        return {
            bit
            for name, (direction, bits) in self.ports.items()
            if direction == "input" and name not in exclude
            for bit in bits
            if bit is not None
        }

    def output_bits(self):
        return {
            bit
            for direction, bits in self.ports.values()
            if direction == "output"
            for bit in bits
            if bit is not None
        }


def _bit(value):
    return value if isinstance(value, int) else None  # "0", "1", "x", "z" are constants


def _constants(bits):
    """``{index: 0 or 1}`` of the constant entries of a Yosys bit list."""
    return {i: int(b == "1") for i, b in enumerate(bits) if not isinstance(b, int)}


def _scope(attributes):
    if "scopename" in attributes:
        return attributes["scopename"]
    hdlname = attributes.get("hdlname", "").split()
    return " ".join(hdlname[:-1])


def read_netlist(path, top):
    """Read module ``top`` of the Yosys JSON netlist at ``path``."""
    with open(path, encoding="utf-8") as file:
        module = json.load(file)["modules"][top]
    instances = []
    for name, cell in sorted(module["cells"].items()):
        pins = {
            pin: _bit(bits[0]) if len(bits) == 1 else None
            for pin, bits in cell["connections"].items()
        }
        constants = {
            pin: _constants(bits)[0]
            for pin, bits in cell["connections"].items()
            if len(bits) == 1 and _bit(bits[0]) is None
        }
        instances.append(
            Instance(
                name, cell["type"], block_of_scope(_scope(cell["attributes"])), pins, constants
            )
        )
    ports = {
        name: (port["direction"], [_bit(b) for b in port["bits"]])
        for name, port in module["ports"].items()
    }
    wires = {
        name: [_bit(b) for b in net["bits"]]
        for name, net in sorted(module["netnames"].items())
        if not net.get("hide_name")
    }
    port_constants = {
        name: constants
        for name, port in module["ports"].items()
        if (constants := _constants(port["bits"]))
    }
    boundaries, scopes = _named_blocks(module["netnames"])
    return Netlist(top, tuple(instances), ports, wires, port_constants, boundaries, scopes)


def _named_blocks(netnames):
    """``(boundaries, scopes)`` of :class:`Netlist` from Yosys netnames and their attributes."""
    boundaries, scopes, depth = {}, {}, {}
    for _, net in sorted(netnames.items()):
        attributes = net.get("attributes", {})
        scope = attributes.get("hdlname", "").split()[:-1]
        block = block_of_scope(" ".join(scope))
        kept = int(str(attributes.get("keep", "0")), 2) if "keep" in attributes else 0
        for bit in net["bits"]:
            if not isinstance(bit, int):
                continue
            if len(scope) >= depth.get(bit, 0):
                depth[bit] = len(scope)
                scopes[bit] = block
            if kept and len(scope) >= depth.get(("keep", bit), 0):
                depth["keep", bit] = len(scope)
                boundaries[bit] = block
    return boundaries, scopes
