"""Cycle models of the RAP row units ``int_gelu``, ``int_softmax`` and ``int_layernorm``.

The row protocol (SPEC 8 and the units' docstrings): always ready, ``in_valid=0`` beats change
nothing; the producer streams each row :data:`~.structure.ROW_PASSES` times back to back, LANES
elements per beat, ``in_last`` on the last beat of every pass, and the unit counts the passes
(valid ``in_last`` beats since the last reset), so a reset returns it to the first beat of a
row's first pass. A row's exponent is the ``e`` of its first beat. Every valid beat of the last
pass yields its output beat exactly LATENCY cycles later (``out_last`` = its ``in_last``) unless
a reset falls in between; the output value registers load only then, hold otherwise, and clear
on a reset (``int_layernorm``'s ``y_exp`` is a constant, ``-12``, on every cycle).

A row's statistics are reductions over the row's beats of one pass, found by counting passes:
``int_softmax``'s maximum (pass 1) and sum of exponentials (pass 2), ``int_layernorm``'s sums of
``x`` and ``x**2`` (pass 1). The RTL finishes each in a pipeline while the next pass streams and
holds it; a beat of the next pass reads it a fixed number of cycles after its own arrival, so
chosen (it sets LATENCY) that a beat on the cycle right after the pass's last beat, the
earliest, finds it ready; the next row's replace it only after a beat of that row arrives. So
every beat sees its own row's statistics, whatever the bubbles, and the model needs no internal
timing but LATENCY. The per-element arithmetic is the golden kernels' (the RTL equals them), on
the inputs cut to their port widths, for any 8-bit exponent.

Exact for every stream that keeps to the protocol (a row's passes repeat it and hold at most
MAX_ROW elements for ``int_softmax``, D for ``int_layernorm``), with bubbles and resets anywhere.
``int_gelu`` has no rows; ``int_layernorm`` stays exact when a later pass carries other values
than the first (as after a reset that cut a row, if the producer carries on with it: the
normalised value's register is cut as the RTL cuts it); ``int_softmax`` then could see a row's
sum of exponentials below ``2**15`` (no element at the first pass's maximum), for which the RTL's
reciprocal registers, sized for sums from ``2**15`` up, would cut values the model does not.
"""

import numpy as np

from sim.cycle_models.common import count_since, resets_before, same_epoch
from sim.cycle_models.structure import (
    ROW_PASSES,
    latency,
    layernorm_normalised_bits,
    layernorm_sum_bits,
    rap_ports,
    softmax_sum_bits,
)
from sim.golden.integer import wrap_signed
from sim.golden.rap import gelu_int
from sim.golden.rap.fixed import bit_length, inverse_sqrt, reciprocal, round_shift
from sim.golden.rap.layernorm import (
    OUT_FRACTION_BITS,
    PARAMETER_FRACTION_BITS,
    eps_mantissa_exponent,
)
from sim.golden.rap.softmax import base2_exponent, log2e_multiplier, pow2_negative

__all__ = ["ROW_MODELS", "simulate_gelu", "simulate_softmax", "simulate_layernorm"]

#: Exponents beyond the golden kernels' +-64 give what +-64 give: GELU's and the softmax's right
#: shifts clip at 62 from e = -60 down, their left shifts saturate every nonzero value from e = 26
#: up. (LayerNorm's eps shift does not saturate so soon: its formula is applied as it stands.)
_KERNEL_EXPONENT = 64


def _mask(values, width, signed):
    values = np.asarray(values, np.int64)
    return wrap_signed(values, width) if signed else values & ((1 << width) - 1)


def _latest(marks):
    """Index of the latest marked cycle at or before each cycle (-1 before the first)."""
    index = np.where(marks, np.arange(marks.shape[-1]), -1)
    return np.maximum.accumulate(index, axis=-1)


