"""Stimulus for the cocotb benches: directed corners, random streams, LLM-like workloads.

Plain Python over :mod:`sim.streams` (no cocotb here). Each unit's generator has one method per
bench phase, ``directed``, ``random`` and ``llm``, each called as ``(rng, vectors)`` and returning
a :class:`sim.streams.MacBeats`: the per-cycle stream to drive and, in order, the results the
golden model computes for the whole batch at once. The bench checks those against the
transaction-level model fed by its input monitor, so stimulus and checking take independent paths.
"""

import numpy as np

from sim.golden import int_matmul, wrap_signed
from sim.golden.formats import SdrConfig
from sim.quant import absmax_quantize
from sim.sdr import SdrTensor, decode, encode
from sim.verify.stimulus import random_shifted
from sim.verify.streams import (
    concatenated,
    encoder_beats,
    int_engine_beats,
    int_mac_beats,
    sdr_engine_beats,
    sdr_mac_beats,
    with_bubbles,
)
from sim.workloads.llm_gemm import llm_workload
from sim.workloads.schemes import QRAZOR_A_BITS, golden_product, integer_gemm, qrazor_gemm

__all__ = [
    "llm_shape",
    "SdrStimulus",
    "IntStimulus",
    "EncoderStimulus",
    "SdrEngineStimulus",
    "IntEngineStimulus",
    "STIMULI",
]

#: Mean bubbles per beat of the random segments: none (back-to-back), some, many.
BUBBLE_RATES = (0.0, 0.5, 2.0)
#: Mean bubbles per beat of the LLM workloads (a lightly stalled producer).
LLM_BUBBLE_RATE = 0.1
#: Reduction length of the LLM workloads (a multiple of every GROUP).
LLM_K = 256
#: Output channels of the LLM workloads.
LLM_N = 8


