"""One point of the sweep: its cache key, its evaluation (on a Dask worker) and its flat record.

A point is a unit (``design`` and SPEC-named ``parameters``) on one Liberty library under one
flow :class:`~synth.report.evaluate.Setup`. Its record is plain JSON: the figures the sweep
compares (area, timing, power and energy per MAC with the clock, operand SQNR) and, for a point
that failed, ``status: "failed"`` and the error, every figure ``None``.
"""

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass

from ..library.liberty import load_liberty
from ..report.evaluate import evaluate_unit
from ..report.headline import record_value

__all__ = [
    "CACHE_VERSION",
    "FIGURES",
    "Library",
    "library_of",
    "flow_settings",
    "point_tag",
    "point_key",
    "run_point",
    "failed_record",
]

#: Bumped whenever a record's content changes meaning: older cache files then miss.
CACHE_VERSION = 1
#: Figures of a record (``None`` when a point failed or a tool was missing).
FIGURES = (
    "area_um2",
    "cells",
    "flip_flops",
    "latency",
    "pipeline",
    "fmax_mhz",
    "worst_slack_ns",
    "meets_clock",
    "power_mw",
    "energy_pj_per_mac",
    "sqnr_db",
    "operands",
)
_PREFIX = {"LANES": "L", "GROUP": "G", "MAG_BITS": "M", "A_BITS": "A"}


@dataclass(frozen=True)
class Library:
    """A Liberty library as the sweep names it: its name, path and content digest."""

    name: str
    path: str
    sha256: str


def library_of(path):
    """:class:`Library` of the Liberty file ``path`` (a bad file raises here)."""
    name = load_liberty(path).name
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return Library(name, str(path), digest.hexdigest())


def flow_settings(setup):
    """The flow settings of ``setup`` that a point's figures depend on (SI units)."""
    conditions = setup.conditions
    return {
        "clock_period_s": conditions.clock_period,
        "input_transition_s": conditions.input_transition,
        "output_load_f": conditions.output_load,
        "seeds": list(setup.seeds),
        "streams": setup.streams,
        "beats": setup.beats,
    }


def point_tag(design, parameters):
    """``sdr_mac_L4_G8_M3_A16``, ``int8_mac_L4``: the unit and its swept parameters."""
    parts = [f"{p}{parameters[name]}" for name, p in _PREFIX.items() if name in parameters]
    parts += [f"{name}{value}" for name, value in sorted(parameters.items()) if name not in _PREFIX]
    return "_".join([design, *parts])


def point_key(design, parameters, library, setup):
    """File-name-safe cache key: library, tag and a digest of everything the record depends on
    (cache version, design, parameters, the library's content, the flow settings)."""
    identity = {
        "version": CACHE_VERSION,
        "design": design,
        "parameters": parameters,
        "library": {"name": library.name, "sha256": library.sha256},
        "flow": flow_settings(setup),
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", library.name)
    return f"{name}__{point_tag(design, parameters)}__{digest}"


def _base(design, parameters, library, key):
    return {
        "key": key,
        "library": library.name,
        "design": design,
        "tag": point_tag(design, parameters),
        "parameters": dict(parameters),
    }


def failed_record(design, parameters, library, key, error):
    """Record of a point that raised ``error``."""
    return {
        **_base(design, parameters, library, key),
        "status": "failed",
        "error": f"{type(error).__name__}: {error}".strip(),
        **dict.fromkeys(FIGURES),
        "notes": [],
    }


def _figures(record):
    timing, power = record.get("timing"), record.get("power")
    return {
        "area_um2": record_value(record, "area", "total"),
        "cells": record_value(record, "area", "cells"),
        "flip_flops": record_value(record, "area", "flip_flops"),
        "latency": record.get("latency"),
        "pipeline": record["parameters"].get("PIPELINE"),
        "fmax_mhz": record_value(timing, "fmax"),
        "worst_slack_ns": record_value(timing, "worst_slack"),
        "meets_clock": record_value(timing, "meets_clock"),
        "power_mw": record_value(power, "gate_level", "total"),
        "energy_pj_per_mac": record_value(power, "energy_per_operation"),
        "sqnr_db": record_value(record, "accuracy", "sqnr_db"),
        "operands": record_value(record, "accuracy", "operands"),
    }


def run_point(task):
    """Evaluate one point (a Dask task): ``task`` is ``(design, parameters, library, setup,
    key)``. Returns its record; an exception becomes a failed record, never a lost point."""
    design, parameters, library, setup, key = task
    try:
        with tempfile.TemporaryDirectory(prefix="qrazor-sweep-") as work:
            record = evaluate_unit(design, parameters, setup, work)
        return {
            **_base(design, parameters, library, key),
            "status": "ok",
            "error": None,
            **_figures(record),
            "notes": list(record["notes"]),
        }
    except Exception as error:  # noqa: BLE001 - recorded with its error, the sweep goes on
        return failed_record(design, parameters, library, key, error)
