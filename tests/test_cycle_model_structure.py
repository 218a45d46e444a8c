"""The cycle models' own latencies and widths (sim.cycle_models.structure) agree with ``hw``
(the GEMM units on every pipeline choice, the RAP row units' latencies, passes, ports and
internal widths over many parameter choices), an engine's columns see its stream, and their
encoder (written as the datapath computes) equals the golden encoder."""

import itertools

import numpy as np
import pytest

from hw.designs import build, elaborated
from hw.interface import port_layout
from hw.pipeline import tree_cuts
from hw.rap.arith import bits_for
from hw.rap.layernorm import normalised_bound, output_bits
from sim.cycle_models import run, simulate
from sim.cycle_models.sdr_encoder import razor
from sim.cycle_models.structure import (
    ROW_PASSES,
    cut_count,
    latency,
    layernorm_normalised_bits,
    layernorm_output_bits,
    layernorm_sum_bits,
    per_column,
    rap_ports,
    sdr_shifter_width,
    softmax_sum_bits,
)
from sim.golden.formats import SdrConfig
from sim.sdr import encode


def pipelines(cuts):
    """all, none, every single cut, and every cut but one."""
    yield from ("all", "none")
    yield from cuts
    if len(cuts) > 2:
        yield from (",".join(c for c in cuts if c != left_out) for left_out in cuts)


def unit_cases():
    for lanes, group in ((1, 4), (4, 4), (4, 32), (16, 16), (16, 64)):
        for a_bits, w_bits, mag, acc in ((16, 8, 3, 32), (8, 16, 5, 24)):
            cuts = ("products", *tree_cuts(lanes), *(("group",) * (group == lanes)), "shifter")
            for pipeline in pipelines(cuts):
                yield (
                    "sdr_mac",
                    dict(
                        LANES=lanes,
                        GROUP=group,
                        A_BITS=a_bits,
                        W_BITS=w_bits,
                        MAG_BITS=mag,
                        ACC_BITS=acc,
                        PIPELINE=pipeline,
                    ),
                )
        for module in ("int8_mac", "int4_mac"):
            for pipeline in pipelines(("products", *tree_cuts(lanes))):
                yield module, dict(LANES=lanes, PIPELINE=pipeline)
        for pipeline in pipelines(("decoders", "products", *tree_cuts(lanes))):
            yield "decompress_mac", dict(LANES=lanes, GROUP=group, PIPELINE=pipeline)
        for pipeline in ("all", "none", "products"):
            yield "sdr_engine", dict(COLS=2, LANES=lanes, GROUP=group, PIPELINE=pipeline)
            yield "int8_engine", dict(COLS=2, LANES=lanes, PIPELINE=pipeline)
            yield "int4_engine", dict(COLS=2, LANES=lanes, PIPELINE=pipeline)
    for pipeline in pipelines(("magnitudes", "flag")):
        yield "sdr_encoder", dict(GROUP=16, PIPELINE=pipeline)


CASES = list(unit_cases())


def test_structure_agrees_with_hw_on_every_pipeline_choice():
    assert len(CASES) > 200
    for module, parameters in CASES:
        unit = elaborated(build(module, **parameters))
        assert latency(module, unit.parameters) == unit.LATENCY, (module, parameters)
        cuts = unit.columns[0].cuts if module.endswith("engine") else unit.cuts
        assert cut_count(module, unit.parameters) == len(cuts), (module, parameters)
        if module == "sdr_mac":
            assert sdr_shifter_width(unit.parameters) == unit.shifter.out_width, parameters


def row_unit_cases():
    for lanes in (1, 2, 4, 8):
        for in_bits in (2, 17, 31):
            yield "int_gelu", dict(LANES=lanes, IN_BITS=in_bits)
        for in_bits, out_bits, scale, max_row in (
            (2, 2, 1.0, lanes),
            (24, 8, 0.125, 1000),
            (31, 16, 1000.0, 1 << 20),
            (12, 11, 1 / 8**0.5, 3 * lanes + 1),
        ):
            yield (
                "int_softmax",
                dict(LANES=lanes, IN_BITS=in_bits, OUT_BITS=out_bits, SCALE=scale, MAX_ROW=max_row),
            )
        for d, eps in ((lanes, 0.0), (384, 1e-12), (4096, 1e5), (96, 1e-40)):
            yield "int_layernorm", dict(LANES=lanes, D=d, EPS=eps)


