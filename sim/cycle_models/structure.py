"""Latencies and internal widths of the units, computed from their SPEC parameters alone.

The cycle models never read an ``hw`` object: what they need of the datapath's structure is
restated here from SPEC section 5 and the units' documented pipelines (one optional register per
named cut, plus the registers that always exist), and a test checks every figure against ``hw``.
The RAP row units (SPEC 8) have no optional cuts: their pipelines are fixed by their parameters.
"""

import functools
import math

import numpy as np

from sim.golden.formats import SdrConfig
from sim.golden.rap.fixed import inverse_sqrt
from sim.golden.rap.layernorm import IN_BITS as LAYERNORM_IN_BITS
from sim.golden.rap.layernorm import OUT_FRACTION_BITS, PARAMETER_FRACTION_BITS
from sim.golden.rap.softmax import EXP_FRACTION_BITS

__all__ = [
    "latency",
    "cut_count",
    "registered_cuts",
    "sdr_shifter_width",
    "COLUMN_PARAMETERS",
    "COLUMN_UNIT",
    "per_column",
    "ROW_PASSES",
    "EXPONENT_BITS",
    "LAYERNORM_PARAMETER_BITS",
    "rap_ports",
    "softmax_sum_bits",
    "layernorm_sum_bits",
    "layernorm_normalised_bits",
    "layernorm_output_bits",
]

#: The GEMM engines: their column unit and the parameters they pass to every column.
COLUMN_PARAMETERS = {
    "sdr_engine": ("LANES", "GROUP", "MAG_BITS", "A_BITS", "W_BITS", "ACC_BITS", "PIPELINE"),
    "int8_engine": ("LANES", "ACC_BITS", "PIPELINE"),
    "int4_engine": ("LANES", "ACC_BITS", "PIPELINE"),
}
COLUMN_UNIT = {"sdr_engine": "sdr_mac", "int8_engine": "int8_mac", "int4_engine": "int4_mac"}


def per_column(values, cols, lanes=False):
    """``values`` (``(..., cycles)``, or ``(..., cycles, lanes)`` with ``lanes``) seen by each
    of ``cols`` columns: a column axis inserted before the cycle axis (a broadcast view)."""
    axis = -3 if lanes else -2
    values = np.expand_dims(values, axis)
    shape = list(values.shape)
    shape[axis] = cols
    return np.broadcast_to(values, shape)


def _tree_levels(lanes):
    return lanes.bit_length() - 1


def cut_count(module, parameters):
    """Number of optional pipeline cuts of ``module`` (what ``PIPELINE="all"`` registers; an
    engine's are those of one column)."""
    p = parameters
    if module in COLUMN_UNIT:
        return cut_count(COLUMN_UNIT[module], p)
    if module == "sdr_mac":
        return 1 + _tree_levels(p["LANES"]) + (p["GROUP"] == p["LANES"]) + 1
    if module in ("int8_mac", "int4_mac"):
        return 1 + _tree_levels(p["LANES"])
    if module == "decompress_mac":
        return 2 + _tree_levels(p["LANES"])
    if module == "sdr_encoder":
        return 2
    raise ValueError(f"module must be a unit with a cycle model, not {module!r}")


def registered_cuts(module, parameters):
    """Number of pipeline registers ``parameters["PIPELINE"]`` (``all``, ``none`` or a comma list
    of cut names) puts on the datapath."""
    text = parameters["PIPELINE"].strip()
    if text == "all":
        return cut_count(module, parameters)
    if text == "none":
        return 0
    return len(text.split(","))


def latency(module, parameters):
    """``LATENCY`` (SPEC 5): the state register at the end (accumulator, or the encoder's output
    registers), one per registered cut, and ``sdr_mac``'s group partial sum, a register whenever a
    group takes several beats; an engine's is one column's (no encoder stage, no register of
    its own: ``sdr_engine`` reads razored codes, SPEC 10). The RAP row units:
    :func:`_row_latency`."""
    if module in ROW_PASSES:
        return _row_latency(module, parameters)
    if module in COLUMN_UNIT:
        return latency(COLUMN_UNIT[module], parameters)
    cycles = 1 + registered_cuts(module, parameters)
    if module == "sdr_mac" and parameters["GROUP"] > parameters["LANES"]:
        cycles += 1
    return cycles


