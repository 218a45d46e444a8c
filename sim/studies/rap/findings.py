"""The findings of the ``compare`` and ``pim`` studies, generated from their rows: where RAP is at
least as accurate as the conventional design, cheaper in energy and faster (at equal ADC area per
tile and at equal ADC count, separately), and the measured reason where it is not.

Accuracy is compared on the mean cosine at the four decimals the reports print; energy and
latency strictly.
"""

from sim.system.rap.costs import CONSTANTS

__all__ = ["USABLE", "VERDICTS", "claims", "compare_findings", "label", "pareto", "sweep_findings"]

#: The mean cosine a sweep point must keep to count as usable in the sweep's findings.
USABLE = 0.99
#: The claim's parts: verdict key -> what it says.
VERDICTS = {
    "accurate": "at least as accurate",
    "cheaper": "cheaper in energy",
    "faster_equal_area": "faster at equal ADC area",
    "faster_equal_count": "faster at equal ADC count",
}


def _cos(row):
    return round(row["mean_cosine"], 4)


def _verdicts(row, conventional):
    return {
        "accurate": _cos(row) >= _cos(conventional),
        "cheaper": row["energy_uj"] < conventional["energy_uj"],
        "faster_equal_area": row["latency_equal_area_us"] < conventional["latency_equal_area_us"],
        "faster_equal_count": row["latency_us"] < conventional["latency_us"],
    }


def claims(rows):
    """Per RAP row (family ``rap-*``) that has a conventional row at the same noise: ``design``,
    ``noise``, the four :data:`VERDICTS` and ``holds_equal_area`` / ``holds_equal_count`` (at
    least as accurate, cheaper and faster)."""
    conventional = {r["noise"]: r for r in rows if r.get("family") == "conventional"}
    result = []
    for row in rows:
        reference = conventional.get(row["noise"])
        if not row.get("family", "").startswith("rap") or reference is None:
            continue
        verdicts = _verdicts(row, reference)
        both = verdicts["accurate"] and verdicts["cheaper"]
        result.append(
            {
                "design": row["design"],
                "noise": row["noise"],
                **verdicts,
                "holds_equal_area": both and verdicts["faster_equal_area"],
                "holds_equal_count": both and verdicts["faster_equal_count"],
            }
        )
    return result


def _names(entries):
    return ", ".join(entries) if entries else "none"


def _failures(claim, latency_key):
    parts = ["accurate", "cheaper", latency_key]
    return [
        VERDICTS[p].replace("at least as ", "").replace(" in energy", "")
        for p in parts
        if not claim[p]
    ]


def _energy_reason(row, reference):
    mine, theirs = row["energy_uj_by_group"], reference["energy_uj_by_group"]
    excess = {k: mine[k] - theirs.get(k, 0.0) for k in mine}
    worst = max(excess, key=excess.get)
    return (
        f"{row['design']} ({row['noise']}): {row['energy_uj']:.0f} against "
        f"{reference['energy_uj']:.0f} uJ, most of the excess in {worst} "
        f"({mine[worst]:.0f} against {theirs.get(worst, 0.0):.0f} uJ)"
    )


def _accuracy_reason(row, reference):
    text = (
        f"{row['design']} ({row['noise']}): mean cosine {row['mean_cosine']:.4f} against "
        f"{reference['mean_cosine']:.4f}"
    )
    if row["clip_rate"] > 0:
        return text + (
            f", {100 * row['clip_rate']:.1f} % of its conversions clipped (every row at once: "
            f"bit-line sums above the {row['adc_bits']}-bit ADC's top code)"
        )
    if row["noise"] != "none":
        return text + ", no clip: the loss is the read noise on top of the input window"
    return text + (
        f", no clip: the loss is its {row['inputs']} input window and the integer kernels"
    )


def _latency_reason(row, reference):
    return (
        f"{row['design']} ({row['noise']}): {row['latency_us']:.0f} against "
        f"{reference['latency_us']:.0f} us, {row['partials_per_plane']:.2f} partials per driven "
        f"plane over {row['planes_driven']:,} planes against one conversion per plane over "
        f"{reference['planes_driven']:,}"
    )


def _densest(row):
    d = row["densest"]
    return (
        f"the densest product of {row['design']} ({row['noise']}), {d['product']}, has a mean "
        f"popcount of {d['mean_popcount']:.1f} per plane ({100 * d['density']:.0f} % of its "
        f"word-lines), {100 * d['over_k']:.0f} % of its planes carry more than k = {row['k']} "
        f"ones (p90 popcount {d['p90']}, max {d['max']}): {d['partials_per_plane']:.2f} "
        "partials per plane"
    )


