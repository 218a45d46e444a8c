"""Reports of the PiM studies: ``compare`` (RAP vs conventional PiM vs GPU) and ``pim`` (the
sweep), as Markdown, JSON, CSV and PNG plots, from plain-dict records.

Both records carry ``workload``, ``provenance``, ``settings``, ``findings``, ``constants`` (the
rows of :func:`~sim.rap.costs.constants_table`) and ``notes``; ``compare`` has ``headline``,
``claims`` and ``rows``, ``pim`` has ``points``. The same record gives the same bytes.
:func:`figures` gives the matplotlib figures themselves (for tests), :func:`plots` their PNGs.
"""

import csv
import io
import json

from sim.studies.rap.findings import VERDICTS, label, pareto
from sim.util.plots import png_bytes
from sim.util.tables import markdown_table

__all__ = ["markdown", "json_text", "csv_text", "figures", "plots", "PLOT_NAMES"]

PLOT_NAMES = {
    "compare": ("rap_compare.png", "rap_latency.png"),
    "pim": ("rap_pareto.png", "rap_sweep.png", "rap_noise.png"),
}
#: 1 - cosine below this is drawn at this value on the log axes.
FLOOR = 1e-5


def _cos(value):
    return "not simulated" if value is None else f"{value:.4f}"


def _pim_rows(record):
    return [r for r in record["rows"] if "energy_uj_by_group" in r]


def _compare_table(record):
    titles = ["design", "noise", "inputs", "ADC bits", "k", "mean cos", "min cos"]
    titles += ["energy (uJ)", "latency, equal ADC count (us)", "latency, equal ADC area (us)"]
    titles += ["ADCs per tile at equal area", "conversions", "partials per plane", "clip rate"]
    rows = []
    for row in record["rows"]:
        pim = "energy_uj_by_group" in row
        rows.append(
            [
                row["design"],
                row["noise"],
                row.get("inputs", ""),
                row.get("adc_bits", ""),
                row.get("k", ""),
                _cos(row["mean_cosine"]),
                _cos(row["min_cosine"]),
                f"{row['energy_uj']:.1f}",
                f"{row['latency_us']:.1f}",
                f"{row['latency_equal_area_us']:.1f}",
                row["adcs_per_tile_equal_area"] if pim else "",
                f"{row['conversions']:,}" if pim else "",
                f"{row['partials_per_plane']:.2f}" if pim else "",
                f"{100 * row['clip_rate']:.2f} %" if pim else "",
            ]
        )
    return markdown_table(titles, rows)


def _energy_table(record):
    rows = _pim_rows(record)
    groups = list(rows[0]["energy_uj_by_group"])
    body = [
        [r["design"], r["noise"], *[f"{r['energy_uj_by_group'][g]:.1f}" for g in groups]]
        + [f"{r['energy_uj']:.1f}"]
        for r in rows
    ]
    return markdown_table(["design", "noise", *groups, "total"], body)


def _claims_table(record):
    titles = ["design", "noise", *VERDICTS.values(), "claim at equal area", "at equal count"]
    body = [
        [c["design"], c["noise"]]
        + ["yes" if c[key] else "**no**" for key in VERDICTS]
        + ["holds" if c["holds_equal_area"] else "fails"]
        + ["holds" if c["holds_equal_count"] else "fails"]
        for c in record["claims"]
    ]
    return markdown_table(titles, body)


def _sparsity_table(products):
    titles = ["product", "planes", "mean popcount", "of its word-lines", "planes above k"]
    titles += ["partials per plane", "p90 popcount", "max popcount"]
    body = [
        [
            kind,
            f"{s['planes']:,}",
            f"{s['mean_popcount']:.2f}",
            f"{100 * s['density']:.1f} %",
            f"{100 * s['over_k']:.1f} %",
            f"{s['partials_per_plane']:.2f}",
            s["p90"],
            s["max"],
        ]
        for kind, s in products.items()
    ]
    return markdown_table(titles, body)


