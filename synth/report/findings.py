"""Plain-language findings: where ``sdr_mac``'s area and power go next to ``int8_mac``'s, and how
the LANES=16 figures compare with the project's goal."""

from .headline import PAPER, clock_power, record_value
from .writers import category_totals

__all__ = ["GOAL", "findings"]

#: The goal of the fair comparison at LANES=16 (a benchmark figure to report, not a test).
GOAL = {"lanes": 16, "area_ratio": 0.35, "power_ratio": 0.40}


def _share(part, whole):
    return 100 * part / whole if whole else 0.0


def _parts(cats_sdr, cats_base, digits):
    return ", ".join(
        f"{name} {cats_sdr.get(name, 0):.{digits}f} vs {cats_base.get(name, 0):.{digits}f}"
        for name in sorted(set(cats_sdr) | set(cats_base), key=lambda n: -cats_sdr.get(n, 0))
    )


def _area_text(lanes, sdr, base, unit):
    total_sdr, total_base = sdr["area"]["total"].value, base["area"]["total"].value
    cats_sdr = category_totals(sdr["area"]["blocks"])
    cats_base = category_totals(base["area"]["blocks"])
    reduction = 1 - total_sdr / total_base
    text = (
        f"- LANES={lanes}, area: sdr_mac {total_sdr:.0f} {unit} against int8_mac "
        f"{total_base:.0f} {unit}, {100 * reduction:.1f} % less (paper: "
        f"{100 * PAPER['area_reduction']:.1f} %). By category, sdr_mac vs int8_mac: "
        f"{_parts(cats_sdr, cats_base, 0)}."
    )
    if reduction < PAPER["area_reduction"] and cats_base.get("multipliers"):
        multipliers = 1 - cats_sdr.get("multipliers", 0) / cats_base["multipliers"]
        only_sdr = [n for n in cats_sdr if n not in cats_base]
        kept = [n for n in cats_sdr if n in cats_base and cats_sdr[n] > 0.95 * cats_base[n]]
        text += (
            f" The multipliers shrink by {100 * multipliers:.0f} %, but registers are "
            f"{_share(cats_sdr.get('registers', 0), total_sdr):.0f} % of sdr_mac"
            + (
                f"; {', '.join(only_sdr)} ({sum(cats_sdr[n] for n in only_sdr):.0f} {unit}) "
                "exist only in sdr_mac"
                if only_sdr
                else ""
            )
            + (f"; {', '.join(kept)} do not shrink" if kept else "")
            + "."
        )
    return text


def _power_text(lanes, sdr, base):
    power_sdr = sdr["power"]["gate_level"]
    power_base = base["power"]["gate_level"]
    total_sdr, total_base = power_sdr["total"].value, power_base["total"].value
    clock_sdr, clock_base = clock_power(power_sdr), clock_power(power_base)
    cats_sdr = category_totals(sdr["power"]["blocks"])
    cats_base = category_totals(base["power"]["blocks"])
    return (
        f"- LANES={lanes}, power: sdr_mac {total_sdr:.3f} mW against int8_mac "
        f"{total_base:.3f} mW with the clock network, {100 * (1 - total_sdr / total_base):.1f} % "
        f"less (paper: {100 * PAPER['power_reduction']:.1f} %); the clock network is "
        f"{clock_sdr:.3f} vs {clock_base:.3f} mW ({_share(clock_sdr, total_sdr):.0f} % vs "
        f"{_share(clock_base, total_base):.0f} % of the totals). Cell power by category (mW, "
        f"clock tree not included): {_parts(cats_sdr, cats_base, 3)}."
    )


def _goal_text(rows):
    row = next(
        (r for r in rows if r["lanes"] == GOAL["lanes"] and r["baseline"] == "int8_mac"), None
    )
    if row is None or row["area_ratio"] is None:
        return []
    checks = [
        f"area {row['area_ratio']:.3f}x (goal <= {GOAL['area_ratio']}x): "
        + ("met" if row["area_ratio"] <= GOAL["area_ratio"] else "missed")
    ]
    if row["power_ratio"] is not None:
        checks.append(
            f"power with the clock {row['power_ratio']:.3f}x (goal <= {GOAL['power_ratio']}x): "
            + ("met" if row["power_ratio"] <= GOAL["power_ratio"] else "missed")
        )
    if row["fmax_ratio"] is not None:
        checks.append(
            f"fmax {row['fmax_ratio']:.3f}x int8_mac's (goal >= 1): "
            + ("met" if row["fmax_ratio"] >= 1 else "missed")
        )
    return [f"- Goal at LANES={GOAL['lanes']} against int8_mac: " + "; ".join(checks) + "."]


def findings(records, rows, unit):
    """Paragraphs: per LANES, area and power by category; then the goal at LANES=16."""
    by_unit = {(r["design"], r["parameters"].get("LANES")): r for r in records}
    paragraphs = []
    for lanes in sorted({lanes for design, lanes in by_unit if design == "sdr_mac"}):
        base = by_unit.get(("int8_mac", lanes))
        if base is None:
            continue
        sdr = by_unit["sdr_mac", lanes]
        paragraphs.append(_area_text(lanes, sdr, base, unit))
        if record_value(sdr, "power", "gate_level", "total") and record_value(
            base, "power", "gate_level", "total"
        ):
            paragraphs.append(_power_text(lanes, sdr, base))
    paragraphs += _goal_text(rows)
    return paragraphs or ["- n/a: the report has no sdr_mac/int8_mac pair."]
