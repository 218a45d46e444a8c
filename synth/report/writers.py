"""Write ``report.json``, ``report.csv`` and ``report.md`` atomically (temp file, then rename).

The JSON holds everything, every figure as ``{"value", "unit", "source"}``; the CSV one row per
unit with units in the column names; the Markdown the tables a reader needs. No timestamps or
absolute work paths: the same inputs give the same bytes.
"""

import csv
import io
import json

from hw.designs import RAP_DESIGNS
from sim.util.files import write_atomic
from sim.util.tables import markdown_table

from ..gates.blocks import CATEGORIES, CONTROL, REGISTERS
from .evaluate import POWER_PARTS
from .headline import MACS, clock_power, headline_markdown, record_value

__all__ = [
    "write_json",
    "write_csv",
    "write_markdown",
    "category_totals",
    "CATEGORY_ORDER",
    "CSV_COLUMNS",
    "RAP_COLUMNS",
    "rap_table",
    "rap_summary",
    "compactor_summary",
    "compactor_table",
]

#: Report categories in display order (registers last).
CATEGORY_ORDER = tuple(name for _, name in CATEGORIES) + (CONTROL, REGISTERS)
#: Titles of the power parts (``synth.evaluate.POWER_PARTS`` and the extras).
PART_TITLES = {
    "logic_internal": "cell internal",
    "switching": "net switching",
    "leakage": "leakage",
    "clock_pins": "clock: flip-flop pins",
    "clock_nets": "clock: nets (pins, wire)",
    "clock_buffers": "clock: tree buffers",
    "total": "total",
    "input_ports": "input ports (apart)",
}


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
    ("pipeline", ("parameters", "PIPELINE")),
    ("latency", ("latency",)),
    ("cells", ("area", "cells")),
    ("flip_flops", ("area", "flip_flops")),
    ("area", ("area", "total")),
    ("area_registers", ("area", "registers")),
    ("fmax_MHz", ("timing", "fmax")),
    ("worst_slack_ns", ("timing", "worst_slack")),
    ("meets_clock", ("timing", "meets_clock")),
    *(
        (f"power_{part}_mW", ("power", "gate_level", part))
        for part in ("total", *POWER_PARTS, "input_ports")
    ),
    ("power_opensta_mW", ("power", "opensta", "components", "total", "opensta")),
    ("ratio_gate_level_to_opensta", ("power", "opensta", "components", "total", "ratio")),
    ("energy_per_operation_pJ", ("power", "energy_per_operation")),
    ("operation", ("power", "operation")),
    ("sqnr_dB", ("accuracy", "sqnr_db")),
    ("passes", ("power", "passes")),
    ("operations_per_cycle", ("power", "operations_per_cycle")),
    ("in_bits", ("parameters", "IN_BITS")),
    ("out_bits", ("parameters", "OUT_BITS")),
    ("scale", ("parameters", "SCALE")),
    ("max_row", ("parameters", "MAX_ROW")),
    ("d", ("parameters", "D")),
    ("energy_at_fmax_pJ", ("power", "at_fmax", "energy_per_operation")),
    ("rows", ("parameters", "ROWS")),
    ("k", ("parameters", "K")),
    ("energy_without_clock_pJ", ("power", "energy_per_operation_without_clock")),
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


def _number(value, digits=4):
    return "n/a" if value is None else f"{value:.{digits}g}"


def _conditions(report):
    c = report["conditions"]
    library = report["library"]
    flow = report.get("flow", {})
    lines = [
        f"- Library: {library['description']}",
        f"- Clock: {c['clock_frequency'].value:g} MHz ({c['clock_period'].value:g} ns); supply "
        f"{_number(library.get('voltage'))} V (the library's nominal voltage)",
        f"- I/O constraints: inputs arrive {c['input_delay'].value:g} ns after the clock "
        f"edge with a {c['input_transition'].value:g} ns transition; outputs are due "
        f"{c['output_delay'].value:g} ns before the next edge and drive "
        f"{c['output_load'].value:g} pF",
    ]
    if flow:
        lines += [f"- Mapping: {flow['mapping']}", f"- Pipelining: {flow['pipelining']}"]
    lines += [
        f"- Workload: {report['workload']}",
        f"- Activity: {report['activity_method']}",
        f"- Power model: {report['power_method']}",
        f"- Clock network: {report['clock_method']}",
        f"- OpenSTA cross-check: {report['opensta_method']}",
        "- Tools: " + ", ".join(f"{name} {version}" for name, version in report["tools"].items()),
    ]
    return "\n".join(lines)


