"""cocotb bench of ``row_compactor``'s exported Verilog, the unit with backpressure.

``tests/test_cocotb_benches.py`` builds and runs it; the unit comes from ``$QRAZOR_BENCH_UNIT``
(:func:`sim.rtl_cocotb.unit_record` as JSON). Phases, each from a fresh reset: directed corner
planes (back to back, then with gaps), then random planes. The driver respects ``ready``: it
presents a plane after its gap and holds it until the unit takes it. An input monitor sees every
accepted plane (``in_valid`` and ``ready`` on a cycle) and hands each of its golden partials
(:mod:`tb_compactor_model`) to the in-order checker, due one cycle after the acceptance and one
per cycle after that; the output monitor compares every mask shown (value, ``out_last`` and
cycle) and, every cycle, ``ready`` against what is still due: high exactly when no partial of the
plane remains after that cycle's. Functional coverage (:mod:`tb_coverage`) is sampled per
accepted plane; the last test prints it and fails if a bin is empty.

Timing (:mod:`tb_components`): the driver writes at the falling edge that starts a cycle, when
``ready`` (a register) already shows that cycle's value; the input monitor reads the handshake
in the same time step once the writes have settled (``ReadOnly``).

Environment: ``QRAZOR_COCOTB_VECTORS`` (random planes, default :data:`DEFAULT_VECTORS`) and
``QRAZOR_SEED`` (default :data:`DEFAULT_SEED`), both logged.
"""

import logging
import zlib

import cocotb
import numpy as np
from cocotb.triggers import FallingEdge, ReadOnly
from tb_compactor_model import CompactorModel, PartialModel, directed, random_planes
from tb_components import InOrderChecker, bench_settings, current_cycle, read_port, reset_unit
from tb_coverage import UnitCoverage, closed

#: Random planes when ``QRAZOR_COCOTB_VECTORS`` is not set (CI-sized).
DEFAULT_VECTORS = 150
DEFAULT_SEED = 1

logging.getLogger("bench").setLevel(logging.INFO)


def _bits(plane):
    """The port value of a 0/1 plane (row ``i`` at bit ``i``)."""
    return int(sum(int(bit) << row for row, bit in enumerate(plane)))


def _rows(value, rows):
    return [(value >> row) & 1 for row in range(rows)]


class ReadyDriver:
    """Presents each ``(plane, gap)`` after ``gap`` idle cycles (garbage on ``plane``) and holds
    it, ``in_valid`` high, until a cycle on which ``ready`` is high: the unit takes it there."""

    def __init__(self, dut, rows, rng):
        self.dut, self.rows, self.rng = dut, rows, rng
        self.held = 0  # cycles planes waited for ready, over the run

    async def play(self, items, tail):
        edge = FallingEdge(self.dut.clk)
        for plane, gap in items:
            for _ in range(gap):
                self.dut.in_valid.value = 0
                self.dut.plane.value = _bits(self.rng.integers(0, 2, self.rows))
                await edge
            self.dut.in_valid.value = 1
            self.dut.plane.value = _bits(plane)
            while not read_port(self.dut.ready):  # this cycle's ready: taken at the next rise
                self.held += 1
                await edge
            await edge
        self.dut.in_valid.value = 0
        for _ in range(tail):
            await edge


class AcceptMonitor:
    """Every cycle, after the driver's writes: a plane with ``in_valid`` and ``ready`` is
    accepted; ``on_plane(plane, cycle, held, idle)`` receives it, how many cycles it waited
    with ``in_valid`` high, and the idle cycles before it was first presented."""

    def __init__(self, dut, rows, on_plane):
        self.dut, self.rows, self.on_plane = dut, rows, on_plane

    async def run(self):
        """Start it at the falling edge where the driver writes its first cycle."""
        edge, waiting, idle = FallingEdge(self.dut.clk), 0, 0
        while True:
            await ReadOnly()
            if not read_port(self.dut.in_valid):
                idle += 1
            elif not read_port(self.dut.ready):
                waiting += 1
            else:
                plane = np.array(_rows(read_port(self.dut.plane), self.rows))
                self.on_plane(plane, current_cycle(), waiting, idle)
                waiting, idle = 0, 0
            await edge


