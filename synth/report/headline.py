"""The headline comparison: ``sdr_mac`` against each baseline at equal LANES, and with the
on-chip encoder shared by C columns.

Ratios are ``sdr_mac / baseline`` and reductions ``1 - ratio`` (positive: ``sdr_mac`` is
smaller or cheaper); power is the total with the clock network (:mod:`synth.report.evaluate`).
The fmax column is ``sdr_mac``'s fmax over the baseline's. Each row carries the SQNR of both units'
operands on the same GEMM, so that area, power and accuracy are read together.
:func:`headline_rows` runs the whole flow for one LANES setting, for callers such as
``python -m sim.run_mac --synth``.
"""

import tempfile
from pathlib import Path

from sim.util.cli import cli_main
from sim.util.tables import markdown_table

from ..library.liberty import default_liberty, load_liberty
from .evaluate import Setup, evaluate_unit

__all__ = [
    "PAPER",
    "BASELINES",
    "MACS",
    "SHARED_COLUMNS",
    "HEADLINE_COLUMNS",
    "record_value",
    "CLOCK_PARTS",
    "clock_power",
    "reductions",
    "headline",
    "encoder_amortised",
    "netlists",
    "headline_rows",
    "headline_run",
    "format_headline",
    "NO_HEADLINE",
    "headline_markdown",
    "priced_text",
]

#: The paper's claims for the SDR unit against a conventional one.
PAPER = {"area_reduction": 0.612, "power_reduction": 0.578}
#: Units ``sdr_mac`` is compared with, in report order.
BASELINES = ("int8_mac", "int4_mac", "decompress_mac")
MACS = ("sdr_mac",) + BASELINES
#: Columns of C in "sdr_mac + sdr_encoder / C" rows.
SHARED_COLUMNS = (1, 16, 64)
#: ``(key, column title)`` of a headline row, in table order.
HEADLINE_COLUMNS = (
    ("lanes", "LANES"),
    ("baseline", "sdr_mac vs"),
    ("area_ratio", "area ratio"),
    ("area_reduction", "area reduction"),
    ("power_ratio", "power ratio (with clock)"),
    ("power_reduction", "power reduction (gate-level)"),
    ("opensta_power_reduction", "power reduction (OpenSTA)"),
    ("energy_per_mac_reduction", "energy/MAC reduction"),
    ("fmax_ratio", "fmax sdr/baseline"),
    ("sqnr_db", "SQNR sdr / baseline (dB)"),
)


def record_value(record, *keys):
    """``record[keys[0]][keys[1]]...`` as a plain number (None where any level is missing)."""
    for key in keys:
        if record is None:
            return None
        record = record.get(key)
    return getattr(record, "value", record)


#: The clock network's parts of a gate-level power record.
CLOCK_PARTS = ("clock_pins", "clock_nets", "clock_buffers")


def clock_power(gate):
    """Power of the clock network in the gate-level power record ``gate``: the flip-flops'
    clock pins, the clock nets and the clock buffers (a missing part counts 0)."""
    return sum(record_value(gate, key) or 0 for key in CLOCK_PARTS)


def _ratio(new, old):
    return None if new is None or not old else new / old


def _less(ratio):
    return None if ratio is None else 1.0 - ratio


def reductions(sdr, baseline):
    """Headline figures of record ``sdr`` against record ``baseline`` (None where missing)."""

    def pair(*keys):
        return record_value(sdr, *keys), record_value(baseline, *keys)

    area = _ratio(*pair("area", "total"))
    power = _ratio(*pair("power", "gate_level", "total"))
    opensta = _ratio(*pair("power", "opensta", "components", "total", "opensta"))
    energy = _ratio(*pair("power", "energy_per_operation"))
    fmax_sdr, fmax_base = pair("timing", "fmax")
    sqnr_sdr, sqnr_base = pair("accuracy", "sqnr_db")
    return {
        "area_ratio": area,
        "area_reduction": _less(area),
        "power_ratio": power,
        "power_reduction": _less(power),
        "opensta_power_reduction": _less(opensta),
        "energy_per_mac_reduction": _less(energy),
        "fmax_ratio": fmax_sdr / fmax_base if fmax_sdr and fmax_base else None,
        "sqnr_db": (sqnr_sdr, sqnr_base),
        "meets_clock": (record_value(sdr, "timing", "meets_clock"),)
        + (record_value(baseline, "timing", "meets_clock"),),
    }


def _by_unit(records):
    return {(r["design"], r["parameters"].get("LANES")): r for r in records}


def headline(records):
    """Headline rows (dicts keyed as :data:`HEADLINE_COLUMNS`) for every LANES in ``records``."""
    by_unit = _by_unit(records)
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


