"""One GEMM through one engine: operands quantized as the engine takes them, results from the
transaction-level model checked against the golden model, cycles and traffic from the schedule,
and sampled tiles run cycle by cycle (the cycle model, and optionally the RTL).

Operands (absmax per row, round to nearest; SPEC section 1):

- ``sdr_engine``: activations to the A_BITS base (INT16) and razored once, where they are
  produced (SPEC 10: the engine reads SDR codes and flags from its buffer); weights to the
  W_BITS base (INT8) and razored offline; both by :func:`sim.sdr.encode` (round to nearest).
  Golden: :func:`sim.sdr.sdr_matmul` of those codes.
- ``int8_engine``: W8A8; ``int4_engine``: RTN W4A4 (:func:`sim.golden.int_matmul`).

A GEMM whose K does not tile the engine is refused, except where the caller allows zero padding
of K (the attention products, whose K is the sequence length): zeros add nothing to a dot
product and do not move an SDR group's leading one; the padded beats are counted as cycles.
"""

from dataclasses import dataclass, field

import numpy as np

from sim.cycle_models import run as run_cycle_model
from sim.golden.formats import SdrConfig
from sim.golden.integer import int_matmul
from sim.golden.quant import absmax_quantize
from sim.golden.sdr import SdrTensor, encode, sdr_matmul
from sim.system.engine.tile_model import int_engine_results, sdr_engine_results
from sim.system.engine.tiling import INT_BITS, plan
from sim.verify.backends import get_backend
from sim.verify.checker import check_stream
from sim.verify.streams import drained, tiled_beats

__all__ = ["Engine", "GemmRun", "run_gemm", "ENGINE_MODULES"]

ENGINE_MODULES = ("sdr_engine", "int8_engine", "int4_engine")
#: Activation rows of a tile checked cycle by cycle.
CHECK_ROWS = 4


@dataclass(frozen=True, eq=False)
class Engine:
    """An engine configuration: ``unit`` (the elaborated Amaranth component, for its LATENCY and
    the RTL backends) and its module name and SPEC-named parameters."""

    unit: object

    @property
    def module(self):
        return self.unit.MODULE_NAME

    @property
    def parameters(self):
        return self.unit.parameters

    @property
    def step(self):
        """K must be a multiple of this: the group (``sdr_engine``) or LANES."""
        return self.parameters.get("GROUP", self.parameters["LANES"])


@dataclass
class GemmRun:
    """What one GEMM (or, summed, several of one layer) cost and how exact it was."""

    calls: int = 0
    macs: int = 0
    cycles: int = 0
    beats: int = 0
    engine_macs: int = 0  # COLS x LANES x cycles
    activation_bits: float = 0.0
    weight_bits: float = 0.0
    dram_bits: float = 0.0
    results: int = 0
    mismatches: int = 0
    checked_tiles: int = 0
    checked_results: int = 0
    tile_mismatches: int = 0
    first_mismatch: dict | None = None
    signal: float = 0.0
    noise: float = 0.0
    shapes: set = field(default_factory=set)

    @property
    def utilization(self):
        return self.macs / self.engine_macs if self.engine_macs else 0.0

    @property
    def sqnr_db(self):
        if self.noise == 0:
            return float("inf")
        return float(10 * np.log10(self.signal / self.noise)) if self.signal else float("-inf")

    def add(self, other):
        """Sum ``other`` into this run."""
        for name in _COUNTS + _CHECKS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.first_mismatch = self.first_mismatch or other.first_mismatch
        self.shapes |= other.shapes

    def repeated(self, times):
        """This run's cost ``times`` over (identical GEMMs, such as heads), its checks once."""
        counts = {name: getattr(self, name) * times for name in _COUNTS}
        checks = {name: getattr(self, name) for name in _CHECKS}
        return GemmRun(**counts, **checks, first_mismatch=self.first_mismatch, shapes=self.shapes)


#: The cost fields of :class:`GemmRun` and its check fields.
_COUNTS = tuple("calls macs cycles beats engine_macs activation_bits weight_bits dram_bits".split())
_CHECKS = tuple(
    "results mismatches checked_tiles checked_results tile_mismatches signal noise".split()
)


def _padded_k(values, k):
    values = np.asarray(values)
    pad = k - values.shape[1]
    return np.pad(values, ((0, 0), (0, pad))) if pad else values


def _operands(engine, x, w):
    """``(engine operands, golden result, rescale)`` of float ``x`` ``[M, K]``, ``w`` ``[N, K]``:
    SDR tensors for ``sdr_engine`` (the activations razored once, here), integers otherwise."""
    p = engine.parameters
    if engine.module == "sdr_engine":
        qa, a_scale = absmax_quantize(x, p["A_BITS"], axis=-1)
        qw, w_scale = absmax_quantize(w, p["W_BITS"], axis=-1)
        ta = encode(qa, SdrConfig(p["A_BITS"], p["MAG_BITS"], p["GROUP"]))
        tw = encode(qw, SdrConfig(p["W_BITS"], p["MAG_BITS"], p["GROUP"]))
        golden = sdr_matmul(ta, tw, acc_bits=p["ACC_BITS"])
        return (ta, tw), golden, a_scale * w_scale.T
    bits = INT_BITS[engine.module]
    qa, a_scale = absmax_quantize(x, bits, axis=-1)
    qw, w_scale = absmax_quantize(w, bits, axis=-1)
    return (qa, qw), int_matmul(qa, qw, acc_bits=p["ACC_BITS"]), a_scale * w_scale.T


