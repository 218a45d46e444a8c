"""Functional coverage of the benches, with cocotb-coverage cover points (no cocotb import).

Bins (every one is required: :meth:`UnitCoverage.empty_bins` lists those never hit):

* SDR MACs: every ``a_flag`` and ``w_flag`` value, every sign pair of the (a, w) codes, a result
  whose accumulator wrapped and one that did not;
* ``sdr_engine``: as the SDR MACs, over every column;
* ``int8_mac``, ``int4_mac``, ``int8_engine`` and ``int4_engine``: every sign pair of the (a, w)
  operands, wrapped and exact results;
* ``sdr_encoder``: every flag value, a rounding overflow (a value whose rounding would pass
  ``2**M - 1``), the most negative base value, an all-zero group;
* RAP row units: the row exponent negative, zero and positive; rows of one beat per pass and of
  several; output beats that end a row and inner ones; negative, zero and positive inputs; for
  ``int_softmax`` and ``int_layernorm`` a constant row and a varied one, for ``int_softmax`` a
  row of MAX_ROW elements;
* ``row_compactor``: a plane's popcount 0, each of 1..K, K+1, between K+2 and ROWS-1, and ROWS
  (those that exist); planes the unit took at once and planes held while it was busy (``ready``
  low); its idle runs count the producer's gaps before each plane;
* all units: idle runs between valid beats of 0 (back-to-back), 1 and 2+ cycles.
"""

import json
import logging
import os
from pathlib import Path

import numpy as np
from cocotb_coverage.coverage import CoverPoint, coverage_db
from tb_compactor_model import popcount_bins

from sim.golden.formats import SdrConfig

__all__ = ["UnitCoverage", "bubble_bin", "closed", "count_phase", "RUN_TOTALS", "RAP_UNITS"]

#: The RAP row units (their features come from ``tb_rap_model``).
RAP_UNITS = ("int_gelu", "int_softmax", "int_layernorm")

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


def _row_lengths(module, parameters):
    """Row-length bins a RAP unit can meet: ``int_layernorm``'s rows are D elements long."""
    if module == "int_layernorm":
        return ["1"] if parameters["D"] == parameters["LANES"] else ["2+"]
    return ["1", "2+"]


class UnitCoverage:
    """The cover points of one unit, named ``<module>.<point>`` in cocotb-coverage's database."""

    def __init__(self, module, parameters):
        self.module = module
        p = parameters
        if module in RAP_UNITS:
            points = [
                _point(f"{module}.e_sign", "e_sign", ["-", "0", "+"]),
                _point(f"{module}.row_beats", "row_beats", _row_lengths(module, p)),
                _point(f"{module}.out_last", "out_last", [True, False], ["last", "inner"]),
                _point(f"{module}.x_signs", "x_signs", ["-", "0", "+"], member=True),
            ]
            if module != "int_gelu":
                points.append(_point(f"{module}.constant_row", "constant_row", [True, False]))
            if module == "int_softmax":
                points.append(_point(f"{module}.full_row", "full_row", [True]))
        elif module == "row_compactor":
            points = [
                _point(f"{module}.popcount", "popcount", popcount_bins(p["ROWS"], p["K"])),
                _point(f"{module}.held", "held", [True, False], ["held", "at once"]),
            ]
        elif module == "sdr_encoder":
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
        if module in ("sdr_mac", "decompress_mac", "sdr_engine"):
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


#: Valid input beats driven and results checked so far in this simulator run (every phase adds
#: its own; :func:`closed` reports them).
RUN_TOTALS = {"beats": 0, "results": 0}


def count_phase(stream, results):
    """Add one phase's valid input beats and checked results to :data:`RUN_TOTALS`."""
    RUN_TOTALS["beats"] += int(np.count_nonzero(stream["in_valid"]))
    RUN_TOTALS["results"] += int(results)


def closed(unit, seed):
    """Log the coverage of ``unit`` (a unit record), write its summary to
    ``$QRAZOR_COVERAGE_FILE`` if set (``{"bins", "empty", "beats", "results"}``), and fail on an
    empty bin."""
    coverage = UnitCoverage(unit["module"], unit["parameters"])
    coverage.report(logging.getLogger(f"bench.{unit['module']}.coverage").info)
    empty = coverage.empty_bins()
    summary = os.environ.get("QRAZOR_COVERAGE_FILE")
    if summary:
        record = {"bins": coverage.bin_count(), "empty": empty, **RUN_TOTALS}
        Path(summary).write_text(json.dumps(record))
    assert not empty, f"seed {seed}: coverage bins never hit: {', '.join(empty)}"
