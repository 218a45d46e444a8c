"""Every RTL parameter in one table: name, default, allowed values, help text.

The units' constructors check their parameters with :func:`check_params`, and ``python -m
hw.export`` builds its command-line flags from :data:`PARAMETERS`, so defaults, limits and help
cannot drift apart. Format-derived widths (flag width, code width) come from
:class:`sim.formats.SdrConfig`, never from a copy here.
"""

from dataclasses import astuple, dataclass

from sim.golden.formats import (
    BASE_BITS,
    GROUPS,
    ROUNDINGS,
    SdrConfig,
    check_choice,
    check_int,
)
from sim.golden.rap.layernorm import MAX_ROW as MAX_LAYERNORM_ROW

__all__ = [
    "Parameter",
    "PARAMETERS",
    "DEFAULTS",
    "defaults_for",
    "RAP_UNITS",
    "MAX_LANES",
    "MAX_ACC_BITS",
    "MAX_COLS",
    "MIN_IN_BITS",
    "MAX_IN_BITS",
    "MIN_OUT_BITS",
    "MAX_OUT_BITS",
    "MAX_SOFTMAX_ROW",
    "MAX_LAYERNORM_ROW",
    "MAX_ROWS",
    "check_params",
    "MacParams",
    "check_cols",
    "check_acc_bits",
    "check_row_params",
    "check_compactor_params",
]

#: Widest unit generated: 128 lanes (the largest SDR group).
MAX_LANES = max(GROUPS)
#: Widest accumulator.
MAX_ACC_BITS = 64
#: Most columns of an engine.
MAX_COLS = 64
#: Input widths of the RAP units: the golden kernels take magnitudes up to 2**31 - 1.
MIN_IN_BITS, MAX_IN_BITS = 2, 31
#: Probability widths of ``int_softmax`` (those of ``sim.rap.softmax_int``).
MIN_OUT_BITS, MAX_OUT_BITS = 2, 16
#: Longest ``int_softmax`` row.
MAX_SOFTMAX_ROW = 1 << 20
#: Most word-lines of a ``row_compactor`` plane.
MAX_ROWS = 1024
#: The RAP units (SPEC section 8) and their default LANES: one element per beat, because each
#: lane of them is several wide multipliers (at 16 lanes, Yosys' generic `synth` of one takes
#: minutes); pass ``--lanes`` for wider ones.
RAP_UNITS = ("int_gelu", "int_softmax", "int_layernorm")
RAP_LANES = 1


@dataclass(frozen=True)
class Parameter:
    """One RTL parameter: ``name`` as in SPEC (``LANES``), its default, its help text, and the
    units whose default differs (``overrides``: ``((module, default), ...)``)."""

    name: str
    default: object
    help: str
    overrides: tuple = ()

    @property
    def flag(self):
        """Command-line flag: ``LANES`` -> ``--lanes``, ``MAG_BITS`` -> ``--mag-bits``."""
        return "--" + self.name.lower().replace("_", "-")

    def default_for(self, module):
        """The default of unit ``module``."""
        return dict(self.overrides).get(module, self.default)

    @property
    def default_text(self):
        """``16``, or ``16; 1 for int_gelu, ...`` when some units differ."""
        text = str(self.default)
        for value in dict.fromkeys(value for _, value in self.overrides):
            modules = ", ".join(module for module, v in self.overrides if v == value)
            text += f"; {value} for {modules}"
        return text


PARAMETERS = {
    p.name: p
    for p in (
        Parameter(
            "LANES",
            16,
            f"elements per beat: a power of two, 1 to {MAX_LANES}",
            tuple((module, RAP_LANES) for module in RAP_UNITS),
        ),
        Parameter(
            "COLS", 4, f"engine columns (dot products per activation stream): 1 to {MAX_COLS}"
        ),
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
            "IN_BITS",
            24,
            f"int_gelu / int_softmax input width (two's complement): {MIN_IN_BITS} to "
            f"{MAX_IN_BITS}",
        ),
        Parameter(
            "OUT_BITS",
            8,
            f"int_softmax probability width (unsigned): {MIN_OUT_BITS} to {MAX_OUT_BITS}",
        ),
        Parameter(
            "SCALE",
            1.0,
            "int_softmax score scale (1/sqrt(head dim) for attention): a positive float, "
            "folded offline into the log2(e) multiplier",
        ),
        Parameter(
            "MAX_ROW",
            1024,
            f"int_softmax longest row, in elements (sizes the exponentials' sum): LANES to "
            f"{MAX_SOFTMAX_ROW}",
        ),
        Parameter(
            "D",
            384,
            f"int_layernorm row length: a multiple of LANES, at most {MAX_LAYERNORM_ROW}",
        ),
        Parameter(
            "EPS",
            1e-12,
            "int_layernorm epsilon: a float >= 0 (converted offline to a 16-bit mantissa and an "
            "exponent)",
        ),
        Parameter(
            "ROWS",
            128,
            f"row_compactor word-lines per input bit-plane (bits of plane and mask): 1 to "
            f"{MAX_ROWS}",
        ),
        Parameter(
            "K",
            7,
            "row_compactor most ones per partial mask (max_active_rows, 2**adc_bits - 1 for a "
            "3-bit ADC): 1 to ROWS",
        ),
        Parameter(
            "PIPELINE",
            "all",
            "optional pipeline registers: all, none, or a comma list of the unit's cuts "
            "(products, tree1..treeN, group, shifter, decoders; encoder: magnitudes, flag); "
            "the unit's JSON lists them",
        ),
    )
}

