"""The AMS-PiM tile model (SPEC section 9): ``PimConfig`` and ``pim_matmul``.

Weights ``W[N, K]`` are stored bit-sliced, two's complement: bit ``j`` of output ``n`` in its
own bit-line (column ``n * weight_bits + j``), plane ``weight_bits - 1`` counting
``-2**(weight_bits-1)``.
The reduction axis is cut into chunks of ``rows`` word-lines, one tile row each (the last chunk
zero-padded); a tile holds ``columns`` bit-lines, so a matrix takes ``chunks x ceil(N *
weight_bits / columns)`` tiles, all working in parallel.

Activations arrive as SDR codes. Each element ``±q << flag`` is driven bit-serially by absolute
bit-plane ``p``, positive and negative elements in two phases (``sign_mode="split"``); its bits
at ``p`` are those of ``q`` at ``p - flag``, so only the planes inside its group's window
``[flag, flag + mag_bits)`` can carry a one. For one input vector, a chunk's *planes* are the
(plane, phase) pairs inside the union of its groups' windows (``planes_total``); with
``skip_zero_planes`` those whose input bits are all zero are skipped, with no cycle and no
conversion (``planes_skipped``). A driven plane puts ``s = sum_i x_i[p] w_i[j]`` on every
bit-line; the column ADC (:mod:`sim.rap.adc`) reads it and the periphery adds
``±2**(j + p) * ADC(s)``.

Cycles: a driven plane takes ``adc_share`` ADC cycles (bit-lines per ADC, converted in turn); a
vector takes the most driven planes of any of its chunks; vectors follow one another. A dynamic
matrix is first written one word-line per cycle into all its tiles at once (``write_cycles``).
"""

from dataclasses import dataclass

import numpy as np

from sim.golden.checks import int_array
from sim.golden.formats import check_choice, check_int
from sim.golden.sdr import decode
from sim.golden.sdr_tensor import SdrTensor
from sim.system.rap.adc import AdcColumns
from sim.system.rap.costs import ADC_MODELS
from sim.system.rap.pim_energy import energy_pj

__all__ = ["PimConfig", "PimResult", "pim_matmul", "MAX_ROWS"]

#: Word-lines per tile at most (keeps every bit-line sum and its weighted sum exact in float32).
MAX_ROWS = 4096
ADC_RANGES = ("low", "full")
SIGN_MODES = ("split",)
NOISE_REFERENCES = ("adc", "bitline")


def _check_fraction(name, value):
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), not {value!r}")
    return float(value)


@dataclass(frozen=True)
class PimConfig:
    """One AMS-PiM tile design and its non-idealities, validated on construction.

    ``rows`` word-lines per tile (1..4096); ``adc_bits`` (1..12) and ``adc_range`` (``"low"``,
    ``"full"``) of the column ADCs; ``weight_bits`` (2..8) of the stored weights;
    ``sign_mode`` ``"split"`` (positive, then negative inputs); ``skip_zero_planes``;
    ``noise_swing`` (Gaussian read noise), ``offset_sigma`` (per-column offset), fractions of the
    swing named by ``noise_reference`` (``"adc"``: the ADC's input range, ``"bitline"``: the
    bit-line's); ``gain_sigma`` (per-column relative gain); ``seed``. ``columns`` bit-lines per
    tile and ``adc_share`` bit-lines per ADC set the tile count and the cycles; ``adc_model``
    (one of :data:`~sim.rap.costs.ADC_MODELS`) and ``adc_rate_hz`` (conversions per second of
    one ADC) its energy and the latency.
    """

    rows: int = 128
    adc_bits: int = 4
    adc_range: str = "low"
    weight_bits: int = 8
    sign_mode: str = "split"
    skip_zero_planes: bool = True
    noise_swing: float = 0.0
    gain_sigma: float = 0.0
    offset_sigma: float = 0.0
    seed: int = 0
    noise_reference: str = "adc"
    columns: int = 128
    adc_share: int = 8
    adc_model: str = "walden"
    adc_rate_hz: float = 1.28e9

    def __post_init__(self):
        check_int("rows", self.rows, 1, MAX_ROWS)
        check_int("adc_bits", self.adc_bits, 1, 12)
        check_choice("adc_range", self.adc_range, ADC_RANGES)
        check_int("weight_bits", self.weight_bits, 2, 8)
        check_choice("sign_mode", self.sign_mode, SIGN_MODES)
        check_choice("skip_zero_planes", self.skip_zero_planes, (True, False))
        for name in ("noise_swing", "gain_sigma", "offset_sigma"):
            object.__setattr__(self, name, _check_fraction(name, getattr(self, name)))
        check_int("seed", self.seed, 0)
        check_choice("noise_reference", self.noise_reference, NOISE_REFERENCES)
        check_int("columns", self.columns, 1)
        check_int("adc_share", self.adc_share, 1, self.columns)
        check_choice("adc_model", self.adc_model, ADC_MODELS)
        rate = self.adc_rate_hz
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 1e3 <= rate <= 1.6e10:
            raise ValueError(f"adc_rate_hz must be a number in [1e3, 1.6e10], not {rate!r}")


@dataclass(frozen=True, eq=False)
class PimResult:
    """``y`` int64 ``[M, N]`` and ``stats``: counts, ``latency_s`` and ``energy_pj`` (a dict by
    component, :mod:`sim.rap.pim_energy`)."""

    y: np.ndarray
    stats: dict


