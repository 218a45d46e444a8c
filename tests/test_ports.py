"""Port packing: lanes to port integers and back, and several fields side by side."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.verify.ports import pack_fields, pack_lanes, unpack_lanes


@st.composite
def lane_rows(draw):
    """``(width, signed, rows)``: a few cycles of lane values that fit ``width`` bits."""
    width = draw(st.integers(1, 63))
    signed = draw(st.booleans())
    lo, hi = (-(2 ** (width - 1)), 2 ** (width - 1) - 1) if signed else (0, 2**width - 1)
    count = draw(st.integers(1, 9))
    rows = draw(
        st.lists(
            st.lists(st.integers(lo, hi), min_size=count, max_size=count), min_size=1, max_size=5
        )
    )
    return width, signed, rows


@given(lane_rows())
def test_lanes_round_trip(case):
    width, signed, rows = case
    ints = pack_lanes(np.array(rows, np.int64), width)
    for row, value in zip(rows, ints, strict=True):
        assert value == sum((v % 2**width) << (i * width) for i, v in enumerate(row))
    np.testing.assert_array_equal(unpack_lanes(ints, width, len(rows[0]), signed), rows)


def test_64_bit_signed_lanes():
    ints = pack_lanes(np.array([[-1, 2**62]]), 64)
    assert ints == [(2**64 - 1) | (2**62 << 64)]
    assert unpack_lanes(ints, 64, 2, signed=True).tolist() == [[-1, 2**62]]


def test_lane_zero_is_lowest():
    assert pack_lanes(np.array([[1, 2, 3]]), 4) == [0x321]
    assert pack_lanes(np.array([[-1, 0]]), 3) == [0b000111]
    assert unpack_lanes([0x321], 4, 3).tolist() == [[1, 2, 3]]
    assert unpack_lanes([0b1111_0111], 4, 2, signed=True).tolist() == [[7, -1]]


def test_fields_side_by_side_first_lowest():
    stream = {"in_valid": np.array([1, 0]), "a": np.array([[1, 2], [3, 0]])}
    ints, width = pack_fields(stream, [("rst", 1, None), ("in_valid", 1, None), ("a", 4, 2)])
    assert width == 10
    assert ints == [0b0010_0001_1_0, 0b0000_0011_0_0]


def test_ragged_stream_is_refused():
    with pytest.raises(ValueError, match="same number of cycles"):
        pack_fields({"in_valid": np.ones(3), "a": np.ones((2, 1))}, [("a", 1, 1)])