class MaskMonitor:
    """Every cycle: ``on_cycle(ready, stray, cycle)`` (``stray``: a mask bit or ``out_last`` set
    without ``out_valid``); on ``out_valid``, ``on_mask((*mask, out_last), cycle)``."""

    def __init__(self, dut, rows, on_mask, on_cycle):
        self.dut, self.rows, self.on_mask, self.on_cycle = dut, rows, on_mask, on_cycle

    async def run(self):
        edge = FallingEdge(self.dut.clk)
        while True:
            await edge
            cycle, valid = current_cycle(), read_port(self.dut.out_valid)
            mask, last = read_port(self.dut.mask), read_port(self.dut.out_last)
            self.on_cycle(read_port(self.dut.ready), not valid and bool(mask or last), cycle)
            if valid:
                self.on_mask((*_rows(mask, self.rows), last), cycle)


async def run_phase(dut, phase):
    unit, vectors, seed = bench_settings(DEFAULT_VECTORS, DEFAULT_SEED)
    parameters = unit["parameters"]
    rows = parameters["ROWS"]
    log = logging.getLogger(f"bench.row_compactor.{phase}")
    log.info("seed %d (rerun with QRAZOR_SEED=%d), %d vectors, %s", seed, seed, vectors, parameters)
    rng = np.random.default_rng([seed, zlib.crc32(phase.encode())])
    model = CompactorModel(parameters)
    coverage = UnitCoverage("row_compactor", parameters)
    items = directed(parameters, rng) if phase == "directed" else []
    items += random_planes(parameters, rng, vectors if phase == "random" else 0)
    # The unit's LATENCY (1): partial j of a plane accepted at cycle a is due at a + 1 + j.
    checker = InOrderChecker(PartialModel(), unit["latency"], seed, log)
    ready_errors, planes = [], []

    def on_plane(plane, cycle, held, idle):
        planes.append(plane)
        features = model.features(plane)
        features.held = held > 0
        coverage.sample(features)
        if len(planes) > 1:
            coverage.sample_idle(idle)
        for index, partial in enumerate(model.split(plane)):
            checker.expect({"partial": np.array(partial)}, cycle + index)

    def on_cycle(ready, stray, cycle):
        """``ready`` must be high exactly when no partial is due after this cycle."""
        remaining = any(due > cycle for _, due, _ in checker.pending)
        if stray or ready != (not remaining):
            ready_errors.append(cycle)
            if len(ready_errors) <= 5:
                log.error(
                    "seed %s: cycle %d: ready %d with partials due later: %s%s",
                    seed,
                    cycle,
                    ready,
                    remaining,
                    "; a mask or out_last without out_valid" if stray else "",
                )

    await reset_unit(dut, unit["inputs"])
    driver = ReadyDriver(dut, rows, rng)
    monitors = [
        cocotb.start_soon(AcceptMonitor(dut, rows, on_plane).run()),
        cocotb.start_soon(MaskMonitor(dut, rows, checker.observe, on_cycle).run()),
    ]
    await driver.play(items, tail=rows // parameters["K"] + 3)
    for monitor in monitors:
        monitor.cancel()
    mismatches = checker.finish()
    log.info(
        "%d planes accepted (%d cycles held by ready), %d partials checked, %d mismatches, "
        "%d ready errors",
        len(planes),
        driver.held,
        checker.observed,
        mismatches,
        len(ready_errors),
    )
    assert mismatches == 0 and not ready_errors, (
        f"seed {seed}: {mismatches} mismatches, {len(ready_errors)} ready errors in {phase}"
    )
    sent = [plane for plane, _ in items]
    assert len(planes) == len(sent) and all(
        np.array_equal(a, b) for a, b in zip(planes, sent, strict=True)
    ), f"seed {seed}: the monitor saw other planes than the driver sent ({phase})"


@cocotb.test()
async def directed_planes(dut):
    """Corner planes back to back, then with gaps."""
    await run_phase(dut, "directed")


@cocotb.test()
async def random_planes_with_gaps(dut):
    """Random planes of every density, back to back and with random gaps."""
    await run_phase(dut, "random")


@cocotb.test()
async def coverage_closed(dut):
    """Print the coverage of both phases; fail if any bin is empty."""
    closed(*bench_settings(DEFAULT_VECTORS, DEFAULT_SEED)[::2])
