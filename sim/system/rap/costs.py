"""Energy and area constants for the AMS-PiM tile and a GPU roofline estimate, each with its source.

Every number lives in :data:`CONSTANTS` as a :class:`Constant` (value, unit, source, note), and
:func:`constants_table` lists them for reports. A source names the paper or data sheet, its year,
the table or figure, and the node and voltage; "via X" means the figure was read in X, a
transcription, not in the original; "assumption" marks a stated guess, not a literature figure.

ADC energy per conversion, :func:`adc_energy_pj` (``ENOB = bits``, an ideal converter):

* ``"walden"``: ``E = FoM_W * 2**bits``, FoM_W in J per conversion step (R. H. Walden, IEEE
  JSAC, 1999).
* ``"murmann"``: the Accelergy ADC plug-in's bound from Murmann's survey. The Schreier FoM is
  ``FoM_S = SNDR + 10 log10((fs/2) / P)`` (signal bandwidth ``fs/2``, power ``P`` in W), so
  ``E = P / fs = 1 / (2 * 10**((FoM_S - SNDR) / 10))`` J, with ``SNDR = 20 log10(2) bits +
  10 log10(1.5)`` dB (6.02 bits + 1.76). The best FoM_S falls with the rate, ``FoM_S = min(a - c
  ln(fs), FoM_S_max)``, flat below 174 MHz; ``rate_hz=None`` takes the flat part. Known point:
  8 bits, flat part: SNDR = 49.926 dB, ``E = 1 / (2 * 10**13.0216)`` J = 0.04758 pJ. (The
  plug-in's later model adds node and ENOB corrections; they are not used here.)
* ``"flash"``: ``E = (2**bits - 1) * E_comparator``; no encoder term (none cited).

ADC area, :func:`adc_area_um2`: ``"flash"`` is ``(2**bits - 1)`` comparator areas; ``"walden"``
and ``"murmann"`` (energy-only models) scale ISAAC's 8-bit SAR ADC by ``2**(bits - 8)``, the rule
Accelergy's ``IsaacADC`` model applies. The constants come from different nodes (45, 32, 65 nm);
nothing here rescales them.
"""

import math
from dataclasses import dataclass

from sim.golden.formats import check_choice, check_int
from sim.system.memory import HOROWITZ as _HOROWITZ
from sim.system.memory import MEMORY_CONSTANTS, Constant

__all__ = [
    "Constant",
    "CONSTANTS",
    "ADC_MODELS",
    "GPU_DTYPES",
    "GPU_LAUNCH_S",
    "adc_energy_pj",
    "adc_area_um2",
    "compactor_pj_per_partial",
    "Gpu",
    "GPUS",
    "gpu_roofline",
    "constants_table",
]

#: ADC energy models of :func:`adc_energy_pj` and :func:`adc_area_um2`.
ADC_MODELS = ("walden", "murmann", "flash")
#: GPU data types of :attr:`Gpu.peak_flops`.
GPU_DTYPES = ("fp32", "fp16", "int8")


@dataclass(frozen=True)
class Gpu:
    """A GPU's data-sheet peaks: ``peak_flops`` by dtype (ops/s; dense, no sparsity),
    ``bandwidth_bytes_per_s`` of its DRAM, ``board_power_w`` (TDP) and the ``source``."""

    name: str
    peak_flops: dict
    bandwidth_bytes_per_s: float
    board_power_w: float
    source: str