def _flag(record):
    met = record_value(record, "timing", "meets_clock")
    return "" if met is None else ("yes" if met else "**NO: violation**")


def _macs(report):
    """The units of the QRazor comparison (MACs and the encoder): every unit but the RAP ones."""
    return [r for r in report["units"] if r["design"] not in RAP_DESIGNS]


def _rap_units(report):
    return [r for r in report["units"] if r["design"] in RAP_DESIGNS]


def _unit_rows(report):
    rows = []
    for r in _macs(report):
        power = r["power"] or {}
        gate = power.get("gate_level", {})
        clock = clock_power(gate)
        rows.append(
            (
                r["tag"],
                r["parameters"].get("PIPELINE", ""),
                r.get("latency", ""),
                r["area"].get("flip_flops", ""),
                f"{record_value(r, 'area', 'total'):.0f}",
                _number(record_value(r, "timing", "fmax")),
                _flag(r),
                _number(record_value(gate, "total")),
                _number(clock) if gate else "n/a",
                _number(record_value(gate, "input_ports")),
                f"{_number(record_value(power, 'energy_per_operation'))} "
                f"{getattr(power.get('energy_per_operation'), 'unit', '')}".strip(),
                _number(record_value(r, "accuracy", "sqnr_db"), 3),
            )
        )
    return rows


def _power_rows(report):
    rows = []
    for r in report["units"]:
        power = r["power"]
        if not power:
            continue
        gate = power["gate_level"]
        seeds = [q.value for q in power["per_seed"].values()]
        spread = (max(seeds) - min(seeds)) / gate["total"].value if gate["total"].value else 0
        rows.append(
            (
                r["tag"],
                *(_number(gate[part].value) for part in PART_TITLES),
                f"{min(seeds):.4g} - {max(seeds):.4g} ({100 * spread:.1f} %)",
            )
        )
    return rows


def _opensta_rows(report):
    rows = []
    for r in report["units"]:
        compared = (r["power"] or {}).get("opensta")
        if not compared:
            continue
        for key, row in compared["components"].items():
            rows.append(
                (
                    r["tag"],
                    key,
                    _number(row["gate_level"].value),
                    _number(row["opensta"].value),
                    _number(row["ratio"], 3),
                    _number(row["gate_level_with_opensta_conventions"].value),
                    _number(row["ratio_with_opensta_conventions"], 3),
                )
            )
    return rows


def _opensta_explanation(report):
    """Which components differ by more than the report's tolerance, and how far they close with
    OpenSTA's conventions."""
    tolerance = report["opensta_tolerance"]
    lines, residual = [], 0.0
    for r in report["units"]:
        compared = (r["power"] or {}).get("opensta")
        if not compared:
            continue
        for key, row in compared["components"].items():
            ratio, reconciled = row["ratio"], row["ratio_with_opensta_conventions"]
            if ratio is not None and abs(ratio - 1) > tolerance:
                residual = max(residual, abs(reconciled - 1))
                lines.append(
                    f"- {r['tag']} {key}: gate-level / OpenSTA = {ratio:.3f}; with OpenSTA "
                    f"2.0.17's conventions {reconciled:.3f}"
                )
    if lines:
        lines.append(
            f"- Every one closes to within {100 * residual:.1f} % once OpenSTA 2.0.17's "
            "conventions are applied to the same activity: the difference is how that release "
            "turns the tables into energy (above), not the activity or the netlist."
        )
    return lines


def _pipeline_rows(report):
    return [
        (r["tag"], r["pipelining"]["chosen"], r["pipelining"]["reason"])
        for r in report["units"]
        if r.get("pipelining")
    ]


def _violation_rows(report):
    rows = []
    for r in report["units"]:
        at = (r["power"] or {}).get("at_fmax")
        if at:
            rows.append(
                (
                    r["tag"],
                    _number(record_value(r, "timing", "worst_slack")),
                    _number(at["fmax"].value),
                    _number(at["power"]["total"].value),
                    _number(at["energy_per_operation"].value),
                )
            )
    return rows


def _clock_rows(report):
    rows = []
    for r in report["units"]:
        tree = (r["power"] or {}).get("clock_tree")
        if tree:
            rows.append(
                (
                    r["tag"],
                    tree["sinks"],
                    tree["buffer_cell"],
                    " + ".join(map(str, tree["buffers_per_level"])),
                    f"{tree['wire_length_um']:.0f}",
                    f"{tree['wire_capacitance_F'] * 1e12:.3f}",
                )
            )
    return rows


