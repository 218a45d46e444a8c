"""The ZigZag accelerator description of one engine, generated from its parameters and its
gate-level report.

* Operational array: ``COLS x LANES`` MACs (ZigZag dimensions D1 = output channels, one per
  column; D2 = the reduction, one element per lane, summed by the adder tree), with the energy of
  one MAC (the engine's gate-level energy per cycle, clock network included, over its MACs, every
  one busy) and its area from the report of the same library.
* ``accumulators``: one ``ACC_BITS`` register per column (output stationary), priced at zero
  because its energy is inside the gate-level MAC energy.
* ``local_act`` and ``local_weight``: the local buffers feeding the array, each read once per
  beat at the width the array takes (LANES activation codes, broadcast to the columns; COLS x
  LANES weight codes); ``global_buffer`` holds every operand; energies, areas and access times
  from CACTI at 90 nm (:mod:`.cacti`).
* ``dram``: a cited energy per bit and a stated bandwidth; it holds the operands named by
  ``dram_operands`` (the others are produced and consumed on chip).

Operand precisions are the stored code widths; an SDR operand's flags are charged afterwards
(:mod:`.evaluate`).
"""

from dataclasses import dataclass

from sim.system.memory import MEMORY_CONSTANTS
from sim.system.zigzag.cacti import sram_costs

__all__ = ["Hierarchy", "DEFAULT_HIERARCHY", "accelerator", "OPERAND_MEMORIES"]

#: ZigZag's memory operands: activations I1, weights I2, outputs O.
OPERAND_MEMORIES = {"I": "I1", "W": "I2", "O": "O"}


@dataclass(frozen=True)
class Hierarchy:
    """The stated memory system around the array."""

    local_act_bytes: int = 16 * 1024
    local_weight_bytes: int = 64 * 1024
    global_bytes: int = 2 * 1024 * 1024
    global_bus_bits: int = 512
    dram_bits_per_cycle: int = 1024
    dram_pj_per_bit: float = MEMORY_CONSTANTS["dram_pj_per_bit"].value

    @property
    def dram_source(self):
        return (
            f"{MEMORY_CONSTANTS['dram_pj_per_bit'].source} ({self.dram_pj_per_bit:.3g} pJ/bit); "
            f"bandwidth {self.dram_bits_per_cycle} bits per 10 ns cycle = "
            f"{self.dram_bits_per_cycle / 8 * 1e8 / 1e9:.1f} GB/s, one LPDDR4-3200 x32 channel "
            "(3200 MT/s x 4 B, JEDEC JESD209-4 speed grade): an assumption"
        )


DEFAULT_HIERARCHY = Hierarchy()


def _port(name, kind, bits, allocation):
    return {
        "name": name,
        "type": kind,
        "bandwidth_min": bits,
        "bandwidth_max": bits,
        "allocation": allocation,
    }


def _sram(name, costs, operands, read, write, served, latency):
    return name, {
        "size": costs.size_bytes * 8,
        "r_cost": costs.read_pj,
        "w_cost": costs.write_pj,
        "area": costs.area_mm2,
        "latency": latency,
        "operands": operands,
        "ports": [
            _port("r_port_1", "read", costs.bus_bits, read),
            _port("w_port_1", "write", costs.bus_bits, write),
        ],
        "served_dimensions": served,
    }


def accelerator(
    name,
    parameters,
    mac_pj,
    mac_area_um2,
    precision,
    dram_operands,
    cache_dir,
    hierarchy=DEFAULT_HIERARCHY,
    clock_ns=10.0,
):
    """``(description, sources)``: the ZigZag accelerator dict of an engine with ``parameters``
    (COLS, LANES, ACC_BITS), ``mac_pj`` per MAC, ``precision`` ``{"I": bits, "W": bits}`` of the
    stored codes, and the ``dram_operands`` (a subset of "I", "W", "O") held in DRAM; ``sources``
    names every memory's cost source."""
    cols, lanes, acc = parameters["COLS"], parameters["LANES"], parameters["ACC_BITS"]
    act_bus, weight_bus = lanes * precision["I"], cols * lanes * precision["W"]
    local_act = sram_costs(hierarchy.local_act_bytes, act_bus, cache_dir)
    local_weight = sram_costs(hierarchy.local_weight_bytes, weight_bus, cache_dir)
    global_buffer = sram_costs(hierarchy.global_bytes, hierarchy.global_bus_bits, cache_dir)

    def cycles(costs):
        return max(1, -(-costs.access_ns // clock_ns))

    memories = dict(
        [
            (
                "accumulators",
                {
                    "size": acc,
                    "r_cost": 0.0,
                    "w_cost": 0.0,
                    "area": 0.0,
                    "latency": 1,
                    "operands": ["O"],
                    "ports": [
                        _port("r_port_1", "read", acc, ["O, tl"]),
                        _port("r_port_2", "read", acc, ["O, th"]),
                        _port("w_port_1", "write", acc, ["O, fh"]),
                        _port("w_port_2", "write", acc, ["O, fl"]),
                    ],
                    "served_dimensions": ["D2"],
                },
            ),
            _sram(
                "local_act",
                local_act,
                ["I1"],
                ["I1, tl"],
                ["I1, fh"],
                ["D1", "D2"],
                cycles(local_act),
            ),
            _sram(
                "local_weight",
                local_weight,
                ["I2"],
                ["I2, tl"],
                ["I2, fh"],
                ["D1", "D2"],
                cycles(local_weight),
            ),
            _sram(
                "global_buffer",
                global_buffer,
                ["I1", "I2", "O"],
                ["I1, tl", "I2, tl", "O, tl", "O, th"],
                ["I1, fh", "I2, fh", "O, fh", "O, fl"],
                ["D1", "D2"],
                cycles(global_buffer),
            ),
        ]
    )
    sources = {
        "accumulators": "inside the gate-level MAC energy (one register per column)",
        "local_act": local_act.source,
        "local_weight": local_weight.source,
        "global_buffer": global_buffer.source,
    }
    if dram_operands:
        held = [OPERAND_MEMORIES[o] for o in ("I", "W", "O") if o in dram_operands]
        bits = hierarchy.dram_bits_per_cycle
        allocation = [
            f"{m}, {d}"
            for m in held
            for d in (("fh", "tl", "fl", "th") if m == "O" else ("fh", "tl"))
        ]
        memories["dram"] = {
            "size": 1 << 40,
            "r_cost": hierarchy.dram_pj_per_bit * bits,
            "w_cost": hierarchy.dram_pj_per_bit * bits,
            "area": 0.0,
            "latency": 1,
            "operands": held,
            "ports": [_port("rw_port_1", "read_write", bits, allocation)],
            "served_dimensions": ["D1", "D2"],
        }
        sources["dram"] = hierarchy.dram_source
    description = {
        "name": name,
        "operational_array": {
            "input_precision": [precision["I"], precision["W"]],
            "unit_energy": mac_pj,
            "unit_area": mac_area_um2,
            "dimensions": ["D1", "D2"],
            "sizes": [cols, lanes],
        },
        "memories": memories,
    }
    return description, sources
