"""Mapping a GEMM ``out[m, n] = a[m] . w[n]`` (``a`` ``[M, K]``, ``w`` ``[N, K]``) onto an engine
of COLS columns x LANES lanes.

Schedule (output stationary, weights pinned per column tile):

- the N weight rows are cut into ``ceil(N / COLS)`` column tiles; tile ``t`` gives column ``c``
  the row ``w[t * COLS + c]`` (a last, partial tile pads its idle columns with zero weights,
  whose results are dropped and counted as idle MACs);
- per tile, the M activation rows run back to back, each a dot product of ``K / LANES`` beats
  on every column at once (each column's accumulator holds one output: output stationary);
- tiles follow each other with no gap; the last results leave ``LATENCY`` cycles after the last
  beat.

Memory traffic (reads of the on-chip buffers, in bits): every tile streams all M activation rows
again, as they are stored (``sdr_engine``: SDR codes plus one flag per group, razored once where
they were produced; ``int8_engine``: INT8; ``int4_engine``: INT4), and every beat reads COLS x
LANES weights (the engine keeps no weights between rows): SDR codes plus one flag per group,
INT8 or INT4.
"""

from dataclasses import dataclass

from sim.golden.formats import SdrConfig, check_int

__all__ = ["Schedule", "plan", "INT_BITS"]

#: Operand width of the integer engines.
INT_BITS = {"int8_engine": 8, "int4_engine": 4}


@dataclass(frozen=True)
class Schedule:
    """Cycles, utilization and buffer traffic of one GEMM on one engine."""

    m: int
    k: int
    n: int
    cols: int
    lanes: int
    latency: int
    activation_bits: float
    weight_bits: float

    @property
    def tiles(self):
        return -(-self.n // self.cols)

    @property
    def beats(self):
        """Valid beats: every tile streams every activation row."""
        return self.tiles * self.m * (self.k // self.lanes)

    @property
    def cycles(self):
        """From the first beat to the last result (tiles back to back, then the drain)."""
        return self.beats + self.latency

    @property
    def macs(self):
        """Useful multiply-accumulates, ``M * N * K``."""
        return self.m * self.n * self.k

    @property
    def utilization(self):
        """Useful MACs over the engine's ``COLS * LANES`` MACs per cycle, drain included."""
        return self.macs / (self.cycles * self.cols * self.lanes)

    @property
    def activation_bits_read(self):
        return self.tiles * self.m * self.k * self.activation_bits

    @property
    def weight_bits_read(self):
        """Every beat's COLS x LANES weights, padded columns included."""
        return self.beats * self.cols * self.lanes * self.weight_bits


def plan(engine, m, k, n):
    """The :class:`Schedule` of ``[m, k] x [n, k]`` on ``engine`` (an ``sdr_engine`` or
    ``int8_engine`` / ``int4_engine`` unit). Raises ``ValueError`` when K does not tile the
    engine."""
    p = engine.parameters
    for name, value in (("m", m), ("k", k), ("n", n)):
        check_int(name, value, 1)
    step = p.get("GROUP", p["LANES"])
    if k % step:
        unit = "group size" if "GROUP" in p else "lanes"
        raise ValueError(
            f"k ({k}) must be a multiple of the {unit} ({step}) of {engine.MODULE_NAME}"
        )
    if engine.MODULE_NAME == "sdr_engine":
        a_config = SdrConfig(p["A_BITS"], p["MAG_BITS"], p["GROUP"])
        w_config = SdrConfig(p["W_BITS"], p["MAG_BITS"], p["GROUP"])
        activation_bits, weight_bits = a_config.bits_per_element, w_config.bits_per_element
    else:
        activation_bits = weight_bits = INT_BITS[engine.MODULE_NAME]
    return Schedule(m, k, n, p["COLS"], p["LANES"], engine.LATENCY, activation_bits, weight_bits)