_ISAAC = (
    "A. Shafiee et al., 'ISAAC', ISCA 2016, Table I, IMA rows (32 nm, supply not stated; 100 ns "
    "crossbar read, 8 arrays of 128 x 128 per IMA), via Accelergy hwcomponents-library isaac.py "
    "and a second Table I transcription; the paper was not read here"
)
_ACCELERGY = (
    "Accelergy ADC plug-in (T. Andrulis, R. Chen), adc_data/model.yaml at commit 2136e9e0, a fit "
    "to B. Murmann, 'ADC Performance Survey' (ISSCC/VLSI data); node-independent"
)
_TIMELY = (
    "W. Li et al., 'TIMELY', ISCA 2020, Table II, charging comparator (65 nm, supply not "
    "checked), via Accelergy hwcomponents-library timely.py; the paper was not read here"
)
_HARPE = (
    "P. Harpe, E. Cantatore, A. van Roermund, 10/12-b SAR ADC, ISSCC 2013 (12-b mode), the "
    "record Walden FoM as of Q1 2013 per B. E. Jonsson, 'ADC Survey: Spring 2013 update on FOM', "
    "Converter Passion blog, 2013-04-14; node and supply not checked here"
)
_A100 = (
    "NVIDIA A100 Tensor Core GPU data sheet (2020), 'A100 40GB PCIe' column; values as commonly "
    "quoted from it (glennklockwood.com, thundercompute.com), the data sheet was not read here"
)
_T4 = (
    "NVIDIA T4 Tensor Core GPU data sheet (2018); values as commonly quoted from it "
    "(sysrqmts.com, geektopia.es), the data sheet was not read here"
)
_RAP_UNITS = (
    "this project: python -m synth.report (IHP SG13G2 typ 1.2 V 25 C, 100 MHz), {unit}, "
    "gate-level power on {rows}, clock network included: {power} x 10 ns x {passes} "
    "pass(es) per element"
)
_RAP_UNITS_NOTE = (
    "one element per beat (LANES=1), every pass of the row protocol counted; a wider unit "
    "would share its clock and control over more elements"
)
_COMPACTOR = (
    "this project: python -m synth.report --designs row_compactor --compactor-k 3 7 15 (IHP "
    "SG13G2 typ 1.2 V 25 C, 100 MHz, 3 seeds), row_compactor_R128_K{k}: gate-level energy per "
    "partial {pj} pJ with the clock network ({bare} pJ without)"
)
_COMPACTOR_NOTE = (
    "MiniLM linear-layer inputs razored by emsb_razor (target 8, group 128), split-mode planes: "
    "mean popcount 18.8 of 128, 14 % all-zero"
)
#: ``(K, pJ per partial, pJ without the clock)`` of the synthesized row compactor (ROWS 128).
_COMPACTORS = ((3, 13.39, 4.27), (7, 18.68, 9.19), (15, 24.26, 14.38))
# fmt: off
_ROWS = [
    # ADC
    ("walden_fom_fj_per_step", 2.2, "fJ/conv-step", _HARPE,
     "a low-speed best case; ISAAC's 8-bit 1.2 GS/s ADC is 1.667 pJ / 2**8 = 6.5 fJ/step"),
    ("murmann_foms_max_db", 180.14159078904734, "dB", _ACCELERGY, "'FOMS_hf: max value'"),
    ("murmann_foms_intercept_db", 302.7387019052544, "dB", _ACCELERGY, "'FOMS_hf: intercept'"),
    ("murmann_foms_slope_db_per_ln_hz", 6.460790934271676, "dB per ln(Hz)", _ACCELERGY,
     "magnitude of 'FOMS_hf: frequency (Hz)' = -6.4608: FoM_S falls as ln(fs) rises"),
    ("murmann_rate_max_hz", 1.6e10, "Hz", _ACCELERGY,
     "exp('frequency (Hz): max value' = 23.4959), the fit's top rate; higher rates are refused"),
    ("isaac_adc_bits", 8.0, "bit", _ISAAC, "ADC row: 8 bits, 1.2 GS/s, 8 ADCs per IMA"),
    ("isaac_adc_energy_pj", 16e-3 / (8 * 1.2e9) * 1e12, "pJ/conversion", _ISAAC,
     "16 mW for 8 ADCs at 1.2 GS/s (the text says 1.28 GS/s); design of L. Kull et al., "
     "ISSCC 2013, 32 nm SOI"),
    ("isaac_adc_area_um2", 0.0096e6 / 8, "um^2", _ISAAC, "0.0096 mm^2 for 8 ADCs"),
    ("comparator_energy_fj", 41.7, "fJ/comparison", _TIMELY,
     "cross-check: B. Satapathy, A. Kaur, CSSP 42:5108, 2023 (abstract): 67 fJ worst case, "
     "65 nm, 1.2 V, 1 GHz, post-layout simulation"),
    ("comparator_area_um2", 40.0, "um^2", _TIMELY),
    # PiM array
    ("pim_wordline_drive_pj", 4e-3 * 100e-9 / 1024 * 1e12, "pJ/row activation", _ISAAC,
     "DAC row: 4 mW for 8 x 128 one-bit DACs over one 100 ns read"),
    ("pim_bitline_column_pj", 2.4e-3 * 100e-9 / 1024 * 1e12, "pJ/column read", _ISAAC,
     "memristor-array row: 2.4 mW for 8 x 128 columns (128 rows, 2-bit ReRAM cells) per 100 ns "
     "read; no bit-line capacitance or voltage is given"),
    # Digital periphery, from this project's own synthesis
    ("shift_add_pj", 2.57, "pJ/shift-add", "this project: python -m synth.report (IHP SG13G2 "
     "typ 1.2 V 25 C, 100 MHz), sdr_mac_L16 'shifter' + 'accumulator' blocks, logic and "
     "registers, gate-level power of the default workload: 0.0614 + 0.0765 + 0.1193 mW, one "
     "group shift-add per cycle",
     "a group sum shifted by the two flags and added into the 32-bit accumulator; the clock "
     "network is not included"),
    ("int_softmax_pj_per_element", 218.6, "pJ/element", _RAP_UNITS.format(
     unit="int_softmax_L1", passes=3, power="7.287 mW (2.86 of it clock)",
     rows="MiniLM attention-score rows, IN_BITS=21, OUT_BITS=8"), _RAP_UNITS_NOTE),
    ("int_gelu_pj_per_element", 39.01, "pJ/element", _RAP_UNITS.format(
     unit="int_gelu_L1", passes=1, power="3.901 mW (1.28 of it clock)",
     rows="MiniLM FFN pre-activations, IN_BITS=16"), _RAP_UNITS_NOTE),
    ("int_layernorm_pj_per_element", 214.6, "pJ/element", _RAP_UNITS.format(
     unit="int_layernorm_L1", passes=2, power="10.73 mW (6.25 of it clock)",
     rows="MiniLM residual sums, D=384"), _RAP_UNITS_NOTE + "; misses 100 MHz on this "
     "library (fmax 83.4 MHz): at its fmax the energy per element is the same"),
    *[(f"row_compactor_k{k}_pj_per_partial", pj, "pJ/partial",
       _COMPACTOR.format(k=k, pj=pj, bare=bare), _COMPACTOR_NOTE) for k, pj, bare in _COMPACTORS],
    # Digital arithmetic
    ("int8_add_pj", 0.03, "pJ/op", _HOROWITZ),
    ("int32_add_pj", 0.1, "pJ/op", _HOROWITZ),
    ("fp16_add_pj", 0.4, "pJ/op", _HOROWITZ, "seen in stillwater-sc copies only"),
    ("fp32_add_pj", 0.9, "pJ/op", _HOROWITZ),
    ("int8_mul_pj", 0.2, "pJ/op", _HOROWITZ),
    ("int32_mul_pj", 3.1, "pJ/op", _HOROWITZ),
    ("fp16_mul_pj", 1.1, "pJ/op", _HOROWITZ, "seen in stillwater-sc copies only"),
    ("fp32_mul_pj", 3.7, "pJ/op", _HOROWITZ),
    # GPU
    ("gpu_launch_overhead_s", 5e-6, "s/kernel",
     "assumption: a few microseconds per kernel launch, as commonly reported; not cited"),
]
# fmt: on
#: Every constant by name (GPU specs as ``gpu.<key>.<field>``).
CONSTANTS = {**{row[0]: Constant(*row) for row in _ROWS}, **MEMORY_CONSTANTS}

