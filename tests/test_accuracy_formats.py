"""The accuracy study's format table and MX element grids, over every 4-bit encoding."""

import itertools

import numpy as np
import pytest

from sim.studies.accuracy.blocks import element_codes
from sim.studies.accuracy.formats import (
    FAMILIES,
    FP4_E2M1,
    INT4,
    STUDY_GROUPS,
    ElementFormat,
    integer_scheme,
    mx_scheme,
    qrazor_scheme,
    rtn_scheme,
    study_schemes,
)


def e2m1_value(bits):
    """Independent E2M1 decoder (OCP MX v1.0): sign, 2-bit exponent (bias 1), 1-bit mantissa."""
    sign, exponent, mantissa = bits >> 3, (bits >> 1) & 3, bits & 1
    magnitude = mantissa * 0.5 if exponent == 0 else (1 + mantissa / 2) * 2.0 ** (exponent - 1)
    return -magnitude if sign else magnitude


def grid(element):
    """Sorted non-negative values of ``element`` with their 'even' flag (last code bit is 0)."""
    if element is FP4_E2M1:  # E2M1 codes 0..7 are in increasing order
        return [(e2m1_value(bits), bits % 2 == 0) for bits in range(8)]
    return [(k / 4, k % 2 == 0) for k in range(8)]


def test_e2m1_table_is_the_ocp_one():
    assert sorted(e2m1_value(b) for b in range(8)) == [0, 0.5, 1, 1.5, 2, 3, 4, 6]
    assert (FP4_E2M1.emin, FP4_E2M1.emax, FP4_E2M1.code_exp, FP4_E2M1.max_code) == (0, 2, -1, 12)
    assert (INT4.emin, INT4.emax, INT4.code_exp, INT4.max_code) == (0, 0, -2, 7)
    assert (INT4.max_value, FP4_E2M1.max_value) == (1.75, 6.0)


@pytest.mark.parametrize("element", [INT4, FP4_E2M1], ids=lambda e: e.name)
def test_every_encoding_round_trips(element):
    if element is FP4_E2M1:
        values = np.array([e2m1_value(bits) for bits in range(16)])
    else:
        values = np.arange(-7, 8) / 4
    codes = element_codes(values, element)
    np.testing.assert_array_equal(codes * 2.0**element.code_exp, values)


@pytest.mark.parametrize("element", [INT4, FP4_E2M1], ids=lambda e: e.name)
def test_every_midpoint_rounds_to_the_even_neighbour(element):
    points = grid(element)
    for (low, low_even), (high, high_even) in itertools.pairwise(points):
        assert low_even != high_even
        expected = low if low_even else high
        for sign in (1, -1):
            code = element_codes(np.array([sign * (low + high) / 2]), element)[0]
            assert code * 2.0**element.code_exp == sign * expected, (low, high, sign)


@pytest.mark.parametrize("element", [INT4, FP4_E2M1], ids=lambda e: e.name)
def test_values_beyond_the_largest_clamp_to_it(element):
    top = element.max_value
    beyond = np.array([top * 1.01, top + 0.5, 2 * top, 1e30, -top * 1.5])
    codes = element_codes(beyond, element)
    assert codes.tolist() == [element.max_code] * 4 + [-element.max_code]


def test_bits_per_element_count_element_and_side_information():
    for group in STUDY_GROUPS:
        qrazor = qrazor_scheme(group)
        assert qrazor.activation.bits_per_element == 4 + 4 / group  # INT16 base: 4-bit flag
        assert qrazor.weight.bits_per_element == 4 + 3 / group  # INT8 base: 3-bit flag
        assert rtn_scheme(group).activation.bits_per_element == 4 + 16 / group
        for element in (INT4, FP4_E2M1):
            assert mx_scheme(element, group).weight.bits_per_element == 4 + 8 / group
    assert integer_scheme(16, 8).activation.bits_per_element == 16
    assert integer_scheme(8, 8).bits_per_element == 8


def test_study_schemes_are_unique_and_cover_every_family():
    schemes = study_schemes()
    assert len({s.key for s in schemes}) == len(schemes) == 2 * 5 + 2 + 3 * 5
    assert {s.family for s in schemes} == set(FAMILIES)
    assert [s.key for s in study_schemes((16,))][:2] == [
        "qrazor-nearest-m3-g16",
        "qrazor-truncate-m3-g16",
    ]


def test_bad_group_and_integer_pair_are_refused():
    with pytest.raises(ValueError, match="group must be one of 8, 16, 32, 64, 128, not 12"):
        study_schemes((12,))
    with pytest.raises(ValueError, match="family must be one of 'w8a8', 'w8a16', not 'w4a4'"):
        integer_scheme(4, 4)


def test_wider_integer_element_grid():
    int8 = ElementFormat("INT8", 8, 0, 6)  # OCP MXINT8: 1.6 fixed point
    assert (int8.code_exp, int8.max_code) == (-6, 127)
