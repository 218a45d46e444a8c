"""Write ``report.json``, ``report.csv`` and ``report.md`` atomically (temp file, then rename).

The JSON holds everything, every figure as ``{"value", "unit", "source"}``; the CSV one row per
unit with units in the column names; the Markdown the tables a reader needs. No timestamps or
absolute work paths: the same inputs give the same bytes.
"""

import csv
import io
import json

from sim.files import write_atomic

from .blocks import CATEGORIES, CONTROL, REGISTERS
from .headline import PAPER, format_headline, record_value

__all__ = [
    "write_json",
    "write_csv",
    "write_markdown",
    "category_totals",
    "CATEGORY_ORDER",
    "CSV_COLUMNS",
]

#: Report categories in display order (registers last).
CATEGORY_ORDER = tuple(name for _, name in CATEGORIES) + (CONTROL, REGISTERS)


def _plain(value):
    return value.as_json() if hasattr(value, "as_json") else value


def write_json(path, report):
    write_atomic(path, json.dumps(report, default=_plain, indent=1) + "\n")


def category_totals(blocks):
    """``{category: value}`` from per-block ``{"category", "logic", "registers"}`` records;
    every block's registers go to the registers category."""
    totals = dict.fromkeys(CATEGORY_ORDER, 0.0)
    for parts in blocks.values():
        totals[parts["category"]] += parts["logic"].value
        totals[REGISTERS] += parts["registers"].value
    return {name: value for name, value in totals.items() if value}


#: ``(column, path into a unit record)`` of report.csv.
CSV_COLUMNS = (
    ("unit", ("tag",)),
    ("design", ("design",)),
    ("lanes", ("parameters", "LANES")),
    ("group", ("parameters", "GROUP")),
    ("cells", ("area", "cells")),
    ("area", ("area", "total")),
    ("area_registers", ("area", "registers")),
    ("fmax_MHz", ("timing", "fmax")),
    ("critical_path_ns", ("timing", "critical_path_delay")),
    ("power_gate_level_mW", ("power", "gate_level", "total")),
    ("power_internal_mW", ("power", "gate_level", "internal")),
    ("power_switching_mW", ("power", "gate_level", "switching")),
    ("power_leakage_mW", ("power", "gate_level", "leakage")),
    ("power_opensta_mW", ("power", "opensta", "total")),
    ("ratio_gate_level_to_opensta", ("power", "ratio_gate_level_to_opensta")),
    ("energy_per_operation_pJ", ("power", "energy_per_operation")),
    ("operation", ("power", "operation")),
    ("operations", ("power", "operations")),
    ("cycles", ("power", "cycles")),
)


def write_csv(path, report):
    """One row per unit; the area columns carry the report's area unit in their name."""
    unit = report["area_unit"].replace("^", "").replace(" ", "_").replace("(", "").replace(")", "")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [f"{name}_{unit}" if name.startswith("area") else name for name, _ in CSV_COLUMNS]
    )
    for record in report["units"]:
        row = []
        for _, keys in CSV_COLUMNS:
            value = record_value(record, *keys)
            row.append(
                "" if value is None else f"{value:.6g}" if isinstance(value, float) else value
            )
        writer.writerow(row)
    write_atomic(path, buffer.getvalue())


def _table(titles, rows):
    lines = ["| " + " | ".join(titles) + " |", "|" + "---|" * len(titles)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _number(value, digits=4):
    return "n/a" if value is None else f"{value:.{digits}g}"


def _conditions(report):
    c = report["conditions"]
    library = report["library"]
    lines = [
        f"- Library: {library['description']}",
        f"- Clock: {c['clock_frequency'].value:g} MHz ({c['clock_period'].value:g} ns), "
        f"ideal (no clock tree); supply {_number(library.get('voltage'))} V (the library's "
        "nominal voltage)",
        f"- I/O constraints: inputs arrive {c['input_delay'].value:g} ns after the clock "
        f"edge with a {c['input_transition'].value:g} ns transition; outputs are due "
        f"{c['output_delay'].value:g} ns before the next edge and drive "
        f"{c['output_load'].value:g} pF",
        f"- Workload: {report['workload']}",
        f"- Activity: {report['activity_method']}",
        f"- Power model: {report['power_method']}",
        f"- OpenSTA cross-check: {report['opensta_method']}",
        "- Tools: " + ", ".join(f"{name} {version}" for name, version in report["tools"].items()),
    ]
    return "\n".join(lines)


def _unit_rows(report):
    rows = []
    for r in report["units"]:
        power = r["power"] or {}
        rows.append(
            (
                r["tag"],
                r["area"]["cells"],
                f"{record_value(r, 'area', 'total'):.0f}",
                f"{record_value(r, 'area', 'registers'):.0f}",
                _number(record_value(r, "timing", "fmax")),
                _number(record_value(power, "gate_level", "total")),
                _number(record_value(power, "opensta", "total")),
                _number(power.get("ratio_gate_level_to_opensta"), 3),
                f"{_number(record_value(power, 'energy_per_operation'))} "
                f"{getattr(power.get('energy_per_operation'), 'unit', '')}".strip(),
            )
        )
    return rows


def _category_table(report, key, digits):
    units = [r for r in report["units"] if record_value(r, key) is not None]
    if not units:
        return "n/a"
    totals = [category_totals(r[key]["blocks"]) for r in units]
    names = [name for name in CATEGORY_ORDER if any(name in t for t in totals)]
    rows = [
        (r["tag"], *(f"{t[name]:.{digits}f}" if name in t else "" for name in names))
        for r, t in zip(units, totals, strict=True)
    ]
    return _table(["unit", *names], rows)


def write_markdown(path, report, plots):
    """The human-readable report: conditions, headline, per-unit tables, where the area goes."""
    titles, rows = format_headline(report["headline"])
    area_unit = report["area_unit"]
    parts = [
        "# QRazor units: area, timing and power",
        "",
        "Generated by `python -m synth.report`; every figure, with its unit and the file it "
        "came from, is in `report.json`.",
        "",
        "## Conditions",
        "",
        _conditions(report),
        "",
        "## Headline: sdr_mac against the baselines at equal LANES",
        "",
        f"The paper claims {100 * PAPER['area_reduction']:.1f} % less area and "
        f"{100 * PAPER['power_reduction']:.1f} % less power. Reduction = 1 - sdr_mac / baseline.",
        "",
        _table(titles, rows),
        "",
        "## Units",
        "",
        _table(
            [
                "unit",
                "cells",
                f"area ({area_unit})",
                f"registers ({area_unit})",
                "fmax (MHz)",
                "power, gate-level (mW)",
                "power, OpenSTA (mW)",
                "gate-level / OpenSTA",
                "energy per operation",
            ],
            _unit_rows(report),
        ),
        "",
        f"## Area by block ({area_unit})",
        "",
        "Logic per block category; the registers column holds every block's flip-flops.",
        "",
        _category_table(report, "area", 0 if report["area_unit"] == "um^2" else 1),
        "",
        "## Gate-level power by block (mW)",
        "",
        _category_table(report, "power", 3),
        "",
        "## Where the area goes",
        "",
        *report["findings"],
        "",
    ]
    notes = sorted({note for r in report["units"] for note in r["notes"]})
    if notes or report.get("plot_note"):
        parts += ["## Notes", "", *[f"- {note}" for note in notes]]
        if report.get("plot_note"):
            parts.append(f"- {report['plot_note']}")
        parts.append("")
    if plots:
        parts += ["## Plots", "", *[f"![{name}]({name})" for name in plots], ""]
    write_atomic(path, "\n".join(parts))
