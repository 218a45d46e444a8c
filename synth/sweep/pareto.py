"""Non-dominated points: the Pareto front of a cost to minimise against a figure to maximise."""

__all__ = ["FRONTS", "area_per_mac", "pareto_front"]

#: The fronts of a sweep: ``name: (cost to minimise, figure to maximise)``. Absolute area favours
#: LANES 1 (SQNR does not depend on LANES), so area per MAC/cycle (area / LANES, every unit at the
#: same clock) is the front that compares throughput; energy per MAC is normalised already.
FRONTS = {
    "area": ("area_um2", "sqnr_db"),
    "area_per_mac": ("area_per_mac_um2", "sqnr_db"),
    "energy": ("energy_pj_per_mac", "sqnr_db"),
}


def area_per_mac(point):
    """Area per MAC per cycle of a point record (its area over its LANES), ``None`` without area."""
    area = point.get("area_um2")
    return None if area is None else area / point["parameters"]["LANES"]


def pareto_front(points, cost, benefit):
    """The points (dicts) not dominated in (``cost`` lower, ``benefit`` higher), by rising cost.

    A point is dominated when another is no worse in both and better in one; points lacking
    either figure are left out; equal points are all kept. Ties in cost sort by falling benefit,
    then by ``key`` where points have one.
    """
    usable = [p for p in points if p.get(cost) is not None and p.get(benefit) is not None]
    usable.sort(key=lambda p: (p[cost], -p[benefit], str(p.get("key", ""))))
    front, best = [], None
    for point in usable:
        # Sorted by cost, a point is non-dominated iff its benefit beats every cheaper one's;
        # an exact duplicate of the last front point is kept too.
        if best is None or point[benefit] > best[benefit]:
            front.append(point)
            best = point
        elif point[benefit] == best[benefit] and point[cost] == best[cost]:
            front.append(point)
    return front
