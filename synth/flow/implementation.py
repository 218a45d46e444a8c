"""One unit implemented on a Liberty library: exported, synthesized, its cells attributed to
blocks, timed by OpenSTA. The pipeline search and the evaluation both start from here."""

import json
from dataclasses import dataclass
from pathlib import Path

from hw.designs import build, elaborated
from hw.export import export

from ..gates.attribution import block_shares, with_blocks
from ..gates.netlist import read_netlist
from .sta import run_sta
from .yosys import synthesize

__all__ = ["Implementation", "implement", "block_areas"]


@dataclass(frozen=True, eq=False)
class Implementation:
    """A synthesized, timed unit. ``netlist`` instances carry their main block; ``shares`` every
    instance's split among blocks; ``timing`` is ``None`` without OpenSTA."""

    design: str
    unit: object
    library: object
    synthesis: object
    netlist: object
    shares: dict
    timing: object
    workdir: Path

    @property
    def tag(self):
        """``sdr_mac_L16``, ``sdr_encoder_G16``."""
        lanes = self.unit.parameters.get("LANES")
        return (
            f"{self.design}_L{lanes}"
            if lanes
            else f"{self.design}_G{self.unit.parameters['GROUP']}"
        )

    @property
    def flip_flops(self):
        return sum(1 for i in self.netlist.instances if self.library.cell(i.cell).is_sequential)

    @property
    def area(self):
        """Total cell area (library units), checked against Yosys' ``stat``."""
        return sum(self.library.cell(i.cell).area for i in self.netlist.instances)

    def path_blocks(self):
        """``[(pin, arrival s, block)]`` of the worst path (pins of top-level ports: ``port``)."""
        instances = {i.name: i for i in self.netlist.instances}
        points = []
        for pin, arrival in self.timing.path:
            name, _, port = pin.partition("/")
            points.append((pin, arrival, instances[name].block if port else "port"))
        return points


def block_areas(implementation):
    """``{block: {"logic": area, "registers": area}}`` (library units), shares split."""
    areas = {}
    for instance in implementation.netlist.instances:
        cell = implementation.library.cell(instance.cell)
        kind = "registers" if cell.is_sequential else "logic"
        for block, share in implementation.shares[instance.name].items():
            parts = areas.setdefault(block, {"logic": 0.0, "registers": 0.0})
            parts[kind] += share * cell.area
    return dict(sorted(areas.items()))


def _check_area(implementation):
    with open(implementation.synthesis.stat_flat, encoding="utf-8") as file:
        stated = json.load(file)["design"]["area"]
    if abs(implementation.area - stated) > 1e-6 * max(1.0, stated):
        raise ValueError(
            f"{implementation.synthesis.stat_flat}: Yosys states {stated} area units, the "
            f"netlist's cells add up to {implementation.area}"
        )


def implement(design, parameters, library, conditions, workdir, timing=True):
    """Export ``design`` with SPEC-named ``parameters``, synthesize it onto ``library`` at
    ``conditions``' clock, attribute its cells and (``timing``) run OpenSTA, under ``workdir``."""
    workdir = Path(workdir)
    unit = elaborated(build(design, **parameters))
    export([design], workdir, **unit.parameters)
    synthesis = synthesize(
        workdir / f"{design}.v", design, workdir / "synth", library.path, conditions.clock_period
    )
    netlist = read_netlist(synthesis.netlist_json, design)
    shares = block_shares(library, netlist)
    netlist = with_blocks(netlist, shares)
    sta = (
        run_sta(library, synthesis.netlist, design, conditions, workdir / "sta") if timing else None
    )
    implementation = Implementation(design, unit, library, synthesis, netlist, shares, sta, workdir)
    _check_area(implementation)
    return implementation
