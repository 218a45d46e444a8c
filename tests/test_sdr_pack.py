"""pack/unpack: the dense bitstream layout and its round trip."""

import math

import numpy as np
import pytest

from sim.golden.formats import GROUPS, SdrConfig
from sim.golden.sdr_pack import packed_size
from sim.sdr import encode, pack, unpack


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("base_bits, mag_bits", [(8, 3), (16, 3), (8, 1), (16, 7), (16, 15)])
def test_round_trip_and_size(group, base_bits, mag_bits):
    cfg = SdrConfig(base_bits, mag_bits, group)
    rng = np.random.default_rng(group * base_bits + mag_bits)
    top = 2 ** (base_bits - 1)
    shape = (3, 2, 3 * group)
    values = rng.integers(-top, top, size=shape) >> rng.integers(0, base_bits, size=shape)
    tensor = encode(values, cfg)
    data = pack(tensor)
    assert len(data) == math.ceil(values.size * cfg.bits_per_element / 8) == packed_size(shape, cfg)
    back = unpack(data, shape, cfg)
    for field in ("sign", "mag", "flag"):
        np.testing.assert_array_equal(getattr(back, field), getattr(tensor, field))


def test_documented_layout_bit_by_bit():
    # G=4, B=8, M=3: record = flag (3 bits) then four 4-bit codes, LSB first: 19 bits per group.
    cfg = SdrConfig(8, 3, 4)
    tensor = encode(np.array([[96, -32, 16, 0, 1, 0, 0, -2]]), cfg)
    assert tensor.flag.tolist() == [[4, 0]]
    assert tensor.code.tolist() == [[6, 8 | 2, 1, 0, 1, 0, 0, 8 | 2]]
    bits = "".join(format(b, "08b")[::-1] for b in pack(tensor))  # stream order
    record0 = "001" + "0110" + "0101" + "1000" + "0000"
    record1 = "000" + "1000" + "0000" + "0000" + "0101"
    assert bits == record0 + record1 + "00"


def test_unpack_refuses_bad_data():
    cfg = SdrConfig(8, 3, 4)
    good = pack(encode(np.array([[1, 2, 3, 4]]), cfg))
    with pytest.raises(ValueError, match=r"data must be 3 bytes for shape \(1, 4\), not 2"):
        unpack(good[:2], (1, 4), cfg)
    with pytest.raises(ValueError, match="non-zero padding"):
        unpack(good[:2] + bytes([good[2] | 0x80]), (1, 4), cfg)
    negative_zero = bytes([0b01000000, 0, 0])  # code 0 (stream bits 3..6) = 0b1000
    with pytest.raises(ValueError, match="negative zero"):
        unpack(negative_zero, (1, 4), cfg)
    with pytest.raises(ValueError, match=r"flag values must be in \[0, 4\], found 7"):
        unpack(bytes([0b00000111, 0, 0]), (1, 4), cfg)
    with pytest.raises(ValueError, match="data must be bytes, not str"):
        unpack("abc", (1, 4), cfg)
    with pytest.raises(ValueError, match=r"shape last axis \(K=6\) must be a multiple"):
        unpack(good, (1, 6), cfg)
    with pytest.raises(ValueError, match="shape must be a non-empty tuple of ints"):
        unpack(good, 4, cfg)
    with pytest.raises(ValueError, match="cfg must be an SdrConfig"):
        unpack(good, (1, 4), None)