def compare_findings(rows, headline=None):
    """The findings of a ``compare`` record's rows, as sentences; ``headline``: the design whose
    densest product explains the latency at equal ADC count (default: the first one slower)."""
    found = claims(rows)
    if not found:
        return ["No RAP row has a conventional row at the same noise: no claim to state."]
    by_design = {(r["design"], r["noise"]): r for r in rows}
    conventional = {r["noise"]: r for r in rows if r.get("family") == "conventional"}
    findings = []
    for key, latency, where in (
        ("holds_equal_area", "faster_equal_area", "equal ADC area per tile"),
        ("holds_equal_count", "faster_equal_count", "equal ADC count per tile"),
    ):
        for noise in dict.fromkeys(c["noise"] for c in found):
            chosen = [c for c in found if c["noise"] == noise]
            holds = [c["design"] for c in chosen if c[key]]
            fails = [
                f"{c['design']} (not {' / '.join(_failures(c, latency))})"
                for c in chosen
                if not c[key]
            ]
            findings.append(
                f"At {where}, noise {noise}: RAP is at least as accurate as the conventional "
                f"design, cheaper in energy and faster for {_names(holds)}; not for "
                f"{_names(fails)}."
            )
    for verdict, explain, title in (
        ("accurate", _accuracy_reason, "Less accurate"),
        ("cheaper", _energy_reason, "Costlier in energy"),
        ("faster_equal_count", _latency_reason, "Slower at equal ADC count"),
    ):
        losers = [c for c in found if not c[verdict]]
        if losers:
            reasons = [
                explain(by_design[(c["design"], c["noise"])], conventional[c["noise"]])
                for c in losers
            ]
            text = f"{title}: " + "; ".join(reasons)
            if verdict == "faster_equal_count":
                sparse = [
                    by_design[(c["design"], c["noise"])]
                    for c in losers
                    if by_design[(c["design"], c["noise"])].get("densest")
                ]
                if sparse:
                    sparse.sort(key=lambda r: r["design"] != headline)
                    text += (
                        ". A sparse design converts ceil(c / k) partials of a plane with c ones "
                        "where the conventional one converts the plane once; " + _densest(sparse[0])
                    )
            findings.append(text + ".")
    slower_area = [c for c in found if not c["faster_equal_area"]]
    if slower_area:
        reasons = []
        for c in slower_area:
            row = by_design[(c["design"], c["noise"])]
            reasons.append(
                f"{row['design']} ({row['noise']}): {row['latency_equal_area_us']:.0f} us with "
                f"{row['adcs_per_tile_equal_area']} ADCs per tile"
            )
        findings.append("Slower at equal ADC area: " + "; ".join(reasons) + ".")
    findings += _clipping_findings(rows)
    findings += _sensitivity(rows, conventional)
    gpu = [r for r in rows if r.get("family") == "gpu"]
    for row in gpu:
        findings.append(
            f"The GPU estimate, {row['design']}: {row['energy_uj']:.0f} uJ and "
            f"{row['latency_us']:.0f} us per inference (a roofline, energy at board power: an "
            "upper bound; accuracy not simulated)."
        )
    return findings


def _sensitivity(rows, conventional):
    """Which RAP rows stay cheaper than the conventional design with the shift-add (the largest
    tile component) charged at Horowitz's int32 add instead of this project's synthesis."""
    ours, theirs = CONSTANTS["shift_add_pj"].value, CONSTANTS["int32_add_pj"].value

    def energy(row):
        return row["energy_uj"] - row["energy_uj_by_group"]["shift-add"] * (1 - theirs / ours)

    cheaper, costlier = [], []
    for row in rows:
        reference = conventional.get(row["noise"])
        if not row.get("family", "").startswith("rap") or reference is None:
            continue
        verdict = cheaper if energy(row) < energy(reference) else costlier
        verdict.append(f"{row['design']} ({row['noise']}, {energy(row):.0f} uJ)")
    if not cheaper and not costlier:
        return []
    reference = conventional.get("none") or next(iter(conventional.values()))
    return [
        f"Energy sensitivity: with every shift-add charged at Horowitz's 45 nm int32 add "
        f"({theirs:g} pJ) instead of this project's {ours:g} pJ, the conventional design takes "
        f"{energy(reference):.0f} uJ and RAP stays cheaper for {_names(cheaper)}; not for "
        f"{_names(costlier)}."
    ]


