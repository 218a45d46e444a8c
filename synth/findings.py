"""Plain-language findings: where ``sdr_mac``'s area goes compared with ``int8_mac``."""

from .headline import PAPER
from .writers import category_totals

__all__ = ["area_findings"]


def _share(part, whole):
    return 100 * part / whole if whole else 0.0


def area_findings(records, unit):
    """One paragraph per LANES comparing the area of ``sdr_mac`` and ``int8_mac`` by category."""
    by_unit = {(r["design"], r["parameters"].get("LANES")): r for r in records}
    paragraphs = []
    for lanes in sorted({lanes for design, lanes in by_unit if design == "sdr_mac"}):
        if ("int8_mac", lanes) not in by_unit:
            continue
        sdr, base = by_unit["sdr_mac", lanes], by_unit["int8_mac", lanes]
        total_sdr, total_base = sdr["area"]["total"].value, base["area"]["total"].value
        cats_sdr = category_totals(sdr["area"]["blocks"])
        cats_base = category_totals(base["area"]["blocks"])
        reduction = 1 - total_sdr / total_base
        parts = ", ".join(
            f"{name} {cats_sdr.get(name, 0):.0f} vs {cats_base.get(name, 0):.0f}"
            for name in sorted(set(cats_sdr) | set(cats_base), key=lambda n: -cats_sdr.get(n, 0))
        )
        text = (
            f"- LANES={lanes}: sdr_mac {total_sdr:.0f} {unit} against int8_mac "
            f"{total_base:.0f} {unit}, {100 * reduction:.1f} % less (paper: "
            f"{100 * PAPER['area_reduction']:.1f} %). By category, sdr_mac vs int8_mac: "
            f"{parts}."
        )
        if reduction < PAPER["area_reduction"]:
            only_sdr = [n for n in cats_sdr if n not in cats_base]
            kept = [n for n in cats_sdr if n in cats_base and cats_sdr[n] > 0.95 * cats_base[n]]
            multipliers = (
                1 - cats_sdr.get("multipliers", 0) / cats_base["multipliers"]
                if cats_base.get("multipliers")
                else 0.0
            )
            text += (
                f" The reduction falls short of the paper's: the multipliers shrink by "
                f"{100 * multipliers:.0f} %, but registers are "
                f"{_share(cats_sdr.get('registers', 0), total_sdr):.0f} % of sdr_mac"
                + (
                    f"; {', '.join(only_sdr)} ({sum(cats_sdr[n] for n in only_sdr):.0f} "
                    f"{unit}) exist only in sdr_mac"
                    if only_sdr
                    else ""
                )
                + (f"; {', '.join(kept)} do not shrink" if kept else "")
                + "."
            )
        paragraphs.append(text)
    return paragraphs or ["- n/a: the report has no sdr_mac/int8_mac pair."]
