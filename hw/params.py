"""Every RTL parameter in one table: name, default, allowed values, help text.

The units' constructors check their parameters with :func:`check_params`, and ``python -m
hw.export`` builds its command-line flags from :data:`PARAMETERS`, so defaults, limits and help
cannot drift apart. Format-derived widths (flag width, code width) come from
:class:`sim.formats.SdrConfig`, never from a copy here.
"""

from dataclasses import dataclass

from sim.formats import BASE_BITS, GROUPS, ROUNDINGS, check_choice, check_int

__all__ = [
    "Parameter",
    "PARAMETERS",
    "DEFAULTS",
    "MAX_LANES",
    "MAX_ACC_BITS",
    "check_params",
    "check_acc_bits",
]

#: Widest unit generated: 128 lanes (the largest SDR group).
MAX_LANES = max(GROUPS)
#: Widest accumulator.
MAX_ACC_BITS = 64


@dataclass(frozen=True)
class Parameter:
    """One RTL parameter: ``name`` as in SPEC (``LANES``), its default and its help text."""

    name: str
    default: object
    help: str

    @property
    def flag(self):
        """Command-line flag: ``LANES`` -> ``--lanes``, ``MAG_BITS`` -> ``--mag-bits``."""
        return "--" + self.name.lower().replace("_", "-")


PARAMETERS = {
    p.name: p
    for p in (
        Parameter("LANES", 16, f"elements per beat: a power of two, 1 to {MAX_LANES}"),
        Parameter(
            "GROUP",
            16,
            f"SDR group size: one of {', '.join(map(str, GROUPS))}; a multiple of LANES",
        ),
        Parameter(
            "MAG_BITS",
            3,
            "SDR magnitude bits M per code (code = sign + M bits); 1 to min(A_BITS, W_BITS) - 2",
        ),
        Parameter("A_BITS", 16, "activation base width B_a: 8 or 16"),
        Parameter("W_BITS", 8, "weight base width B_w: 8 or 16"),
        Parameter(
            "ACC_BITS", 32, f"accumulator width, up to {MAX_ACC_BITS} (wraps modulo 2**ACC_BITS)"
        ),
        Parameter("BASE_BITS", 16, "sdr_encoder input width B: 8 or 16"),
        Parameter("ROUNDING", "nearest", "sdr_encoder rounding: nearest or truncate"),
        Parameter(
            "PIPELINE",
            "all",
            "optional pipeline registers: all, none, or a comma list of the unit's cuts "
            "(products, tree1..treeN, group, shifter, decoders; encoder: magnitudes, flag); "
            "the unit's JSON lists them",
        ),
    )
}

#: Default value of every parameter, by SPEC name: the units' constructors read these.
DEFAULTS = {name: p.default for name, p in PARAMETERS.items()}


def _check_lanes(lanes):
    check_int("lanes", lanes, 1, MAX_LANES)
    if lanes & (lanes - 1):
        raise ValueError(f"lanes must be a power of two, not {lanes}")


def check_params(
    *,
    lanes=None,
    group=None,
    mag_bits=None,
    a_bits=None,
    w_bits=None,
    base_bits=None,
    rounding=None,
):
    """Check the parameters a unit was given (``None``: not a parameter of that unit).

    Raises ``ValueError`` naming the parameter and its allowed values.
    """
    if lanes is not None:
        _check_lanes(lanes)
    if group is not None:
        check_choice("group", group, GROUPS)
        if lanes is not None and group % lanes:
            raise ValueError(f"group ({group}) must be a multiple of lanes ({lanes})")
    for name, value in (("a_bits", a_bits), ("w_bits", w_bits), ("base_bits", base_bits)):
        if value is not None:
            check_choice(name, value, BASE_BITS)
    if rounding is not None:
        check_choice("rounding", rounding, ROUNDINGS)
    if mag_bits is not None:
        bases = [b for b in (a_bits, w_bits, base_bits) if b is not None]
        check_int("mag_bits", mag_bits, 1, min(bases) - 2)


def check_acc_bits(acc_bits, product_bits):
    """Accumulator width: at least one full product (``product_bits``), at most MAX_ACC_BITS."""
    check_int("acc_bits", acc_bits, 2, MAX_ACC_BITS)
    if acc_bits < product_bits:
        raise ValueError(
            f"acc_bits must be at least {product_bits} to hold one product, not {acc_bits}"
        )
