"""The exportable units, by Verilog module name."""

from amaranth.hdl import Fragment

from hw.engine import Int4Engine, Int8Engine, SdrEngine
from hw.params import RAP_UNITS, defaults_for
from hw.rap import IntGelu, IntLayernorm, IntSoftmax, RowCompactor
from hw.units.decompress_mac import DecompressMac
from hw.units.int_mac import Int4Mac, Int8Mac
from hw.units.sdr_encoder import SdrEncoder
from hw.units.sdr_mac import SdrMac

__all__ = ["DESIGNS", "RAP_DESIGNS", "build", "elaborated"]

DESIGNS = {
    cls.MODULE_NAME: cls
    for cls in (
        SdrMac,
        Int8Mac,
        Int4Mac,
        DecompressMac,
        SdrEncoder,
        SdrEngine,
        Int8Engine,
        Int4Engine,
        IntGelu,
        IntSoftmax,
        IntLayernorm,
        RowCompactor,
    )
}
#: The RAP row units (SPEC section 8) among them (``row_compactor``, SPEC section 9, is not one:
#: it has no row protocol).
RAP_DESIGNS = (IntGelu.MODULE_NAME, IntSoftmax.MODULE_NAME, IntLayernorm.MODULE_NAME)
if RAP_DESIGNS != RAP_UNITS:
    raise RuntimeError("hw.params.RAP_UNITS must name the RAP units of DESIGNS")


def build(module, **parameters):
    """Instantiate unit ``module`` from SPEC-named parameters (``LANES=4``); others default."""
    if module not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}, not {module!r}")
    cls = DESIGNS[module]
    unknown = set(parameters) - set(cls.PARAMETERS)
    if unknown:
        raise ValueError(
            f"{module} has no parameter {', '.join(sorted(unknown))}; "
            f"it takes {', '.join(cls.PARAMETERS)}"
        )
    defaults = defaults_for(module)
    values = {name.lower(): parameters.get(name, defaults[name]) for name in cls.PARAMETERS}
    # Checked before construction: a refused unit leaves no half-built object.
    cls.check_parameters(**values)
    return cls(**values)


def elaborated(unit):
    """``unit`` after one dry elaboration, for callers that read its LATENCY or ports only.

    Amaranth warns (``UnusedElaboratable``) about every component that is built but never
    elaborated; the units build their blocks in ``__init__``, so reading a LATENCY would leave a
    warning per block. Elaborating takes milliseconds and marks them used.
    """
    Fragment.get(unit, None)
    return unit