def sdr_shifter_width(parameters):
    """Width of ``sdr_mac``'s shifted group sum: the signed (2M+1)-bit lane product, one bit per
    adder-tree level, the bits of a group's beat count, then the largest shift ``fa + fw``; every
    stage capped at ACC_BITS (sums wrap there)."""
    p = parameters
    acc = p["ACC_BITS"]
    width = min(2 * p["MAG_BITS"] + 1 + _tree_levels(p["LANES"]), acc)
    width = min(width + (p["GROUP"] // p["LANES"] - 1).bit_length(), acc)
    max_shift = sum(
        SdrConfig(p[base], p["MAG_BITS"], p["GROUP"]).max_flag for base in ("A_BITS", "W_BITS")
    )
    return min(width + max_shift, acc)


# The RAP row units (SPEC 8).

#: Passes of the row protocol: the producer streams every row this many times back to back.
ROW_PASSES = {"int_gelu": 1, "int_softmax": 3, "int_layernorm": 2}
#: Width of the signed exponent ports (``e`` in, ``y_exp`` / ``p_exp`` out).
EXPONENT_BITS = 8
#: Width of ``int_layernorm``'s signed ``gamma`` / ``beta`` ports: the golden's conversions lie
#: within +-2**20 (:func:`sim.rap.layernorm.layernorm_parameters` refuses more).
LAYERNORM_PARAMETER_BITS = 21
#: Registered steps of ``int_gelu``'s lane: |x|, |x| / sqrt 2, u, (b - u)**2, erf, x (1 +- erf),
#: the output register.
_GELU_STEPS = 7
#: ``int_softmax``'s exponentials after its max tree: d = max - x, the log2(e) product, its
#: shift to t, three Horner steps and the shift of 2**-t.
_SOFTMAX_EXPONENT_STEPS = 1 + 2 + 4
#: The reciprocal of a row's sum: leading one, normalisation, linear estimate, two registers per
#: Newton step (two steps).
_RECIPROCAL_STEPS = 3 + 2 * 2
#: LayerNorm's inverse square root: the products (s1**2, D s2), the variance, leading one,
#: normalisation, then three registers per Newton step (two steps) but the first step's square,
#: which is a table.
_INVERSE_SQRT_STEPS = 4 + 3 * 2 - 1
#: LayerNorm after ``D x - s1``: ``a r``, the shift to ``n``, ``n gamma``, the output register.
_LAYERNORM_TAIL = 4


def _row_latency(module, parameters):
    """LATENCY of a RAP row unit: from a last-pass beat to its output beat. Every adder or
    comparator tree has a register per level (log2 LANES)."""
    levels = _tree_levels(parameters["LANES"])
    if module == "int_gelu":
        return _GELU_STEPS
    if module == "int_softmax":
        # The max tree and the exponentials; then the pass-3 exponentials wait for the row's
        # reciprocal (sum tree, accumulator, reciprocal, less the cycle between passes 2 and 3);
        # the product by the reciprocal and the output register.
        exponentials = levels + _SOFTMAX_EXPONENT_STEPS
        wait = levels + 1 + _RECIPROCAL_STEPS - 1
        return exponentials + wait + 2
    # LayerNorm: x**2, the trees, the accumulators, the inverse square root (whose s1 is ready one
    # cycle before r), less the cycle between passes: D x - s1 there, then the tail.
    subtract = 1 + levels + 1 + _INVERSE_SQRT_STEPS - 2
    return subtract + 1 + _LAYERNORM_TAIL


def softmax_sum_bits(parameters):
    """Width of ``int_softmax``'s unsigned row sum of exponentials: MAX_ROW elements of at most
    ``2**16`` each (the row's maximum gives exactly ``2**16``)."""
    return (parameters["MAX_ROW"] << EXP_FRACTION_BITS).bit_length()


def layernorm_sum_bits(parameters):
    """``(s1_bits, s2_bits)``: widths of ``int_layernorm``'s signed ``sum(x)`` and unsigned
    ``sum(x**2)`` over D 16-bit inputs (``|x| <= 2**15``)."""
    d, low = parameters["D"], 1 << (LAYERNORM_IN_BITS - 1)
    return (d * low).bit_length() + 1, (d * low * low).bit_length()


@functools.cache
def _inverse_sqrt_worst():
    """The largest ``sqrt(m + 1) inverse_sqrt(m)`` over every ``m`` in ``[2**14, 2**16)`` the
    golden's inverse square root sees."""
    m = np.arange(1 << 14, 1 << 16)
    return float(np.max(np.sqrt(m + 1.0) * inverse_sqrt(m)))


def _normalised_bound(d):
    """The golden's largest ``|n|``, ``n = round_shift((d x - s1) r, shift)``, over rows of
    ``d``: ``(d x_i - s1)**2 <= (d-1) v`` (the deviations sum to 0, their squares to ``d v``), so
    ``|n| <= sqrt((d-1)(m+1)) inverse_sqrt(m) / 2**12 + 1/2`` (plus one for the float roots)."""
    worst = _inverse_sqrt_worst()
    return math.floor(math.sqrt(d - 1) * worst / 2**OUT_FRACTION_BITS + 0.5) + 1


def layernorm_normalised_bits(d):
    """Width of ``int_layernorm``'s signed register of the normalised value ``n``."""
    return _normalised_bound(d).bit_length() + 1


def layernorm_output_bits(d):
    """OUT_W, the width of ``int_layernorm``'s signed ``y``: the largest ``|y| =
    round_shift(|n| gamma + beta 2**12, 12)`` with ``|n|`` at its bound and ``|gamma|, |beta|
    < 2**20``."""
    top = (1 << (LAYERNORM_PARAMETER_BITS - 1)) - 1
    largest = _normalised_bound(d) * top + (top << PARAMETER_FRACTION_BITS)
    largest = (largest + (1 << (OUT_FRACTION_BITS - 1))) >> OUT_FRACTION_BITS
    return largest.bit_length() + 1


def rap_ports(module, parameters):
    """``{port: (direction, width, lanes, signed)}`` of a RAP row unit (``lanes`` ``None`` for
    a scalar port), as :func:`sim.ports.port_layout` reads them from the unit."""
    p = parameters
    lanes = p["LANES"]
    one = (1, None, False)
    if module == "int_layernorm":
        parameter = ("input", LAYERNORM_PARAMETER_BITS, lanes, True)
        data_in = {"x": ("input", LAYERNORM_IN_BITS, lanes, True)}
        extra = {"gamma": parameter, "beta": parameter}
        data_out = {"y": ("output", layernorm_output_bits(p["D"]), lanes, True), "y_exp": None}
    elif module == "int_softmax":
        data_in, extra = {"x": ("input", p["IN_BITS"], lanes, True)}, {}
        data_out = {"p": ("output", p["OUT_BITS"], lanes, False), "p_exp": None}
    elif module == "int_gelu":
        data_in, extra = {"x": ("input", p["IN_BITS"], lanes, True)}, {}
        data_out = {"y": ("output", p["IN_BITS"], lanes, True), "y_exp": None}
    else:
        raise ValueError(f"module must be a RAP row unit, not {module!r}")
    exponent = (EXPONENT_BITS, None, True)
    ports = {**data_in, "e": ("input", *exponent), **extra}
    ports |= {"in_valid": ("input", *one), "in_last": ("input", *one)}
    for name, port in data_out.items():
        ports[name] = port or ("output", *exponent)
    return ports | {"out_valid": ("output", *one), "out_last": ("output", *one)}
