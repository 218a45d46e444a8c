"""The headline comparison: ``sdr_mac`` against ``int8_mac`` and ``decompress_mac`` at equal LANES.

Reductions are ``1 - sdr_mac / baseline`` (positive: ``sdr_mac`` is smaller or cheaper); the
fmax column is ``sdr_mac``'s fmax over the baseline's. :func:`headline_rows` runs the whole
flow for one LANES setting, for callers such as ``python -m sim.run_mac --synth``.
"""

import tempfile
from pathlib import Path

from .evaluate import Setup, evaluate_unit
from .liberty import default_liberty, load_liberty
from .stimulus import DEFAULT_DOT_PRODUCTS

__all__ = [
    "PAPER",
    "BASELINES",
    "MACS",
    "HEADLINE_COLUMNS",
    "reductions",
    "headline",
    "headline_rows",
    "format_headline",
]

#: The paper's claims for the SDR unit against a conventional one.
PAPER = {"area_reduction": 0.612, "power_reduction": 0.578}
#: Units ``sdr_mac`` is compared with, in report order.
BASELINES = ("int8_mac", "decompress_mac")
MACS = ("sdr_mac",) + BASELINES
#: ``(key, column title)`` of a headline row, in table order.
HEADLINE_COLUMNS = (
    ("lanes", "LANES"),
    ("baseline", "sdr_mac vs"),
    ("area_reduction", "area reduction"),
    ("power_reduction", "power reduction (gate-level activity)"),
    ("opensta_power_reduction", "power reduction (OpenSTA)"),
    ("energy_per_mac_reduction", "energy/MAC reduction"),
    ("fmax_ratio", "fmax sdr/baseline"),
)


def record_value(record, *keys):
    """``record[keys[0]][keys[1]]...`` as a plain number (None where any level is missing)."""
    for key in keys:
        if record is None:
            return None
        record = record.get(key)
    return getattr(record, "value", record)


def _reduction(new, old):
    return None if new is None or not old else 1.0 - new / old


def reductions(sdr, baseline):
    """Headline figures of record ``sdr`` against record ``baseline`` (None where missing)."""
    fmax_sdr, fmax_base = (
        record_value(sdr, "timing", "fmax"),
        record_value(baseline, "timing", "fmax"),
    )
    return {
        "area_reduction": _reduction(
            record_value(sdr, "area", "total"), record_value(baseline, "area", "total")
        ),
        "power_reduction": _reduction(
            record_value(sdr, "power", "gate_level", "total"),
            record_value(baseline, "power", "gate_level", "total"),
        ),
        "opensta_power_reduction": _reduction(
            record_value(sdr, "power", "opensta", "total"),
            record_value(baseline, "power", "opensta", "total"),
        ),
        "energy_per_mac_reduction": _reduction(
            record_value(sdr, "power", "energy_per_operation"),
            record_value(baseline, "power", "energy_per_operation"),
        ),
        "fmax_ratio": fmax_sdr / fmax_base if fmax_sdr and fmax_base else None,
    }


def headline(records):
    """Headline rows (dicts keyed as :data:`HEADLINE_COLUMNS`) for every LANES in ``records``."""
    by_unit = {(r["design"], r["parameters"].get("LANES")): r for r in records}
    rows = []
    for lanes in sorted({lanes for design, lanes in by_unit if design == "sdr_mac"}):
        for baseline in BASELINES:
            if (baseline, lanes) in by_unit:
                rows.append(
                    {
                        "lanes": lanes,
                        "baseline": baseline,
                        **reductions(by_unit["sdr_mac", lanes], by_unit[baseline, lanes]),
                    }
                )
    return rows


def format_headline(rows):
    """``(titles, rows of strings)``: percentages with one decimal, ratios with two, "n/a"."""

    def text(key, value):
        if value is None:
            return "n/a"
        if key.endswith("reduction"):
            return f"{100 * value:.1f} %"
        return f"{value:.2f}" if isinstance(value, float) else str(value)

    return (
        [title for _, title in HEADLINE_COLUMNS],
        [tuple(text(key, row[key]) for key, _ in HEADLINE_COLUMNS) for row in rows],
    )


def headline_rows(lanes=16, liberty=None, out_dir=None, dot_products=DEFAULT_DOT_PRODUCTS):
    """Run the flow for the three MACs at ``lanes`` and return their two headline rows.

    ``liberty``: a Liberty path (default: the OSU 0.18 um library when installed, else the
    generic mode, where only the area reduction is available). ``out_dir``: where the work
    files go (default: a temporary folder, removed afterwards). Raises ``ValueError`` for bad
    arguments (``synth.liberty.LibertyError`` for a bad Liberty file) and the flow's errors.
    """
    liberty = liberty or default_liberty()
    if liberty is not None:
        load_liberty(liberty)  # refuse a bad file before any work
    setup = Setup(Path(liberty) if liberty else None, dot_products=dot_products)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(out_dir) if out_dir else Path(scratch)
        records = [evaluate_unit(design, {"LANES": lanes}, setup, folder) for design in MACS]
    return headline(records)