def _densest_table(record):
    titles = ["design", "noise", "densest product", "mean popcount", "planes above k"]
    titles += ["partials per plane", "p90 / max popcount"]
    body = [
        [
            r["design"],
            r["noise"],
            r["densest"]["product"],
            f"{r['densest']['mean_popcount']:.2f}",
            f"{100 * r['densest']['over_k']:.1f} %",
            f"{r['densest']['partials_per_plane']:.2f}",
            f"{r['densest']['p90']} / {r['densest']['max']}",
        ]
        for r in _pim_rows(record)
        if r["family"] == "rap-sparse"
    ]
    return markdown_table(titles, body)


def _layer_table(record):
    first = _pim_rows(record)[0]
    titles = ["design", "noise"] + [f"layer {k} cycles / us / uJ" for k in first["layers"]]
    rows = [
        [r["design"], r["noise"]]
        + [
            f"{v['cycles']:,} / {v['latency_us']:.1f} / {v['energy_uj']:.1f}"
            for v in r["layers"].values()
        ]
        for r in _pim_rows(record)
    ]
    return markdown_table(titles, rows)


def _sweep_table(record):
    titles = ["family", "ADC bits", "k", "rows", "noise", "spread", "mean cos", "min cos"]
    titles += ["energy (uJ)", "latency, equal count (us)", "latency, equal area (us)"]
    titles += ["partials per plane", "clip rate"]
    rows = [
        [
            p["family"],
            p["adc_bits"],
            "" if p["k"] is None else p["k"],
            p["rows"],
            f"{100 * p['noise_swing']:g} %",
            f"{100 * p['spread']:g} %",
            f"{p['mean_cosine']:.4f}",
            f"{p['min_cosine']:.4f}",
            f"{p['energy_uj']:.1f}",
            f"{p['latency_us']:.1f}",
            f"{p['latency_equal_area_us']:.1f}",
            f"{p['partials_per_plane']:.2f}",
            f"{100 * p['clip_rate']:.2f} %",
        ]
        for p in record["points"]
    ]
    return markdown_table(titles, rows)


def _constants(record):
    rows = [
        [c["name"], f"{c['value']:.6g}", c["unit"], c["source"], c["note"]]
        for c in record["constants"]
    ]
    return markdown_table(["constant", "value", "unit", "source", "note"], rows)


def _compare_sections(record):
    headline = next(
        (
            r
            for r in _pim_rows(record)
            if r["design"] == record.get("headline") and r["noise"] == "none"
        ),
        None,
    )
    parts = ["## Per inference", "", _compare_table(record), ""]
    parts += ["## Energy by component (uJ)", "", _energy_table(record), ""]
    if record["claims"]:
        parts += [
            "## The claim, design by design",
            "",
            "Against the conventional design at the same noise; accuracy on the mean cosine at "
            "four decimals.",
            "",
            _claims_table(record),
            "",
        ]
    if any(r["family"] == "rap-sparse" for r in _pim_rows(record)):
        parts += ["## Bit sparsity", ""]
        if headline is not None:
            parts += [
                f"Planes of every product of {headline['design']} (noise-free), summed over the "
                f"layers: popcount of the input bit-vectors inside a window (0 included), the "
                f"share with more than k = {headline['k']} ones, and ceil(popcount / k) partials "
                "per plane with a one.",
                "",
                _sparsity_table(headline["products"]),
                "",
            ]
        parts += ["The densest product (most partials per plane) of each sparse RAP run:", ""]
        parts += [_densest_table(record), ""]
    parts += ["## Per layer (tiles, equal ADC count)", "", _layer_table(record), ""]
    return parts


