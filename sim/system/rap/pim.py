"""The AMS-PiM tile model (SPEC section 9): ``PimConfig`` and ``pim_matmul``.

Weights ``W[N, K]`` are stored bit-sliced, two's complement: bit ``j`` of output ``n`` in its
own bit-line (column ``n * weight_bits + j``), plane ``weight_bits - 1`` counting
``-2**(weight_bits-1)``. The reduction axis is cut into chunks of ``rows`` word-lines, one tile
row each (the last chunk zero-padded); a tile holds ``columns`` bit-lines, so a matrix takes
``chunks x ceil(N * weight_bits / columns)`` tiles, all working in parallel.

Inputs (``input_format``) are razored inside and driven bit-serially by absolute bit-plane ``P``:

* ``"emsb"`` (RAP): :func:`~sim.golden.rap.emsb.emsb_razor` per group of ``group`` elements
  (default: one group per chunk) to ``target_bits`` T; ``sign_mode="split"`` drives the
  magnitude planes ``[shift, shift + T - 1)`` of ``|x' << shift|``, positive and negative
  elements in two phases; ``"twos"`` drives planes ``[shift, shift + T)`` of ``x' << shift`` in
  one phase, the top one counting negative (a phase of its own where groups' shifts differ).
* ``"sdr"``: QRazor SDR codes (``mag_bits = target_bits - 1`` on an ``input_bits`` base, groups
  of ``group``, default 16; or an :class:`SdrTensor` as given), sign-magnitude in two phases,
  planes ``[flag, flag + mag_bits)``.

For one input vector, a chunk's *planes* are the (plane, phase) pairs inside the union of its
elements' windows (``planes_total``); those whose input bits are all zero are skipped
(``planes_skipped``; with ``skip_zero_planes=False`` dense mode drives them anyway).

Matrix-vector product (``mvm``):

* ``"sparse"`` (RAP, US 2026/0187190 A1): a plane's bit-vector with popcount ``c`` is split in
  word-line order into ``ceil(c / k)`` partial vectors of at most ``k = max_active_rows`` ones
  (:mod:`sim.golden.rap.row_split`); each partial takes one conversion per bit-line; a plane's
  partial codes are summed in a narrow adder and shift-added once. A bit-line sum is at most
  ``k <= 2**adc_bits - 1``, so the ADC never clips: noise-free, ``y == razored(x) @ w.T``.
* ``"dense"`` (the conventional design, and RAP's ablation): all rows at once, one conversion
  per (plane, phase, bit-line); a low-range ADC clips at ``2**adc_bits - 1``.

Cycles: a partial (dense: a driven plane) takes ``adc_share`` ADC cycles (bit-lines per ADC,
converted in turn); a vector takes the most partials of any of its chunks (chunks run in
parallel tiles); vectors follow one another. A dynamic matrix is first written one word-line per
cycle into all its tiles at once (``write_cycles``).
"""

from dataclasses import dataclass

import numpy as np

from sim.golden.checks import int_array
from sim.golden.formats import GROUPS, SdrConfig, check_choice, check_int
from sim.golden.rap.emsb import MAX_INPUT_BITS, TARGET_BITS_RANGE, emsb_razor
from sim.golden.rap.row_split import partial_count, partial_index
from sim.golden.sdr import decode, encode
from sim.golden.sdr_tensor import SdrTensor
from sim.system.rap.adc import AdcColumns
from sim.system.rap.costs import ADC_MODELS, adc_area_um2
from sim.system.rap.pim_energy import energy_pj

__all__ = [
    "PimConfig",
    "PimResult",
    "pim_matmul",
    "sparse_plane_sums",
    "MAX_ROWS",
    "INPUT_FORMATS",
    "MVMS",
    "SIGN_MODES",
]

#: Word-lines per tile at most (keeps every bit-line sum and its weighted sum exact in float32).
MAX_ROWS = 4096
ADC_RANGES = ("low", "full")
INPUT_FORMATS = ("emsb", "sdr")
MVMS = ("sparse", "dense")
SIGN_MODES = ("split", "twos")
NOISE_REFERENCES = ("bitline", "adc")
#: Group size of ``input_format="sdr"`` when ``group`` is None (SPEC section 2's default).
SDR_DEFAULT_GROUP = 16


def _check_fraction(name, value):
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), not {value!r}")
    return float(value)


