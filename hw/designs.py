"""The four exportable units, by Verilog module name."""

from .decompress_mac import DecompressMac
from .int_mac import Int8Mac
from .sdr_encoder import SdrEncoder
from .sdr_mac import SdrMac

__all__ = ["DESIGNS", "build"]

DESIGNS = {cls.MODULE_NAME: cls for cls in (SdrMac, Int8Mac, DecompressMac, SdrEncoder)}


def build(module, **parameters):
    """Instantiate unit ``module`` from SPEC-named parameters (``LANES=4``); others default."""
    if module not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}, not {module!r}")
    cls = DESIGNS[module]
    unknown = set(parameters) - set(cls.PARAMETERS)
    if unknown:
        raise ValueError(f"{module} has no parameter {', '.join(sorted(unknown))}; "
                         f"it takes {', '.join(cls.PARAMETERS)}")
    return cls(**{name.lower(): value for name, value in parameters.items()})
