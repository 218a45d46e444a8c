"""Fast cycle-accurate NumPy models of the units (SPEC section 6).

``simulate(unit, stream)`` takes the same per-cycle stream as the RTL backends (see
:mod:`sim.ports`), optionally with leading axes for many independent streams at once
(``(streams, cycles[, lanes])``), and returns the per-cycle outputs the RTL produces: same
``out_valid`` cycles, same values, every cycle. A model reads only the unit's module name and
SPEC parameters: latencies and internal widths come from :mod:`.structure`, never from ``hw``.
``row_compactor`` has backpressure: its model computes ``ready`` from the stream as the RTL does
(a plane takes effect only on a cycle with ``in_valid`` and ``ready``).
"""

import functools

from sim.cycle_models import (
    decompress_mac,
    int_engine,
    int_mac,
    row_compactor,
    sdr_encoder,
    sdr_engine,
    sdr_mac,
)
from sim.cycle_models.rap_rows import ROW_MODELS

__all__ = ["simulate", "run", "MODELS"]

#: ``{module: model(parameters, stream)}``.
MODELS = {
    "sdr_mac": sdr_mac.simulate,
    "int8_mac": functools.partial(int_mac.simulate, "int8_mac"),
    "int4_mac": functools.partial(int_mac.simulate, "int4_mac"),
    "decompress_mac": decompress_mac.simulate,
    "sdr_encoder": sdr_encoder.simulate,
    "sdr_engine": sdr_engine.simulate,
    "int8_engine": functools.partial(int_engine.simulate, "int8_engine"),
    "int4_engine": functools.partial(int_engine.simulate, "int4_engine"),
    **ROW_MODELS,  # int_gelu, int_softmax, int_layernorm
    "row_compactor": row_compactor.simulate,
}


def run(module, parameters, stream):
    """Per-cycle outputs of unit ``module`` with SPEC-named ``parameters`` (every one given,
    ``PIPELINE`` as ``all``, ``none`` or a comma list of cuts) on ``stream``."""
    if module not in MODELS:
        raise ValueError(f"module must be one of {', '.join(MODELS)}, not {module!r}")
    return MODELS[module](parameters, stream)


def simulate(unit, stream):
    """Per-cycle outputs of ``unit`` on ``stream``: :func:`run` with its name and parameters."""
    return run(unit.MODULE_NAME, unit.parameters, stream)
