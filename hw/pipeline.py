"""Pipeline helpers shared by the units: delay lines, optional pipeline registers, cut lists.

A unit's *cuts* are the places along its datapath where a pipeline register may sit (after the
lane multipliers, after each adder-tree level, ...). Which of them are registered is the unit's
``pipeline`` parameter: ``"all"`` (the default), ``"none"``, or a comma list of cut names.
Registers that hold state (the accumulator, a group's partial sum, the output registers) are not
cuts: they are always there. A MAC's pipeline registers carry data only and have no reset; the
valid and last bits that travel beside them do reset, so a reset still drops every beat in flight
(the encoder, whose outputs follow its pipeline every cycle, resets its pipeline registers).
"""

from amaranth import Signal, Value

__all__ = ["delayed", "stage", "tree_levels", "tree_cuts", "parse_pipeline", "pipeline_text"]


def delayed(m, value, cycles, name, reset_less=False):
    """``value`` delayed by ``cycles`` registers in the ``sync`` domain of module ``m``.

    Control bits (the default) reset to 0, so delayed valid/last bits never fire after a reset;
    data delayed beside them may pass ``reset_less=True``.
    """
    for index in range(cycles):
        register = Signal(
            Value.cast(value).shape(), name=f"{name}_d{index + 1}", reset_less=reset_less
        )
        m.d.sync += register.eq(value)
        value = register
    return value


def stage(m, value, registered, name, reset_less=True):
    """``value`` through a pipeline register of module ``m`` (no reset by default), or as is."""
    if not registered:
        return value
    register = Signal(Value.cast(value).shape(), name=name, reset_less=reset_less)
    m.d.sync += register.eq(value)
    return register


def tree_levels(count):
    """Levels of a binary reduction over ``count`` (a power of two) inputs."""
    return count.bit_length() - 1


def tree_cuts(count, prefix="tree"):
    """Cut names after each adder-tree level: ``tree1`` (first level) .. ``treeN``."""
    return tuple(f"{prefix}{level + 1}" for level in range(tree_levels(count)))


def parse_pipeline(text, cuts, unit):
    """The registered cuts (a frozenset) that pipeline text ``text`` names among ``cuts``.

    Raises ``ValueError`` naming ``unit``, the bad text and the cuts it has.
    """
    allowed = ", ".join(cuts) if cuts else "no optional cuts"
    if not isinstance(text, str):
        raise ValueError(f"pipeline must be a string (all, none or a comma list), not {text!r}")
    names = [name.strip() for name in text.split(",")] if text.strip() else []
    if names == ["all"]:
        return frozenset(cuts)
    if names == ["none"]:
        return frozenset()
    unknown = [name for name in names if name not in cuts]
    if unknown or not names:
        raise ValueError(
            f"pipeline of {unit} must be all, none or a comma list of its cuts ({allowed}), "
            f"not {text!r}"
        )
    return frozenset(names)


def pipeline_text(registered, cuts):
    """Canonical text of a set of registered cuts: ``all``, ``none`` or names in datapath order."""
    if set(registered) == set(cuts):
        return "all"
    if not registered:
        return "none"
    return ",".join(name for name in cuts if name in registered)