def _weight_planes(w, config, chunks):
    """Bit planes of ``w`` as float32 ``[chunks, rows, N * weight_bits]`` and column weights."""
    bits = config.weight_bits
    n, k = w.shape
    unsigned = (w & ((1 << bits) - 1)).astype(np.uint16)
    planes = (unsigned[:, :, None] >> np.arange(bits, dtype=np.uint16)) & 1  # [N, K, bits]
    padded = np.zeros((chunks * config.rows, n, bits), np.float32)
    padded[:k] = planes.transpose(1, 0, 2)
    column_weight = (2.0 ** np.arange(bits)).astype(np.float32)
    column_weight[-1] = -column_weight[-1]
    return padded.reshape(chunks, config.rows, n * bits), column_weight


def _chunked(array, chunks, rows):
    """``[M, K]`` zero-padded along K and cut into ``[M, chunks, rows]``."""
    padded = np.zeros((array.shape[0], chunks * rows), array.dtype)
    padded[:, : array.shape[1]] = array
    return padded.reshape(array.shape[0], chunks, rows)


def pim_matmul(ta, w, config=None, *, dynamic=False, stream=0):
    """``y[m, n] = sum_k x[m, k] * w[n, k]`` on AMS-PiM tiles, as :mod:`sim.rap.pim` describes.

    ``ta`` an :class:`~sim.sdr_tensor.SdrTensor` ``[M, K]``; ``w`` integers ``[N, K]`` within
    ``weight_bits``; ``dynamic``: the matrix is written into the tiles for this call (attention's
    K and V), counted in ``stats["weight_bits_written"]``; ``stream`` selects an independent
    random stream of ``config.seed`` (one per tile set: its own column variation and noise).
    """
    config = PimConfig() if config is None else config
    if not isinstance(config, PimConfig):
        raise ValueError(f"config must be a PimConfig, not {type(config).__name__}")
    if not isinstance(ta, SdrTensor) or ta.mag.ndim != 2:
        raise ValueError("ta must be a 2-D SdrTensor [M, K]")
    low, high = -(1 << (config.weight_bits - 1)), (1 << (config.weight_bits - 1)) - 1
    w = int_array("w", w, low, high).astype(np.int64)
    if w.ndim != 2 or w.shape[1] != ta.shape[1]:
        raise ValueError(f"w must be [N, K={ta.shape[1]}], not shape {w.shape}")
    check_int("stream", stream, 0)
    rows, m = config.rows, ta.shape[0]
    chunks = -(-ta.shape[1] // rows)
    n_columns = w.shape[0] * config.weight_bits
    x = decode(ta)
    magnitude = _chunked(np.abs(x), chunks, rows)
    negative = _chunked(x < 0, chunks, rows)
    flag = _chunked(ta.element_flag().astype(np.int64), chunks, rows)
    in_use = _chunked(np.ones_like(x, bool), chunks, rows)
    weights, column_weight = _weight_planes(w, config, chunks)
    rng = np.random.default_rng([config.seed, stream])
    adc = AdcColumns(config, (chunks, 1, n_columns), rng)

    y = np.zeros((m, w.shape[0]), np.float64)
    driven_planes = np.zeros((m, chunks), np.int64)
    counts = dict.fromkeys(("planes_total", "planes_skipped", "clipped", "wordline_pulses"), 0)
    for plane in range(ta.config.base_bits - 1):
        bit = ((magnitude >> plane) & 1).astype(bool)
        window = ((flag <= plane) & (plane < flag + ta.config.mag_bits) & in_use).any(axis=-1)
        for sign, phase in ((1.0, ~negative), (-1.0, negative)):
            bits = bit & phase
            active = bits.any(axis=-1)
            driven = window & active if config.skip_zero_planes else window
            counts["planes_total"] += int(window.sum())
            counts["planes_skipped"] += int((window & ~driven).sum())
            if not driven.any():
                continue
            driven_planes += driven
            vectors = np.flatnonzero(driven.any(axis=1))
            chosen = bits[vectors].transpose(1, 0, 2).astype(np.float32)  # [chunks, v, rows]
            counts["wordline_pulses"] += int(chosen.sum(axis=-1)[driven[vectors].T].sum())
            sums = np.matmul(chosen, weights)  # [chunks, v, columns]
            estimate, clips = adc.read(sums)
            mask = driven[vectors].T[:, :, None]
            counts["clipped"] += int(np.count_nonzero(clips & mask))
            partial = estimate.reshape(chunks, len(vectors), -1, config.weight_bits) @ column_weight
            partial = (partial * driven[vectors].T[:, :, None]).sum(axis=0, dtype=np.float64)
            y[vectors] += sign * 2.0**plane * partial
    conversions = int(driven_planes.sum()) * n_columns
    column_tiles = -(-n_columns // config.columns)
    stats = {
        "vectors": m,
        "tiles": chunks * column_tiles,
        "conversions": conversions,
        "clipped": counts["clipped"],
        "planes_total": counts["planes_total"],
        "planes_skipped": counts["planes_skipped"],
        "planes_driven": int(driven_planes.sum()),
        "cycles": int(driven_planes.max(axis=1, initial=0).sum()) * config.adc_share,
        "wordline_pulses": counts["wordline_pulses"] * column_tiles,
        "weight_bits_written": int(w.size * config.weight_bits) if dynamic else 0,
        "write_cycles": min(ta.shape[1], rows) if dynamic else 0,
        "input_bits_read": int(
            ta.mag.size * ta.config.code_bits + ta.flag.size * ta.config.flag_bits
        ),
        "macs": int(m * w.size),
        "results": int(m * w.shape[0]),
    }
    stats["latency_s"] = (stats["cycles"] + stats["write_cycles"]) / config.adc_rate_hz
    stats["energy_pj"] = energy_pj(stats, config)
    return PimResult(np.rint(y).astype(np.int64), stats)
