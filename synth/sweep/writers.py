"""The sweep's files: ``sweep.json``, ``sweep.csv``, ``sweep.md`` and the Pareto plots.

Deterministic for the same points: records in library and grid order, no timestamps, no run
statistics (cached or not), PNGs without ``Software`` metadata.
"""

import csv
import io
import json
import re

from sim.util.plots import png_bytes
from sim.util.tables import markdown_table

from .minilm import format_key, operand_format
from .pareto import FRONTS, area_per_mac, pareto_front
from .points import FIGURES

__all__ = [
    "PARAMETER_COLUMNS",
    "figures",
    "sweep_report",
    "sweep_csv",
    "sweep_markdown",
    "write_plots",
]

#: Parameter columns of sweep.csv (blank where a unit has no such parameter).
PARAMETER_COLUMNS = ("LANES", "GROUP", "MAG_BITS", "A_BITS")
_PLOT_NOTE = "plots skipped: matplotlib is not installed (pip install 'qrazor-hw[plots]')"
_LABELS = {
    "area_um2": "area (um^2)",
    "area_per_mac_um2": "area per MAC/cycle (um^2, area / LANES)",
    "energy_pj_per_mac": "energy per MAC (pJ, clock included)",
    "sqnr_db": "operand SQNR (dB, default GEMM)",
}
#: sweep.md's heading of each front of :data:`~synth.sweep.pareto.FRONTS`.
_TITLES = {
    "area": "Area vs SQNR",
    "area_per_mac": "Area per MAC/cycle vs SQNR",
    "energy": "Energy per MAC vs SQNR",
}


def plot_name(library):
    """File name of a library's Pareto plot."""
    return f"pareto_{re.sub(r'[^A-Za-z0-9_.-]+', '_', library)}.png"