def _amortised_rows(report, area_unit):
    return [
        (
            row["columns"],
            f"{row['area']:.0f}",
            _number(row["power_mw"]),
            _number(row["energy_per_mac_pj"]),
            *(
                "n/a" if row[key] is None else f"{100 * row[key]:.1f} %"
                for key in ("area_reduction", "power_reduction", "energy_per_mac_reduction")
            ),
        )
        for row in report.get("encoder_amortised", [])
    ]


def _category_table(report, key, digits):
    units = [r for r in _macs(report) if record_value(r, key) is not None]
    if not units:
        return "n/a"
    totals = [category_totals(r[key]["blocks"]) for r in units]
    names = [name for name in CATEGORY_ORDER if any(name in t for t in totals)]
    rows = [
        (r["tag"], *(f"{t[name]:.{digits}f}" if name in t else "" for name in names))
        for r, t in zip(units, totals, strict=True)
    ]
    return markdown_table(["unit", *names], rows)


#: ``(key, column title)`` of the RAP table (and of ``summary.json``'s RAP rows).
RAP_COLUMNS = (
    ("unit", "unit"),
    ("parameters", "parameters"),
    ("passes", "passes"),
    ("latency", "LATENCY (cycles)"),
    ("flip_flops", "flip-flops"),
    ("area", "area"),
    ("area_registers", "of which registers"),
    ("worst_slack_ns", "worst slack (ns)"),
    ("fmax_mhz", "fmax (MHz)"),
    ("meets_clock", "meets clock"),
    ("power_mw", "power (mW)"),
    ("clock_mw", "of which clock (mW)"),
    ("energy_pj", "energy per row element (pJ)"),
    ("energy_at_fmax_pj", "energy/element at own fmax (pJ)"),
    ("opensta_ratio", "gate-level / OpenSTA (total)"),
)


def _parameter_text(parameters):
    return ", ".join(
        f"{name}={value:.6g}" if isinstance(value, float) else f"{name}={value}"
        for name, value in parameters.items()
    )


def rap_summary(report):
    """One dict per RAP unit, keyed as :data:`RAP_COLUMNS` (plain numbers, None where missing)."""
    rows = []
    for r in _rap_units(report):
        power = r["power"] or {}
        gate = power.get("gate_level", {})
        clock = clock_power(gate)
        rows.append(
            {
                "unit": r["tag"],
                "parameters": _parameter_text(r["parameters"]),
                "passes": power.get("passes"),
                "latency": r.get("latency"),
                "flip_flops": r["area"].get("flip_flops"),
                "area": record_value(r, "area", "total"),
                "area_registers": record_value(r, "area", "registers"),
                "worst_slack_ns": record_value(r, "timing", "worst_slack"),
                "fmax_mhz": record_value(r, "timing", "fmax"),
                "meets_clock": record_value(r, "timing", "meets_clock"),
                "power_mw": record_value(gate, "total"),
                "clock_mw": clock if gate else None,
                "energy_pj": record_value(power, "energy_per_operation"),
                "energy_at_fmax_pj": record_value(power, "at_fmax", "energy_per_operation"),
                "opensta_ratio": record_value(power, "opensta", "components", "total", "ratio"),
                "workload": power.get("workload"),
            }
        )
    return rows


def rap_table(report):
    """``(titles, rows of strings)`` of the RAP units."""
    area_unit = report["area_unit"]
    titles = [
        f"{title} ({area_unit})" if key.startswith("area") else title for key, title in RAP_COLUMNS
    ]
    rows = []
    for row in rap_summary(report):
        cells = []
        for key, _ in RAP_COLUMNS:
            value = row[key]
            if key == "meets_clock":
                cells.append("" if value is None else "yes" if value else "**NO: violation**")
            elif key.startswith("area"):
                cells.append("n/a" if value is None else f"{value:.0f}")
            elif key == "opensta_ratio":
                cells.append(_number(value, 3))
            elif isinstance(value, float):
                cells.append(_number(value))
            else:
                cells.append("n/a" if value is None else str(value))
        rows.append(tuple(cells))
    return titles, rows


def _rap_block_rows(report):
    rows = []
    for r in _rap_units(report):
        power = (r["power"] or {}).get("blocks", {})
        for block, parts in r["area"]["blocks"].items():
            watts = power.get(block)
            rows.append(
                (
                    r["tag"],
                    block,
                    f"{parts['logic'].value:.0f}",
                    f"{parts['registers'].value:.0f}",
                    "n/a"
                    if watts is None
                    else _number(watts["logic"].value + watts["registers"].value),
                )
            )
    return rows


