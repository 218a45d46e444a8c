"""row_compactor in the Amaranth simulator against the golden split (SPEC section 9).

A testbench producer respects ``ready``: after a random number of idle cycles (0 for
back-to-back planes) it presents each plane and holds it until the unit takes it. Every mask is
checked bit-exactly against :func:`sim.golden.rap.row_split.split_plane`, in order, and so is the
timing the unit documents: a plane accepted during cycle ``a`` shows its ``ceil(c/K)`` masks on
cycles ``a+1 ..`` back to back, ``out_last`` on the last, nothing for an all-zero plane, and
``ready`` is high exactly when no mask of the plane remains after the current cycle's. Failures
name the seed.
"""

import zlib

import numpy as np
import pytest
from amaranth.sim import Simulator
from amaranth_helpers import assert_refused

from hw.designs import build, elaborated
from hw.rap import RowCompactor
from sim.golden.rap.row_split import partial_count, split_plane
from sim.verify.compactor import check_partials, plane_beats
from sim.verify.rtl_amaranth import simulate as amaranth
from sim.verify.streams import drained

#: (ROWS, K): the SPEC default, a wide K, small planes with K 1, 3, 7 and the edge cases K = ROWS,
#: ROWS = 1 and a ROWS that is no power of two.
CONFIGS = [(128, 7), (128, 15), (16, 1), (16, 3), (16, 7), (8, 8), (1, 1), (13, 4)]


def adversarial_planes(rows, k):
    """All ones, all zeros, ones only at the end, exactly K and K+1 ones, one one at row 0 and
    at row ROWS-1, every other row, and the first and last ``K+1`` rows (those that exist)."""
    planes = [np.ones(rows, int), np.zeros(rows, int)]
    for ones in (range(rows - k - 1, rows), range(k), range(k + 1), [0], [rows - 1]):
        plane = np.zeros(rows, int)
        plane[[i for i in ones if 0 <= i < rows]] = 1
        planes.append(plane)
    spread = np.zeros(rows, int)
    spread[::2] = 1
    planes.append(spread)
    rng = np.random.default_rng(rows * 100 + k)
    for ones in (k, k + 1, 2 * k, 2 * k + 1):  # exactly that many, at random rows
        plane = np.zeros(rows, int)
        plane[rng.permutation(rows)[: min(ones, rows)]] = 1
        planes.append(plane)
    return planes


def random_planes(rng, rows, count):
    """Planes of every density: each plane's ones drawn with its own probability (some 0 and 1)."""
    density = rng.choice([0.0, 0.02, 0.05, 0.1, 0.3, 0.5, 0.9, 1.0, rng.random()], size=count)
    return (rng.random((count, rows)) < density[:, None]).astype(int)


def run_producer(unit, planes, gaps, rng):
    """Drive ``planes`` with ``gaps[i]`` idle cycles before plane ``i``, each held until
    accepted; return every cycle's outputs and the cycle each plane was accepted on."""
    rows = unit.parameters["ROWS"]
    record, accepted = [], []
    tail = int(partial_count(rows, unit.parameters["K"])) + 2

    async def bench(ctx):
        for plane, gap in zip(planes, gaps, strict=True):
            for _ in range(gap):  # idle: in_valid low, garbage on the plane
                ctx.set(unit.in_valid, 0)
                ctx.set(unit.plane, [int(b) for b in rng.integers(0, 2, rows)])
                record.append(sample(ctx))
                await ctx.tick()
            ctx.set(unit.in_valid, 1)
            ctx.set(unit.plane, [int(b) for b in plane])
            while True:
                outputs = sample(ctx)
                record.append(outputs)
                await ctx.tick()
                if outputs["ready"]:
                    accepted.append(len(record) - 1)
                    break
        ctx.set(unit.in_valid, 0)
        for _ in range(tail):
            record.append(sample(ctx))
            await ctx.tick()

    def sample(ctx):
        return {
            "ready": ctx.get(unit.ready),
            "mask": [int(bit) for bit in ctx.get(unit.mask)],
            "out_valid": ctx.get(unit.out_valid),
            "out_last": ctx.get(unit.out_last),
        }

    simulator = Simulator(unit)
    simulator.add_clock(1e-8)
    simulator.add_testbench(bench)
    simulator.run()
    return record, accepted