GPUS = {
    "a100-pcie-40gb": Gpu(
        "NVIDIA A100 PCIe 40GB",
        {"fp32": 19.5e12, "fp16": 312e12, "int8": 624e12},
        1555e9,
        250,
        _A100,
    ),
    "t4": Gpu("NVIDIA T4", {"fp32": 8.1e12, "fp16": 65e12, "int8": 130e12}, 320e9, 70, _T4),
}


def _gpu_constants():
    rows = {}
    for key, gpu in GPUS.items():
        specs = [(f"{d}_peak", gpu.peak_flops[d], "op/s") for d in GPU_DTYPES]
        specs += [
            ("bandwidth", gpu.bandwidth_bytes_per_s, "B/s"),
            ("power", gpu.board_power_w, "W"),
        ]
        for field, value, unit in specs:
            name = f"gpu.{key}.{field}"
            rows[name] = Constant(name, float(value), unit, gpu.source, "dense (no sparsity)")
    return rows


CONSTANTS.update(_gpu_constants())
#: Default seconds per kernel launch of :func:`gpu_roofline` (an assumption, see CONSTANTS).
GPU_LAUNCH_S = CONSTANTS["gpu_launch_overhead_s"].value


def _value(name):
    return CONSTANTS[name].value


def _number(name, value, positive=False, top=math.inf):
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (positive and value == 0) or value > top:
        limits = ("> 0" if positive else ">= 0") + ("" if top == math.inf else f" and <= {top:g}")
        raise ValueError(f"{name} must be a finite number {limits}, not {value!r}")
    return float(value)


