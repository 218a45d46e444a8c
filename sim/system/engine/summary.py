"""What ``python -m sim.run_model`` reports: per-layer and total figures of each engine, the
headline (energy per inference or per token, ``sdr_engine`` against ``int8_engine``), its JSON
record, tables and the stacked energy plot."""

from dataclasses import dataclass

from sim.system.engine.energy import COMPONENTS, MEMORY_USED, run_energy_pj
from sim.system.engine.runner import GemmRun
from sim.system.memory import MEMORY_CONSTANTS
from sim.util.plots import save_png

__all__ = [
    "EngineResult",
    "layer_record",
    "total_run",
    "headline",
    "constants_record",
    "plot_energy",
]


@dataclass(frozen=True, eq=False)
class EngineResult:
    """One engine's run of a model: its :class:`~sim.engine.runner.Engine`, ``{name: GemmRun}``,
    its gate-level figures (or ``None``) and the accuracy at the model's end (or ``None``)."""

    engine: object
    runs: dict
    figures: object
    embedding_cosine: dict | None

    def energy(self, run):
        return run_energy_pj(self.figures, run) if self.figures else None


def total_run(runs):
    """The :class:`GemmRun` of every run summed."""
    total = GemmRun()
    for run in runs.values():
        total.add(run)
    return total


def layer_record(run, energy):
    """JSON record of one layer's (or the total's) :class:`GemmRun` and energy (pJ by part)."""
    record = {
        "calls": run.calls,
        "shapes": sorted(list(shape) for shape in run.shapes)[:4],
        "macs": run.macs,
        "cycles": run.cycles,
        "utilization": run.utilization,
        "activation_bytes": run.activation_bits / 8,
        "weight_bytes": run.weight_bits / 8,
        "dram_bytes": run.dram_bits / 8,
        "results_checked": run.results,
        "mismatches": run.mismatches,
        "tiles_run_cycle_by_cycle": run.checked_tiles,
        "tile_results_checked": run.checked_results,
        "tile_mismatches": run.tile_mismatches,
        "sqnr_db": run.sqnr_db,
    }
    if run.first_mismatch:
        record["first_mismatch"] = run.first_mismatch
    if energy is not None:
        record["energy_pj"] = energy
        record["energy_total_pj"] = sum(energy.values())
    return record


def headline(results, per, count, unit_reduction=None):
    """``{sdr, int8, ratio, ...}`` energy per ``per`` (``"inference"``/``"token"``: ``count``
    of them in the run) of both engines, or ``None`` without both engines' figures."""
    sdr, int8 = results.get("sdr_engine"), results.get("int8_engine")
    if not (sdr and int8 and sdr.figures and int8.figures):
        return None
    figures = {}
    for name, result in (("sdr_engine", sdr), ("int8_engine", int8)):
        total = total_run(result.runs)
        energy = result.energy(total)
        core = sum(energy[c] for c in COMPONENTS if c not in ("SRAM reads", "DRAM"))
        figures[name] = {
            f"energy_per_{per}_uj": sum(energy.values()) / count * 1e-6,
            f"engine_energy_per_{per}_uj": core / count * 1e-6,
            "cycles": total.cycles,
            "energy_per_mac_pj": sum(energy.values()) / total.macs,
            "engine_energy_per_mac_pj": core / total.macs,
            "area_um2": result.figures.area_um2,
            "meets_clock": result.figures.meets_clock,
        }
    s, i = figures["sdr_engine"], figures["int8_engine"]
    return {
        "per": per,
        "count": count,
        "library": sdr.figures.library,
        **figures,
        "energy_reduction": 1 - s[f"energy_per_{per}_uj"] / i[f"energy_per_{per}_uj"],
        "engine_energy_reduction": 1
        - s[f"engine_energy_per_{per}_uj"] / i[f"engine_energy_per_{per}_uj"],
        "area_reduction": 1 - s["area_um2"] / i["area_um2"],
        "unit_energy_per_mac_reduction": unit_reduction,
    }


def constants_record():
    """The cited memory constants an energy uses."""
    return [
        {"name": c.name, "value": c.value, "unit": c.unit, "source": c.source, "note": c.note}
        for c in (MEMORY_CONSTANTS[name] for name in MEMORY_USED)
    ]


def plot_energy(results, path, per, count):
    """Stacked bars of each engine's energy per ``per`` by component, written to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [name for name, result in results.items() if result.figures]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    bottoms = [0.0] * len(names)
    for component in COMPONENTS:
        values = [
            results[name].energy(total_run(results[name].runs))[component] / count * 1e-6
            for name in names
        ]
        ax.bar(names, values, bottom=bottoms, label=component)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    library = results[names[0]].figures.library if names else ""
    ax.set_ylabel(f"energy per {per} (uJ)")
    ax.set_title(f"Where the energy goes\n{library}; SRAM and DRAM: 45 nm figures", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_png(fig, path, dpi=120)
    plt.close(fig)
