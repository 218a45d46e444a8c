"""The system cost of GEMMs on one engine: ZigZag's memory energies and latency (one run per
layer shape, independent of the library because every buffer is priced by CACTI at 90 nm and
the MAC energy is applied afterwards), the library's gate-level energy per MAC, the SDR flags'
share of every memory transfer, and the producer-side encoder.

Energy by component (pJ): ``MAC array`` (ZigZag's MAC count times the gate-level energy per MAC
at full use, clock network included), ``encoder`` (``sdr_encoder``'s gate-level energy per
element times every element the layer writes: each output once, razored where it is produced),
and one entry per memory level (``accumulators`` inside the MAC energy, ``local_act``,
``local_weight``, ``global_buffer``, ``dram``): ZigZag's energy of each operand, times the
operand's stored bits per element over its code width (SDR flags).
"""

from dataclasses import dataclass

from sim.system.zigzag.accelerator import DEFAULT_HIERARCHY, accelerator
from sim.system.zigzag.evaluate import evaluate_layer

__all__ = ["EngineCostModel", "gemm_costs"]

#: ZigZag is run at this energy per MAC; the library's figure scales it afterwards.
_UNIT_MAC_PJ = 1.0


@dataclass(frozen=True)
class EngineCostModel:
    """One engine in one library: ``module`` and its ``parameters`` (COLS, LANES, ACC_BITS),
    ``mac_pj`` (gate-level energy per MAC, every MAC busy), ``encoder_pj_per_element`` (0 for
    engines fed integers quantized elsewhere) and where they came from."""

    module: str
    library: str
    parameters: dict
    mac_pj: float
    mac_area_um2: float
    encoder_pj_per_element: float
    source: str


def gemm_costs(model, gemm, cache_dir, hierarchy=DEFAULT_HIERARCHY):
    """Energy by component (pJ), latency and traffic of ``gemm`` (all its repetitions) on
    ``model`` (an :class:`EngineCostModel`): a dict with ``energy_pj``, ``cycles`` (latency with
    stalls), ``ideal_cycles``, ``bits_moved`` per level, ``order`` and ``temporal_mapping``."""
    description, sources = accelerator(
        model.module,
        model.parameters,
        _UNIT_MAC_PJ,
        model.mac_area_um2,
        {"I": gemm.a.code_bits, "W": gemm.w.code_bits},
        gemm.dram_operands,
        cache_dir,
        hierarchy,
    )
    record = evaluate_layer(description, gemm, model.parameters["ACC_BITS"], cache_dir)
    overhead = {"I": gemm.a.overhead, "W": gemm.w.overhead, "O": gemm.o.overhead}
    times = gemm.repeat
    energy = {"MAC array": record["mac_energy_pj"] / _UNIT_MAC_PJ * model.mac_pj * times}
    energy["encoder"] = model.encoder_pj_per_element * gemm.m * gemm.n * times
    bits = {}
    for level, parts in record["memory_energy_pj"].items():
        # The accumulators hold partial sums, not the stored output format: no flags there.
        scale = {op: 1.0 if level == "accumulators" else overhead[op] for op in parts}
        energy[level] = sum(pj * scale[op] for op, pj in parts.items()) * times
        moved = record["word_bits_moved"][level]
        bits[level] = sum(b * scale[op] for op, b in moved.items()) * times
    # Stalls come from memory bandwidth: the flags stretch the DRAM operands' transfers too.
    stretch = max((overhead[op] for op in gemm.dram_operands), default=1.0)
    stall = record["latency_cycles"] - record["ideal_cycles"]
    return {
        "energy_pj": energy,
        "cycles": (record["ideal_cycles"] + stall * stretch) * times,
        "ideal_cycles": record["ideal_cycles"] * times,
        "bits_moved": bits,
        "order": record["order"],
        "temporal_mapping": record["temporal_mapping"],
        "sources": sources,
    }