class _Rows:
    """A stream's input ports as ``(streams, cycles[, lanes])`` arrays cut to their widths, and
    the row bookkeeping of :class:`hw.rap.rows.RowPasses`: per cycle the beat's pass (``index``)
    and its row (a number unique over every stream, increasing with the cycle).

    ``beats`` are the flat ``(stream * cycles + cycle)`` positions of the valid beats, in order;
    ``row_e`` the exponent of each row (the ``e`` of its first beat).
    """

    def __init__(self, module, parameters, stream):
        ports = rap_ports(module, parameters)
        valid = np.asarray(stream["in_valid"], np.int64)
        self.lead, self.cycles = valid.shape[:-1], valid.shape[-1]
        self.ports = ports
        self.inputs = {}
        for name, (direction, width, lanes, signed) in ports.items():
            if direction == "input":
                shape = (-1, self.cycles) + ((lanes,) if lanes else ())
                self.inputs[name] = _mask(stream[name], width, signed).reshape(shape)
        rst = np.asarray(stream.get("rst", np.zeros_like(valid)), np.int64)
        self.rst = rst.reshape(-1, self.cycles).astype(bool)
        self.valid = self.inputs["in_valid"].astype(bool) & ~self.rst  # a reset wins
        self.last = self.inputs["in_last"].astype(bool)
        passes = ROW_PASSES[module]
        closing = (self.valid & self.last).astype(np.int64)
        seen = np.cumsum(closing, axis=-1)
        reset = _latest(self.rst)
        at_reset = np.where(reset >= 0, np.take_along_axis(seen, np.maximum(reset, 0), -1), 0)
        before = seen - closing - at_reset  # closing beats since the last reset, before this one
        self.index = before % passes
        first = count_since(self.valid, self.last, self.rst) == 0
        starts = (self.valid & first & (self.index == 0)).reshape(-1)
        self.row = np.cumsum(starts).reshape(self.valid.shape) - 1
        self.beats = np.flatnonzero(self.valid.reshape(-1))
        self.row_e = self.flat("e")[np.flatnonzero(starts)]
        self.rows = len(self.row_e)
        self.done = self.valid & (self.index == passes - 1)

    def flat(self, name):
        """Input ``name`` with the stream and cycle axes joined."""
        values = self.inputs[name]
        return values.reshape((-1,) + values.shape[2:])

    def of_pass(self, index):
        """Flat positions of the valid beats of pass ``index`` and their rows."""
        beats = self.beats[self.index.reshape(-1)[self.beats] == index]
        return beats, self.row.reshape(-1)[beats]

    def per_row(self, ufunc, values, rows, fill=0):
        """``ufunc`` reduced over each row's ``values`` (``rows`` non-decreasing), ``fill`` for
        the rows without any (cut short by a reset)."""
        out = np.full(self.rows, fill, np.int64)
        if len(rows):
            starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            out[rows[starts]] = ufunc.reduceat(values, starts)
        return out

    def outputs(self, cycles, values, constants=None):
        """Every output port per cycle: ``values`` maps an output port to its value for each
        last-pass beat (in order), loaded into a held register ``cycles`` later; ``constants``
        maps a port to a wire's value."""
        streams = self.valid.shape[0]
        alive = same_epoch(resets_before(self.rst), cycles)
        done = np.flatnonzero(self.done.reshape(-1))
        target = done + cycles
        keep = done % self.cycles + cycles < self.cycles
        out_valid = np.zeros(streams * self.cycles, bool)
        out_valid[target[keep]] = True
        out_valid &= alive.reshape(-1)
        keep &= out_valid[np.minimum(target, len(out_valid) - 1)]
        out_last = np.zeros_like(out_valid)
        out_last[target[keep]] = self.last.reshape(-1)[done[keep]]
        out_valid = out_valid.reshape(streams, self.cycles)
        # A held register: the value of the latest load, or 0 after a reset since.
        cleared = np.zeros_like(self.rst)
        cleared[:, 1:] = self.rst[:, :-1]
        latest = _latest(out_valid | cleared)
        source = (np.arange(streams)[:, None] * self.cycles + np.maximum(latest, 0)).reshape(-1)
        result = {}
        for name, (direction, width, lanes, signed) in self.ports.items():
            if direction != "output":
                continue
            shape = self.lead + (self.cycles,) + ((lanes,) if lanes else ())
            if name in (constants or {}):
                result[name] = np.full(shape, constants[name], np.int64)
                continue
            if name == "out_valid":
                result[name] = out_valid.astype(np.int64).reshape(shape)
                continue
            if name == "out_last":
                result[name] = out_last.astype(np.int64).reshape(shape)
                continue
            loaded = np.zeros((streams * self.cycles,) + ((lanes,) if lanes else ()), np.int64)
            loaded[target[keep]] = _mask(values[name], width, signed)[keep]
            held = loaded[source]
            held[(latest < 0).reshape(-1)] = 0
            result[name] = held.reshape(shape)
        return result


