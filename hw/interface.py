"""What an integrator and the testbenches read off a unit: its port layout and how its results
appear on its ports (the row protocol of the RAP units). Docs: ``docs/interfaces.md``."""

from dataclasses import dataclass

__all__ = ["port_layout", "Results"]


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


@dataclass(frozen=True)
class Results:
    """How a unit's results look on its ports, for units other than the MACs and the encoder.

    ``ports``: the output ports that form one result row, in order (vector ports contribute
    their lanes); ``passes``: the producer streams each row this many times (``in_last`` on the
    last beat of every pass) and every valid beat of the last pass completes one result.
    """

    ports: tuple
    passes: int = 1
