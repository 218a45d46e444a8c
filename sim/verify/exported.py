"""A unit's exported Verilog text, shared by the RTL backends that compile it."""

import functools
import tempfile
from pathlib import Path

__all__ = ["exported_verilog"]


@functools.lru_cache(maxsize=32)
def _text(module, parameters):
    from hw.export import export

    with tempfile.TemporaryDirectory(prefix="qrazor-export-") as folder:
        export([module], folder, **dict(parameters))
        return (Path(folder) / f"{module}.v").read_text()


def exported_verilog(unit):
    """Text of ``unit``'s ``hw.export`` Verilog (deterministic, cached by module and parameters)."""
    return _text(unit.MODULE_NAME, tuple(sorted(unit.parameters.items())))
