"""The matrix products of the integer encoder: digital (exact, or on QRazor SDR codes) or on the
AMS-PiM tile model.

Each product object has ``linear(a, bits, w, name)`` (activations ``a`` ``[T, K]``, signed
``bits``, times W8 ``w[N, K]`` stored in tiles), ``scores(q, k, bits, name)`` (``q @ k.T``, K
written into tiles per input on PiM) and ``context(p, v, name)`` (``p @ v``, unsigned 8-bit
probabilities times V, V written per input); all return the exact or estimated int64 sums.
"""

from collections import defaultdict

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
    """Every product on :func:`~sim.rap.pim_matmul` tiles with ``config``.

    Inputs are razored to ``razor_bits``-bit SDR magnitudes (groups of 16) or, with
    ``razor_bits=None``, driven exactly (every bit of the integer: a conventional bit-serial
    input). Each call draws its own random stream (the tiles' variation and noise), in call
    order. ``ledger[name]`` sums every call's counts and energy by component.
    """

    def __init__(self, config, razor_bits=None):
        self.config = config
        self.razor_bits = razor_bits
        self.ledger = defaultdict(lambda: defaultdict(float))
        self._calls = 0

    def _format(self, bits):
        """The SDR format inputs of ``bits`` magnitude-and-sign bits are driven in."""
        base = 8 if bits <= 8 else 16
        mag = bits - 1 if self.razor_bits is None else self.razor_bits
        return SdrConfig(base, mag, _GROUP)

    def _run(self, a, codes, w, name, dynamic):
        k = a.shape[-1]
        padded = -(-k // _GROUP) * _GROUP
        if padded != k:  # SDR groups need whole groups: pad K with zeros (rows left unused)
            a = np.pad(a, ((0, 0), (0, padded - k)))
            w = np.pad(w, ((0, 0), (0, padded - k)))
        result = pim_matmul(encode(a, codes), w, self.config, dynamic=dynamic, stream=self._calls)
        self._calls += 1
        entry = self.ledger[name]
        for key, value in result.stats.items():
            if key == "energy_pj":
                for part, pj in value.items():
                    entry["energy_pj." + part] += pj
            else:
                entry[key] += value
        entry["calls"] += 1
        return result.y

    def linear(self, a, bits, w, name):
        flat = a.reshape(-1, a.shape[-1])
        y = self._run(flat, self._format(bits), w, name, dynamic=False)
        return y.reshape(a.shape[:-1] + (-1,))

    def scores(self, q, k, bits, name):
        return self._run(q, self._format(bits), k, name, dynamic=True)

    def context(self, p, v, name):
        # Probabilities are unsigned: one more magnitude bit on the 16-bit base.
        return self._run(p, self._format(PROBABILITY_BITS + 1), v.T, name, dynamic=True)
