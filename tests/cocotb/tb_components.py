"""cocotb components of the benches: stream driver, input and output monitors, in-order checker.

Timing, with the clock low in the first half of each cycle: the driver writes a cycle's inputs at
its falling edge (mid-cycle), the input monitor samples them at the rising edge that ends the
cycle (the edge the unit samples them on), and the output monitor samples the unit's registered
outputs at the falling edge. Cycle ``c`` spans ``[c, c+1)`` clock periods of simulated time, so
both monitors number cycles alike and the checker can verify each result's latency.
"""

import collections
import json
import os

from cocotb.clock import Clock
from cocotb.simtime import get_sim_time
from cocotb.triggers import FallingEdge, RisingEdge

from sim.verify.ports import stream_cycles, unpack_lanes
from sim.verify.rtl_cocotb import CLOCK_PERIOD_NS, port_changes, writes_by_cycle

__all__ = [
    "bench_settings",
    "reset_unit",
    "current_cycle",
    "read_port",
    "StreamDriver",
    "InputMonitor",
    "OutputMonitor",
    "InOrderChecker",
]


def bench_settings(default_vectors, default_seed):
    """``(unit record, vectors, seed)`` of a bench: ``$QRAZOR_BENCH_UNIT`` (JSON),
    ``$QRAZOR_COCOTB_VECTORS`` and ``$QRAZOR_SEED`` or the bench's defaults."""
    unit = json.loads(os.environ["QRAZOR_BENCH_UNIT"])
    vectors = int(os.environ.get("QRAZOR_COCOTB_VECTORS", default_vectors))
    seed = int(os.environ.get("QRAZOR_SEED", default_seed))
    return unit, vectors, seed


async def reset_unit(dut, inputs):
    """Start the clock, hold ``rst`` for one rising edge; return at the next falling edge."""
    dut.rst.value = 1
    for name, *_ in inputs:
        getattr(dut, name).value = 0
    Clock(dut.clk, CLOCK_PERIOD_NS, unit="ns").start(start_high=False)
    await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.rst.value = 0


#: Mismatches described in the log (all are counted).
LOGGED_MISMATCHES = 5


def current_cycle():
    """The clock cycle the simulation is in."""
    return int(get_sim_time("ns") // CLOCK_PERIOD_NS)


def read_port(handle):
    """The unsigned integer on ``handle``; an X or Z bit is an error naming the port."""
    text = str(handle.value)
    if text.strip("01"):
        raise AssertionError(f"{handle._name} is {text} (not 0/1) at cycle {current_cycle()}")
    return int(text, 2)


def _lanes(values, width, count, signed):
    lanes = unpack_lanes(values, width, count or 1, signed)
    return lanes[:, 0] if count is None else lanes


class StreamDriver:
    """Drives a stream (:mod:`sim.ports` format) into the unit, one row per cycle.

    ``inputs`` lists the ports as :func:`sim.rtl_cocotb.unit_record` does. Start it
    at a falling edge: row ``c`` is written at the ``c``-th falling edge from there.
    """

    def __init__(self, dut, inputs):
        self.dut, self.inputs = dut, inputs

    async def play(self, stream):
        middle = FallingEdge(self.dut.clk)
        changes = port_changes(stream, self.inputs)
        for writes in writes_by_cycle(self.dut, changes, stream_cycles(stream)):
            for handle, value in writes:
                handle.value = value
            await middle


class InputMonitor:
    """Collects the valid beats the unit samples and hands over each finished transaction.

    A transaction ends with a valid ``in_last`` beat (MAC) or with every valid beat (a unit
    without ``in_last``); ``on_transaction(txn, cycle)`` receives ``{port: array}`` (one row per
    beat; handshake ports left out) and the cycle of its last beat. ``on_idle(run)`` receives
    the number of idle cycles before each valid beat but the first.
    """

    def __init__(self, dut, inputs, on_transaction, on_idle=None):
        self.dut, self.on_transaction, self.on_idle = dut, on_transaction, on_idle
        self.ports = [
            (getattr(dut, name), name, spec)
            for name, *spec in inputs
            if name not in ("in_valid", "in_last")
        ]
        has_last = any(name == "in_last" for name, *_ in inputs)
        self.ends = (lambda: read_port(dut.in_last)) if has_last else (lambda: 1)

    async def run(self):
        edge, beats, previous = RisingEdge(self.dut.clk), [], None
        while True:
            await edge
            if not read_port(self.dut.in_valid):
                continue
            cycle = current_cycle()
            if previous is not None and self.on_idle is not None:
                self.on_idle(cycle - previous - 1)
            previous = cycle
            beats.append([read_port(handle) for handle, *_ in self.ports])
            if self.ends():
                columns = list(zip(*beats, strict=True))
                txn = {
                    name: _lanes(values, *spec)
                    for (_, name, spec), values in zip(self.ports, columns, strict=True)
                }
                beats = []
                self.on_transaction(txn, cycle)


class OutputMonitor:
    """Reads every output but ``out_valid`` on the cycles where ``out_valid`` is 1.

    ``on_result(result, cycle)`` receives a tuple of ints: each port's lanes in order, signed
    ports decoded as signed.
    """

    def __init__(self, dut, outputs, on_result):
        self.dut, self.on_result = dut, on_result
        self.ports = [
            (getattr(dut, name), width, count, signed)
            for name, width, count, signed in outputs
            if name != "out_valid"
        ]

    async def run(self):
        edge = FallingEdge(self.dut.clk)
        while True:
            await edge
            if read_port(self.dut.out_valid):
                result = []
                for handle, width, count, signed in self.ports:
                    result += _lanes([read_port(handle)], width, count, signed).reshape(-1).tolist()
                self.on_result(tuple(result), current_cycle())


class InOrderChecker:
    """Compares observed results, in order, with the model's predictions and their due cycles.

    ``expect`` (wired to the input monitor) asks ``model`` for the result of a transaction and
    lets ``sample`` (coverage) see its features; ``observe`` (wired to the output monitor)
    compares. A result with the wrong value or on the wrong cycle, a missing one and an extra
    one each count as a mismatch; the first few are logged with the seed.
    """

    def __init__(self, model, latency, seed, log, sample=None):
        self.model, self.latency, self.seed, self.log = model, latency, seed, log
        self.sample = sample
        self.pending = collections.deque()
        self.predicted, self.observed, self.mismatches = [], 0, 0

    def expect(self, txn, cycle):
        prediction = self.model.predict(txn)
        if self.sample is not None:
            self.sample(prediction.features)
        self.pending.append((prediction.result, cycle + self.latency, txn))
        self.predicted.append(prediction.result)

    def _mismatch(self, message):
        self.mismatches += 1
        if self.mismatches <= LOGGED_MISMATCHES:
            self.log.error("seed %s: %s", self.seed, message)

    def observe(self, result, cycle):
        self.observed += 1
        if not self.pending:
            self._mismatch(f"unexpected result {result} at cycle {cycle}")
            return
        want, due, txn = self.pending.popleft()
        if result != want or cycle != due:
            operands = {port: values.tolist() for port, values in txn.items()}
            self._mismatch(
                f"result {self.observed - 1}: got {result} at cycle {cycle}, expected "
                f"{want} at cycle {due}; operands {operands}"
            )

    def finish(self):
        """Count the predicted results that never appeared; return the mismatch count."""
        for want, due, _ in self.pending:
            self._mismatch(f"missing result {want} due at cycle {due}")
        self.pending.clear()
        return self.mismatches