def simulate_gelu(parameters, stream):
    """Per-cycle outputs of an ``int_gelu``: element-wise, one pass; ``y_exp`` is the beat's
    ``e``."""
    rows = _Rows("int_gelu", parameters, stream)
    beats = np.flatnonzero(rows.done.reshape(-1))
    e = rows.flat("e")[beats]
    limit = _KERNEL_EXPONENT
    y, _ = gelu_int(rows.flat("x")[beats], np.clip(e, -limit, limit)[:, None])
    return rows.outputs(latency("int_gelu", parameters), {"y": y, "y_exp": e})


def simulate_softmax(parameters, stream):
    """Per-cycle outputs of an ``int_softmax``: pass 1 the row's maximum, pass 2 the sum of its
    exponentials (``2**-t``, ``t`` from ``max - x``), pass 3 the probabilities of each beat."""
    p = parameters
    rows = _Rows("int_softmax", p, stream)
    x = rows.flat("x")
    multiplier = log2e_multiplier(p["SCALE"])
    limit = _KERNEL_EXPONENT

    def exponentials(beats, row):
        distance = (top[row][:, None] - x[beats]) & ((1 << p["IN_BITS"]) - 1)  # unsigned
        e = np.clip(rows.row_e[row], -limit, limit)[:, None]
        return pow2_negative(base2_exponent(distance * multiplier, e))

    beats, row = rows.of_pass(0)
    top = rows.per_row(np.maximum, x[beats].max(axis=-1), row)
    beats, row = rows.of_pass(1)
    total = rows.per_row(np.add, exponentials(beats, row).sum(axis=-1), row)
    total &= (1 << softmax_sum_bits(p)) - 1
    length = bit_length(total)
    inverse = reciprocal(round_shift(total, length - 16))
    beats, row = rows.of_pass(2)
    product = exponentials(beats, row) * inverse[row][:, None]
    probabilities = np.minimum(round_shift(product, 33 - p["OUT_BITS"]), (1 << p["OUT_BITS"]) - 1)
    p_exp = -(p["OUT_BITS"] + length[row] - 17)
    return rows.outputs(latency("int_softmax", p), {"p": probabilities, "p_exp": p_exp})


def simulate_layernorm(parameters, stream):
    """Per-cycle outputs of an ``int_layernorm``: pass 1 the row's ``sum(x)``, ``sum(x**2)``,
    hence its inverse standard deviation; pass 2 ``y`` of each beat from its ``gamma``, ``beta``."""
    p = parameters
    d = p["D"]
    rows = _Rows("int_layernorm", p, stream)
    x = rows.flat("x")
    beats, row = rows.of_pass(0)
    s1_bits, s2_bits = layernorm_sum_bits(p)
    s1 = wrap_signed(rows.per_row(np.add, x[beats].sum(axis=-1), row), s1_bits)
    s2 = rows.per_row(np.add, (x[beats] * x[beats]).sum(axis=-1), row) & ((1 << s2_bits) - 1)
    # d**2 times the variance, plus eps in its units at the row's exponent (the golden's formula,
    # for any 8-bit e).
    mantissa, exponent = eps_mantissa_exponent(p["EPS"])
    eps = round_shift(np.int64(mantissa * d * d), np.clip(2 * rows.row_e - exponent, -20, 62))
    v = np.maximum(d * s2 - s1 * s1 + eps, 1)
    half = (bit_length(v) + 1) >> 1
    r = inverse_sqrt(np.minimum(round_shift(v, 2 * half - 16), (1 << 16) - 1))
    shift = 16 + half - OUT_FRACTION_BITS
    beats, row = rows.of_pass(1)
    deviation = d * x[beats] - s1[row][:, None]
    normalised = round_shift(deviation * r[row][:, None], shift[row][:, None])
    normalised = wrap_signed(normalised, layernorm_normalised_bits(d))  # its register
    gamma, beta = rows.flat("gamma")[beats], rows.flat("beta")[beats]
    y = round_shift(normalised * gamma + (beta << OUT_FRACTION_BITS), PARAMETER_FRACTION_BITS)
    cycles = latency("int_layernorm", p)
    return rows.outputs(cycles, {"y": y}, constants={"y_exp": -OUT_FRACTION_BITS})


#: ``{module: model(parameters, stream)}`` of the row units.
ROW_MODELS = {
    "int_gelu": simulate_gelu,
    "int_softmax": simulate_softmax,
    "int_layernorm": simulate_layernorm,
}
