"""The GEMM engines equal the golden model: ``sdr_engine`` (SDR activation codes and flags
broadcast to COLS ``sdr_mac`` columns), ``int8_engine`` and ``int4_engine``, with bubbles,
back-to-back rows and resets."""

import numpy as np
import pytest
from rtl_harness import run_checked

from hw.designs import build, elaborated
from hw.engine import Int4Engine, Int8Engine, SdrEngine
from sim.verify.stimulus import int_engine_case, sdr_engine_case
from sim.verify.streams import reset_between, with_bubbles


@pytest.mark.parametrize(
    "params",
    [
        dict(COLS=1, LANES=1, GROUP=4),
        dict(COLS=3, LANES=4, GROUP=16),
        dict(COLS=2, LANES=16, GROUP=16, PIPELINE="none"),
        dict(COLS=4, LANES=4, GROUP=32, A_BITS=8, ACC_BITS=20),
        dict(COLS=2, LANES=8, GROUP=64, W_BITS=16, MAG_BITS=4),
    ],
    ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()),
)
def test_sdr_engine_equals_golden_with_bubbles_and_resets(params):
    seed = sum(map(ord, str(params)))
    rng = np.random.default_rng(seed)
    unit = SdrEngine(**{k.lower(): v for k, v in params.items()})
    dense = sdr_engine_case(unit, rng, m=3, groups=3)
    bubbly = with_bubbles(sdr_engine_case(unit, rng, m=4, groups=2), rng, 0.7)
    run_checked(unit, reset_between(dense, bubbly, dense), seed)


@pytest.mark.parametrize(
    "cls, params",
    [
        (Int8Engine, dict(COLS=1, LANES=1)),
        (Int8Engine, dict(COLS=3, LANES=8, ACC_BITS=18)),
        (Int4Engine, dict(COLS=1, LANES=1)),
        (Int4Engine, dict(COLS=3, LANES=8, ACC_BITS=10)),
    ],
    ids=lambda v: v.MODULE_NAME if isinstance(v, type) else "-".join(map(str, v.values())),
)
def test_int_engine_equals_golden_with_bubbles_and_resets(cls, params):
    seed = sum(map(ord, cls.MODULE_NAME + str(params)))
    rng = np.random.default_rng(seed)
    unit = cls(**{k.lower(): v for k, v in params.items()})
    dense = int_engine_case(unit, rng, m=3, beats=3)
    bubbly = with_bubbles(int_engine_case(unit, rng, m=4, beats=2), rng, 0.7)
    run_checked(unit, reset_between(dense, bubbly, dense), seed)


def test_a_wrong_engine_is_caught():
    """Expected with its columns swapped (weights sent to the wrong column), the results differ:
    the check must fail."""
    rng = np.random.default_rng(4)
    unit = SdrEngine(cols=2, lanes=4, group=16)
    right = sdr_engine_case(unit, rng, m=6, groups=4)
    beats = type(right)(right.stream, right.expected[:, ::-1])
    with pytest.raises(AssertionError, match="mismatches"):
        run_checked(unit, beats, 4)


@pytest.mark.parametrize(
    "module, params, message",
    [
        ("sdr_engine", dict(COLS=0), r"cols must be in \[1, 64\], not 0"),
        ("sdr_engine", dict(COLS=65), r"cols must be in \[1, 64\], not 65"),
        ("sdr_engine", dict(LANES=32), r"group \(16\) must be a multiple of lanes \(32\)"),
        ("int8_engine", dict(LANES=3), "lanes must be a power of two, not 3"),
        ("int8_engine", dict(GROUP=16), "int8_engine has no parameter GROUP"),
        ("int4_engine", dict(ACC_BITS=7), "acc_bits must be at least 8 to hold one product"),
        ("sdr_engine", dict(ROUNDING="truncate"), "sdr_engine has no parameter ROUNDING"),
    ],
)
def test_bad_parameters_are_refused(module, params, message):
    with pytest.raises(ValueError, match=message):
        build(module, **params)


@pytest.mark.parametrize("pipeline", ["none", "all"])
def test_latency_is_a_column_s(pipeline):
    """No encoder and no register of the engine's own: LATENCY is one column's."""
    for engine, column in (
        ("sdr_engine", "sdr_mac"),
        ("int8_engine", "int8_mac"),
        ("int4_engine", "int4_mac"),
    ):
        unit = elaborated(build(engine, COLS=2, LANES=4, PIPELINE=pipeline))
        assert unit.LATENCY == elaborated(build(column, LANES=4, PIPELINE=pipeline)).LATENCY


def test_exported_engines_on_native_verilator_equal_golden():
    from sim.verify.backends import get_backend

    native = get_backend("verilator")
    rng = np.random.default_rng(12)
    sdr = elaborated(build("sdr_engine", COLS=2, LANES=4, GROUP=16))
    beats = with_bubbles(sdr_engine_case(sdr, rng, m=5, groups=3), rng, 0.5)
    run_checked(sdr, reset_between(beats, sdr_engine_case(sdr, rng, m=2, groups=2)), 12, native)
    for module in ("int8_engine", "int4_engine"):
        unit = elaborated(build(module, COLS=2, LANES=4))
        beats = with_bubbles(int_engine_case(unit, rng, m=4, beats=3), rng, 0.5)
        run_checked(unit, beats, 12, native)


@pytest.mark.parametrize(
    "module, params",
    [
        ("sdr_engine", dict(COLS=3, LANES=4, GROUP=16)),
        ("sdr_engine", dict(COLS=2, LANES=16, GROUP=16, PIPELINE="none")),
        ("sdr_engine", dict(COLS=2, LANES=2, GROUP=32, A_BITS=8)),
        ("int8_engine", dict(COLS=3, LANES=4, ACC_BITS=18)),
        ("int4_engine", dict(COLS=3, LANES=4, ACC_BITS=10)),
    ],
)
def test_cycle_model_equals_amaranth_every_cycle(module, params):
    """Every output, every cycle, through bubbles (garbage inputs), a dot product cut short by a
    reset, and back-to-back rows; and two streams at once equal each alone."""
    from test_rtl_cocotb import assert_same_outputs

    from sim.cycle_models import simulate as model
    from sim.verify.rtl_amaranth import simulate as amaranth

    seed = sum(map(ord, module + str(params)))
    rng = np.random.default_rng(seed)
    unit = elaborated(build(module, **params))
    case = sdr_engine_case if module == "sdr_engine" else int_engine_case
    size = {"groups": 3} if module == "sdr_engine" else {"beats": 3}
    streams = []
    for _ in range(2):
        cut = with_bubbles(case(unit, rng, 2, **size), rng, 0.5)
        cut = type(cut)(
            {port: values[: cut.cycles // 2] for port, values in cut.stream.items()},
            cut.expected[:0],
        )
        beats = reset_between(cut, with_bubbles(case(unit, rng, 3, **size), rng, 0.5))
        streams.append(beats.stream)
    cycles = min(len(s["in_valid"]) for s in streams)
    streams = [{port: values[:cycles] for port, values in s.items()} for s in streams]
    for stream in streams:
        assert_same_outputs(model(unit, stream), amaranth(unit, stream), seed)
    together = model(unit, {port: np.stack([s[port] for s in streams]) for port in streams[0]})
    for index, stream in enumerate(streams):
        alone = model(unit, stream)
        for port in alone:
            assert np.array_equal(together[port][index], alone[port]), port