#: Default value of every parameter, by SPEC name: the units' constructors read these (the
#: units a parameter overrides read :func:`defaults_for`).
DEFAULTS = {name: p.default for name, p in PARAMETERS.items()}


def defaults_for(module):
    """Default value of every parameter for unit ``module``, by SPEC name."""
    return {name: p.default_for(module) for name, p in PARAMETERS.items()}


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


@dataclass(frozen=True)
class MacParams:
    """The parameter set of the SDR MACs: ``sdr_mac``, ``decompress_mac`` and each column of
    ``sdr_engine`` (LANES, GROUP, MAG_BITS, A_BITS, W_BITS, ACC_BITS, in this order; each unit
    adds its own PIPELINE, the engine COLS).

    Construction checks what the units share (:func:`check_params`: ``ValueError`` naming the
    first parameter that makes no valid unit); each unit checks ``acc_bits`` against its own
    product width (:func:`check_acc_bits`).
    """

    lanes: int = DEFAULTS["LANES"]
    group: int = DEFAULTS["GROUP"]
    mag_bits: int = DEFAULTS["MAG_BITS"]
    a_bits: int = DEFAULTS["A_BITS"]
    w_bits: int = DEFAULTS["W_BITS"]
    acc_bits: int = DEFAULTS["ACC_BITS"]

    def __post_init__(self):
        check_params(
            lanes=self.lanes,
            group=self.group,
            mag_bits=self.mag_bits,
            a_bits=self.a_bits,
            w_bits=self.w_bits,
        )

    @property
    def a_config(self):
        """:class:`~sim.golden.formats.SdrConfig` of the activation codes."""
        return SdrConfig(self.a_bits, self.mag_bits, self.group)

    @property
    def w_config(self):
        """:class:`~sim.golden.formats.SdrConfig` of the weight codes."""
        return SdrConfig(self.w_bits, self.mag_bits, self.group)

    def record(self, names, *rest):
        """``{name: value}``: ``names`` (a unit's ``PARAMETERS``) over these six values in order,
        then ``rest`` (the unit's own: ``pipeline``, ...)."""
        return dict(zip(names, (*astuple(self), *rest), strict=True))


def check_cols(cols):
    """Engine columns: 1 to :data:`MAX_COLS`."""
    check_int("cols", cols, 1, MAX_COLS)


def check_acc_bits(acc_bits, product_bits):
    """Accumulator width: at least one full product (``product_bits``), at most MAX_ACC_BITS."""
    check_int("acc_bits", acc_bits, 2, MAX_ACC_BITS)
    if acc_bits < product_bits:
        raise ValueError(
            f"acc_bits must be at least {product_bits} to hold one product, not {acc_bits}"
        )


def check_row_params(*, lanes, in_bits=None, out_bits=None, max_row=None, d=None):
    """Check the integer parameters of a RAP row unit (``None``: not a parameter of that unit).

    Raises ``ValueError`` naming the parameter and its allowed values.
    """
    _check_lanes(lanes)
    if in_bits is not None:
        check_int("in_bits", in_bits, MIN_IN_BITS, MAX_IN_BITS)
    if out_bits is not None:
        check_int("out_bits", out_bits, MIN_OUT_BITS, MAX_OUT_BITS)
    if max_row is not None:
        check_int("max_row", max_row, 1, MAX_SOFTMAX_ROW)
        if max_row < lanes:
            raise ValueError(f"max_row ({max_row}) must be at least lanes ({lanes})")
    if d is not None:
        check_int("d", d, 1, MAX_LAYERNORM_ROW)
        if d % lanes:
            raise ValueError(f"d ({d}) must be a multiple of lanes ({lanes})")


def check_compactor_params(rows, k):
    """Check the parameters of ``row_compactor``: ``rows`` 1 to :data:`MAX_ROWS`, ``k`` 1 to
    ``rows``. Raises ``ValueError`` naming the parameter and its allowed values."""
    check_int("rows", rows, 1, MAX_ROWS)
    check_int("k", k, 1, rows)