def _results(engine, operands):
    a, w = operands
    if engine.module == "sdr_engine":
        return sdr_engine_results(engine.parameters, a.code, a.flag, w.code, w.flag)
    return int_engine_results(engine.parameters, a, w)


def _rows(w, rows):
    if isinstance(w, SdrTensor):
        return SdrTensor(w.sign[rows], w.mag[rows], w.flag[rows], w.config)
    return w[rows]


def _check_tile(engine, operands, results, tile, rows, backends):
    """Run column tile ``tile`` against activation ``rows`` cycle by cycle on the cycle model
    (and ``backends``); ``(mismatches, results checked, first mismatch)``."""
    a, w = operands
    cols = engine.parameters["COLS"]
    columns = np.arange(tile * cols, min((tile + 1) * cols, len(results[0])))
    expected = results[np.ix_(rows, columns)]
    beats = tiled_beats(engine.unit, _rows(a, rows), _rows(w, columns), expected)
    beats = drained(beats, engine.unit.LATENCY)
    schedule = plan(engine.unit, len(rows), a.shape[1], len(columns))
    mismatches, first = 0, None
    outputs = {"model": run_cycle_model(engine.module, engine.parameters, beats.stream)}
    for backend in backends:
        outputs[backend] = get_backend(backend)(engine.unit, beats.stream)
    for name, out in outputs.items():
        check = check_stream(out, beats.stream, beats.expected, engine.unit.LATENCY)
        last = int(np.flatnonzero(out["out_valid"])[-1]) + 1 if np.any(out["out_valid"]) else 0
        if last != schedule.cycles:
            check.mismatches += 1
            check.first = check.first or {
                "cycles": last,
                "schedule_cycles": schedule.cycles,
            }
        mismatches += check.mismatches
        if check.first and first is None:
            first = {"on": name, "tile": int(tile), **check.first}
    return mismatches, len(beats.expected), first


def run_gemm(
    engine, x, w, shape=None, pad_k=False, check_tiles=0, backends=(), rng=None, dram=True
):
    """Run ``x @ w.T`` (float ``x`` ``[M, K]``, ``w`` ``[N, K]``) on ``engine``.

    ``shape`` ``(M, K, N)``: the GEMM that ``x`` and ``w`` sample (rows of ``x`` and of ``w``
    drawn from a larger GEMM); cycles and traffic are of ``shape``, results of the sample.
    ``check_tiles`` column tiles (chosen by ``rng``) run cycle by cycle on the cycle model and
    ``backends``. ``dram``: the weights come from DRAM once (``False`` for operands produced on
    chip, such as K and V). Returns ``(GemmRun, float result [M_sample, N_sample])``.
    """
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    m, k, n = shape or (x.shape[0], x.shape[1], w.shape[0])
    step = engine.step
    if k % step and not pad_k:
        raise ValueError(f"K={k} is not a multiple of {engine.module}'s {step} (GROUP or LANES)")
    padded = -(-k // step) * step
    operands, golden, scale = _operands(engine, _padded_k(x, padded), _padded_k(w, padded))
    results = _results(engine, operands)
    schedule = plan(engine.unit, m, padded, n)
    wrong = results != golden
    run = GemmRun(
        calls=1,
        macs=m * k * n,
        cycles=schedule.cycles,
        beats=schedule.beats,
        engine_macs=schedule.cycles * schedule.cols * schedule.lanes,
        activation_bits=schedule.activation_bits_read,
        weight_bits=schedule.weight_bits_read,
        dram_bits=n * padded * schedule.weight_bits if dram else 0.0,
        results=results.size,
        mismatches=int(wrong.sum()),
        shapes={(m, k, n)},
    )
    if wrong.any():
        i, j = (int(v) for v in np.argwhere(wrong)[0])
        run.first_mismatch = {
            "row": i,
            "col": j,
            "got": int(results[i, j]),
            "expected": int(golden[i, j]),
        }
    tiles = -(-results.shape[1] // engine.parameters["COLS"])
    rng = rng or np.random.default_rng(0)
    for tile in rng.choice(tiles, size=min(check_tiles, tiles), replace=False):
        rows = np.sort(rng.choice(len(results), size=min(CHECK_ROWS, len(results)), replace=False))
        bad, count, first = _check_tile(engine, operands, results, tile, rows, backends)
        run.checked_tiles += 1
        run.checked_results += count
        run.tile_mismatches += bad
        run.first_mismatch = run.first_mismatch or first
    out = results * scale
    reference = x @ w.T
    run.signal = float(np.sum(reference**2))
    run.noise = float(np.sum((out - reference) ** 2))
    return run, out
