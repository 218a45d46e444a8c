"""A number with its unit and the file (or computation) it came from."""

from dataclasses import dataclass

__all__ = ["Quantity"]


@dataclass(frozen=True)
class Quantity:
    """``value`` in ``unit``; ``source`` names the file it was read from or how it was derived."""

    value: float
    unit: str
    source: str

    def as_json(self):
        return {"value": self.value, "unit": self.unit, "source": self.source}
