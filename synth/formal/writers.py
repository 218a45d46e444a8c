"""``formal.json`` and ``formal.md``: every proof's status, time and detail, and the skipped
libraries. Everything but the seconds is the same for the same run."""

import json

from sim.util.files import write_atomic
from sim.util.tables import markdown_table

from .result import format_counterexample

__all__ = ["report_record", "write_json", "write_markdown"]


def report_record(results, skipped):
    """``{"proofs": [...], "skipped": [{"library", "reason"}]}`` in run order."""
    return {
        "proofs": [result.record() for result in results],
        "skipped": [{"library": name, "reason": reason} for name, reason in skipped],
    }


def write_json(path, record):
    write_atomic(path, json.dumps(record, indent=2, sort_keys=True) + "\n")


def write_markdown(path, record):
    proofs = record["proofs"]
    counts = {s: sum(p["status"] == s for p in proofs) for s in ("proven", "failed", "unknown")}
    lines = [
        "# Formal proofs",
        "",
        f"{counts['proven']} proven, {counts['failed']} failed, {counts['unknown']} unknown "
        f"of {len(proofs)}. Written by `python -m synth.formal`; the detail of each proof says "
        "whether it holds for every cycle or for a stated number of cycles from reset.",
        "",
        markdown_table(
            ["proof", "status", "seconds", "detail"],
            [(f"`{p['name']}`", p["status"], f"{p['seconds']:.1f}", p["detail"]) for p in proofs],
        ),
    ]
    if record["skipped"]:
        lines += ["", "Skipped libraries:", ""]
        lines += [f"- {s['library']}: {s['reason']}" for s in record["skipped"]]
    for p in proofs:
        if p.get("counterexample"):
            lines += [
                "",
                f"## Counterexample of `{p['name']}`",
                "",
                "```",
                format_counterexample(p["counterexample"]),
                "```",
            ]
    write_atomic(path, "\n".join(lines) + "\n")
