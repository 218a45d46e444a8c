"""Vectorised SDR encoder (SPEC section 2), written for throughput.

Magnitudes are processed as SWAR words: several B-bit lanes packed in one uint32/uint64 word that
never spans two groups, so that the per-group flag applies to whole words. Rounding adds
``2**(flag-1)`` in every lane (no lane can carry: ``m + half < 2**B``), one word shift divides all
lanes, a mask clears the bits that crossed lane borders, and saturation subtracts bit M of each
lane (after the shift a lane is at most ``2**M``). The clamp of ``-2**(B-1)`` (SPEC 2 step 1) is
folded into the flag table and that saturation. The work runs in L2-sized chunks.
"""

import functools

import numpy as np

from sim.golden.checks import int_array, reduction_length
from sim.golden.formats import SdrConfig, int_range
from sim.golden.sdr_tensor import SdrTensor, mag_dtype

__all__ = ["encode"]

#: Elements encoded per chunk: the working set of one chunk stays in the L2 cache.
CHUNK_ELEMENTS = 1 << 18
#: The lane OR is folded down to this many bits, then a table gives the flag.
FOLDED_BITS = 16


class _WordLayout:
    """Constants for packing the B-bit lanes of one group into uint32/uint64 words."""

    def __init__(self, config):
        b = config.base_bits
        self.lane_dtype = np.dtype(np.uint8 if b == 8 else np.uint16)
        self.signed_dtype = np.dtype(np.int8 if b == 8 else np.int16)
        self.lanes = min(8 // self.lane_dtype.itemsize, config.group)
        self.word_dtype = np.dtype(f"uint{self.lanes * b}")
        self.word = self.word_dtype.type
        self.words_per_group = config.group // self.lanes
        self.lane_bits = b
        self.repeat = self.word(sum(1 << (lane * b) for lane in range(self.lanes)))
        self.lane_mask = self.word((1 << b) - 1)
        self.mag_bits = self.word(config.mag_bits)
        self.nearest = config.rounding == "nearest"
        self.flag_of_folded = self._flag_table(config)

    def _flag_table(self, config):
        """Flag for every FOLDED_BITS-bit value holding the OR of its B-bit lanes.

        A lane of ``2**(B-1)`` (the magnitude of ``-2**(B-1)``, not clamped in the words) counts
        as ``2**(B-1) - 1``, which has the same leading one: this is SPEC 2 step 1.
        """
        folded = np.arange(1 << FOLDED_BITS)
        merged = np.zeros_like(folded)
        for shift in range(0, FOLDED_BITS, self.lane_bits):
            merged |= (folded >> shift) & int(self.lane_mask)
        merged = np.minimum(merged, config.base_max)
        lengths = np.frexp(merged.astype(np.float64))[1]
        return np.maximum(lengths - config.mag_bits, 0).astype(np.uint8)


@functools.cache
def _layout(config):
    return _WordLayout(config)


def _group_flags(words, layout):
    """Flag of each group: OR its words, fold the word's lanes to 16 bits, look up the table."""
    rows = words.reshape(-1, layout.words_per_group)
    while rows.shape[1] > 1:
        half = rows.shape[1] // 2
        rows = rows[:, :half] | rows[:, half:]
    merged = rows[:, 0]
    shift = layout.lanes * layout.lane_bits // 2
    while shift >= FOLDED_BITS:
        merged = merged | (merged >> layout.word(shift))
        shift //= 2
    return np.take(layout.flag_of_folded, merged & layout.word((1 << FOLDED_BITS) - 1))


def _razor_chunk(x, sign, mag, flag, layout):
    """Encode one chunk: ``x`` signed lanes in, ``sign``/``mag``/``flag`` filled in place."""
    in_place = mag.dtype == layout.lane_dtype
    lanes = mag if in_place else np.empty(x.shape, layout.lane_dtype)
    np.abs(x, out=lanes.view(layout.signed_dtype))  # -2**(B-1) becomes lane value 2**(B-1)
    words = lanes.view(layout.word_dtype)
    group_flag = _group_flags(words, layout)
    flag[:] = group_flag
    shift = np.repeat(group_flag.astype(layout.word_dtype), layout.words_per_group)
    scratch = np.empty_like(words)
    if layout.nearest:  # add 2**(flag-1) to every lane
        np.left_shift(layout.word(1), shift, out=scratch)
        scratch >>= layout.word(1)
        scratch *= layout.repeat
        words += scratch
    words >>= shift
    np.right_shift(layout.lane_mask, shift, out=scratch)  # clear bits shifted across lanes
    scratch *= layout.repeat
    words &= scratch
    np.right_shift(words, layout.mag_bits, out=scratch)  # saturate 2**M to 2**M - 1
    scratch &= layout.repeat
    words -= scratch
    if not in_place:
        mag[:] = lanes
    np.less(x, 0, out=sign.view(np.bool_))
    np.logical_and(sign.view(np.bool_), mag, out=sign.view(np.bool_))


def encode(q, cfg):
    """Razor integers to SDR codes.

    Parameters
    ----------
    q : array_like of int
        Two's-complement integers in ``[-2**(B-1), 2**(B-1)-1]``, shape ``[..., K]`` with K a
        multiple of ``cfg.group`` (groups run along the last axis). Floats are refused.
    cfg : SdrConfig
        Format to encode to.

    Returns
    -------
    SdrTensor
    """
    if not isinstance(cfg, SdrConfig):
        raise ValueError(f"cfg must be an SdrConfig, not {type(cfg).__name__}")
    lo, hi = int_range(cfg.base_bits)
    q = int_array("q", q, lo, hi)
    reduction_length("q", q, cfg.group)
    layout = _layout(cfg)
    flat = np.ascontiguousarray(q, dtype=layout.signed_dtype).reshape(-1)
    sign = np.empty(flat.shape, np.uint8)
    mag = np.empty(flat.shape, mag_dtype(cfg))
    flag = np.empty(flat.size // cfg.group, np.uint8)
    for start in range(0, flat.size, CHUNK_ELEMENTS):
        stop = start + CHUNK_ELEMENTS
        groups = slice(start // cfg.group, stop // cfg.group)
        _razor_chunk(flat[start:stop], sign[start:stop], mag[start:stop], flag[groups], layout)
    return SdrTensor(
        sign.reshape(q.shape),
        mag.reshape(q.shape),
        flag.reshape(q.shape[:-1] + (q.shape[-1] // cfg.group,)),  # -1 fails on an empty batch
        cfg,
    )
