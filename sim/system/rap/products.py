"""The matrix products of the integer encoder: digital (exact, or on QRazor SDR codes) or on the
AMS-PiM tile model.

Each product object has ``linear(a, bits, w, name)`` (activations ``a`` ``[T, K]``, signed
``bits``, times W8 ``w[N, K]`` stored in tiles), ``scores(q, k, bits, name)`` (``q @ k.T``, K
written into tiles per input on PiM) and ``context(p, v, name)`` (``p @ v``, unsigned 8-bit
probabilities times V, V written per input); all return the exact or estimated int64 sums.
"""

from collections import defaultdict
from dataclasses import replace

import numpy as np

from sim.golden.formats import SdrConfig
from sim.golden.integer import exact_matmul
from sim.golden.sdr import encode, sdr_matmul
from sim.system.rap.pim import pim_matmul

__all__ = ["DigitalProducts", "PimProducts", "PROBABILITY_BITS"]

#: Softmax outputs are unsigned integers below ``2**PROBABILITY_BITS``.
PROBABILITY_BITS = 8
#: Group size of every SDR code here.
_GROUP = 16


def _matmul(a, w):
    return exact_matmul(a.reshape(-1, a.shape[-1]), w).reshape(a.shape[:-1] + (-1,))


class DigitalProducts:
    """Exact integer GEMMs; with ``sdr`` the linear layers' and the scores' operands are QRazor
    SDR codes (activations from their ``bits``-bit base, weights and K from INT8)."""

    def __init__(self, sdr=False):
        self.sdr = sdr
        self._weights = {}

    def linear(self, a, bits, w, name):
        if not self.sdr:
            return _matmul(a, w)
        if name not in self._weights:
            self._weights[name] = encode(w, SdrConfig(8, group=_GROUP))
        return sdr_matmul(encode(a, SdrConfig(bits, group=_GROUP)), self._weights[name])

    def scores(self, q, k, bits, name):
        if not self.sdr:
            return exact_matmul(q, k)
        config = SdrConfig(bits, group=_GROUP)
        return sdr_matmul(encode(q, config), encode(k, config))

    def context(self, p, v, name):
        return exact_matmul(p, v.T)


class PimProducts:
    """Every product on :func:`~sim.system.rap.pim.pim_matmul` tiles with ``config``.

    Inputs of ``bits`` signed bits are razored by the tiles as ``config.input_format`` says
    (eMSB windows of ``target_bits``, or SDR codes on an 8- or 16-bit base) or, with
    ``exact_inputs``, driven exactly (every magnitude bit of the integer: a conventional
    bit-serial input). Each call draws its own random stream (the tiles' variation and noise),
    in call order. ``ledger[name]`` sums every call's counts and energy by component.
    """

    def __init__(self, config, exact_inputs=False):
        self.config = config
        self.exact_inputs = exact_inputs
        self.ledger = defaultdict(lambda: defaultdict(float))
        self._calls = 0

    def _config(self, bits):
        """The tile configuration for inputs of ``bits`` signed bits."""
        if self.exact_inputs:  # shift 0 and no clamp: T = bits + 1 holds -2**(bits-1) too
            return replace(self.config, input_format="emsb", input_bits=bits, target_bits=bits + 1)
        if self.config.input_format == "sdr":
            return replace(self.config, input_bits=8 if bits <= 8 else 16)
        return replace(self.config, input_bits=bits)

    def _run(self, a, bits, w, name, dynamic):
        result = pim_matmul(a, w, self._config(bits), dynamic=dynamic, stream=self._calls)
        self._calls += 1
        entry = self.ledger[name]
        for key, value in result.stats.items():
            if key == "energy_pj":
                for part, pj in value.items():
                    entry["energy_pj." + part] += pj
            elif key == "popcount_histogram":
                histogram = entry.setdefault(key, np.zeros(len(value), np.int64))
                histogram += value
            elif not isinstance(value, str):
                entry[key] += value
        entry["calls"] += 1
        return result.y

    def linear(self, a, bits, w, name):
        flat = a.reshape(-1, a.shape[-1])
        y = self._run(flat, bits, w, name, dynamic=False)
        return y.reshape(a.shape[:-1] + (-1,))

    def scores(self, q, k, bits, name):
        return self._run(q, bits, k, name, dynamic=True)

    def context(self, p, v, name):
        # Probabilities are unsigned: one more bit as signed integers.
        return self._run(p, PROBABILITY_BITS + 1, v.T, name, dynamic=True)
