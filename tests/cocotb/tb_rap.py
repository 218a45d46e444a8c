"""cocotb bench of a RAP row unit's exported Verilog: int_gelu, int_softmax or int_layernorm.

``tests/test_cocotb_benches.py`` builds and runs it; the unit comes from ``$QRAZOR_BENCH_UNIT``
(:func:`sim.rtl_cocotb.unit_record` as JSON). Phases, each from a fresh reset: directed corner
rows, then random rows in segments with random bubbles. A row monitor follows the passes as the
unit must (it counts ``in_last`` beats), keeps each row's first pass and hands every beat of the
last pass, as a transaction, to the in-order checker, whose model (:mod:`tb_rap_model`) asks the
golden kernels; every output beat is checked in order, value and cycle. Functional coverage
(:mod:`tb_coverage`) is sampled over both phases; the last test prints it and fails if a bin is
empty (``QRAZOR_COVERAGE_FILE`` receives a summary, as for ``tb_bench``).

Environment: ``QRAZOR_COCOTB_VECTORS`` (output beats per random phase, default
:data:`DEFAULT_VECTORS`) and ``QRAZOR_SEED`` (default :data:`DEFAULT_SEED`), both logged.
"""

import logging
import zlib

import cocotb
import numpy as np
from cocotb.triggers import RisingEdge
from tb_components import (
    InOrderChecker,
    OutputMonitor,
    StreamDriver,
    bench_settings,
    current_cycle,
    read_port,
    reset_unit,
)
from tb_coverage import UnitCoverage, closed, count_phase
from tb_rap_model import MODELS, PASSES, STIMULI

from sim.verify.ports import unpack_lanes
from sim.verify.streams import drained

#: Output beats per random phase when ``QRAZOR_COCOTB_VECTORS`` is not set (CI-sized).
DEFAULT_VECTORS = 120
DEFAULT_SEED = 1

logging.getLogger("bench").setLevel(logging.INFO)


class RowMonitor:
    """Follows the row protocol on the input pins; every beat of a row's last pass becomes a
    transaction for ``on_transaction(txn, cycle)``."""

    def __init__(self, dut, inputs, passes, on_transaction, on_idle):
        self.dut, self.passes, self.on_transaction = dut, passes, on_transaction
        self.on_idle = on_idle
        self.ports = [
            (getattr(dut, name), name, spec)
            for name, *spec in inputs
            if name not in ("in_valid", "in_last")
        ]

    def _beat(self):
        beat = {}
        for handle, name, (width, count, signed) in self.ports:
            values = unpack_lanes([read_port(handle)], width, count or 1, signed)[0]
            beat[name] = values
        return beat

    async def run(self):
        edge = RisingEdge(self.dut.clk)
        index, beats, row, e, previous = 0, 0, [], None, None
        while True:
            await edge
            if not read_port(self.dut.in_valid):
                continue
            cycle = current_cycle()
            if previous is not None:
                self.on_idle(cycle - previous - 1)
            previous = cycle
            beat = self._beat()
            last = read_port(self.dut.in_last)
            if index == 0:
                if not row:
                    e = beat["e"]
                row.append(beat["x"])
            if index == self.passes - 1:
                txn = {"row": np.concatenate(row), "e": e, "beat": np.array([beats])}
                txn.update({name: values for name, values in beat.items() if name != "e"})
                if self.passes == 1:
                    txn.update(e=beat["e"], last=np.array([last]))
                self.on_transaction(txn, current_cycle())
            beats += 1
            if last:
                index, beats = (index + 1) % self.passes, 0
                if index == 0 or self.passes == 1:
                    row = []


async def run_phase(dut, phase):
    unit, vectors, seed = bench_settings(DEFAULT_VECTORS, DEFAULT_SEED)
    module, parameters, latency = unit["module"], unit["parameters"], unit["latency"]
    log = logging.getLogger(f"bench.{module}.{phase}")
    log.info("seed %d (rerun with QRAZOR_SEED=%d), %d vectors, %s", seed, seed, vectors, parameters)
    rng = np.random.default_rng([seed, zlib.crc32(phase.encode())])
    beats = getattr(STIMULI[module](parameters), phase)(rng, vectors)
    coverage = UnitCoverage(module, parameters)
    checker = InOrderChecker(MODELS[module](parameters), latency, seed, log, coverage.sample)
    await reset_unit(dut, unit["inputs"])
    rows = RowMonitor(dut, unit["inputs"], PASSES[module], checker.expect, coverage.sample_idle)
    monitors = [
        cocotb.start_soon(rows.run()),
        cocotb.start_soon(OutputMonitor(dut, unit["outputs"], checker.observe).run()),
    ]
    await StreamDriver(dut, unit["inputs"]).play(drained(beats, latency + 1).stream)
    for monitor in monitors:
        monitor.cancel()
    mismatches = checker.finish()
    count_phase(beats.stream, checker.observed)
    log.info(
        "%d output beats checked over %d cycles, %d mismatches",
        checker.observed,
        beats.cycles,
        mismatches,
    )
    assert mismatches == 0, f"seed {seed}: {mismatches} mismatches in the {phase} phase"
    expected = [tuple(int(v) for v in row) for row in beats.expected]
    assert checker.predicted == expected, f"seed {seed}: monitor and stimulus disagree ({phase})"


@cocotb.test()
async def directed_rows(dut):
    """Corner rows back to back, then with bubbles inside and between their passes."""
    await run_phase(dut, "directed")


@cocotb.test()
async def random_rows(dut):
    """Random rows in segments with random bubbles, back to back."""
    await run_phase(dut, "random")


@cocotb.test()
async def coverage_closed(dut):
    """Print the coverage of both phases; fail if any bin is empty."""
    closed(*bench_settings(DEFAULT_VECTORS, DEFAULT_SEED)[::2])