def _clipping_findings(rows):
    """The dense low-range ablation (the earlier clipping model) against sparse RAP at the same
    ADC bits and inputs."""
    findings = []
    sparse = {}
    for r in rows:
        if r.get("family") == "rap-sparse":
            sparse.setdefault((r["adc_bits"], r["inputs"], r["noise"]), r)
    for row in rows:
        if row.get("family") != "rap-dense":
            continue
        twin = sparse.get((row["adc_bits"], row["inputs"], row["noise"]))
        text = (
            f"Dense low-range ablation (the earlier clipping model), {row['adc_bits']}-bit ADC, "
            f"{row['inputs']} inputs: mean cosine {row['mean_cosine']:.4f}, "
            f"{100 * row['clip_rate']:.1f} % of conversions clipped"
        )
        if twin is not None:
            text += (
                f"; the same ADC and inputs with bit-sparse partials of at most k = {twin['k']} "
                f"rows: {twin['mean_cosine']:.4f}, {100 * twin['clip_rate']:.1f} % clipped, "
                f"{twin['partials_per_plane']:.2f} conversions per plane instead of one"
            )
        findings.append(text + ".")
    return findings


def pareto(points):
    """The points no other point beats in both energy and mean cosine, by energy."""
    ordered = sorted(points, key=lambda p: (p["energy_uj"], -p["mean_cosine"]))
    front, best = [], -2.0
    for p in ordered:
        if p["mean_cosine"] > best:
            front.append(p)
            best = p["mean_cosine"]
    return front


def label(p):
    """A sweep point's design in words (``RAP 3-bit k=7``, ``conventional 8-bit``)."""
    if p["family"] == "rap":
        return f"RAP {p['adc_bits']}-bit k={p['k']}"
    return f"{p['family']} {p['adc_bits']}-bit"


def _tolerance(points):
    """Per RAP design (ADC bits, k, rows, spread): the highest noise at which it keeps a mean
    cosine of at least :data:`USABLE`."""
    lines = []
    designs = dict.fromkeys(
        (p["family"], p["adc_bits"], p["k"], p["rows"], p["spread"]) for p in points
    )
    for family, bits, k, rows, spread in designs:
        chosen = [
            p
            for p in points
            if (p["family"], p["adc_bits"], p["k"], p["rows"], p["spread"])
            == (family, bits, k, rows, spread)
        ]
        good = [p["noise_swing"] for p in chosen if p["mean_cosine"] >= USABLE]
        name = label(chosen[0])
        if good and max(good) > 0:
            keeps = f"keeps >= {USABLE:g} up to {100 * max(good):g} % noise"
        elif good:
            keeps = f"keeps >= {USABLE:g} only without noise"
        else:
            keeps = f"is below {USABLE:g} at every noise"
        cosines = " / ".join(f"{p['mean_cosine']:.3f}" for p in chosen)
        noises = " / ".join(f"{100 * p['noise_swing']:g}" for p in chosen)
        lines.append(
            f"{name}, rows {rows}, spread {100 * spread:g} %: {keeps} (cosine {cosines} at "
            f"noise {noises} %)"
        )
    return lines


def sweep_findings(points):
    """The findings of a ``pim`` sweep's points, as sentences."""
    findings = []
    settings = dict.fromkeys((p["rows"], p["spread"], p["noise_swing"]) for p in points)
    for rows, spread, noise in settings:
        chosen = [
            p for p in points if (p["rows"], p["spread"], p["noise_swing"]) == (rows, spread, noise)
        ]
        rap = [p for p in chosen if p["family"] == "rap"]
        conventional = [p for p in chosen if p["family"] == "conventional"]
        parts = [f"rows {rows}, spread {100 * spread:g} %, noise {100 * noise:g} %:"]
        if rap:
            best = max(rap, key=lambda p: p["mean_cosine"])
            parts.append(
                f"best RAP {best['mean_cosine']:.4f} ({label(best)}, {best['energy_uj']:.0f} uJ)"
            )
        for ref in conventional:
            wins = [
                label(p)
                for p in rap
                if round(p["mean_cosine"], 4) >= round(ref["mean_cosine"], 4)
                and p["energy_uj"] < ref["energy_uj"]
                and p["mean_cosine"] >= USABLE
            ]
            parts.append(
                f"{label(ref)} {ref['mean_cosine']:.4f} ({ref['energy_uj']:.0f} uJ), RAP at "
                f"least as accurate, cheaper and at least {USABLE:g}: {_names(wins)}"
            )
        dense = [p for p in chosen if p["family"] == "dense"]
        if dense:
            parts.append(
                "dense ablation "
                + ", ".join(f"{p['adc_bits']}-bit {p['mean_cosine']:.4f}" for p in dense)
            )
        front = pareto(chosen)
        parts.append("Pareto front (energy vs cosine): " + ", ".join(map(label, front)))
        findings.append(" ".join(parts[:1]) + " " + "; ".join(parts[1:]) + ".")
    return findings + [
        f"{line}." for line in _tolerance([p for p in points if p["family"] == "rap"])
    ]