def markdown(kind, record, plot_names):
    """``rap.md`` of a ``compare`` or ``pim`` record."""
    title = {
        "compare": "RAP against a conventional PTQ AMS-PiM and a GPU estimate",
        "pim": "AMS-PiM sweep: ADC bits x k x rows x noise x spread",
    }[kind]
    parts = [
        f"# {title}",
        "",
        f"Generated by `python -m sim.rap {kind}`; every figure is in `rap.json`.",
        "",
        f"- Workload: {record['workload']}",
        f"- Model: {record['provenance']}",
        *[f"- {key}: {value}" for key, value in record["settings"].items()],
        "",
        "## Findings",
        "",
        *[f"- {f}" for f in record["findings"]],
        "",
    ]
    if kind == "compare":
        parts += _compare_sections(record)
    else:
        parts += ["## Every point", "", _sweep_table(record), ""]
    parts += ["## Notes", "", *[f"- {n}" for n in record["notes"]], ""]
    parts += ["## Constants", "", _constants(record), ""]
    if plot_names:
        parts += ["## Plots", "", *[f"![{name}]({name})" for name in plot_names], ""]
    return "\n".join(parts)


def json_text(record):
    return json.dumps(record, indent=1) + "\n"


def csv_text(kind, record):
    """One line per design run (``compare``) or per point (``pim``)."""
    buffer = io.StringIO()
    entries = record["rows"] if kind == "compare" else record["points"]
    keys = [k for k in entries[0] if not isinstance(entries[0][k], dict | list)]
    writer = csv.DictWriter(buffer, keys, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        writer.writerow({k: entry.get(k, "") for k in keys})
    return buffer.getvalue()


def _integer_ticks(axis):
    from matplotlib.ticker import MaxNLocator

    axis.xaxis.set_major_locator(MaxNLocator(integer=True))


def _compare_figures(record):
    import matplotlib.pyplot as plt

    rows = _pim_rows(record)
    labels = [f"{r['design']}\n{r['noise']}" for r in rows]
    energy, axes = plt.subplots(figsize=(12, 5))
    bottom = [0.0] * len(rows)
    for group in rows[0]["energy_uj_by_group"]:
        values = [r["energy_uj_by_group"][group] for r in rows]
        axes.bar(labels, values, bottom=bottom, label=group)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_ylabel("energy per inference (uJ)")
    axes.set_title("PiM energy by component (GPU estimate in the table)")
    axes.tick_params(axis="x", labelsize=6, labelrotation=90)
    axes.legend(fontsize=7, ncols=3)
    latency, axes = plt.subplots(figsize=(12, 5))
    positions = range(len(rows))
    for offset, key, text in (
        (-0.2, "latency_us", "equal ADC count"),
        (0.2, "latency_equal_area_us", "equal ADC area"),
    ):
        axes.bar([i + offset for i in positions], [r[key] for r in rows], 0.4, label=text)
    axes.set_xticks(list(positions), labels)
    axes.set_ylabel("latency per inference (us)")
    axes.set_title("PiM latency at equal ADC count and at equal ADC area per tile")
    axes.tick_params(axis="x", labelsize=6, labelrotation=90)
    axes.legend(fontsize=8)
    names = PLOT_NAMES["compare"]
    return {names[0]: energy, names[1]: latency}


_MARKERS = {"rap": "o", "dense": "^", "conventional": "s"}


def _series_name(p):
    if p["family"] != "rap":
        return p["family"]
    return "RAP, k = 2**bits - 1" if p["k"] == (1 << p["adc_bits"]) - 1 else f"RAP k={p['k']}"


def _pareto_figure(points):
    import matplotlib.pyplot as plt

    noises = sorted({p["noise_swing"] for p in points})
    figure, grid = plt.subplots(
        1, len(noises), figsize=(4 * len(noises), 4.2), sharey=True, squeeze=False
    )
    for axes, noise in zip(grid[0], noises, strict=True):
        chosen = [p for p in points if p["noise_swing"] == noise]
        for family, marker in _MARKERS.items():
            mine = [p for p in chosen if p["family"] == family]
            if mine:
                axes.scatter(
                    [p["energy_uj"] for p in mine],
                    [max(1 - p["mean_cosine"], FLOOR) for p in mine],
                    marker=marker,
                    label=family,
                    alpha=0.7,
                )
        front = pareto(chosen)
        if len(front) >= 2:
            axes.plot(
                [p["energy_uj"] for p in front],
                [max(1 - p["mean_cosine"], FLOOR) for p in front],
                "k--",
                label="Pareto front",
            )
        energies = [p["energy_uj"] for p in chosen]
        if max(energies) > 10 * min(energies):  # a narrower range reads better on a linear axis
            axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_title(f"noise {100 * noise:g} %", fontsize=9)
        axes.set_xlabel("energy per inference (uJ)")
        axes.legend(fontsize=7)
    grid[0][0].set_ylabel(f"1 - mean cosine to FP32 (floor {FLOOR:g})")
    return figure


def _sweep_figure(points):
    """Mean cosine against ADC bits, one panel per rows, at the smallest spread."""
    import matplotlib.pyplot as plt

    row_counts = sorted({p["rows"] for p in points})
    spread = min(p["spread"] for p in points)
    figure, grid = plt.subplots(
        1, len(row_counts), figsize=(5 * len(row_counts), 4.2), sharey=True, squeeze=False
    )
    noises = sorted({p["noise_swing"] for p in points})
    for axes, rows in zip(grid[0], row_counts, strict=True):
        chosen = [p for p in points if p["rows"] == rows and p["spread"] == spread]
        for color, noise in enumerate(noises):
            series = {}
            for p in chosen:
                if p["noise_swing"] == noise:
                    series.setdefault((p["family"], _series_name(p)), []).append(p)
            for (family, name), mine in series.items():
                mine = sorted(mine, key=lambda p: p["adc_bits"])
                axes.plot(
                    [p["adc_bits"] for p in mine],
                    [p["mean_cosine"] for p in mine],
                    "-" if family == "rap" else ":",
                    marker=_MARKERS[family],
                    color=f"C{color}",
                    label=f"{name}, noise {100 * noise:g} %",
                )
        _integer_ticks(axes)
        axes.set_title(f"rows = {rows}, spread {100 * spread:g} %", fontsize=9)
        axes.set_xlabel("ADC bits")
    grid[0][0].set_ylabel("mean cosine to FP32")
    grid[0][-1].legend(fontsize=6)
    return figure


def _noise_figure(points):
    """Mean cosine against noise, one panel per spread, series per design (and rows)."""
    import matplotlib.pyplot as plt

    spreads = sorted({p["spread"] for p in points})
    figure, grid = plt.subplots(
        1, len(spreads), figsize=(5 * len(spreads), 4.2), sharey=True, squeeze=False
    )
    several_rows = len({p["rows"] for p in points}) > 1
    for axes, spread in zip(grid[0], spreads, strict=True):
        series = {}
        for p in points:
            if p["spread"] == spread:
                key = (p["family"], p["adc_bits"], p["k"], p["rows"])
                series.setdefault(key, []).append(p)
        for (family, _, _, rows), mine in series.items():
            mine = sorted(mine, key=lambda p: p["noise_swing"])
            name = label(mine[0]) + (f", rows {rows}" if several_rows else "")
            axes.plot(
                [100 * p["noise_swing"] for p in mine],
                [p["mean_cosine"] for p in mine],
                "-" if family == "rap" else ":",
                marker=_MARKERS[family],
                label=name,
            )
        axes.set_title(f"gain and offset spread {100 * spread:g} %", fontsize=9)
        axes.set_xlabel("read noise (% of the swing)")
        axes.legend(fontsize=7)
    grid[0][0].set_ylabel("mean cosine to FP32")
    return figure


def figures(kind, record):
    """``{file name: matplotlib Figure}`` of a record (the caller closes them); empty without
    matplotlib."""
    try:
        import matplotlib
    except ImportError:
        return {}
    matplotlib.use("Agg")
    if kind == "compare":
        return _compare_figures(record)
    names, points = PLOT_NAMES["pim"], record["points"]
    return {
        names[0]: _pareto_figure(points),
        names[1]: _sweep_figure(points),
        names[2]: _noise_figure(points),
    }


def plots(kind, record):
    """``{file name: PNG bytes}`` (empty without matplotlib)."""
    result = {}
    for name, figure in figures(kind, record).items():
        import matplotlib.pyplot as plt

        figure.tight_layout()
        result[name] = png_bytes(figure, dpi=100)
        plt.close(figure)
    return result