def test_row_units_structure_agrees_with_hw():
    cases = list(row_unit_cases())
    assert len(cases) > 40
    for module, parameters in cases:
        unit = elaborated(build(module, **parameters))
        p = unit.parameters
        assert latency(module, p) == unit.LATENCY, (module, p)
        assert ROW_PASSES[module] == unit.RESULTS.passes, module
        assert rap_ports(module, p) == port_layout(unit), (module, p)
        if module == "int_softmax":
            assert softmax_sum_bits(p) == unit.sum_bits, p
        if module == "int_layernorm":
            sums = (unit.inverse_sqrt.s1_bits, unit.inverse_sqrt.s2_bits)
            assert layernorm_sum_bits(p) == sums, p


def test_layernorm_widths_agree_with_hw_for_many_row_lengths():
    for d in (*range(1, 130), *range(130, 4097, 37), 4096):
        assert layernorm_output_bits(d) == output_bits(d), d
        bound = normalised_bound(d)
        assert layernorm_normalised_bits(d) == bits_for(-bound, bound).width, d


def test_units_without_the_structure_asked_for_are_refused():
    with pytest.raises(ValueError, match="must be a unit with a cycle model, not 'int_gelu'"):
        cut_count("int_gelu", dict(LANES=4, PIPELINE="all"))
    with pytest.raises(ValueError, match="must be a RAP row unit, not 'sdr_mac'"):
        rap_ports("sdr_mac", dict(LANES=4))


@pytest.mark.parametrize("lanes", [False, True])
def test_per_column_gives_every_column_the_stream(lanes):
    """Two streams of 5 cycles (of 3 lanes): column c of stream s on cycle t sees stream s's
    cycle t (and lane l), for each of 4 columns."""
    values = np.arange(2 * 5 * 3).reshape(2, 5, 3) if lanes else np.arange(2 * 5).reshape(2, 5)
    seen = per_column(values, 4, lanes=True) if lanes else per_column(values, 4)
    assert seen.shape == ((2, 4, 5, 3) if lanes else (2, 4, 5))
    for s, c, t in itertools.product(range(2), range(4), range(5)):
        assert np.array_equal(seen[s, c, t], values[s, t]), (s, c, t)
    assert np.shares_memory(seen, values)  # a view: no copy per column


def test_models_read_no_hw_object():
    unit = elaborated(build("sdr_mac", LANES=4, GROUP=16))
    rng = np.random.default_rng(5)
    stream = {
        "a_code": rng.integers(0, 16, (40, 4)),
        "w_code": rng.integers(0, 16, (40, 4)),
        "a_flag": np.repeat(rng.integers(0, 13, 10), 4),
        "w_flag": np.repeat(rng.integers(0, 5, 10), 4),
        "in_valid": np.ones(40, np.int64),
        "in_last": np.tile([0, 0, 0, 0, 0, 0, 0, 1], 5),
    }
    by_unit = simulate(unit, stream)
    by_name = run("sdr_mac", dict(unit.parameters), stream)
    assert all(np.array_equal(by_unit[port], by_name[port]) for port in by_unit)
    with pytest.raises(ValueError, match="module must be one of"):
        run("sdr_mux", unit.parameters, stream)


@pytest.mark.parametrize(
    "base_bits, mag_bits, rounding",
    [
        (8, 3, "nearest"),
        (8, 3, "truncate"),
        (8, 2, "nearest"),
        (16, 3, "nearest"),
        (16, 3, "truncate"),
        (16, 5, "nearest"),
    ],
)
def test_model_razor_equals_golden_encode(base_bits, mag_bits, rounding):
    """Every value of the base against every group leading one, then long random groups."""
    top = 1 << (base_bits - 1)
    values = np.arange(-top, top, dtype=np.int64)
    # Each value beside a partner fixing the group's leading one at every position.
    partners = np.array([0, *(1 << b for b in range(base_bits - 1)), -top], np.int64)
    pairs = np.array(list(itertools.product(values, partners)), np.int64)
    groups = np.concatenate([pairs, np.zeros_like(pairs)], axis=-1)  # G = 4
    rng = np.random.default_rng(11)
    random = rng.integers(-top, top, (20_000, 16)) >> rng.integers(0, base_bits, (20_000, 1))
    config = SdrConfig(base_bits, mag_bits, 4, rounding)
    for x, cfg in ((groups, config), (random, SdrConfig(base_bits, mag_bits, 16, rounding))):
        code, flag = razor(x, base_bits, mag_bits, rounding)
        golden = encode(x, cfg)
        assert np.array_equal(code, golden.code), cfg
        assert np.array_equal(flag, golden.flag[..., 0]), cfg