def compactor_summary(report):
    """``summary.json``'s rows of ``row_compactor``: per unit its ROWS, K, area, fmax, partials
    per cycle, power and energy per partial with and without the clock network."""
    rows = []
    for r in report["units"]:
        if r["design"] != "row_compactor":
            continue
        rows.append(
            {
                "unit": r["tag"],
                "rows": r["parameters"]["ROWS"],
                "k": r["parameters"]["K"],
                "area": record_value(r, "area", "total"),
                "fmax_mhz": record_value(r, "timing", "fmax"),
                "meets_clock": record_value(r, "timing", "meets_clock"),
                "partials_per_cycle": record_value(r, "power", "operations_per_cycle"),
                "power_mw": record_value(r, "power", "gate_level", "total"),
                "energy_pj": record_value(r, "power", "energy_per_operation"),
                "energy_without_clock_pj": record_value(
                    r, "power", "energy_per_operation_without_clock"
                ),
            }
        )
    return rows


def compactor_table(report):
    """``(titles, rows)`` of ``row_compactor``'s Markdown table."""
    titles = [
        "unit",
        f"area ({report['area_unit']})",
        "fmax (MHz)",
        "meets clock",
        "partials per cycle",
        "power (mW)",
        "pJ per partial",
        "pJ per partial without clock",
    ]
    rows = [
        (
            row["unit"],
            "n/a" if row["area"] is None else f"{row['area']:.0f}",
            _number(row["fmax_mhz"]),
            "" if row["meets_clock"] is None else "yes" if row["meets_clock"] else "**NO**",
            _number(row["partials_per_cycle"], 3),
            _number(row["power_mw"]),
            _number(row["energy_pj"]),
            _number(row["energy_without_clock_pj"]),
        )
        for row in compactor_summary(report)
    ]
    return titles, rows


def _compactor_section(report):
    """``row_compactor``'s own section of ``report.md`` (empty without it): area, fmax and
    energy per partial with and without the clock network."""
    compactor = report.get("compactor")
    if not compactor:
        return []
    units = [r for r in report["units"] if r["design"] == "row_compactor"]
    return [
        "## RAP row compactor",
        "",
        "`row_compactor` (SPEC section 9) through the same flow; every mask and every cycle's "
        "`ready` checked against the golden split and the handshake.",
        "",
        f"- Workload: {compactor['workload']}.",
        f"- Energy: {compactor['energy_convention']}.",
        "",
        markdown_table(*compactor_table(report)),
        "",
        *[f"- {r['tag']}: {r['power']['workload']}" for r in units if r["power"]],
        "",
    ]


def _rap_section(report):
    """The RAP row units' own section of ``report.md`` (empty without them)."""
    rap = report.get("rap")
    if not rap:
        return []
    units = _rap_units(report)
    lanes = ", ".join(map(str, rap["lanes"]))
    names = ", ".join(dict.fromkeys(r["design"] for r in units))
    workloads = [f"- {r['tag']}: {r['power']['workload']}" for r in units if r["power"]]
    return [
        f"## RAP digital periphery: {names} at LANES={lanes}",
        "",
        "The row units of SPEC section 8 through the same flow (mapping, timing at the stated "
        "clock, gate-level activity checked bit-exactly against the golden kernels, power with "
        "the clock network, OpenSTA cross-check). They are not part of the QRazor headline or "
        "its plots.",
        "",
        f"- Workload: {rap['workload']}",
        f"- Streams: {rap['streams']}.",
        f"- Energy: {rap['energy_convention']}.",
        f"- Registers: {rap['registers']}",
        "",
        markdown_table(*rap_table(report)),
        "",
        "Workload of each unit (its parameters above are the ones these rows need):",
        "",
        *workloads,
        "",
        "### RAP units: registers and why",
        "",
        markdown_table(["unit", "registers"], [(r["tag"], r.get("registers", "")) for r in units]),
        "",
        f"### RAP units by block (area in {report['area_unit']}, gate-level power in mW, "
        "clock tree not included)",
        "",
        markdown_table(
            ["unit", "block", "logic", "registers", "power (mW)"], _rap_block_rows(report)
        ),
        "",
    ]


def _constants(report):
    rows = [
        (name, f"{value:g}", unit, source)
        for name, (value, unit, source) in report.get("constants", {}).items()
    ]
    return markdown_table(["constant", "value", "unit", "source"], rows) if rows else "n/a"


