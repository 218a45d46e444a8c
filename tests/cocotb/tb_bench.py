"""cocotb bench of one unit's exported Verilog: sdr_mac, int8_mac, int4_mac, decompress_mac or
sdr_encoder.

``tests/test_cocotb_benches.py`` builds and runs it; the unit comes from ``$QRAZOR_BENCH_UNIT``
(:func:`sim.rtl_cocotb.unit_record` as JSON). Phases, each from a fresh reset: directed corners,
random streams, an LLM-like workload; every result is checked in order, value and cycle, against
the golden model (:mod:`tb_model`) fed by the input monitor. Functional coverage is sampled over
the directed and random phases; the last test prints it and fails if a bin is empty.

Environment: ``QRAZOR_COCOTB_VECTORS`` (random transactions per run, default
:data:`DEFAULT_VECTORS`; it also sizes the LLM workload) and ``QRAZOR_SEED`` (default
:data:`DEFAULT_SEED`), both logged; ``QRAZOR_COVERAGE_FILE`` names a JSON file that receives the
coverage summary (``{"bins": n, "empty": [...]}``).
"""

import logging
import zlib

import cocotb
import numpy as np
from tb_components import (
    InOrderChecker,
    InputMonitor,
    OutputMonitor,
    StreamDriver,
    bench_settings,
    reset_unit,
)
from tb_coverage import UnitCoverage, closed, count_phase
from tb_model import MODELS
from tb_stimulus import STIMULI

from sim.verify.streams import drained

#: Random transactions per run when ``QRAZOR_COCOTB_VECTORS`` is not set (CI-sized).
DEFAULT_VECTORS = 200
#: Seed when ``QRAZOR_SEED`` is not set.
DEFAULT_SEED = 1

logging.getLogger("bench").setLevel(logging.INFO)  # the root logger's default, WARNING, hides it


async def run_phase(dut, phase, sample_coverage):
    """Drive one phase's stimulus, check every result, fail on any mismatch (naming the seed)."""
    unit, vectors, seed = bench_settings(DEFAULT_VECTORS, DEFAULT_SEED)
    module, parameters, latency = unit["module"], unit["parameters"], unit["latency"]
    log = logging.getLogger(f"bench.{module}.{phase}")
    log.info("seed %d (rerun with QRAZOR_SEED=%d), %d vectors, %s", seed, seed, vectors, parameters)
    rng = np.random.default_rng([seed, zlib.crc32(phase.encode())])
    beats = getattr(STIMULI[module](parameters), phase)(rng, vectors)
    coverage = UnitCoverage(module, parameters) if sample_coverage else None
    checker = InOrderChecker(
        MODELS[module](parameters), latency, seed, log, coverage.sample if coverage else None
    )
    await reset_unit(dut, unit["inputs"])
    monitors = [
        cocotb.start_soon(
            InputMonitor(
                dut, unit["inputs"], checker.expect, coverage.sample_idle if coverage else None
            ).run()
        ),
        cocotb.start_soon(OutputMonitor(dut, unit["outputs"], checker.observe).run()),
    ]
    await StreamDriver(dut, unit["inputs"]).play(drained(beats, latency + 1).stream)
    for monitor in monitors:
        monitor.cancel()
    mismatches = checker.finish()
    count_phase(beats.stream, checker.observed)
    log.info(
        "%d results checked over %d cycles, %d mismatches",
        checker.observed,
        beats.cycles,
        mismatches,
    )
    assert mismatches == 0, f"seed {seed}: {mismatches} mismatches in the {phase} phase"
    # The stimulus's batch results agree with the per-transaction model: nothing was dropped.
    expected = [tuple(np.atleast_1d(row).tolist()) for row in beats.expected]
    assert checker.predicted == expected, f"seed {seed}: monitor and stimulus disagree ({phase})"


@cocotb.test()
async def directed_corners(dut):
    """All-zero groups, every flag value, extreme operands, rounding overflow, accumulator wrap."""
    await run_phase(dut, "directed", sample_coverage=True)


@cocotb.test()
async def random_streams(dut):
    """Random transactions in segments with random bubbles, back to back."""
    await run_phase(dut, "random", sample_coverage=True)


@cocotb.test()
async def llm_workload(dut):
    """Every result of an LLM-like GEMM (the encoder: its quantized activations or weights)."""
    await run_phase(dut, "llm", sample_coverage=False)


@cocotb.test()
async def coverage_closed(dut):
    """Print the coverage of the directed and random phases; fail if any bin is empty."""
    closed(*bench_settings(DEFAULT_VECTORS, DEFAULT_SEED)[::2])
