"""Constructors refuse bad parameter sets with one readable message each."""

import inspect

import pytest
from amaranth_helpers import assert_refused

from hw.designs import DESIGNS, elaborated
from hw.params import DEFAULTS, defaults_for
from hw.rap import IntGelu, IntLayernorm, IntSoftmax
from hw.units.decompress_mac import DecompressMac
from hw.units.int_mac import Int4Mac, Int8Mac
from hw.units.sdr_encoder import SdrEncoder
from hw.units.sdr_mac import SdrMac


@pytest.mark.parametrize("cls", [SdrMac, DecompressMac])
@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lanes=3, group=12), "lanes must be a power of two, not 3"),
        (dict(lanes=32, group=16), r"group \(16\) must be a multiple of lanes \(32\)"),
        (dict(lanes=0), r"lanes must be in \[1, 128\], not 0"),
        (dict(lanes=256), r"lanes must be in \[1, 128\], not 256"),
        (dict(group=24), "group must be one of 4, 8, 16, 32, 64, 128, not 24"),
        (dict(a_bits=12), "a_bits must be one of 8, 16, not 12"),
        (dict(w_bits=4), "w_bits must be one of 8, 16, not 4"),
        (dict(mag_bits=7), r"mag_bits must be in \[1, 6\], not 7"),
        (dict(mag_bits=0), r"mag_bits must be in \[1, 6\], not 0"),
        (dict(acc_bits=65), r"acc_bits must be in \[2, 64\], not 65"),
        (dict(lanes="4"), "lanes must be an integer, not '4'"),
    ],
)
def test_sdr_units_refuse(cls, kwargs, message):
    assert_refused(lambda: cls(**kwargs), message)


@pytest.mark.parametrize("cls, product_bits", [(SdrMac, 23), (DecompressMac, 24)])
def test_accumulator_must_hold_one_product(cls, product_bits):
    assert_refused(
        lambda: cls(acc_bits=product_bits - 1),
        f"acc_bits must be at least {product_bits} to hold one product, not {product_bits - 1}",
    )
    elaborated(cls(acc_bits=product_bits))


def test_int8_mac_refuses():
    assert_refused(lambda: Int8Mac(lanes=6), "lanes must be a power of two, not 6")
    assert_refused(
        lambda: Int8Mac(acc_bits=15), "acc_bits must be at least 16 to hold one product, not 15"
    )


def test_int4_mac_refuses():
    assert_refused(lambda: Int4Mac(lanes=5), "lanes must be a power of two, not 5")
    assert_refused(
        lambda: Int4Mac(acc_bits=7), "acc_bits must be at least 8 to hold one product, not 7"
    )


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda: Int8Mac(lanes=4, pipeline="tree3"),
            r"pipeline of int8_mac must be all, none or a comma list of its cuts "
            r"\(products, tree1, tree2\), not 'tree3'",
        ),
        (
            lambda: SdrMac(lanes=4, group=16, pipeline="group"),
            r"its cuts \(products, tree1, tree2, shifter\), not 'group'",
        ),
        (lambda: SdrMac(lanes=4, group=4, pipeline=""), r"\(products, tree1, tree2, group, "),
        (lambda: DecompressMac(pipeline="shifter"), r"pipeline of decompress_mac .*'shifter'"),
        (lambda: SdrEncoder(pipeline="products"), r"cuts \(magnitudes, flag\), not 'products'"),
        (lambda: Int4Mac(pipeline=3), r"pipeline must be a string .*, not 3"),
    ],
)
def test_pipeline_names_only_the_units_cuts(build, message):
    assert_refused(build, message)


@pytest.mark.parametrize(
    "unit, text, latency",
    [
        (lambda: Int8Mac(lanes=16, pipeline="none"), "none", 1),
        (lambda: Int8Mac(lanes=16, pipeline="tree4, products"), "products,tree4", 3),
        (lambda: Int4Mac(lanes=1, pipeline="products"), "all", 2),
        (lambda: SdrMac(lanes=16, pipeline="group,shifter,products"), "products,group,shifter", 4),
        (lambda: SdrMac(lanes=4, group=16, pipeline="none"), "none", 2),
        (lambda: DecompressMac(lanes=4, pipeline="decoders,tree2"), "decoders,tree2", 3),
        (lambda: SdrEncoder(pipeline="flag"), "flag", 2),
    ],
)
def test_pipeline_text_is_canonical_and_sets_latency(unit, text, latency):
    unit = elaborated(unit())
    assert unit.parameters["PIPELINE"] == text
    assert unit.LATENCY == latency


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(group=5), "group must be one of 4, 8, 16, 32, 64, 128, not 5"),
        (dict(base_bits=32), "base_bits must be one of 8, 16, not 32"),
        (dict(base_bits=8, mag_bits=7), r"mag_bits must be in \[1, 6\], not 7"),
        (dict(rounding="up"), "rounding must be one of 'nearest', 'truncate', not 'up'"),
    ],
)
def test_encoder_refuses(kwargs, message):
    assert_refused(lambda: SdrEncoder(**kwargs), message)


@pytest.mark.parametrize(
    "cls, kwargs, message",
    [
        (IntGelu, dict(lanes=3), "lanes must be a power of two, not 3"),
        (IntGelu, dict(in_bits=32), r"in_bits must be in \[2, 31\], not 32"),
        (IntSoftmax, dict(in_bits=1), r"in_bits must be in \[2, 31\], not 1"),
        (IntSoftmax, dict(out_bits=17), r"out_bits must be in \[2, 16\], not 17"),
        (IntSoftmax, dict(scale=0.0), "scale must be a positive finite number, not 0.0"),
        (IntSoftmax, dict(scale=float("nan")), "scale must be a positive finite number"),
        (IntSoftmax, dict(lanes=8, max_row=4), r"max_row \(4\) must be at least lanes \(8\)"),
        (IntLayernorm, dict(lanes=4, d=18), r"d \(18\) must be a multiple of lanes \(4\)"),
        (IntLayernorm, dict(d=5000), r"d must be in \[1, 4096\], not 5000"),
        (IntLayernorm, dict(eps=-1e-5), "eps must be a finite number >= 0, not -1e-05"),
    ],
)
def test_rap_units_refuse(cls, kwargs, message):
    assert_refused(lambda: cls(**kwargs), message)


@pytest.mark.parametrize("cls", DESIGNS.values())
def test_constructor_defaults_come_from_the_parameter_table(cls):
    signature = inspect.signature(cls.__init__)
    defaults = defaults_for(cls.MODULE_NAME)
    for name in cls.PARAMETERS:
        assert signature.parameters[name.lower()].default == defaults[name]
    assert set(elaborated(cls()).parameters) == set(cls.PARAMETERS)
    assert {name: defaults[name] for name in cls.PARAMETERS if name != "LANES"} == {
        name: DEFAULTS[name] for name in cls.PARAMETERS if name != "LANES"
    }


@pytest.mark.parametrize(
    "unit, latency",
    [
        (lambda: SdrMac(lanes=16), 8),
        (lambda: SdrMac(lanes=1), 4),
        (lambda: Int8Mac(lanes=16), 6),
        (lambda: Int8Mac(lanes=4), 4),
        (lambda: Int4Mac(lanes=8), 5),
        (lambda: DecompressMac(lanes=16), 7),
        (SdrEncoder, 3),
    ],
)
def test_latency_is_the_sum_of_the_documented_stages(unit, latency):
    unit = elaborated(unit())
    assert unit.LATENCY == latency
    with pytest.raises(AttributeError):
        unit.LATENCY = 1
