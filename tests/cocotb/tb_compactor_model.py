"""Transaction-level model and stimulus of ``row_compactor``'s bench (no cocotb here).

A transaction is one accepted plane as the input monitor sees it (``plane``, 0/1 per row). The
model turns it into the partials the unit must show, in order: each a tuple of the mask's rows
and ``out_last``, straight from the golden split (:func:`sim.golden.rap.row_split.split_plane`),
and the plane's coverage features (:mod:`tb_coverage`). The stimulus is a list of
``(plane, gap)``: the producer idles ``gap`` cycles, then presents the plane and holds it until
the unit is ready.
"""

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from sim.golden.rap.row_split import split_plane

__all__ = [
    "popcount_bins",
    "popcount_bin",
    "Prediction",
    "CompactorModel",
    "PartialModel",
    "directed",
    "random_planes",
]


def popcount_bins(rows, k):
    """Coverage bins of a plane's popcount: 0, each of 1..K, K+1, more, and ROWS (those that
    exist for these parameters)."""
    bins = ["0", *(str(c) for c in range(1, min(k, rows) + 1))]
    if k + 1 <= rows:
        bins.append(str(k + 1))
    if k + 2 < rows:
        bins.append(f"{k + 2}..{rows - 1}")
    if rows > k + 1:
        bins.append(f"ROWS={rows}")
    return bins


def popcount_bin(count, rows, k):
    """The bin of :func:`popcount_bins` that ``count`` ones fall in."""
    if count == rows and rows > k + 1:
        return f"ROWS={rows}"
    if count <= k + 1:
        return str(count)
    return f"{k + 2}..{rows - 1}"


class CompactorModel:
    """``split(plane)``: the partials of an accepted plane, each ``(*mask rows, out_last)``;
    ``features(plane)``: what coverage samples of it."""

    def __init__(self, parameters):
        self.rows, self.k = parameters["ROWS"], parameters["K"]

    def split(self, plane):
        masks = split_plane(np.asarray(plane, bool), self.k)
        return [
            (*(int(bit) for bit in mask), int(index == len(masks) - 1))
            for index, mask in enumerate(masks)
        ]

    def features(self, plane):
        count = int(np.count_nonzero(plane))
        return SimpleNamespace(popcount=popcount_bin(count, self.rows, self.k))


@dataclass(frozen=True)
class Prediction:
    """The result a transaction must produce (:class:`tb_components.InOrderChecker`)."""

    result: tuple
    features: SimpleNamespace = None


class PartialModel:
    """The in-order checker's model: a transaction is one partial, ``{"partial": array of
    (*mask rows, out_last)}`` (from :meth:`CompactorModel.split`), its result that tuple."""

    @staticmethod
    def predict(txn):
        return Prediction(tuple(int(value) for value in txn["partial"]))


def _plane(rows, ones):
    plane = np.zeros(rows, np.int64)
    plane[[i for i in ones if 0 <= i < rows]] = 1
    return plane


def directed(parameters, rng):
    """Corner planes back to back, then again with gaps: every popcount bin (each count at
    random rows), all ones, all zeros (a run of them), ones only at the end, a single one at
    row 0 and at row ROWS-1."""
    rows, k = parameters["ROWS"], parameters["K"]
    planes = [np.ones(rows, np.int64), np.zeros(rows, np.int64), np.zeros(rows, np.int64)]
    planes += [_plane(rows, [0]), _plane(rows, [rows - 1]), _plane(rows, range(rows - k - 1, rows))]
    for count in range(1, min(rows, k + 3) + 1):
        planes.append(_plane(rows, rng.permutation(rows)[:count]))
    planes += [_plane(rows, range(k)), _plane(rows, range(k + 1)), np.ones(rows, np.int64)]
    back_to_back = [(plane, 0) for plane in planes]
    gaps = rng.integers(0, 4, len(planes))
    with_gaps = [(plane, int(gap)) for plane, gap in zip(planes, gaps, strict=True)]
    return back_to_back + with_gaps


def random_planes(parameters, rng, count):
    """``count`` planes of random densities (0 and 1 among them), with runs back to back and
    random gaps."""
    rows = parameters["ROWS"]
    density = rng.choice([0.0, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0], size=count)
    density = np.where(rng.random(count) < 0.3, rng.random(count), density)
    planes = (rng.random((count, rows)) < density[:, None]).astype(np.int64)
    gaps = np.where(rng.random(count) < 0.5, 0, rng.geometric(0.5, count) - 1)
    return [(plane, int(gap)) for plane, gap in zip(planes, gaps, strict=True)]
