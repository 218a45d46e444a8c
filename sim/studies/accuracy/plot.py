"""The study's plot: layer-averaged GEMM SQNR against storage bits per element, one line per scheme.

Grouped schemes are lines through their group sizes; the per-row baselines (W8A8, W8A16), at 8
and 12 bits per element, are dashed horizontal lines so that the 4-bit region keeps the width.

Drawn with matplotlib's object API (no pyplot state) and saved without the ``Software`` PNG
chunk; matplotlib writes no timestamp into PNGs, so the same study gives the same bytes.
Importing this module needs matplotlib (the ``plots`` extra).
"""

from matplotlib.figure import Figure

from sim.util.plots import png_bytes

__all__ = ["sqnr_plot"]

#: Figure size (inches) and resolution of the PNG.
FIGSIZE = (7.5, 5.0)
DPI = 120


def sqnr_plot(study):
    """PNG bytes: mean per-layer SQNR (dB) vs mean A/W storage bits per element, per series."""
    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    series = {}
    for scheme, entry in zip(study.schemes, study.summary, strict=True):
        series.setdefault(scheme.series, []).append((scheme, entry))
    for index, (name, points) in enumerate(series.items()):
        color = f"C{index % 10}"
        if points[0][0].group is None:  # a per-row baseline: far right of the 4-bit schemes
            scheme, entry = points[0]
            axes.axhline(
                entry["sqnr_db_mean"],
                linestyle="--",
                linewidth=1,
                color=color,
                label=f"{name}, {scheme.bits_per_element:g} bits/el",
            )
            continue
        xs = [scheme.bits_per_element for scheme, _ in points]
        ys = [entry["sqnr_db_mean"] for _, entry in points]
        axes.plot(xs, ys, marker="o", color=color, label=name)
        for (scheme, _), x, y in zip(points, xs, ys, strict=True):
            axes.annotate(
                f"{scheme.group}",
                (x, y),
                textcoords="offset points",
                xytext=(4, -9),
                fontsize=7,
                color=color,
            )
    workload = study.workload
    title = (
        "all-MiniLM-L6-v2 linear layers"
        if workload["kind"] == "minilm"
        else f"synthetic LLM-like GEMMs (seed {workload['seed']})"
    )
    axes.set_title(f"GEMM SQNR vs storage, {title} (labels: group size)", fontsize=10)
    axes.set_xlabel("storage bits per element (mean of activations and weights)")
    axes.set_ylabel("layer-averaged SQNR (dB)")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    return png_bytes(figure)
