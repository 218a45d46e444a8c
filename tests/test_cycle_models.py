"""The NumPy cycle models equal the Amaranth simulation cycle by cycle, on every output port."""

import zlib

import numpy as np
import pytest

from hw.designs import build, elaborated
from sim.cycle_models import simulate as model
from sim.golden import int_matmul
from sim.verify.rtl_amaranth import simulate as amaranth
from sim.verify.stimulus import encoder_case, sdr_case
from sim.verify.streams import MacBeats, drained, int_mac_beats, reset_between, with_bubbles

CONFIGS = [
    ("sdr_mac", dict(LANES=1, GROUP=4)),
    ("sdr_mac", dict(LANES=4, GROUP=16, A_BITS=8)),
    ("sdr_mac", dict(LANES=16, GROUP=64, ACC_BITS=24)),
    ("sdr_mac", dict(LANES=2, GROUP=128, W_BITS=16, MAG_BITS=4)),
    ("decompress_mac", dict(LANES=4, GROUP=32)),
    ("decompress_mac", dict(LANES=16, GROUP=16, W_BITS=16, MAG_BITS=5)),
    ("int8_mac", dict(LANES=1)),
    ("int8_mac", dict(LANES=8, ACC_BITS=18)),
    ("int4_mac", dict(LANES=4, ACC_BITS=12)),
    ("sdr_encoder", dict(GROUP=8, ROUNDING="truncate")),
    ("sdr_encoder", dict(GROUP=16, BASE_BITS=8)),
    # Fewer pipeline registers than the default:
    ("sdr_mac", dict(LANES=4, GROUP=16, PIPELINE="none")),
    ("sdr_mac", dict(LANES=8, GROUP=8, PIPELINE="tree2,group")),
    ("decompress_mac", dict(LANES=4, GROUP=16, PIPELINE="products")),
    ("int8_mac", dict(LANES=16, PIPELINE="tree3")),
    ("int4_mac", dict(LANES=2, PIPELINE="none")),
    ("sdr_encoder", dict(GROUP=16, PIPELINE="none")),
    ("sdr_encoder", dict(GROUP=4, PIPELINE="magnitudes")),
]


def stream_for(unit, rng):
    """Two random parts with bubbles, a dot product cut short, resets between them."""
    if unit.MODULE_NAME == "sdr_encoder":
        top = 2 ** (unit.parameters["BASE_BITS"] - 1)
        parts = [
            encoder_case(unit, rng.integers(-top, top, size=(80, unit.parameters["GROUP"])))
            for _ in range(2)
        ]
    elif unit.MODULE_NAME in ("int8_mac", "int4_mac"):
        top = 8 if unit.MODULE_NAME == "int4_mac" else 128
        parts = []
        for _ in range(2):
            a, w = rng.integers(-top, top, (4, 64)), rng.integers(-top, top, (3, 64))
            parts.append(int_mac_beats(a, w, unit.parameters["LANES"], int_matmul(a, w)))
    else:
        parts = [sdr_case(unit, rng, m=3, n=3, groups=3) for _ in range(2)]
    parts = [with_bubbles(part, rng, 0.5) for part in parts]
    cut = {port: values[:3].copy() for port, values in parts[0].stream.items()}
    if "in_last" in cut:  # a dot product cut short by the reset: no result
        cut["in_last"][:] = 0
        cut = MacBeats(cut, np.zeros(0, np.int64))
    else:  # encoder beats are complete results
        cut = MacBeats(cut, parts[0].expected[: int(cut["in_valid"].sum())])
    return drained(reset_between(parts[0], cut, parts[1]), unit.LATENCY + 2)


@pytest.mark.parametrize("name, params", CONFIGS, ids=[f"{n}-{p}" for n, p in CONFIGS])
def test_model_equals_amaranth_every_cycle(name, params):
    seed = zlib.crc32(f"{name}{sorted(params.items())}".encode())
    rng = np.random.default_rng(seed)
    unit = build(name, **params)
    stream = stream_for(unit, rng).stream
    expected = amaranth(unit, stream)
    got = model(unit, stream)
    assert set(got) == set(expected)
    for port, values in expected.items():
        differ = np.flatnonzero(
            np.any((np.asarray(got[port]) != values).reshape(len(values), -1), axis=1)
        )
        assert not len(differ), (
            f"seed {seed}: {port} differs first at cycle {differ[0]}: "
            f"model {got[port][differ[0]]}, RTL {values[differ[0]]}"
        )


@pytest.mark.parametrize(
    "name", ["sdr_mac", "int8_mac", "int4_mac", "decompress_mac", "sdr_encoder"]
)
def test_many_streams_at_once_equal_one_at_a_time(name):
    rng = np.random.default_rng(21)
    unit = elaborated(build(name, **({"GROUP": 8} if name == "sdr_encoder" else {"LANES": 4})))
    streams = [stream_for(unit, rng).stream for _ in range(3)]
    cycles = min(len(s["in_valid"]) for s in streams)
    stacked = {port: np.stack([s[port][:cycles] for s in streams]) for port in streams[0]}
    together = model(unit, stacked)
    for index, stream in enumerate(streams):
        alone = model(unit, {port: values[:cycles] for port, values in stream.items()})
        for port, values in alone.items():
            np.testing.assert_array_equal(together[port][index], values, err_msg=port)