def check_against_golden(unit, planes, record, accepted, seed):
    k = unit.parameters["K"]
    masks = [split_plane(np.asarray(plane, bool), k) for plane in planes]
    want_valid = np.zeros(len(record), bool)
    want_last = np.zeros(len(record), bool)
    want_busy = np.zeros(len(record), bool)
    want_mask = np.zeros((len(record), unit.parameters["ROWS"]), int)
    for cycle, split in zip(accepted, masks, strict=True):
        for index, mask in enumerate(split):
            want_valid[cycle + 1 + index] = True
            want_mask[cycle + 1 + index] = mask
        if split:
            want_last[cycle + len(split)] = True
            want_busy[cycle + 1 : cycle + len(split)] = True  # masks remain after these cycles'
    got = {port: np.array([r[port] for r in record]) for port in record[0]}
    for port, want in (
        ("out_valid", want_valid),
        ("out_last", want_last),
        ("ready", ~want_busy),
        ("mask", want_mask),
    ):
        differ = np.flatnonzero(np.any((got[port] != want).reshape(len(record), -1), axis=1))
        assert not len(differ), (
            f"seed {seed}: {port} differs first at cycle {differ[0]}: "
            f"got {got[port][differ[0]]}, expected {want[differ[0]]} (accepted {accepted})"
        )
    shown = got["mask"][got["out_valid"] == 1]
    assert (shown.sum(axis=1) <= k).all() and (shown.sum(axis=1) >= 1).all(), f"seed {seed}"
    golden = [mask for split in masks for mask in split]
    assert np.array_equal(shown, np.array(golden, int).reshape(-1, shown.shape[1])), f"seed {seed}"


@pytest.mark.parametrize("rows, k", CONFIGS, ids=[f"R{r}-K{k}" for r, k in CONFIGS])
def test_masks_equal_the_golden_split_with_gaps_and_back_to_back(rows, k):
    seed = zlib.crc32(f"compactor-{rows}-{k}".encode())
    rng = np.random.default_rng(seed)
    unit = RowCompactor(rows, k)
    planes = adversarial_planes(rows, k)
    planes = [*planes, *planes[::-1], *random_planes(rng, rows, 40 if rows > 16 else 120)]
    # Back to back (no gap) for the first half, random gaps after, and a run of zero planes.
    gaps = np.concatenate(
        [np.zeros(len(planes) // 2, int), rng.geometric(0.5, len(planes) - len(planes) // 2) - 1]
    )
    planes += [np.zeros(rows, int)] * 3 + [np.ones(rows, int)]
    gaps = np.concatenate([gaps, [0, 0, 0, 0]])
    record, accepted = run_producer(unit, planes, gaps, rng)
    check_against_golden(unit, planes, record, accepted, seed)


@pytest.mark.parametrize("rows, k", [(16, 3), (128, 7)])
def test_stream_backend_with_resets_equals_the_reference(rows, k):
    """The precomputed stream of a ready-respecting producer (:func:`plane_beats`), and random
    streams with resets and planes offered while busy, through the stream backend."""
    seed = zlib.crc32(f"compactor-stream-{rows}-{k}".encode())
    rng = np.random.default_rng(seed)
    unit = RowCompactor(rows, k)
    planes = random_planes(rng, rows, 30)
    beats = drained(plane_beats(planes, k, rng.integers(0, 3, len(planes)), rng), rows // k + 2)
    check = check_partials(amaranth(unit, beats.stream), beats.stream, beats.expected, k)
    assert check.passed and check.results == len(beats.expected), f"seed {seed}: {check}"
    cycles = 200
    stream = {
        "plane": random_planes(rng, rows, cycles),
        "in_valid": (rng.random(cycles) < 0.7).astype(int),
        "rst": (rng.random(cycles) < 0.03).astype(int),
    }
    check = check_partials(amaranth(unit, stream), stream, np.zeros((0, rows + 1)), k)
    assert check.passed, f"seed {seed}: {check}"


def test_latency_and_parameters():
    unit = elaborated(build("row_compactor"))
    assert unit.LATENCY == 1 and unit.parameters == {"ROWS": 128, "K": 7}
    with pytest.raises(AttributeError):
        unit.LATENCY = 2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(rows=0), r"rows must be in \[1, 1024\], not 0"),
        (dict(rows=2048), r"rows must be in \[1, 1024\], not 2048"),
        (dict(k=0), r"k must be in \[1, 128\], not 0"),
        (dict(rows=16, k=17), r"k must be in \[1, 16\], not 17"),
        (dict(k=2.0), "k must be an integer, not 2.0"),
    ],
)
def test_refuses_bad_parameters(kwargs, message):
    assert_refused(lambda: RowCompactor(**kwargs), message)
