"""PNG plots of a report (needs the ``plots`` extra: matplotlib).

Deterministic bytes: the Agg backend, fixed sizes and DPI, and no ``Software`` metadata (PNG
files carry no timestamp otherwise).
"""

from hw.designs import RAP_DESIGNS
from sim.util.plots import save_png

from .headline import PAPER
from .writers import CATEGORY_ORDER, category_totals

__all__ = ["PLOT_FILES", "write_plots"]

#: File names of the plots, in report order.
PLOT_FILES = (
    "area_by_block.png",
    "power_by_block.png",
    "reduction_vs_paper.png",
    "energy_vs_sqnr.png",
)


def _stacked(plt, units, key, ylabel, title, path):
    totals = [category_totals(r[key]["blocks"]) for r in units]
    names = [n for n in CATEGORY_ORDER if any(n in t for t in totals)]
    figure, axes = plt.subplots(figsize=(10, 5))
    bottoms = [0.0] * len(units)
    labels = [r["tag"] for r in units]
    for index, name in enumerate(names):
        values = [t.get(name, 0.0) for t in totals]
        axes.bar(labels, values, bottom=bottoms, label=name, color=f"C{index}")
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(fontsize=8)
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    figure.tight_layout()
    save_png(figure, path, dpi=100)
    plt.close(figure)


def _reductions(plt, rows, path):
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
    axes.set_title("sdr_mac against the baselines at equal LANES")
    axes.legend(fontsize=8)
    figure.tight_layout()
    save_png(figure, path, dpi=100)
    plt.close(figure)


def _energy_vs_sqnr(plt, units, path):
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
    axes.set_title("Energy per MAC against accuracy (labels: LANES)")
    axes.legend(fontsize=8)
    figure.tight_layout()
    save_png(figure, path, dpi=100)
    plt.close(figure)


def write_plots(report, out_dir):
    """Write the plots into ``out_dir``; return their file names (empty without matplotlib).
    The RAP row units are left out: the plots are the QRazor comparison's."""
    try:
        import matplotlib
    except ImportError:
        return []
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    units = [r for r in report["units"] if r["design"] not in RAP_DESIGNS]
    written = []
    if not units:
        return written
    _stacked(plt, units, "area", report["area_unit"], "Area by block", out_dir / PLOT_FILES[0])
    written.append(PLOT_FILES[0])
    powered = [r for r in units if r["power"]]
    if powered:
        _stacked(plt, powered, "power", "mW", "Gate-level power by block", out_dir / PLOT_FILES[1])
        written.append(PLOT_FILES[1])
    if report["headline"]:
        _reductions(plt, report["headline"], out_dir / PLOT_FILES[2])
        written.append(PLOT_FILES[2])
    macs = [r for r in powered if r.get("accuracy")]
    if macs:
        _energy_vs_sqnr(plt, macs, out_dir / PLOT_FILES[3])
        written.append(PLOT_FILES[3])
    return written
