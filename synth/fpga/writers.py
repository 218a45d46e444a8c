"""``fpga.json`` and ``fpga.md``: every unit on every device with and without DSP inference, and
the SDR against INT8 comparison. Nothing in them depends on the time of the run."""

import json

from sim.util.files import write_atomic
from sim.util.tables import markdown_table

__all__ = ["comparisons", "notes", "write_json", "write_markdown"]

#: ``(SDR unit, INT8 unit)`` pairs compared at equal parameters.
PAIRS = (("sdr_mac", "int8_mac"), ("sdr_engine", "int8_engine"))
METRICS = ("LUT", "FF", "DSP", "fmax")


def _value(result, metric):
    if metric == "fmax":
        fmax = result["placement"].get("fmax")
        return fmax["value"] if fmax else None
    return result["synthesis"][metric]["value"]


def _ratio(a, b):
    # unrounded: fpga.md rounds once, to two decimals
    return None if a is None or b is None or b == 0 else a / b


def comparisons(units):
    """Each SDR unit over its INT8 counterpart of the same LANES (and COLS), per device and DSP
    setting: ``{"sdr", "int8", "device", "dsp_inference", "LUT", "FF", "DSP", "fmax"}``, each a
    ratio ``sdr / int8`` or ``None`` (a zero or missing denominator: no DSP, or not placed)."""
    by_key = {}
    for unit in units:
        key = (unit["design"], unit["parameters"].get("LANES"), unit["parameters"].get("COLS"))
        by_key[key] = unit
    rows = []
    for sdr_name, int_name in PAIRS:
        for (design, lanes, cols), sdr in by_key.items():
            other = by_key.get((int_name, lanes, cols))
            if design != sdr_name or other is None:
                continue
            theirs_by = {(r["device"], r["dsp_inference"]): r for r in other["results"]}
            for mine in sdr["results"]:
                theirs = theirs_by[mine["device"], mine["dsp_inference"]]
                row = {
                    "sdr": sdr["tag"],
                    "int8": other["tag"],
                    "device": mine["device"],
                    "dsp_inference": mine["dsp_inference"],
                    "unit": "ratio SDR / INT8",
                    "source": "synthesis.LUT, .FF, .DSP and placement.fmax of the two units' "
                    "results on this device and DSP setting",
                }
                for metric in METRICS:
                    row[metric] = _ratio(_value(mine, metric), _value(theirs, metric))
                rows.append(row)
    return rows


def notes(units, devices):
    """Sentences on results a reader would misread: an SDR unit whose tiny magnitude products
    went to DSP blocks."""
    lines = []
    for unit in units:
        if unit["design"] not in ("sdr_mac", "sdr_engine"):
            continue
        bits = unit["parameters"]["MAG_BITS"]
        for result in unit["results"]:
            dsp = result["synthesis"]["DSP"]["value"]
            if result["dsp_inference"] and dsp:
                device = devices[result["device"]]
                lines.append(
                    f"`{unit['tag']}` on {device['title']} with DSP inference: Yosys maps each "
                    f"{bits} x {bits}-bit magnitude product (`a_code * w_code` of a lane) onto a "
                    f"DSP block ({dsp} of {device['dsp']}); the row without DSP inference keeps "
                    "them in LUTs."
                )
    return lines


def write_json(path, report):
    write_atomic(path, json.dumps(report, indent=2) + "\n")


def _placement(result):
    placement = result["placement"]
    if placement["status"] != "routed":
        return f"does not fit: {placement['reason']}; {placement['unit_alone']['text']}"
    bels = placement["utilisation"]["bels"]
    used = ", ".join(
        f"{bel} {v['used']}/{v['available']}"
        for bel, v in bels.items()
        if bel in ("TRELLIS_COMB", "TRELLIS_FF", "MULT18X18D", "ICESTORM_LC", "ICESTORM_DSP")
    )
    return f"routed ({used})"


def _fmax(result):
    fmax = result["placement"].get("fmax")
    return "-" if fmax is None else f"{fmax['value']:.1f}"


def _ratio_text(value):
    return "-" if value is None else f"{value:.2f}"


def write_markdown(path, report):
    lines = [
        "# QRazor units on FPGAs: resources and fmax",
        "",
        f"Written by `{report['command']}`. {report['method']['summary']}",
        "",
        f"- Wrapper: {report['method']['wrapper']}",
        f"- Counts: {report['method']['counts']}",
        f"- fmax: {report['method']['fmax']}",
        f"- Fit: {report['method']['fit']}",
        f"- Workaround: {report['method']['workaround']}",
        f"- Parameters: {report['method']['parameters']}",
        "",
    ]
    for key, device in report["devices"].items():
        for dsp in (True, False):
            results = [
                (unit, result)
                for unit in report["units"]
                for result in unit["results"]
                if result["device"] == key and result["dsp_inference"] == dsp
            ]
            if not results:
                continue
            command = device["synthesis_dsp" if dsp else "synthesis_nodsp"]
            lines += [
                f"## {device['title']}, {'with' if dsp else 'without'} DSP inference",
                "",
                f"Yosys `{command}`; nextpnr `{device['nextpnr']}` (target "
                f"{device['target']['value']:g} MHz). LUT: {device['lut']}; FF: {device['ff']}; "
                f"DSP: {device['dsp']}.",
                "",
                markdown_table(
                    (
                        "unit",
                        "I/O bits",
                        "LUT",
                        "carry",
                        "FF",
                        "DSP",
                        "fmax (MHz)",
                        "wrapper LUT / FF",
                        "placement (wrapped design)",
                    ),
                    [
                        (
                            f"`{unit['tag']}`",
                            f"{unit['io_bits']['inputs']} in, {unit['io_bits']['outputs']} out",
                            r["synthesis"]["LUT"]["value"],
                            r["synthesis"]["carry"]["value"],
                            r["synthesis"]["FF"]["value"],
                            r["synthesis"]["DSP"]["value"],
                            _fmax(r),
                            f"{r['wrapper']['LUT']['value']} / {r['wrapper']['FF']['value']}",
                            _placement(r),
                        )
                        for unit, r in results
                    ],
                ),
                "",
            ]
    if report["comparisons"]:
        lines += [
            "## SDR against INT8",
            "",
            "Ratios SDR / INT8 of the same LANES (engines: and COLS); below 1 the SDR unit is "
            "smaller (LUT, FF, DSP) or slower (fmax). `-`: the INT8 unit uses none, or one of "
            "the two was not placed. `sdr_engine` reads SDR activation codes (no encoder).",
            "",
            markdown_table(
                ("device", "DSP inference", "SDR", "INT8", "LUT", "FF", "DSP", "fmax"),
                [
                    (
                        report["devices"][row["device"]]["title"],
                        "with" if row["dsp_inference"] else "without",
                        f"`{row['sdr']}`",
                        f"`{row['int8']}`",
                        *(_ratio_text(row[m]) for m in METRICS),
                    )
                    for row in report["comparisons"]
                ],
            ),
            "",
        ]
    if report["notes"]:
        lines += ["## Notes", "", *[f"- {note}" for note in report["notes"]], ""]
    lines += ["## Tools", ""]
    lines += [f"- {name}: {value}" for name, value in report["tools"].items()]
    write_atomic(path, "\n".join(lines) + "\n")