@dataclass(frozen=True)
class PimConfig:
    """One AMS-PiM tile design and its non-idealities, validated on construction.

    Array: ``rows`` word-lines per tile (1..4096), ``columns`` bit-lines per tile,
    ``weight_bits`` (2..8). ADC: ``adc_bits`` (1..12), ``adc_range`` (``"low"``: one code per
    unit of the bit-line sum, clipping; ``"full"``: the most active rows spread over the codes),
    ``adc_share`` bit-lines per ADC (so ``ceil(columns / adc_share)`` ADCs per tile),
    ``adc_model`` (energy and area per conversion, :data:`~sim.system.rap.costs.ADC_MODELS`) at
    ``adc_rate_hz`` conversions per second. Inputs: ``input_format`` (``"emsb"``, ``"sdr"``) of
    ``input_bits``-bit two's-complement integers (2..48; 8 or 16 for ``"sdr"``), razored to
    ``target_bits`` (2..16) per ``group`` elements, driven by ``sign_mode`` (``"split"``;
    ``"twos"`` with ``"emsb"`` only). Product: ``mvm`` (``"sparse"``, ``"dense"``),
    ``max_active_rows`` k of a sparse partial (default ``2**adc_bits - 1``, at most ``rows``),
    ``skip_zero_planes``. Non-idealities: Gaussian read noise ``noise_swing`` and per-column
    ``offset_sigma``, fractions of the swing named by ``noise_reference`` (``"bitline"``: the most
    word-lines a conversion activates, k sparse or ``rows`` dense; ``"adc"``: the ADC's input
    range); per-column relative ``gain_sigma``; ``seed``.
    """

    rows: int = 128
    adc_bits: int = 3
    adc_range: str = "low"
    weight_bits: int = 8
    input_format: str = "emsb"
    target_bits: int = 8
    group: int | None = None
    mvm: str = "sparse"
    max_active_rows: int | None = None
    sign_mode: str = "split"
    noise_swing: float = 0.0
    noise_reference: str = "bitline"
    gain_sigma: float = 0.0
    offset_sigma: float = 0.0
    seed: int = 0
    input_bits: int = 16
    skip_zero_planes: bool = True
    columns: int = 128
    adc_share: int = 8
    adc_model: str = "walden"
    adc_rate_hz: float = 1.28e9

    def __post_init__(self):
        check_int("rows", self.rows, 1, MAX_ROWS)
        check_int("adc_bits", self.adc_bits, 1, 12)
        check_choice("adc_range", self.adc_range, ADC_RANGES)
        check_int("weight_bits", self.weight_bits, 2, 8)
        check_choice("input_format", self.input_format, INPUT_FORMATS)
        check_int("target_bits", self.target_bits, *TARGET_BITS_RANGE)
        check_choice("mvm", self.mvm, MVMS)
        check_choice("sign_mode", self.sign_mode, SIGN_MODES)
        if self.sign_mode == "twos" and self.input_format != "emsb":
            raise ValueError(
                f"sign_mode 'twos' needs input_format 'emsb', not {self.input_format!r} "
                "(SDR codes are sign-magnitude)"
            )
        if self.input_format == "sdr":
            check_choice("input_bits", self.input_bits, (8, 16))
            if self.target_bits - 1 >= self.input_bits - 1:
                raise ValueError(
                    f"target_bits ({self.target_bits}) must leave a razor on the "
                    f"{self.input_bits}-bit SDR base: at most {self.input_bits - 1}"
                )
            if self.group is not None:
                check_choice("group", self.group, GROUPS)
        else:
            check_int("input_bits", self.input_bits, 2, MAX_INPUT_BITS)
            if self.group is not None:
                check_int("group", self.group, 1, self.rows)
                if self.rows % self.group:
                    raise ValueError(f"group ({self.group}) must divide rows ({self.rows})")
        if self.max_active_rows is not None:
            check_int("max_active_rows", self.max_active_rows, 1, self.rows)
            if self.mvm == "dense":
                raise ValueError("max_active_rows applies to mvm 'sparse' only, not 'dense'")
        if self.mvm == "sparse" and self.adc_range == "low" and self.k > self.adc_top:
            raise ValueError(
                f"max_active_rows ({self.k}) exceeds what a {self.adc_bits}-bit low-range ADC "
                f"reads ({self.adc_top}): use at least {self.k.bit_length()} adc_bits"
            )
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

    @property
    def adc_top(self):
        """The ADC's top code, ``2**adc_bits - 1``."""
        return (1 << self.adc_bits) - 1

    @property
    def k(self):
        """Word-lines one conversion activates at most: ``max_active_rows`` (default the ADC's
        top code, at most ``rows``) for sparse, ``rows`` for dense."""
        if self.mvm == "dense":
            return self.rows
        return self.max_active_rows or min(self.adc_top, self.rows)

    @property
    def group_size(self):
        """Elements per razoring group: ``group``, else one chunk (eMSB) or 16 (SDR)."""
        if self.group is not None:
            return self.group
        return self.rows if self.input_format == "emsb" else SDR_DEFAULT_GROUP

    @property
    def adcs_per_tile(self):
        return -(-self.columns // self.adc_share)


@dataclass(frozen=True, eq=False)
class PimResult:
    """``y`` int64 ``[M, N]`` and ``stats``: counts, ``latency_s`` and ``energy_pj`` (a dict by
    component, :mod:`sim.system.rap.pim_energy`)."""

    y: np.ndarray
    stats: dict


@dataclass(frozen=True, eq=False)
class _Drive:
    """What is driven, per element ``[M, chunks, rows]``: the absolute bit pattern, its sign,
    and the window of planes ``[low, high)`` (``high - 1`` the negative plane in twos). Where
    every element of a (vector, chunk) shares ``low`` (one razoring group per chunk), planes are
    walked relative to it (``base`` ``[M, chunks]``: plane ``d`` is absolute plane ``base + d``),
    else absolutely (``base`` 0)."""

    pattern: np.ndarray
    negative: np.ndarray
    low: np.ndarray
    high: np.ndarray
    in_use: np.ndarray
    twos: bool
    input_bits_read: int

    def __post_init__(self):
        lowest = np.where(self.in_use, self.low, np.iinfo(np.int64).max).min(axis=-1)
        highest = np.where(self.in_use, self.low, 0).max(axis=-1)
        uniform = bool(np.all((lowest == highest) | ~self.in_use.any(axis=-1)))
        base = np.where(self.in_use.any(axis=-1), lowest, 0) if uniform else np.zeros_like(highest)
        object.__setattr__(self, "base", base)

    def planes(self):
        """The plane offsets ``d`` to walk."""
        offsets = np.where(self.in_use, self.low - self.base[..., None], 0)
        ends = np.where(self.in_use, self.high - self.base[..., None], 0)
        return range(int(offsets.min(initial=0)), int(ends.max(initial=0)))

    def phases(self, d):
        """``[(sign, bits, window)]`` of plane offset ``d``: bits ``[M, chunks, rows]``, window
        ``[M, chunks]`` (the plane lies inside some element's window for that phase)."""
        plane = self.base[..., None] + d
        inside = (self.low <= plane) & (plane < self.high) & self.in_use
        bit = ((self.pattern >> plane) & 1).astype(bool) & inside
        if not self.twos:
            window = inside.any(axis=-1)
            return [(1, bit & ~self.negative, window), (-1, bit & self.negative, window)]
        top = plane == self.high - 1
        return [
            (1, bit & ~top, (inside & ~top).any(axis=-1)),
            (-1, bit & top, (inside & top).any(axis=-1)),
        ]


def _chunked(array, chunks, rows):
    """``[M, K]`` zero-padded along K and cut into ``[M, chunks, rows]``."""
    padded = np.zeros((array.shape[0], chunks * rows), array.dtype)
    padded[:, : array.shape[1]] = array
    return padded.reshape(array.shape[0], chunks, rows)


def _padded_k(array, multiple):
    pad = -array.shape[1] % multiple
    return np.pad(array, ((0, 0), (0, pad))) if pad else array


def _drive(x, config, chunks):
    """Razor ``x`` by ``config.input_format`` and lay it out for driving."""
    rows, k = config.rows, x.shape[1]
    if isinstance(x, SdrTensor) or config.input_format == "sdr":
        if not isinstance(x, SdrTensor):
            sdr = SdrConfig(config.input_bits, config.target_bits - 1, config.group_size)
            x = encode(_padded_k(x, sdr.group), sdr)
        value = decode(x)[:, :k]
        low = x.element_flag().astype(np.int64)[:, :k]
        high = low + x.config.mag_bits
        twos = False
        pattern = np.abs(value)
        bits_read = x.mag.size * x.config.code_bits + x.flag.size * x.config.flag_bits
    else:
        razored, shift = emsb_razor(
            _padded_k(x, config.group_size),
            config.input_bits,
            config.target_bits,
            config.group_size,
        )
        low = np.repeat(shift, config.group_size, axis=1)[:, :k]
        razored = razored[:, :k]
        value = razored << low
        twos = config.sign_mode == "twos"
        high = low + config.target_bits - (0 if twos else 1)
        mask = (1 << config.target_bits) - 1
        pattern = (razored & mask) << low if twos else np.abs(value)
        bits_read = razored.size * config.target_bits + shift.size * config.input_bits.bit_length()
    return _Drive(
        _chunked(pattern, chunks, rows),
        _chunked(value < 0, chunks, rows),
        _chunked(low, chunks, rows),
        _chunked(high, chunks, rows),
        _chunked(np.ones(value.shape, bool), chunks, rows),
        twos,
        int(bits_read),
    )


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


def sparse_plane_sums(chosen, weights, adc, k):
    """Per (chunk, vector, bit-line), the sum of a plane's partial codes, converting partial by
    partial: ``chosen`` bool ``[chunks, v, rows]`` is split into partials of at most ``k`` ones
    (:func:`~sim.golden.rap.row_split.partial_index`), each partial's bit-line sums (the weight
    rows of its at most ``k`` word-lines, added) read by ``adc`` (an :class:`AdcColumns`).
    Returns ``(codes, clipped)``: float32 ``[chunks, v, bit-lines]`` sums of codes and the
    clipped conversions per (chunk, vector)."""
    chunks, v, rows = chosen.shape
    index = partial_index(chosen, k)
    c, m, r = np.nonzero(chosen)  # active word-lines, in (chunk, vector, row) order
    part = index[c, m, r]
    slot = (np.cumsum(chosen, axis=-1)[c, m, r] - 1) % k
    table = np.full((int(part.max(initial=-1)) + 1, chunks, v, k), rows)  # ``rows``: no row
    table[part, c, m, slot] = r
    extended = np.concatenate([weights, np.zeros((chunks, 1, weights.shape[-1]), weights.dtype)], 1)
    codes = np.zeros((chunks, v, weights.shape[-1]), np.float32)
    clipped = np.zeros((chunks, v), np.int64)
    for word_lines in table:  # the j-th partial of every plane that has one, j = 0, 1, ...
        pc, pm = np.nonzero(word_lines[..., 0] < rows)
        sums = extended[pc[:, None], word_lines[pc, pm]].sum(axis=1)
        estimate, clips = adc.read(sums, tile_rows=pc)
        codes[pc, pm] += estimate
        clipped[pc, pm] += np.count_nonzero(clips, axis=-1)
    return codes, clipped


def pim_matmul(x, w, config=None, *, dynamic=False, stream=0):
    """``y[m, n] = sum_k x'[m, k] * w[n, k]`` on AMS-PiM tiles, as :mod:`sim.system.rap.pim`
    describes, where ``x'`` is ``x`` razored by ``config.input_format``.

    ``x`` integers ``[M, K]`` within ``input_bits`` two's complement (or an
    :class:`~sim.golden.sdr_tensor.SdrTensor` ``[M, K]`` for ``"sdr"``); ``w`` integers
    ``[N, K]`` within ``weight_bits``; ``dynamic``: the matrix is written into the tiles for this
    call (attention's K and V), counted in ``stats["weight_bits_written"]``; ``stream`` selects
    an independent random stream of ``config.seed`` (its own column variation and noise).
    Noise-free sparse results equal ``stats``-free ``razored(x) @ w.T`` exactly.
    """
    config = PimConfig() if config is None else config
    if not isinstance(config, PimConfig):
        raise ValueError(f"config must be a PimConfig, not {type(config).__name__}")
    if isinstance(x, SdrTensor):
        if config.input_format != "sdr":
            raise ValueError(
                f"x is an SdrTensor: it needs input_format 'sdr', not {config.input_format!r}"
            )
        if x.mag.ndim != 2:
            raise ValueError(f"x must be 2-D [M, K], not shape {x.shape}")
    else:
        top = 1 << (config.input_bits - 1)
        x = int_array("x", x, -top, top - 1).astype(np.int64)
        if x.ndim != 2 or x.shape[1] == 0:
            raise ValueError(f"x must be 2-D [M, K] with K >= 1, not shape {x.shape}")
    low, high = -(1 << (config.weight_bits - 1)), (1 << (config.weight_bits - 1)) - 1
    w = int_array("w", w, low, high).astype(np.int64)
    if w.ndim != 2 or w.shape[1] != x.shape[1]:
        raise ValueError(f"w must be [N, K={x.shape[1]}], not shape {w.shape}")
    check_int("stream", stream, 0)
    rows, m = config.rows, x.shape[0]
    top_x = float(1 << (config.input_bits - 1))
    if top_x * float(max(-low, high)) * x.shape[1] >= 2.0**62:
        raise ValueError(
            f"x ({config.input_bits}-bit) times w ({config.weight_bits}-bit) over K={x.shape[1]} "
            "may exceed int64: use fewer input_bits or a shorter K"
        )
    chunks = -(-x.shape[1] // rows)
    n_columns = w.shape[0] * config.weight_bits
    drive = _drive(x, config, chunks)
    weights, column_weight = _weight_planes(w, config, chunks)
    rng = np.random.default_rng([config.seed, stream])
    adc = AdcColumns(config, (chunks, 1, n_columns), rng)
    sparse = config.mvm == "sparse"
    # An ideal ADC reads every sparse partial exactly: its sums are at most k <= the top code.
    exact_reads = adc.ideal and adc.step == 1.0
    if sparse and exact_reads:
        signed_weights = weights.reshape(chunks, rows, -1, config.weight_bits) @ column_weight

    y = np.zeros((m, w.shape[0]), np.int64)
    partials = np.zeros((m, chunks), np.int64)
    planes_driven = 0
    histogram = np.zeros(rows + 1, np.int64)
    counts = dict.fromkeys(("planes_total", "planes_skipped", "clipped", "wordline_pulses"), 0)
    for d in drive.planes():
        shift = (drive.base + d).T[:, :, None]  # [chunks, M, 1]: the plane's weight, log2
        for sign, bits, window in drive.phases(d):
            popcount = bits.sum(axis=-1)
            active = popcount > 0
            driven = window & active if (sparse or config.skip_zero_planes) else window
            counts["planes_total"] += int(window.sum())
            counts["planes_skipped"] += int((window & ~driven).sum())
            histogram += np.bincount(popcount[window], minlength=rows + 1)
            if not driven.any():
                continue
            planes_driven += int(driven.sum())
            partials += partial_count(popcount, config.k) * driven if sparse else driven
            vectors = np.flatnonzero(driven.any(axis=1))
            chosen = bits[vectors].transpose(1, 0, 2)  # [chunks, v, rows]
            counts["wordline_pulses"] += int(popcount[vectors].T[driven[vectors].T].sum())
            mask = driven[vectors].T
            if sparse and exact_reads:
                # Every partial reads exactly, so the codes of a plane's partials add up to its
                # bit-line sums, and their column-weighted sum is the plane times w.
                partial = np.matmul(chosen.astype(np.float32), signed_weights)
            else:
                if sparse:
                    estimate, clips = sparse_plane_sums(chosen, weights, adc, config.k)
                    counts["clipped"] += int(clips[mask].sum())
                else:
                    estimate, clips = adc.read(np.matmul(chosen.astype(np.float32), weights))
                    counts["clipped"] += int(np.count_nonzero(clips & mask[:, :, None]))
                partial = estimate.reshape(chunks, len(vectors), -1, config.weight_bits)
                partial = partial @ column_weight
            partial = np.rint(partial).astype(np.int64) * mask[:, :, None]  # integer codes
            y[vectors] += sign * (partial << shift[:, vectors]).sum(axis=0)
    column_tiles = -(-n_columns // config.columns)
    tiles = chunks * column_tiles
    stats = {
        "vectors": m,
        "tiles": tiles,
        "adcs_per_tile": config.adcs_per_tile,
        "adc_area_um2": tiles
        * config.adcs_per_tile
        * adc_area_um2(config.adc_bits, config.adc_model),
        "partials": int(partials.sum()),
        "conversions": int(partials.sum()) * n_columns,
        "clipped": counts["clipped"],
        "planes_total": counts["planes_total"],
        "planes_skipped": counts["planes_skipped"],
        "planes_driven": planes_driven,
        "popcount_histogram": histogram.tolist(),
        "cycles": int(partials.max(axis=1, initial=0).sum()) * config.adc_share,
        "wordline_pulses": counts["wordline_pulses"] * column_tiles,
        "shift_adds": planes_driven * n_columns,
        "compactor_partials": int(partials.sum()) * column_tiles if sparse else 0,
        "weight_bits_written": int(w.size * config.weight_bits) if dynamic else 0,
        "write_cycles": min(x.shape[1], rows) if dynamic else 0,
        "input_bits_read": drive.input_bits_read,
        "macs": int(m * w.size),
        "results": int(m * w.shape[0]),
    }
    stats["latency_s"] = (stats["cycles"] + stats["write_cycles"]) / config.adc_rate_hz
    stats["energy_pj"] = energy_pj(stats, config)
    return PimResult(y, stats)
