"""What a proof found: its status, a one-line detail and, when it failed, the counterexample."""

from dataclasses import dataclass

__all__ = ["STATUSES", "Outcome", "ProofResult", "format_counterexample"]

#: ``proven``: the property holds (the detail says whether for every cycle or for a stated
#: bound); ``failed``: a counterexample exists (it is attached); ``unknown``: neither was
#: established (time limit, or an induction that did not close; the detail says which).
STATUSES = ("proven", "failed", "unknown")


@dataclass(frozen=True)
class Outcome:
    """The verdict of one proof; ``counterexample`` is ``[{input: value}]`` per cycle, cycle 0
    first (the reset cycle where a proof drives reset itself)."""

    status: str
    detail: str
    counterexample: tuple = ()

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")


@dataclass(frozen=True)
class ProofResult:
    """A named proof's outcome and its wall-clock time."""

    name: str
    outcome: Outcome
    seconds: float

    @property
    def status(self):
        return self.outcome.status

    def record(self):
        """The ``formal.json`` entry (``counterexample`` only for a failed proof)."""
        record = {
            "name": self.name,
            "status": self.status,
            "seconds": round(self.seconds, 2),
            "detail": self.outcome.detail,
        }
        if self.outcome.counterexample:
            record["counterexample"] = [dict(cycle) for cycle in self.outcome.counterexample]
        return record


def format_counterexample(cycles):
    """A text table of the input values per cycle (hexadecimal; ``x`` where undefined)."""
    names = list(cycles[0]) if cycles else []
    rows = [["cycle", *names]]
    for index, cycle in enumerate(cycles):
        rows.append([str(index), *("x" if cycle[n] is None else f"{cycle[n]:#x}" for n in names)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(lines)
