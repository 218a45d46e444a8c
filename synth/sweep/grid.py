"""The declared grid of the sweep: which units, at which parameters, with which flow settings."""

from hw.designs import DESIGNS
from hw.params import defaults_for
from sim.golden.formats import GROUPS

from ..report.evaluate import DEFAULT_CONDITIONS, Setup
from ..report.stimulus import DEFAULT_BEATS, DEFAULT_SEEDS, DEFAULT_STREAMS

__all__ = [
    "SWEPT",
    "SWEEP_GROUPS",
    "SWEEP_LANES",
    "SWEEP_MAG_BITS",
    "SWEEP_A_BITS",
    "QUICK_POINTS",
    "lanes_for",
    "full_grid",
    "quick_grid",
    "grid_record",
    "flow_setup",
    "check_point",
    "point_order",
]

#: The units swept: the SDR MAC and its integer baselines (which vary in LANES only).
SWEPT = ("sdr_mac", "int8_mac", "int4_mac")
#: SDR group sizes: the SPEC groups from 8 to 128.
SWEEP_GROUPS = tuple(g for g in GROUPS if 8 <= g <= 128)
#: LANES: powers of two from 1 to 64 (for sdr_mac, those that divide GROUP).
SWEEP_LANES = (1, 2, 4, 8, 16, 32, 64)
#: SDR magnitude bits M per code.
SWEEP_MAG_BITS = (2, 3, 4, 5)
#: Activation base widths B_a.
SWEEP_A_BITS = (8, 16)
#: The ``--quick`` grid: small units, LANES 1 to 4.
QUICK_POINTS = (
    ("sdr_mac", {"LANES": 1, "GROUP": 8, "MAG_BITS": 3, "A_BITS": 16}),
    ("sdr_mac", {"LANES": 4, "GROUP": 8, "MAG_BITS": 2, "A_BITS": 8}),
    ("int8_mac", {"LANES": 1}),
    ("int4_mac", {"LANES": 4}),
)
#: Flow settings of ``--quick``: one seed, few streams and beats (the report's are the default).
QUICK_SETTINGS = {"seeds": (0,), "streams": 4, "beats": 64}


def lanes_for(group):
    """The swept LANES that divide ``group``."""
    return tuple(lanes for lanes in SWEEP_LANES if group % lanes == 0)


def full_grid():
    """``[(design, parameters)]`` of the whole grid, in :func:`point_order`."""
    points = [
        ("sdr_mac", {"LANES": lanes, "GROUP": group, "MAG_BITS": mag, "A_BITS": a_bits})
        for group in SWEEP_GROUPS
        for lanes in lanes_for(group)
        for mag in SWEEP_MAG_BITS
        for a_bits in SWEEP_A_BITS
    ]
    points += [(d, {"LANES": lanes}) for d in SWEPT[1:] for lanes in SWEEP_LANES]
    return sorted(points, key=point_order)


def quick_grid():
    """``[(design, parameters)]`` of ``--quick``."""
    return sorted(((d, dict(p)) for d, p in QUICK_POINTS), key=point_order)


def grid_record(quick):
    """The grid as the reports state it."""
    if quick:
        return {"name": "quick", "points": [{"design": d, **p} for d, p in quick_grid()]}
    return {
        "name": "full",
        "designs": list(SWEPT),
        "GROUP": list(SWEEP_GROUPS),
        "LANES": f"{', '.join(map(str, SWEEP_LANES))} (sdr_mac: those dividing GROUP)",
        "MAG_BITS": list(SWEEP_MAG_BITS),
        "A_BITS": list(SWEEP_A_BITS),
        "integer baselines": "LANES only",
        "points_per_library": len(full_grid()),
    }


def flow_setup(liberty, quick):
    """The :class:`~synth.report.evaluate.Setup` of a sweep on ``liberty``."""
    if quick:
        return Setup(liberty, DEFAULT_CONDITIONS, **QUICK_SETTINGS)
    return Setup(liberty, DEFAULT_CONDITIONS, DEFAULT_SEEDS, DEFAULT_STREAMS, DEFAULT_BEATS)


def check_point(design, parameters):
    """Raise ``ValueError`` if ``design`` with ``parameters`` is not a valid unit."""
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}, not {design!r}")
    cls = DESIGNS[design]
    unknown = set(parameters) - set(cls.PARAMETERS)
    if unknown:
        raise ValueError(f"{design} has no parameter {', '.join(sorted(unknown))}")
    defaults = defaults_for(design)
    cls.check_parameters(
        **{name.lower(): parameters.get(name, defaults[name]) for name in cls.PARAMETERS}
    )


def point_order(point):
    """Sort key of ``(design, parameters)``: design, GROUP, MAG_BITS, A_BITS, LANES."""
    design, parameters = point
    index = SWEPT.index(design) if design in SWEPT else len(SWEPT)
    return (
        index,
        design,
        *(parameters.get(name, 0) for name in ("GROUP", "MAG_BITS", "A_BITS", "LANES")),
        sorted(parameters.items(), key=str),
    )
