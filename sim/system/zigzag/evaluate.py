"""One GEMM on one engine through ZigZag, for the fixed spatial mapping of the array (output
channels over the columns, the reduction over the lanes): ZigZag places every candidate loop
order in the memory levels and its cost model gives energy per memory level and operand, MAC
energy and latency with stalls; the candidate of least energy is kept. Results are cached per
(accelerator, layer shape) as JSON.

A column reduces each output over the whole K before it moves (its accumulator restarts after
``in_last`` and cannot load a partial sum: SPEC 5), so the reduction C is innermost in every
candidate, which rules out ZigZag's own free search (LOMA would also try orders that spill
partial sums). Above it the controller may block the rows (B) and the column tiles (K): every
candidate is ``C``, then an inner block of B and of K (either first), then the outer rest of
both (either first), with block sizes near 16, 64, 256 and whole (:func:`candidates`). All
candidates of a shape go through ZigZag in one call.
"""

import hashlib
import itertools
import json
import logging
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path

import yaml

from sim.system.zigzag.accelerator import OPERAND_MEMORIES
from sim.system.zigzag.layers import zigzag_layer

__all__ = ["BLOCKS", "candidates", "evaluate_layer"]

#: Block sizes tried for the rows and the column tiles (the nearest divisor of each).
BLOCKS = (16, 64, 256)


def _near_divisors(size):
    """Divisors of ``size`` nearest to each of :data:`BLOCKS`, and ``size`` itself."""
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    chosen = {min(divisors, key=lambda d, t=t: (abs(d - t), d)) for t in BLOCKS}
    return sorted(chosen | {size})


def candidates(gemm, cols, lanes):
    """Every candidate temporal order, innermost first, as ``[(dim, size), ...]`` (loops of
    size 1 left out: ZigZag 3.9.1's LayerTemporalOrdering.is_complete deletes them from a dict
    it iterates)."""
    reduction = -(-gemm.k // lanes)
    sizes = {"B": gemm.m, "K": -(-gemm.n // cols)}
    orders = []
    for tb, tk in itertools.product(_near_divisors(sizes["B"]), _near_divisors(sizes["K"])):
        block = {"B": tb, "K": tk}
        for inner, outer in itertools.product("BK", "BK"):
            first, second = inner, "K" if inner == "B" else "B"
            last = "K" if outer == "B" else "B"
            loops = [("C", reduction), (first, block[first]), (second, block[second])]
            loops += [(last, sizes[last] // block[last]), (outer, sizes[outer] // block[outer])]
            loops = [loop for loop in loops if loop[1] > 1]
            if loops not in orders:
                orders.append(loops)
    return orders


def _mapping_entry(name, cols, lanes, loops=None):
    entry = {
        "name": name,
        "spatial_mapping": {"D1": [f"K, {cols}"], "D2": [f"C, {lanes}"]},
        "memory_operand_links": {"O": "O", "W": "I2", "I": "I1"},
    }
    if loops is not None:
        entry["temporal_ordering"] = [list(loop) for loop in loops]
    return entry


def _quiet():
    """ZigZag calls ``logging.basicConfig(level=INFO)``: give the root logger a handler first (a
    no-op one if it has none) and keep ZigZag's own loggers below warnings."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())
    logging.getLogger("zigzag").setLevel(logging.ERROR)


def _loops(levels):
    return [[f"{dim} {int(size)}" for dim, size in level] for level in levels]


def _record(cme, description):
    """The plain-dict result of a CostModelEvaluation."""
    memories = list(description["memories"])
    energy, bits = {}, {}
    for layer_op, per_level in cme.mem_energy_breakdown.items():
        operand = str(layer_op)
        mem_op = OPERAND_MEMORIES[operand]
        names = [m for m in memories if mem_op in description["memories"][m]["operands"]]
        for name, pj in zip(names, per_level, strict=True):
            energy.setdefault(name, {})[operand] = float(pj)
        for name, access in zip(names, cme.memory_word_access[layer_op], strict=True):
            ports = description["memories"][name]["ports"]
            width = max(p["bandwidth_max"] for p in ports)
            words = sum(access.data.values())  # the four directions, in port-wide words
            bits.setdefault(name, {})[operand] = float(words) * width
    temporal = {
        str(op): _loops(levels)
        for op, levels in cme.temporal_mapping.mapping_dic_stationary.items()
    }
    return {
        "mac_energy_pj": float(cme.mac_energy),
        "memory_energy_pj": energy,
        "word_bits_moved": bits,
        "ideal_cycles": float(cme.ideal_cycle),
        "spatial_cycles": float(cme.ideal_temporal_cycle),
        "latency_cycles": float(cme.latency_total2),
        "temporal_mapping": temporal,
    }


def _search(description, gemm, partial_bits, orders, scratch):
    """ZigZag on every order at once (one layer each); the record of least memory energy."""
    from zigzag.api import get_hardware_performance_zigzag

    cols, lanes = description["operational_array"]["sizes"]
    layers, entries = [], [_mapping_entry("default", cols, lanes)]
    for index, loops in enumerate(orders):
        layers.append(
            {
                **zigzag_layer(gemm, partial_bits),
                "id": index,
                "name": f"order{index}",
                "operand_source": {"I": index},
            }
        )
        entries.append(_mapping_entry(f"order{index}", cols, lanes, loops))
    (scratch / "accelerator.yaml").write_text(yaml.safe_dump(description, sort_keys=False))
    (scratch / "mapping.yaml").write_text(yaml.safe_dump(entries, sort_keys=False))
    _, _, cmes = get_hardware_performance_zigzag(
        layers,
        str(scratch / "accelerator.yaml"),
        str(scratch / "mapping.yaml"),
        opt="energy",
        dump_folder=str(scratch / "out"),
        loma_show_progress_bar=False,
    )
    records = []
    for cme, _ in cmes[0][1]:
        record = _record(cme, description)
        record["order"] = [f"{dim} {size}" for dim, size in orders[int(str(cme.layer.name)[5:])]]
        records.append(record)
    return min(records, key=lambda r: (_memory_total(r), r["latency_cycles"]))


def evaluate_layer(description, gemm, partial_bits, cache_dir):
    """ZigZag's result for one repetition of ``gemm`` on the accelerator ``description`` (see
    :func:`_record`; ``"order"`` is the loop order kept, innermost first), from
    ``cache_dir/zigzag/<key>.json`` or one ZigZag call over every candidate."""
    cols, lanes = description["operational_array"]["sizes"]
    orders = candidates(gemm, cols, lanes)
    layer = zigzag_layer(gemm, partial_bits)
    key_text = json.dumps([description, layer, orders, version("zigzag-dse")], sort_keys=True)
    key = hashlib.sha256(key_text.encode()).hexdigest()[:24]
    store = Path(cache_dir) / "zigzag" / f"{key}.json"
    if store.exists():
        return json.loads(store.read_text())
    _quiet()
    scratch = Path(tempfile.mkdtemp(prefix="zigzag-"))
    try:
        record = _search(description, gemm, partial_bits, orders, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return json.loads(store.read_text())  # the same dict, key order included, as a cached run


def _memory_total(record):
    return sum(sum(parts.values()) for parts in record["memory_energy_pj"].values())