def adc_energy_pj(bits, model="murmann", rate_hz=None):
    """Energy of one conversion in pJ of a ``bits``-bit ADC (1..12) by ``model`` (one of
    :data:`ADC_MODELS`); ``rate_hz`` (sample rate, Hz) is read by ``"murmann"`` only. Raises
    ``ValueError`` naming the argument that is out of range."""
    check_int("bits", bits, 1, 12)
    check_choice("model", model, ADC_MODELS)
    if rate_hz is not None:
        rate_hz = _number("rate_hz", rate_hz, positive=True, top=_value("murmann_rate_max_hz"))
    if model == "walden":
        return _value("walden_fom_fj_per_step") * 2**bits * 1e-3
    if model == "flash":
        return ((1 << bits) - 1) * _value("comparator_energy_fj") * 1e-3
    foms = _value("murmann_foms_max_db")
    if rate_hz is not None:
        slope = _value("murmann_foms_slope_db_per_ln_hz")
        foms = min(_value("murmann_foms_intercept_db") - slope * math.log(rate_hz), foms)
    sndr = 20 * math.log10(2) * bits + 10 * math.log10(1.5)  # 6.02 bits + 1.76 dB
    return 1e12 / (2 * 10 ** ((foms - sndr) / 10))


def compactor_pj_per_partial(k):
    """Energy of one partial of the row compactor at ``k`` (1..4096) rows per partial: the
    synthesized K = 3, 7, 15 figures (CONSTANTS ``row_compactor_k*``), piecewise linear in the
    width of its prefix count, ``bit_length(k)`` (about 5.4 pJ per bit), extrapolated from the
    nearest segment below K = 3 and above K = 15."""
    check_int("k", k, 1, 4096)
    points = [
        (kk.bit_length(), _value(f"row_compactor_k{kk}_pj_per_partial")) for kk, _, _ in _COMPACTORS
    ]
    width = k.bit_length()
    index = min(max(sum(x < width for x, _ in points), 1), len(points) - 1)
    (x0, y0), (x1, y1) = points[index - 1], points[index]
    return y0 + (y1 - y0) / (x1 - x0) * (width - x0)


def adc_area_um2(bits, model="murmann"):
    """Area in um^2 of a ``bits``-bit ADC (1..12): ``(2**bits - 1)`` comparators for ``"flash"``,
    ISAAC's 8-bit SAR ADC scaled by ``2**(bits - 8)`` for ``"walden"`` and ``"murmann"``."""
    check_int("bits", bits, 1, 12)
    check_choice("model", model, ADC_MODELS)
    if model == "flash":
        return ((1 << bits) - 1) * _value("comparator_area_um2")
    return _value("isaac_adc_area_um2") * 2.0 ** (bits - _value("isaac_adc_bits"))


def gpu_roofline(gpu, flops, bytes_moved, dtype="fp16", kernels=0, launch_s=GPU_LAUNCH_S):
    """A roofline estimate, not a measurement, of ``flops`` operations over ``bytes_moved`` DRAM
    bytes on ``gpu`` (a :class:`Gpu` or a key of :data:`GPUS`) at its ``dtype`` peak.

    ``latency_s = max(compute_s, memory_s) + kernels * launch_s`` (``launch_s``: seconds per
    kernel launch, default :data:`GPU_LAUNCH_S`, an assumption); ``energy_j = board power x
    latency``, an upper bound (TDP for the whole time); ``bound`` is ``"compute"`` when
    ``compute_s >= memory_s``, else ``"memory"``.
    """
    if isinstance(gpu, str):
        gpu = GPUS[check_choice("gpu", gpu, tuple(GPUS))]
    check_choice("dtype", dtype, tuple(gpu.peak_flops))
    flops = _number("flops", flops)
    bytes_moved = _number("bytes_moved", bytes_moved)
    check_int("kernels", kernels, 0)
    launch_s = _number("launch_s", launch_s)
    compute_s = flops / gpu.peak_flops[dtype]
    memory_s = bytes_moved / gpu.bandwidth_bytes_per_s
    latency_s = max(compute_s, memory_s) + kernels * launch_s
    return {
        "gpu": gpu.name,
        "dtype": dtype,
        "compute_s": compute_s,
        "memory_s": memory_s,
        "overhead_s": kernels * launch_s,
        "latency_s": latency_s,
        "energy_j": gpu.board_power_w * latency_s,
        "bound": "compute" if compute_s >= memory_s else "memory",
        "note": "roofline estimate; energy_j is an upper bound (board power x latency)",
    }


def constants_table():
    """Every constant as a row ``{"name", "value", "unit", "source", "note"}``, sorted by name."""
    return [
        {"name": c.name, "value": c.value, "unit": c.unit, "source": c.source, "note": c.note}
        for c in sorted(CONSTANTS.values(), key=lambda c: c.name)
    ]
