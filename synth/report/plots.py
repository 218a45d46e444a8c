"""PNG plots of a report (needs the ``plots`` extra: matplotlib).

Deterministic bytes: the Agg backend, fixed sizes and DPI, and no ``Software`` metadata (PNG
files carry no timestamp otherwise).
"""

from hw.designs import RAP_DESIGNS
from sim.util.plots import save_png

from .headline import PAPER, clock_power
from .writers import CATEGORY_ORDER, category_totals

__all__ = ["CLOCK_NETWORK", "PLOT_FILES", "figures", "write_plots"]

#: The power plot's segment of the clock network (clock pins, nets and buffers), so that each
#: bar is the unit's whole gate-level power.
CLOCK_NETWORK = "clock network"

#: File names of the plots, in report order.
PLOT_FILES = (
    "area_by_block.png",
    "power_by_block.png",
    "reduction_vs_paper.png",
    "energy_vs_sqnr.png",
)


def _stacked(plt, units, key, ylabel, title, extra=None):
    """Bars of ``units`` stacked by block category; ``extra``: ``(name, values)`` on top."""
    totals = [category_totals(r[key]["blocks"]) for r in units]
    names = [n for n in CATEGORY_ORDER if any(n in t for t in totals)]
    figure, axes = plt.subplots(figsize=(10, 5))
    bottoms = [0.0] * len(units)
    labels = [r["tag"] for r in units]
    segments = [(name, [t.get(name, 0.0) for t in totals]) for name in names]
    for index, (name, values) in enumerate([*segments, *([extra] if extra else [])]):
        axes.bar(labels, values, bottom=bottoms, label=name, color=f"C{index}")
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(fontsize=8)
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    figure.tight_layout()
    return figure


def _reductions(plt, rows, title):
    figure, axes = plt.subplots(figsize=(10, 5))
    labels = [f"L={r['lanes']} vs {r['baseline']}" for r in rows]
    width = 0.4
    for offset, (key, name) in enumerate(
        (("area_reduction", "area"), ("power_reduction", "power with the clock"))
    ):
        values = [100 * (r[key] or 0.0) for r in rows]
        axes.bar(
            [i + (offset - 0.5) * width for i in range(len(rows))],
            values,
            width,
            label=name,
            color=f"C{offset}",
        )
    axes.axhline(
        100 * PAPER["area_reduction"],
        color="C0",
        linestyle="--",
        label=f"paper area {100 * PAPER['area_reduction']:.1f} %",
    )
    axes.axhline(
        100 * PAPER["power_reduction"],
        color="C1",
        linestyle=":",
        label=f"paper power {100 * PAPER['power_reduction']:.1f} %",
    )
    axes.set_xticks(range(len(rows)), labels, rotation=30, fontsize=8)
    axes.set_ylabel("reduction of sdr_mac (%)")
    axes.set_title(title)
    axes.legend(fontsize=8)
    figure.tight_layout()
    return figure


def _energy_vs_sqnr(plt, units, title):
    """Energy per MAC (with the clock) against the SQNR of each MAC's operands."""
    figure, axes = plt.subplots(figsize=(8, 5))
    designs = sorted({r["design"] for r in units})
    for index, design in enumerate(designs):
        points = sorted(
            (r["accuracy"]["sqnr_db"].value, r["power"]["energy_per_operation"].value, r["tag"])
            for r in units
            if r["design"] == design
        )
        axes.scatter(
            [x for x, _, _ in points], [y for _, y, _ in points], label=design, color=f"C{index}"
        )
        for x, y, tag in points:
            axes.annotate(
                tag.rsplit("_", 1)[-1],
                (x, y),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
    axes.set_xlabel("SQNR of the operands on the default GEMM (dB)")
    axes.set_ylabel("energy per MAC with the clock (pJ)")
    axes.set_yscale("log")
    axes.set_title(title)
    axes.legend(fontsize=8)
    figure.tight_layout()
    return figure


def figures(report):
    """``{file name: matplotlib figure}`` of the report's plots, each title naming the library
    and the clock (empty without matplotlib). The RAP row units are left out: the plots are the
    QRazor comparison's."""
    try:
        import matplotlib
    except ImportError:
        return {}
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    units = [r for r in report["units"] if r["design"] not in RAP_DESIGNS]
    if not units:
        return {}
    clock = report["conditions"]["clock_frequency"]
    where = f"{report['library']['name']}, {clock.value:g} {clock.unit}"
    drawn = {
        PLOT_FILES[0]: _stacked(plt, units, "area", report["area_unit"], f"Area by block ({where})")
    }
    powered = [r for r in units if r["power"]]
    if powered:
        network = [clock_power(r["power"]["gate_level"]) for r in powered]
        drawn[PLOT_FILES[1]] = _stacked(
            plt,
            powered,
            "power",
            "mW",
            f"Gate-level power by block and clock network ({where})",
            (CLOCK_NETWORK, network),
        )
    if report["headline"]:
        title = f"sdr_mac against the baselines at equal LANES ({where})"
        drawn[PLOT_FILES[2]] = _reductions(plt, report["headline"], title)
    macs = [r for r in powered if r.get("accuracy")]
    if macs:
        title = f"Energy per MAC against accuracy, labels: LANES ({where})"
        drawn[PLOT_FILES[3]] = _energy_vs_sqnr(plt, macs, title)
    return drawn


def write_plots(report, out_dir):
    """Write the plots of :func:`figures` into ``out_dir``; return their file names."""
    drawn = figures(report)
    if drawn:
        import matplotlib.pyplot as plt

        for name, figure in drawn.items():
            save_png(figure, out_dir / name, dpi=100)
            plt.close(figure)
    return list(drawn)