def _priced_line(report):
    """The netlists the headline prices: each MAC's PIPELINE and LATENCY (the pipelining the
    policy chose; ``python -m hw.export`` defaults to PIPELINE=all, another netlist)."""
    units = "; ".join(
        f"{r['tag']} PIPELINE={r['parameters'].get('PIPELINE', '-')} LATENCY={r['latency']}"
        for r in report["units"]
        if r["design"] in MACS
    )
    return (
        f"Netlists priced (the pipelining the policy chose): {units or 'none'}. "
        "`python -m hw.export` defaults to PIPELINE=all; export with the PIPELINE named here "
        "to get the netlist these figures describe."
    )


def write_markdown(path, report, plots):
    """The human-readable report."""
    area_unit = report["area_unit"]
    parts = [
        f"# QRazor units on {report['library']['name']}: area, timing and power",
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
        "The paper claims 61.2 % less area and 57.8 % less power. Ratio = sdr_mac / baseline, "
        "reduction = 1 - ratio; power includes the clock network; SQNR is that of each unit's "
        "operands on the same GEMM against its float64 product.",
        "",
        headline_markdown(report["headline"]),
        "",
        _priced_line(report),
        "",
    ]
    amortised = _amortised_rows(report, area_unit)
    if amortised:
        parts += [
            "## sdr_mac with its on-chip encoder, shared by C columns",
            "",
            "One `sdr_encoder` razors one INT16 group per cycle and feeds C `sdr_mac` columns; "
            "each column carries 1/C of it. Reductions are against `int8_mac` at the same LANES, "
            "which is charged nothing for quantizing its activations to INT8 (in its favour).",
            "",
            markdown_table(
                [
                    "C",
                    f"area per column ({area_unit})",
                    "power per column (mW)",
                    "energy/MAC (pJ)",
                    "area reduction",
                    "power reduction",
                    "energy/MAC reduction",
                ],
                amortised,
            ),
            "",
        ]
    parts += ["## Units", ""]
    if report.get("rap"):
        parts += ["The QRazor units (the RAP row units have their own section below).", ""]
    parts += [
        markdown_table(
            [
                "unit",
                "pipeline registers",
                "LATENCY (cycles)",
                "flip-flops",
                f"area ({area_unit})",
                "fmax (MHz)",
                "meets clock",
                "power (mW)",
                "of which clock (mW)",
                "input ports (mW, apart)",
                "energy per operation",
                "SQNR (dB)",
            ],
            _unit_rows(report),
        ),
        "",
    ]
    parts += _rap_section(report)
    parts += _compactor_section(report)
    pipelines = _pipeline_rows(report)
    if pipelines:
        parts += [
            "## Pipeline registers and why",
            "",
            "Every unit has its state registers (accumulator, a group's partial sum, the "
            "encoder's outputs); the policy adds the fewest pipeline registers that meet the "
            "clock (every step in `report.json`).",
            "",
            markdown_table(["unit", "registered cuts", "why"], pipelines),
            "",
        ]
    violations = _violation_rows(report)
    if violations:
        parts += [
            "## Units that miss the clock",
            "",
            markdown_table(
                ["unit", "worst slack (ns)", "own fmax (MHz)", "power at fmax (mW)", "energy/op"],
                violations,
            ),
            "",
        ]
    power_rows = _power_rows(report)
    if power_rows:
        parts += [
            "## Power by part (mW, mean over the seeds)",
            "",
            markdown_table(["unit", *PART_TITLES.values(), "total over seeds"], power_rows),
            "",
            "## Clock tree estimate",
            "",
            markdown_table(
                ["unit", "clock pins", "buffer", "buffers per level", "wire (um)", "wire (pF)"],
                _clock_rows(report),
            ),
            "",
            _constants(report),
            "",
        ]
    opensta = _opensta_rows(report)
    if opensta:
        parts += [
            "## Gate-level power against OpenSTA (same per-net activity)",
            "",
            report["opensta_conventions"],
            "",
            markdown_table(
                [
                    "unit",
                    "component",
                    "gate-level (mW)",
                    "OpenSTA (mW)",
                    "ratio",
                    "gate-level, OpenSTA's conventions (mW)",
                    "ratio",
                ],
                opensta,
            ),
            "",
            f"Components that differ by more than {100 * report['opensta_tolerance']:.0f} %:",
            "",
            *(_opensta_explanation(report) or ["- none"]),
            "",
        ]
    parts += [
        f"## Area by block ({area_unit})",
        "",
        "Logic per block category; the registers column holds every block's flip-flops.",
        "",
        _category_table(report, "area", 0 if area_unit == "um^2" else 1),
        "",
        "## Gate-level power by block (mW, clock tree not included)",
        "",
        _category_table(report, "power", 3),
        "",
        "## Where the area and the power go",
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
