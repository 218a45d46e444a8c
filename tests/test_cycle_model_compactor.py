"""row_compactor's cycle model (``sim.cycle_models.row_compactor``) equals the Amaranth
simulation on every output port, ``ready`` included, every cycle; streams mix planes offered
while the unit is busy (they must not take effect), idle cycles, resets (on idle and on valid
cycles, mid-plane) and a ready-respecting producer's back-to-back planes. Failures name the seed,
the port and the first differing cycle."""

import zlib

import numpy as np
import pytest

from hw.designs import build
from sim.cycle_models import run
from sim.cycle_models import simulate as model
from sim.verify.compactor import expected_outputs, plane_beats
from sim.verify.rtl_amaranth import simulate as amaranth
from sim.verify.streams import drained

CONFIGS = [(16, 1), (16, 3), (16, 7), (128, 7), (128, 15), (8, 8), (13, 4)]


def random_stream(rng, rows, k, cycles):
    """Random planes of random densities on random valid cycles, resets now and then, then a
    producer's planes back to back."""
    density = rng.choice([0.0, 0.05, 0.2, 0.5, 1.0], size=cycles)
    free = {
        "plane": (rng.random((cycles, rows)) < density[:, None]).astype(np.int64),
        "in_valid": (rng.random(cycles) < 0.8).astype(np.int64),
        "rst": (rng.random(cycles) < 0.02).astype(np.int64),
    }
    planes = (rng.random((20, rows)) < rng.random((20, 1))).astype(np.int64)
    held = drained(plane_beats(planes, k), rows // k + 2).stream
    held["rst"] = np.zeros(len(held["in_valid"]), np.int64)
    return {port: np.concatenate([free[port], held[port]]) for port in free}


def first_difference(got, want):
    rows = len(want)
    differ = np.flatnonzero(np.any((np.asarray(got) != want).reshape(rows, -1), axis=1))
    return differ[0] if len(differ) else None


@pytest.mark.parametrize("rows, k", CONFIGS, ids=[f"R{r}-K{k}" for r, k in CONFIGS])
def test_model_equals_amaranth_and_the_reference_every_cycle(rows, k):
    seed = zlib.crc32(f"compactor-model-{rows}-{k}".encode())
    rng = np.random.default_rng(seed)
    unit = build("row_compactor", ROWS=rows, K=k)
    stream = random_stream(rng, rows, k, 300)
    rtl, got = amaranth(unit, stream), model(unit, stream)
    reference = expected_outputs(stream, k)
    assert set(got) == set(rtl) == {"ready", "mask", "out_valid", "out_last"}
    for port, values in rtl.items():
        for name, other in (("model", got[port]), ("reference", reference[port])):
            cycle = first_difference(other, values)
            assert cycle is None, (
                f"seed {seed}: {name} {port} differs first at cycle {cycle}: "
                f"{other[cycle]}, RTL {values[cycle]}"
            )


def test_many_streams_at_once_equal_one_at_a_time():
    rng = np.random.default_rng(33)
    parameters = {"ROWS": 16, "K": 3}
    streams = [random_stream(rng, 16, 3, 120) for _ in range(4)]
    cycles = min(len(s["in_valid"]) for s in streams)
    stacked = {port: np.stack([s[port][:cycles] for s in streams]) for port in streams[0]}
    together = run("row_compactor", parameters, stacked)
    for index, stream in enumerate(streams):
        alone = run("row_compactor", parameters, {p: v[:cycles] for p, v in stream.items()})
        for port, values in alone.items():
            np.testing.assert_array_equal(together[port][index], values, err_msg=port)


def test_long_streams_equal_the_reference():
    """16 streams of 2048 cycles at ROWS 128, always valid (a producer that never idles): each
    equals the reference (the handshake replayed with the golden split)."""
    rng = np.random.default_rng(4)
    density = rng.choice([0.0, 0.02, 0.1, 0.5], size=(16, 2048, 1))
    stream = {
        "plane": (rng.random((16, 2048, 128)) < density).astype(np.int64),
        "in_valid": np.ones((16, 2048), np.int64),
    }
    out = run("row_compactor", {"ROWS": 128, "K": 7}, stream)
    for index in (0, 15):
        reference = expected_outputs({p: v[index] for p, v in stream.items()}, 7)
        for port, values in out.items():
            np.testing.assert_array_equal(values[index], reference[port], err_msg=port)