def encoder_amortised(records, columns=SHARED_COLUMNS):
    """``sdr_mac + sdr_encoder / C`` against ``int8_mac`` at LANES = the encoder's GROUP (one
    encoder group per cycle feeds C columns of ``sdr_mac`` at full rate).

    Each row: C, area and power of one column with its share of the encoder, energy per MAC,
    and their reductions against ``int8_mac`` (which is charged no activation quantizer: in the
    baseline's favour).
    """
    by_unit = _by_unit(records)
    encoder = next((r for r in records if r["design"] == "sdr_encoder"), None)
    if encoder is None:
        return []
    lanes = encoder["parameters"]["GROUP"]
    sdr, base = by_unit.get(("sdr_mac", lanes)), by_unit.get(("int8_mac", lanes))
    if sdr is None or base is None:
        return []
    rows = []
    for count in columns:

        def shared(*keys, count=count):
            own, share = record_value(sdr, *keys), record_value(encoder, *keys)
            return None if own is None or share is None else own + share / count

        area = shared("area", "total")
        power = shared("power", "gate_level", "total")
        energy = None
        if power is not None:
            period = record_value(sdr, "timing", "clock_period")
            energy = power * 1e-3 * period * 1e-9 / lanes * 1e12 if period else None
        rows.append(
            {
                "columns": count,
                "lanes": lanes,
                "area": area,
                "power_mw": power,
                "energy_per_mac_pj": energy,
                "area_reduction": _less(_ratio(area, record_value(base, "area", "total"))),
                "power_reduction": _less(
                    _ratio(power, record_value(base, "power", "gate_level", "total"))
                ),
                "energy_per_mac_reduction": _less(
                    _ratio(energy, record_value(base, "power", "energy_per_operation"))
                ),
            }
        )
    return rows


#: What a report says where its designs hold no sdr_mac and baseline MAC at one LANES.
NO_HEADLINE = (
    "No headline: it compares sdr_mac with a baseline MAC (int8_mac, int4_mac, decompress_mac) "
    "at the same LANES, and this run priced no such pair (`--designs` names what is priced)."
)


def headline_markdown(rows):
    """The headline ``rows`` as a Markdown table, or :data:`NO_HEADLINE` when there is none."""
    return markdown_table(*format_headline(rows)) if rows else NO_HEADLINE


def format_headline(rows):
    """``(titles, rows of strings)``: percentages with one decimal, ratios with two, "n/a"."""

    def text(key, value):
        if value is None:
            return "n/a"
        if key == "sqnr_db":
            return " / ".join("n/a" if v is None else f"{v:.1f}" for v in value)
        if key.endswith("reduction"):
            return f"{100 * value:.1f} %"
        if key.endswith("ratio"):
            return f"{value:.3f}"
        return str(value)

    return (
        [title for _, title in HEADLINE_COLUMNS],
        [tuple(text(key, row[key]) for key, _ in HEADLINE_COLUMNS) for row in rows],
    )


def netlists(records):
    """``{tag: {"design", "PIPELINE", "LATENCY"}}``: the netlist each record prices (the
    pipelining the policy chose, or the unit's default where it has no PIPELINE)."""
    return {
        r["tag"]: {
            "design": r["design"],
            "PIPELINE": r["parameters"].get("PIPELINE"),
            "LATENCY": r["latency"],
        }
        for r in records
    }


def headline_run(lanes=16, liberty=None, out_dir=None, seeds=(0,)):
    """Run the flow for the four MACs at ``lanes``: ``{"rows", "library", "clock_mhz",
    "netlists"}`` -- the headline rows, the Liberty library's name (None in the generic mode),
    the clock they were timed and powered at, and the PIPELINE and LATENCY of every netlist
    priced (:func:`netlists`).

    ``liberty``: a Liberty path (default: the OSU 0.18 um library when installed, else the
    generic mode, where only the area reduction is available). ``out_dir``: where the work
    files go (default: a temporary folder, removed afterwards). Raises ``ValueError`` for bad
    arguments (``synth.liberty.LibertyError`` for a bad Liberty file) and the flow's errors.
    """
    liberty = liberty or default_liberty()
    library = load_liberty(liberty) if liberty is not None else None  # refuse a bad file first
    setup = Setup(Path(liberty) if liberty else None, seeds=tuple(seeds))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(out_dir) if out_dir else Path(scratch)
        records = [evaluate_unit(design, {"LANES": lanes}, setup, folder) for design in MACS]
    return {
        "rows": headline(records),
        "library": library.name if library is not None else None,
        "clock_mhz": 1e-6 / setup.conditions.clock_period if library is not None else None,
        "netlists": netlists(records),
    }


def headline_rows(lanes=16, liberty=None, out_dir=None, seeds=(0,)):
    """The headline rows of :func:`headline_run` alone."""
    return headline_run(lanes, liberty, out_dir, seeds)["rows"]


def priced_text(run):
    """One line naming what ``run`` (a :func:`headline_run` result) priced: library, clock and
    each netlist's PIPELINE and LATENCY."""
    library = run.get("library") or "no Liberty library (generic cells: area only)"
    clock = f" at {run['clock_mhz']:g} MHz" if run.get("clock_mhz") else ""
    units = "; ".join(
        f"{tag} PIPELINE={n['PIPELINE'] or '-'} LATENCY={n['LATENCY']}"
        for tag, n in run.get("netlists", {}).items()
    )
    return f"priced on {library}{clock}, as the pipelining policy chose: {units}"


@cli_main
def main(argv=None):
    """``python -m synth.report.headline --lanes N``: the headline rows as JSON on stdout, with
    their formatted cells (what ``python -m sim.run_mac --synth`` prints). Exit 2 on an error."""
    import json
    import sys

    from ..usage import UsageParser

    parser = UsageParser(
        prog="python -m synth.report.headline",
        description="The synthesis headline at one LANES, as JSON.",
    )
    parser.add_argument("--lanes", type=int, default=16)
    args = parser.parse_args(argv)
    try:
        run = headline_run(lanes=args.lanes)
    except (ValueError, RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    titles, cells = format_headline(run["rows"])
    print(json.dumps({**run, "priced": priced_text(run), "titles": titles, "cells": cells}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
