"""What an integrator and the testbenches read off a unit: its port layout and how its results
appear on its ports (the row protocol of the RAP units). Docs: ``docs/interfaces.md``."""

from dataclasses import dataclass

__all__ = ["port_layout", "Results", "row_unit_signature"]


def port_layout(unit):
    """``{port: (direction, lane_width, lane_count, signed)}`` from a unit's signature.

    ``lane_count`` is ``None`` for a scalar port; ``direction`` is ``"input"`` or ``"output"``.
    """
    from amaranth.hdl import Shape
    from amaranth.lib import data
    from amaranth.lib.wiring import In

    layout = {}
    for name, member in unit.signature.members.items():
        direction = "input" if member.flow == In else "output"
        if isinstance(member.shape, data.ArrayLayout):
            element = Shape.cast(member.shape.elem_shape)
            layout[name] = (direction, element.width, member.shape.length, element.signed)
        else:
            shape = Shape.cast(member.shape)
            layout[name] = (direction, shape.width, None, shape.signed)
    return layout


def row_unit_signature(lanes, in_shape, out, out_shape, lane_inputs=None):
    """The ports of a RAP row unit (``int_gelu``, ``int_softmax``, ``int_layernorm``), in order:

    ``x``: ``lanes`` lanes of ``in_shape`` and ``e`` (signed 8 bits), its exponent; one port of
    ``lanes`` lanes per ``{name: lane shape}`` of ``lane_inputs`` (LayerNorm's ``gamma`` and
    ``beta``); ``in_valid`` and ``in_last`` (last beat of a row); the result ``out``, ``lanes``
    lanes of ``out_shape``, and its exponent ``<out>_exp`` (signed 8 bits); ``out_valid`` and
    ``out_last``. A dict of members for ``wiring.Component.__init__``.
    """
    from amaranth import signed
    from amaranth.lib import data
    from amaranth.lib.wiring import In, Out

    members = {"x": In(data.ArrayLayout(in_shape, lanes)), "e": In(signed(8))}
    for name, shape in (lane_inputs or {}).items():
        members[name] = In(data.ArrayLayout(shape, lanes))
    members |= {
        "in_valid": In(1),
        "in_last": In(1),
        out: Out(data.ArrayLayout(out_shape, lanes)),
        f"{out}_exp": Out(signed(8)),
        "out_valid": Out(1),
        "out_last": Out(1),
    }
    return members


@dataclass(frozen=True)
class Results:
    """How a unit's results look on its ports, for units other than the MACs and the encoder.

    ``ports``: the output ports that form one result row, in order (vector ports contribute
    their lanes); ``passes``: the producer streams each row this many times (``in_last`` on the
    last beat of every pass) and every valid beat of the last pass completes one result.
    """

    ports: tuple
    passes: int = 1