def sweep_report(records, cosines, libraries, skipped, grid, flow, minilm_note):
    """The ``sweep.json`` dictionary: every point, each library's fronts (point keys)."""
    points = []
    for record in records:
        point = {**record, "area_per_mac_um2": area_per_mac(record)}
        if cosines:
            cosine = cosines.get(format_key(operand_format(record["design"], record["parameters"])))
            point["minilm_cosine"] = cosine["mean"] if cosine else None
            point["minilm_cosine_min"] = cosine["min"] if cosine else None
        points.append(point)
    fronts = {}
    for library in libraries:
        mine = [p for p in points if p["library"] == library.name and p["status"] == "ok"]
        fronts[library.name] = {
            name: [p["key"] for p in pareto_front(mine, *axes)] for name, axes in FRONTS.items()
        }
    failed_formats = [c for _, c in sorted(cosines.items()) if c["status"] != "ok"]
    return {
        "generator": "python -m synth.sweep",
        "grid": grid,
        "flow": flow,
        "libraries": [vars(library) for library in libraries],
        "skipped_libraries": [{"library": n, "reason": r} for n, r in skipped],
        "fronts_axes": {name: {"minimise": c, "maximise": b} for name, (c, b) in FRONTS.items()},
        "minilm": minilm_note,
        "minilm_failed": failed_formats,
        "points": points,
        "pareto": fronts,
    }


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def sweep_csv(report):
    """One row per point (every library), with its front memberships."""
    minilm = any("minilm_cosine" in p for p in report["points"])
    columns = ["library", "design", "tag", *PARAMETER_COLUMNS, "status", *FIGURES]
    columns += ["area_per_mac_um2"]
    columns += ["minilm_cosine"] * minilm + [f"pareto_{name}" for name in FRONTS]
    columns += ["error", "key"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for point in report["points"]:
        fronts = report["pareto"][point["library"]]
        row = {
            **point,
            **{name: point["parameters"].get(name) for name in PARAMETER_COLUMNS},
            **{f"pareto_{name}": point["key"] in keys for name, keys in fronts.items()},
        }
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def _number(value, digits=4):
    return "n/a" if value is None else f"{value:.{digits}g}"


def _front_table(points, minilm):
    titles = ["unit", "area (um^2)", "area/LANES (um^2)", "energy/MAC (pJ)", "SQNR (dB)"]
    titles += ["fmax (MHz)", "pipeline"]
    titles += ["MiniLM cosine"] * minilm
    rows = []
    for p in points:
        tag = p["tag"] + ("" if p["meets_clock"] in (True, None) else " (misses the clock)")
        row = [tag, _number(p["area_um2"], 6), _number(p["area_per_mac_um2"], 5)]
        row += [_number(p["energy_pj_per_mac"])]
        row += [_number(p["sqnr_db"]), _number(p["fmax_mhz"]), p["pipeline"] or "n/a"]
        row += [_number(p.get("minilm_cosine"))] * minilm
        rows.append(row)
    return markdown_table(titles, rows)


def sweep_markdown(report, plots):
    """``sweep.md``: settings, each library's two fronts and plot, the failed points."""
    flow, grid = report["flow"], report["grid"]
    minilm = any("minilm_cosine" in p for p in report["points"])
    lines = [
        "# Design-space sweep: sdr_mac against int8_mac and int4_mac",
        "",
        "Each point is synthesized with the fair flow of `python -m synth.report` (Yosys "
        "`synth -booth`, timing-driven ABC at the clock, the pipelining policy choosing the "
        "registers) and priced with gate-level power on the default GEMM, clock network "
        "included. Accuracy: operand SQNR on the default GEMM (mean over the seeds).",
        "",
        f"- grid: {grid['name']} ({len(report['points'])} points over "
        f"{len(report['libraries'])} libraries)",
        f"- clock: {1e-6 / flow['clock_period_s']:g} MHz; workload seeds "
        f"{', '.join(map(str, flow['seeds']))}, {flow['streams']} streams, at least "
        f"{flow['beats']} beats each",
        "- libraries: " + ", ".join(f"{x['name']} (`{x['path']}`)" for x in report["libraries"]),
        *[f"- skipped library {s['library']}: {s['reason']}" for s in report["skipped_libraries"]],
        f"- MiniLM cosine: {report['minilm']}",
        "",
        "Pareto fronts: the non-dominated points (no other point has lower cost and at least the "
        "SQNR, or the same cost and a higher SQNR). SQNR does not depend on LANES, so the front "
        "of absolute area holds LANES-1 units; the front of area per MAC/cycle (area / LANES, "
        "every unit at the same clock) compares throughput. Every point is in `sweep.csv` and "
        "`sweep.json`.",
        "",
    ]
    by_key = {p["key"]: p for p in report["points"]}
    for library in report["libraries"]:
        name = library["name"]
        fronts = report["pareto"][name]
        mine = [p for p in report["points"] if p["library"] == name]
        ok = sum(p["status"] == "ok" for p in mine)
        lines += [f"## {name}", "", f"{ok} of {len(mine)} points evaluated.", ""]
        for front in FRONTS:
            points = [by_key[key] for key in fronts[front]]
            lines += [f"### {_TITLES[front]}", "", _front_table(points, minilm), ""]
        if name in plots:
            lines += [f"![Pareto fronts on {name}]({plots[name]})", ""]
    if "plot_note" in report:
        lines += [report["plot_note"], ""]
    failed = [p for p in report["points"] if p["status"] != "ok"]
    if failed:
        lines += [
            "## Failed points",
            "",
            markdown_table(
                ["library", "unit", "error"],
                [
                    [p["library"], p["tag"], p["error"].replace("|", "\\|").replace("\n", " ")]
                    for p in failed
                ],
            ),
            "",
        ]
    for fmt in report["minilm_failed"]:
        lines += [f"- MiniLM failed for {json.dumps(fmt['format'])}: {fmt['error']}"]
    return "\n".join(lines).rstrip() + "\n"


def figures(report):
    """``{library: figure}``: each library's fronts over all its points, every front point
    labelled with its unit tag, the title naming the library and the clock; empty when
    matplotlib is missing (``report["plot_note"]`` then says so)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter
    except ImportError:
        report["plot_note"] = _PLOT_NOTE
        return {}
    designs = sorted({p["design"] for p in report["points"]})
    clock_mhz = 1e-6 / report["flow"]["clock_period_s"]
    drawn = {}
    for library in report["libraries"]:
        name = library["name"]
        mine = [p for p in report["points"] if p["library"] == name and p["status"] == "ok"]
        keys = report["pareto"][name]
        figure, axes = plt.subplots(1, len(FRONTS), figsize=(6 * len(FRONTS), 5))
        for axis, (front, (cost, benefit)) in zip(axes, FRONTS.items(), strict=True):
            for index, design in enumerate(designs):
                points = [p for p in mine if p["design"] == design and p[cost] is not None]
                if points:
                    axis.scatter(
                        [p[cost] for p in points],
                        [p[benefit] for p in points],
                        s=18,
                        color=f"C{index}",
                        label=design,
                    )
            by_key = {p["key"]: p for p in mine}
            line = [by_key[k] for k in keys[front]]
            axis.step(
                [p[cost] for p in line],
                [p[benefit] for p in line],
                where="post",
                color="black",
                linewidth=1,
                label="Pareto front",
            )
            for point in line:
                axis.annotate(
                    point["tag"],
                    (point[cost], point[benefit]),
                    fontsize=6,
                    xytext=(3, -8),
                    textcoords="offset points",
                )
            axis.set_xscale("log")
            axis.xaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))  # 1-2-5 steps, plain numbers
            axis.xaxis.set_major_formatter(FormatStrFormatter("%g"))
            axis.xaxis.set_minor_formatter(NullFormatter())
            axis.set_xlabel(_LABELS[cost])
            axis.set_ylabel(_LABELS[benefit])
            axis.grid(True, which="both", linewidth=0.3)
            axis.legend(fontsize=8)
        figure.suptitle(f"Sweep on {name} at {clock_mhz:g} MHz: Pareto fronts (labelled)")
        figure.tight_layout()
        drawn[name] = figure
    return drawn


def write_plots(report):
    """``{library: (file name, PNG bytes)}`` of :func:`figures`."""
    plots = {}
    for name, figure in figures(report).items():
        import matplotlib.pyplot as plt

        plots[name] = (plot_name(name), png_bytes(figure, dpi=100))
        plt.close(figure)
    return plots
