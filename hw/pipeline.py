"""Pipeline helpers shared by the units."""

from amaranth import Signal, Value

__all__ = ["delayed", "tree_levels"]


def delayed(m, value, cycles, name):
    """``value`` delayed by ``cycles`` registers in the ``sync`` domain of module ``m``.

    The registers reset to 0, so delayed valid/last bits never fire after a reset.
    """
    for stage in range(cycles):
        register = Signal(Value.cast(value).shape(), name=f"{name}_d{stage + 1}")
        m.d.sync += register.eq(value)
        value = register
    return value


def tree_levels(count):
    """Levels of a binary reduction over ``count`` (a power of two) inputs."""
    return count.bit_length() - 1
