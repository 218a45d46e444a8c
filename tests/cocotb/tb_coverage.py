"""Functional coverage of the benches, with cocotb-coverage cover points (no cocotb import).

Bins (every one is required: :meth:`UnitCoverage.empty_bins` lists those never hit):

* SDR MACs: every ``a_flag`` and ``w_flag`` value, every sign pair of the (a, w) codes, a result
  whose accumulator wrapped and one that did not;
* ``int8_mac`` and ``int4_mac``: every sign pair of the (a, w) operands, wrapped and exact results;
* ``sdr_encoder``: every flag value, a rounding overflow (a value whose rounding would pass
  ``2**M - 1``), the most negative base value, an all-zero group;
* all units: idle runs between valid beats of 0 (back-to-back), 1 and 2+ cycles.
"""

from cocotb_coverage.coverage import CoverPoint, coverage_db

from sim.formats import SdrConfig

__all__ = ["UnitCoverage", "bubble_bin"]

#: Sign pairs (a negative, w negative) and their labels.
SIGN_PAIRS = {(0, 0): "+*+", (0, 1): "+*-", (1, 0): "-*+", (1, 1): "-*-"}


def bubble_bin(idle):
    """Bin of an idle run between two valid beats."""
    return str(idle) if idle < 2 else "2+"


def _contains(observed, bin_):
    return bin_ in observed


def _point(name, attribute, bins, labels=None, member=False):
    """A cover point on ``features.<attribute>`` (a set of values when ``member``)."""
    return CoverPoint(
        name,
        xf=lambda features: getattr(features, attribute),
        bins=list(bins),
        bins_labels=labels,
        rel=_contains if member else None,
        inj=False,
    )


def _sampler(points):
    """One function that samples every cover point of ``points``."""

    def sample_features(features):
        return features

    for point in points:
        sample_features = point(sample_features)
    return sample_features


class UnitCoverage:
    """The cover points of one unit, named ``<module>.<point>`` in cocotb-coverage's database."""

    def __init__(self, module, parameters):
        self.module = module
        p = parameters
        if module == "sdr_encoder":
            flags = range(SdrConfig(p["BASE_BITS"], p["MAG_BITS"], p["GROUP"]).max_flag + 1)
            points = [
                _point(f"{module}.flag", "flag", flags),
                _point(f"{module}.most_negative", "most_negative", [True]),
                _point(f"{module}.all_zero", "all_zero", [True]),
            ]
            if p["ROUNDING"] == "nearest":  # truncation never rounds over
                points.append(_point(f"{module}.rounding_overflow", "rounding_overflow", [True]))
        else:
            points = [
                _point(
                    f"{module}.sign_pair",
                    "sign_pairs",
                    SIGN_PAIRS,
                    list(SIGN_PAIRS.values()),
                    member=True,
                ),
                _point(f"{module}.wrapped", "wrapped", [True, False], ["wrapped", "exact"]),
            ]
        if module in ("sdr_mac", "decompress_mac"):
            for side in ("a", "w"):
                config = SdrConfig(p[f"{side.upper()}_BITS"], p["MAG_BITS"], p["GROUP"])
                points.append(
                    _point(
                        f"{module}.{side}_flag",
                        f"{side}_flags",
                        range(config.max_flag + 1),
                        member=True,
                    )
                )
        self.sample = _sampler(points)
        self.sample_idle = CoverPoint(
            f"{module}.bubbles", xf=bubble_bin, bins=["0", "1", "2+"], inj=False
        )(bubble_bin)

    def _points(self):
        return [
            (name, item)
            for name, item in sorted(coverage_db.items())
            if name.startswith(self.module + ".")
        ]

    def report(self, log):
        """Log every cover point (bins hit / bins) and each bin's hit count."""
        for name, item in self._points():
            bins = ", ".join(f"{bin_}: {hits}" for bin_, hits in item.detailed_coverage.items())
            log(f"{name}: {item.coverage}/{item.size} bins hit ({bins})")

    def bin_count(self):
        """Bins over every cover point of the unit."""
        return sum(item.size for _, item in self._points())

    def empty_bins(self):
        """``["<point>: <bin>", ...]`` for every bin that was never hit."""
        return [
            f"{name}: {bin_}"
            for name, item in self._points()
            for bin_, hits in item.detailed_coverage.items()
            if hits == 0
        ]