def llm_shape(vectors):
    """``(M, K, N)`` of the LLM workload for a vector budget: about ``vectors / 12`` results."""
    return max(2, vectors // 100), LLM_K, LLM_N


def _workload(rng, vectors, group=16):
    """The LLM-like workload of a vector budget (K a multiple of ``group``), seeded from ``rng``."""
    m, k, n = llm_shape(vectors)
    return llm_workload(m, k, n, seed=int(rng.integers(2**31)), group=group)


def _segments(rng, vectors, make):
    """Random segments of about ``vectors`` transactions: ``make(rng, count)``, random bubbles."""
    parts, left = [], vectors
    while left > 0:
        count = int(min(left, rng.integers(1, 33)))
        parts.append(with_bubbles(make(rng, count), rng, float(rng.choice(BUBBLE_RATES))))
        left -= count
    return concatenated(parts)


def _directed(parts, rng):
    """``parts`` back to back, then again with bubbles: corners at full rate and when stalled."""
    dense = concatenated(parts)
    return concatenated([dense, with_bubbles(dense, rng, 1.0)])


class SdrStimulus:
    """``sdr_mac`` and ``decompress_mac``: dot products of SDR codes (A_BITS / W_BITS bases)."""

    def __init__(self, parameters):
        p = parameters
        self.lanes, self.group, self.acc_bits = p["LANES"], p["GROUP"], p["ACC_BITS"]
        self.a_config = SdrConfig(p["A_BITS"], p["MAG_BITS"], p["GROUP"])
        self.w_config = SdrConfig(p["W_BITS"], p["MAG_BITS"], p["GROUP"])

    def _beats(self, ta, tw):
        """``ta[i] . tw[i]`` for every row ``i``, with the golden decoded dot products."""
        expected = wrap_signed(np.sum(decode(ta) * decode(tw), axis=-1), self.acc_bits)
        return sdr_mac_beats(ta, tw, self.lanes, expected, pairs="zip")

    def _random_codes(self, rng, flags, config):
        """Random canonical codes under the given group ``flags`` ``(rows, groups)``."""
        mag = rng.integers(0, config.mag_max + 1, size=(len(flags), flags.shape[1] * self.group))
        sign = rng.integers(0, 2, size=mag.shape) & (mag > 0)
        return SdrTensor.from_code((sign << config.mag_bits) | mag, flags, config)

    def _full_scale(self, value, config, groups=1):
        return encode(np.full((1, groups * self.group), value), config)

    def directed(self, rng, vectors):
        """All-zero group, every flag pair, max flags and saturated codes, accumulator wrap."""
        a, w = self.a_config, self.w_config
        flags = np.array([(fa, fw) for fa in range(a.max_flag + 1) for fw in range(w.max_flag + 1)])
        pairs = self._beats(
            self._random_codes(rng, flags[:, :1], a), self._random_codes(rng, flags[:, 1:], w)
        )
        zero = self._beats(self._full_scale(0, a), self._random_codes(rng, flags[-1:, 1:], w))
        corners = [
            self._beats(self._full_scale(x, a), self._full_scale(y, w))
            for x in (a.base_max, -a.base_max - 1)
            for y in (w.base_max, -w.base_max - 1)
        ]
        wrap = [
            self._beats(self._full_scale(x, a, 4), self._full_scale(w.base_max, w, 4))
            for x in (a.base_max, -a.base_max)
        ]
        return _directed([zero, pairs, *corners, *wrap], rng)

    def _random_batch(self, rng, count):
        groups = int(rng.integers(1, 5))
        tensors = []
        for config in (self.a_config, self.w_config):  # a shift per group: every flag
            values = random_shifted(rng, (count, groups, self.group), config.base_bits, 0.1)
            tensors.append(encode(values.reshape(count, -1), config))
        return self._beats(*tensors)

    def random(self, rng, vectors):
        """About ``vectors`` random dot products of 1 to 4 groups, in randomly stalled segments."""
        return _segments(rng, vectors, self._random_batch)

    def llm(self, rng, vectors):
        """Every dot product of an LLM-like GEMM, razored as QRazor does (``qrazor_gemm``)."""
        gemm = qrazor_gemm(
            _workload(rng, vectors, self.group),
            self.group,
            self.a_config.mag_bits,
            a_bits=self.a_config.base_bits,
            w_bits=self.w_config.base_bits,
        )
        expected = golden_product(gemm, acc_bits=self.acc_bits)
        return with_bubbles(
            sdr_mac_beats(gemm.a, gemm.w, self.lanes, expected), rng, LLM_BUBBLE_RATE
        )


class IntStimulus:
    """``int8_mac`` / ``int4_mac``: dot products of two's-complement ``width``-bit vectors."""

    def __init__(self, parameters, width):
        self.lanes, self.acc_bits = parameters["LANES"], parameters["ACC_BITS"]
        self.width, self.top = width, 1 << (width - 1)

    def _beats(self, a, w):
        expected = wrap_signed(np.sum(a.astype(np.int64) * w, axis=-1), self.acc_bits)
        return int_mac_beats(a, w, self.lanes, expected, pairs="zip")

    def directed(self, rng, vectors):
        """Zeros, every sign pair at the extremes, single-beat products, a wrapping sum."""
        low, high = -self.top, self.top - 1
        extremes = np.array([low, -1, 0, 1, high])
        a, w = np.meshgrid(extremes, extremes)
        pairs = self._beats(
            np.repeat(a.reshape(-1, 1), self.lanes, axis=1),
            np.repeat(w.reshape(-1, 1), self.lanes, axis=1),
        )
        wrap = self._beats(np.full((2, 64), low), np.array([np.full(64, low), np.full(64, high)]))
        return _directed([pairs, wrap], rng)

    def _random_batch(self, rng, count):
        k = self.lanes * int(rng.choice([1, 2, 4, 16]))
        a = random_shifted(rng, (count, k), self.width)
        w = random_shifted(rng, (count, k), self.width)
        return self._beats(a, w)

    def random(self, rng, vectors):
        """About ``vectors`` random dot products of 1 to 16 beats, in randomly stalled segments."""
        return _segments(rng, vectors, self._random_batch)

    def llm(self, rng, vectors):
        """Every dot product of an LLM-like GEMM quantized to ``width`` bits (``integer_gemm``:
        absmax per token and per output channel, round to nearest)."""
        gemm = integer_gemm(_workload(rng, vectors), self.width, self.width)
        expected = int_matmul(gemm.a, gemm.w, acc_bits=self.acc_bits)
        return with_bubbles(
            int_mac_beats(gemm.a, gemm.w, self.lanes, expected), rng, LLM_BUBBLE_RATE
        )


class EncoderStimulus:
    """``sdr_encoder``: groups of BASE_BITS two's-complement integers."""

    def __init__(self, parameters):
        p = parameters
        self.config = SdrConfig(p["BASE_BITS"], p["MAG_BITS"], p["GROUP"], p["ROUNDING"])

    def _beats(self, x):
        x = np.asarray(x, np.int64)
        golden = encode(x, self.config)
        return encoder_beats(x, golden.code, golden.flag)

    def directed(self, rng, vectors):
        """Zeros, each leading-one position, the most negative value, rounding overflow."""
        c, g = self.config, self.config.group
        zeros = np.zeros(g - 1, np.int64)
        rows = [np.zeros(g, np.int64)]
        for bit in range(c.base_bits - 1):  # every flag value, a sign each way
            rows.append(rng.integers(0, 1 << bit, size=g) * rng.choice([-1, 1], size=g))
            rows[-1][0] = (1 << bit) * (1 if bit % 2 else -1)
        lowest = -(1 << (c.base_bits - 1))  # most negative int8 / int16: clamped, max flag
        rows += [np.full(g, lowest), np.r_[lowest, zeros], np.r_[zeros, lowest]]
        rows.append(np.full(g, c.base_max) - np.arange(g))  # rounds past 2**M - 1: saturates
        # Rounding overflow below full scale: 0b1111 << s keeps M+1 bits, rounds up to 0b10000.
        rows.append(np.r_[0b1111 << (c.base_bits - 8), -np.ones(g - 1, np.int64)])
        flag = c.base_bits - 2 - c.mag_bits  # leading one at bit B-3
        rows.append(np.r_[1 << (c.base_bits - 3), -((1 << (flag - 1)) - 1), zeros[1:]])  # -> -0
        return _directed([self._beats(np.array(rows))], rng)

    def _random_batch(self, rng, count):
        top = 1 << (self.config.base_bits - 1)
        x = rng.integers(-top, top, size=(count, self.config.group))
        x >>= rng.integers(0, self.config.base_bits, size=(count, 1))
        x[rng.random(count) < 0.05] = 0
        return self._beats(x)

    def random(self, rng, vectors):
        """About ``vectors`` random groups over every leading-one position, randomly stalled."""
        return _segments(rng, vectors, self._random_batch)

    def llm(self, rng, vectors):
        """An LLM-like workload quantized as QRazor does, one group per beat.

        The INT16 base razors activations (per token); the INT8 base, weights (per channel).
        """
        workload = _workload(rng, vectors, self.config.group)
        bits = self.config.base_bits
        values = workload.activations if bits == QRAZOR_A_BITS else workload.weights
        q, _ = absmax_quantize(values, bits, axis=-1)
        return with_bubbles(self._beats(q.reshape(-1, self.config.group)), rng, LLM_BUBBLE_RATE)


class SdrEngineStimulus:
    """``sdr_engine``: tiles of SDR activation rows (INT values razored by the golden encoder, as
    the producer side does) against COLS columns of SDR weights; several tiles (new weights)
    back to back."""

    def __init__(self, parameters):
        p = parameters
        self.cols, self.lanes, self.group = p["COLS"], p["LANES"], p["GROUP"]
        self.acc_bits = p["ACC_BITS"]
        self.a_config = SdrConfig(p["A_BITS"], p["MAG_BITS"], p["GROUP"])
        self.w_config = SdrConfig(p["W_BITS"], p["MAG_BITS"], p["GROUP"])

    def _tile(self, x, tw):
        ta = encode(x, self.a_config)
        expected = wrap_signed(decode(ta) @ decode(tw).T, self.acc_bits)
        return sdr_engine_beats(ta, tw, self.lanes, expected)

    def _values(self, rng, rows, groups, config):
        values = random_shifted(rng, (rows, groups, self.group), config.base_bits, 0.1)
        return values.reshape(rows, -1)  # a shift per group: every flag

    def _random_tile(self, rng, rows, groups):
        x = self._values(rng, rows, groups, self.a_config)
        return self._tile(
            x, encode(self._values(rng, self.cols, groups, self.w_config), self.w_config)
        )

    def directed(self, rng, vectors):
        """Every activation and weight flag value, the extremes (-2**(B-1) clamped), an all-zero
        group, a wrapping accumulator: one-row tiles back to back, then stalled."""
        a, w = self.a_config, self.w_config
        rows = [np.zeros(self.group, np.int64)]
        for bit in range(a.base_bits - 1):  # every activation flag value
            rows.append(np.r_[1 << bit, rng.integers(0, 1 << bit, self.group - 1)])
        weights = [np.full(self.group, w.base_max)]
        weights += [
            np.r_[1 << bit, np.zeros(self.group - 1, np.int64)] for bit in range(w.base_bits - 1)
        ]
        weights = np.resize(
            np.array(weights), (len(weights) + -len(weights) % self.cols, self.group)
        )
        tiles = [
            self._tile(np.array(rows), encode(weights[start : start + self.cols], w))
            for start in range(0, len(weights), self.cols)
        ]
        extremes = np.array([[a.base_max] * 4 * self.group, [-a.base_max - 1] * 4 * self.group])
        wrap = np.full((self.cols, 4 * self.group), w.base_max)
        wrap[::2] = -w.base_max - 1
        tiles.append(self._tile(extremes, encode(wrap, w)))
        return _directed(tiles, rng)

    def random(self, rng, vectors):
        """About ``vectors`` rows, tiles of 1 to 8 rows of 1 to 4 groups, randomly stalled."""
        parts, left = [], vectors
        while left > 0:
            rows = int(min(left, rng.integers(1, 9)))
            tile = self._random_tile(rng, rows, int(rng.integers(1, 5)))
            parts.append(with_bubbles(tile, rng, float(rng.choice(BUBBLE_RATES))))
            left -= rows
        return concatenated(parts)

    def llm(self, rng, vectors):
        """An LLM-like GEMM: INT16 activations (absmax per token) razored as produced, QRazor
        weights, tile after tile of COLS output channels."""
        workload = _workload(rng, vectors, self.group)
        x, _ = absmax_quantize(workload.activations, self.a_config.base_bits, axis=-1)
        q, _ = absmax_quantize(workload.weights, self.w_config.base_bits, axis=-1)
        tiles = [
            self._tile(x, encode(q[start : start + self.cols], self.w_config))
            for start in range(0, len(q) - self.cols + 1, self.cols)
        ]
        return with_bubbles(concatenated(tiles), rng, LLM_BUBBLE_RATE)


class IntEngineStimulus:
    """``int8_engine`` / ``int4_engine``: tiles of ``width``-bit activation rows against COLS
    columns of ``width``-bit weights."""

    def __init__(self, parameters, width):
        self.cols, self.lanes, self.acc_bits = (
            parameters["COLS"],
            parameters["LANES"],
            parameters["ACC_BITS"],
        )
        self.width, self.top = width, 1 << (width - 1)

    def _tile(self, a, w):
        expected = wrap_signed(a.astype(np.int64) @ w.astype(np.int64).T, self.acc_bits)
        return int_engine_beats(a, w, self.lanes, expected)

    def directed(self, rng, vectors):
        """Every sign pair at the extremes, a wrapping sum."""
        low = -self.top
        extremes = np.array([low, -1, 0, 1, self.top - 1])
        a = np.repeat(extremes[:, None], 4 * self.lanes, axis=1)
        w = np.resize(extremes, (self.cols, 1)).repeat(4 * self.lanes, axis=1)
        wrap = self._tile(
            np.full((2, 64 * self.lanes), low), np.full((self.cols, 64 * self.lanes), low)
        )
        return _directed([self._tile(a, w), wrap], rng)

    def random(self, rng, vectors):
        """About ``vectors`` rows, tiles of 1 to 8 rows of 1 to 16 beats, randomly stalled."""
        parts, left = [], vectors
        while left > 0:
            rows = int(min(left, rng.integers(1, 9)))
            k = self.lanes * int(rng.choice([1, 2, 4, 16]))
            a = random_shifted(rng, (rows, k), self.width)
            w = random_shifted(rng, (self.cols, k), self.width)
            parts.append(with_bubbles(self._tile(a, w), rng, float(rng.choice(BUBBLE_RATES))))
            left -= rows
        return concatenated(parts)

    def llm(self, rng, vectors):
        """An LLM-like GEMM quantized W8A8 / RTN W4A4 (``integer_gemm``), tile after tile."""
        gemm = integer_gemm(_workload(rng, vectors), self.width, self.width)
        tiles = [
            self._tile(gemm.a, gemm.w[start : start + self.cols])
            for start in range(0, len(gemm.w) - self.cols + 1, self.cols)
        ]
        return with_bubbles(concatenated(tiles), rng, LLM_BUBBLE_RATE)


#: Stimulus generator of each unit, by Verilog module name.
STIMULI = {
    "sdr_mac": SdrStimulus,
    "decompress_mac": SdrStimulus,
    "int8_mac": lambda parameters: IntStimulus(parameters, 8),
    "int4_mac": lambda parameters: IntStimulus(parameters, 4),
    "sdr_encoder": EncoderStimulus,
    "sdr_engine": SdrEngineStimulus,
    "int8_engine": lambda parameters: IntEngineStimulus(parameters, 8),
    "int4_engine": lambda parameters: IntEngineStimulus(parameters, 4),
}
