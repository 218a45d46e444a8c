"""Run a GEMM workload through the MAC units on a backend and check every result.

Each unit gets the operands of its own format: ``sdr_mac`` and ``decompress_mac`` the QRazor SDR
codes (A16 -> SDR, W8 -> SDR), ``int8_mac`` W8A8 integers. Every dot product is checked against
the golden model, value and cycle.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from hw.designs import build, elaborated
from sim.verify.backends import get_backend, prepare
from sim.verify.checker import Check, check_stream
from sim.verify.streams import drained, int_mac_beats, sdr_mac_beats
from sim.workloads.metrics import sqnr_db
from sim.workloads.schemes import golden_product, integer_gemm, qrazor_gemm

__all__ = ["MAC_UNITS", "RUNNABLE_UNITS", "UnitRun", "unit_gemm", "unit_parameters", "run_unit"]

#: The MAC units of the comparison, in table order.
MAC_UNITS = ("sdr_mac", "int8_mac", "decompress_mac")
#: Every MAC unit ``run_unit`` can run (``int4_mac``: W4A4 integers, on request).
RUNNABLE_UNITS = (*MAC_UNITS, "int4_mac")
#: Operand bits of the integer baselines.
_INT_BITS = {"int8_mac": 8, "int4_mac": 4}


@dataclass
class UnitRun:
    """Figures of one unit's run."""

    unit: str
    scheme: str
    parameters: dict
    cycles: int
    macs: int
    latency: int
    seconds: float
    check: Check
    sqnr_db: float
    a_bits_per_element: float
    w_bits_per_element: float
    first_operands: dict = field(default_factory=dict)
    #: Dot products whose exact value does not fit ACC_BITS (the unit and golden model wrap).
    wrapped: int = 0

    @property
    def macs_per_cycle(self):
        return self.macs / self.cycles

    @property
    def cycles_per_second(self):
        return self.cycles / self.seconds if self.seconds > 0 else float("inf")

    def as_dict(self):
        """JSON-ready record (units in the key names), without the wall-clock figures."""
        return {
            "unit": self.unit,
            "scheme": self.scheme,
            "parameters": self.parameters,
            "cycles": self.cycles,
            "macs": self.macs,
            "macs_per_cycle": self.macs_per_cycle,
            "latency_cycles": self.latency,
            "results": self.check.results,
            "mismatches": self.check.mismatches,
            "first_mismatch": self.check.first,
            "first_mismatch_operands": self.first_operands,
            "sqnr_db": self.sqnr_db,
            "a_bits_per_element": self.a_bits_per_element,
            "w_bits_per_element": self.w_bits_per_element,
            "accumulator_wrapped": self.wrapped,
        }


def unit_gemm(name, workload, group):
    """The quantized operands unit ``name`` consumes."""
    if name in _INT_BITS:
        return integer_gemm(workload, _INT_BITS[name], _INT_BITS[name])
    return qrazor_gemm(workload, group)


def unit_parameters(name, *, lanes, group, acc_bits):
    """SPEC-named parameters of unit ``name`` (the integer baselines take no GROUP)."""
    parameters = {"LANES": lanes, "ACC_BITS": acc_bits}
    if name not in _INT_BITS:
        parameters["GROUP"] = group
    return parameters


def _beats(unit, gemm):
    expected = golden_product(gemm, acc_bits=unit.parameters["ACC_BITS"])
    lanes = unit.parameters["LANES"]
    if isinstance(gemm.a, np.ndarray):
        return int_mac_beats(gemm.a, gemm.w, lanes, expected)
    return sdr_mac_beats(gemm.a, gemm.w, lanes, expected)


def _operands(gemm, result):
    """The operands of dot product ``result`` (row-major over the output), for a failure report."""
    row, column = divmod(result, len(gemm.w_scale))

    def describe(operand, index):
        if isinstance(operand, np.ndarray):
            return {"values": operand[index].tolist()}
        return {"codes": operand.code[index].tolist(), "flags": operand.flag[index].tolist()}

    return {"row": row, "column": column, "a": describe(gemm.a, row), "w": describe(gemm.w, column)}


def run_unit(name, workload, backend, *, lanes, group, acc_bits, vcd_path=None, progress=None):
    """Build unit ``name``, run ``workload`` through it on ``backend`` and check it.

    The backend's one-time work (a Verilator build) is done before the clock starts, so
    ``seconds`` and the simulated cycles per second measure the simulation alone.
    """
    parameters = unit_parameters(name, lanes=lanes, group=group, acc_bits=acc_bits)
    unit = elaborated(build(name, **parameters))
    gemm = unit_gemm(name, workload, group)
    wrapped = int(np.count_nonzero(golden_product(gemm, acc_bits=acc_bits) != golden_product(gemm)))
    beats = drained(_beats(unit, gemm), unit.LATENCY)
    simulate = get_backend(backend)
    prepare(backend, unit, waves=vcd_path is not None)
    start = time.perf_counter()
    outputs = simulate(unit, beats.stream, vcd_path=vcd_path, progress=progress)
    seconds = time.perf_counter() - start
    check = check_stream(outputs, beats.stream, beats.expected, unit.LATENCY)
    results = np.asarray(outputs["out"])[np.flatnonzero(outputs["out_valid"])]
    reference = workload.reference()
    sqnr = (
        sqnr_db(reference, gemm.rescale(results.reshape(reference.shape)))
        if results.size == reference.size
        else float("nan")
    )
    m, k, n = workload.shape
    return UnitRun(
        unit=name,
        scheme=gemm.name,
        parameters=dict(unit.parameters),
        cycles=beats.cycles,
        macs=m * k * n,
        latency=unit.LATENCY,
        seconds=seconds,
        check=check,
        sqnr_db=sqnr,
        a_bits_per_element=gemm.a_bits_per_element,
        w_bits_per_element=gemm.w_bits_per_element,
        first_operands=_operands(gemm, check.first["result"])
        if check.first.get("result") is not None
        else {},
        wrapped=wrapped,
    )
