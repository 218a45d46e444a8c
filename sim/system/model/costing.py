"""The system tables: every workload on every engine in every library, from the gate-level
figures of a ``synth.report`` folder and ZigZag (:mod:`sim.system.zigzag`).

A workload is a name, a description, how many tokens its energy is divided by (per inference
for MiniLM: 1; per token for prefill: the prompt length; per generated token for decode: the
batch) and a function from an engine's stored formats to its GEMMs (:mod:`.gemms`). Each row
holds the energy by component, latency (cycles with stalls at the engine's clock), utilization,
bits moved per memory level, the footprint of weights and KV cache, and the loop order ZigZag
kept for each GEMM.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from sim.system.engine.energy import engine_figures
from sim.system.model.formats import stored_formats
from sim.system.zigzag.accelerator import DEFAULT_HIERARCHY
from sim.system.zigzag.costs import EngineCostModel, gemm_costs

__all__ = ["Workload", "cost_models", "workload_row", "REPORT_COMMAND"]

#: What writes the gate-level figures the tables need.
REPORT_COMMAND = (
    "python -m synth.report --designs sdr_engine int8_engine int4_engine sdr_encoder "
    "--lanes 16 --seeds 1"
)


@dataclass(frozen=True)
class Workload:
    """One workload: ``gemms(formats)`` gives its GEMMs; energies are per ``per`` tokens."""

    key: str
    description: str
    per: int
    per_label: str
    gemms: object
    weights_elements: int
    kv_elements: int


def _encoder_pj(folder, library, group):
    """``sdr_encoder``'s gate-level energy per element in ``library``, from ``folder``."""
    for path in sorted(Path(folder).glob("*/report.json")):
        report = json.loads(path.read_text())
        if report["library"]["name"] != library:
            continue
        for unit in report["units"]:
            same = unit["design"] == "sdr_encoder" and unit["parameters"].get("GROUP") == group
            if same and unit.get("power"):
                return unit["power"]["energy_per_operation"]["value"]  # pJ/element
    raise ValueError(
        f"--report {folder}: no gate-level record of sdr_encoder with GROUP={group} for "
        f"{library}; run: {REPORT_COMMAND} -o {folder}"
    )


def cost_models(folder, engines):
    """``{(module, library): EngineCostModel}`` for ``engines`` (``{module: parameters}``) from
    report ``folder``; raises ``ValueError`` naming the command that writes what is missing."""
    models = {}
    for module, parameters in engines.items():
        for library, figures in engine_figures(folder, module, parameters).items():
            macs = parameters["COLS"] * parameters["LANES"]
            encoder = 0.0
            if module == "sdr_engine":
                encoder = _encoder_pj(folder, library, parameters["GROUP"])
            models[module, library] = EngineCostModel(
                module,
                library,
                parameters,
                figures.total_per_cycle_pj / macs,
                figures.area_um2 / macs,
                encoder,
                f"{figures.source} ({figures.tag}, clock {figures.clock_mhz:g} MHz, "
                f"{'meets' if figures.meets_clock else 'MISSES'} it)",
            )
    return models


def workload_row(model, workload, cache_dir, clock_mhz=100.0, hierarchy=DEFAULT_HIERARCHY):
    """One table row: ``workload`` on the engine and library of ``model``."""
    formats = stored_formats(model.module, model.parameters)
    gemms = workload.gemms(formats)
    energy, bits, cycles, ideal, layers = {}, {}, 0.0, 0.0, []
    for gemm in gemms:
        cost = gemm_costs(model, gemm, cache_dir, hierarchy)
        for part, pj in cost["energy_pj"].items():
            energy[part] = energy.get(part, 0.0) + pj
        for level, moved in cost["bits_moved"].items():
            bits[level] = bits.get(level, 0.0) + moved
        cycles += cost["cycles"]
        ideal += cost["ideal_cycles"]
        layers.append(
            {
                "gemm": gemm.name,
                "m": gemm.m,
                "k": gemm.k,
                "n": gemm.n,
                "repeat": gemm.repeat,
                "macs": gemm.macs,
                "order": cost["order"],
                "energy_pj": sum(cost["energy_pj"].values()),
                "cycles": cost["cycles"],
                "ideal_cycles": cost["ideal_cycles"],
            }
        )
    macs = sum(g.macs for g in gemms)
    array = model.parameters["COLS"] * model.parameters["LANES"]
    return {
        "engine": model.module,
        "library": model.library,
        "workload": workload.key,
        "per": workload.per_label,
        "energy_uj": {k: v / workload.per * 1e-6 for k, v in energy.items()},
        "energy_total_uj": sum(energy.values()) / workload.per * 1e-6,
        "latency_us": cycles / clock_mhz / workload.per,
        "stall_share": 1 - ideal / cycles if cycles else 0.0,
        "utilization": macs / (cycles * array) if cycles else 0.0,
        "macs": macs,
        "bytes_moved": {k: v / 8 / workload.per for k, v in bits.items()},
        "weights_bytes": workload.weights_elements * formats["weight"].bits_per_element / 8,
        "kv_cache_bytes": workload.kv_elements * formats["kv"].bits_per_element / 8,
        "formats": {k: f.name for k, f in formats.items()},
        "gemms": layers,
        "source": model.source,
    }
