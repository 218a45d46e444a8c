"""Energy, area, access time and leakage of an on-chip SRAM from CACTI 7, the copy shipped in
``zigzag-dse``.

CACTI 7 refuses feature sizes above 90 nm ("Feature size must be <= 90 nm"), so 90 nm is the
node nearest to both standard-cell libraries here (OSU 0.18 um and IHP SG13G2 0.13 um): every
buffer is priced at 90 nm, a stated departure from the logic's node. ZigZag runs CACTI from the
folder of its memory pool, so the cache folder gets a pool of its own beside links to the
shipped binary and technology files; each result is kept in ``sram.json`` there and reused.
"""

import csv
import json
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["CACTI_NODE_NM", "SramCosts", "sram_costs"]

#: The node every buffer is priced at (the largest CACTI 7 accepts).
CACTI_NODE_NM = 90
#: What the pool folder needs from ZigZag's CACTI folder.
_SHIPPED = ("cacti", "tech_params", "contention.dat")


@dataclass(frozen=True)
class SramCosts:
    """One SRAM: ``read_pj`` / ``write_pj`` per access of ``bus_bits``, ``area_mm2``,
    ``access_ns`` and ``leakage_mw`` (standby, per bank), at ``node_nm``."""

    size_bytes: int
    bus_bits: int
    read_pj: float
    write_pj: float
    area_mm2: float
    access_ns: float
    leakage_mw: float
    node_nm: int = CACTI_NODE_NM

    @property
    def source(self):
        return (
            f"CACTI 7 (as shipped in zigzag-dse 3.9.1), {self.node_nm} nm, {self.size_bytes} B "
            f"SRAM, {self.bus_bits}-bit port, one read and one write port, one bank"
        )


def _folder(cache_dir):
    from zigzag.cacti.cacti_parser import CactiParser

    folder = Path(cache_dir) / "cacti"
    folder.mkdir(parents=True, exist_ok=True)
    shipped = Path(CactiParser.cacti_path) / "cacti_master"
    for name in _SHIPPED:
        link = folder / name
        if not link.exists():
            link.symlink_to(shipped / name)
    return folder


def _run(folder, size_bytes, bus_bits):
    """One CACTI run with the configuration ZigZag's ``cacti_top.run_cacti`` writes (its line
    size is the bus width, as there); its result row as ``{column: text}``. The binary is run
    here rather than through ``run_cacti``, which changes the working folder and leaves its pipe
    open."""
    from zigzag.cacti.cacti_master.cacti_config_creator import CactiConfig

    settings = {
        "mem_type": '"ram"',
        "cache_size": size_bytes,
        "IO_bus_width": bus_bits,
        "ex_rd_port": 1,
        "ex_wr_port": 1,
        "rd_wr_port": 0,
        "bank_count": 1,
        "technology": CACTI_NODE_NM / 1000,
        "line_size": bus_bits,
    }
    config = CactiConfig()
    lines = [
        option["string"] + str(settings.get(name, option["default"])) + "\n"
        for name, option in config.config_options.items()
    ]
    (folder / "self_gen").mkdir(exist_ok=True)
    config.write_config(lines, os.fspath(folder / "self_gen" / "cache.cfg"))
    done = subprocess.run(
        ["./cacti", "-infile", "./self_gen/cache.cfg"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    out = folder / "self_gen" / "cache.cfg.out"
    if done.returncode or not out.exists():
        raise RuntimeError(f"CACTI failed on a {size_bytes} B SRAM: {done.stdout[-200:]}")
    with open(out, encoding="utf-8") as file:
        rows = list(csv.reader(file, skipinitialspace=True))
    out.unlink()
    return dict(zip([name.strip() for name in rows[0]], rows[-1], strict=False))


def sram_costs(size_bytes, bus_bits, cache_dir):
    """:class:`SramCosts` of a ``size_bytes`` SRAM with a ``bus_bits`` port at 90 nm, from the
    cache in ``cache_dir`` or a CACTI run (a second for 64 KB, several for megabytes)."""
    folder = _folder(cache_dir)
    store = folder / "sram.json"
    known = json.loads(store.read_text()) if store.exists() else {}
    key = f"{size_bytes}B-{bus_bits}b-{CACTI_NODE_NM}nm"
    if key not in known:
        row = _run(folder, size_bytes, bus_bits)
        known[key] = asdict(
            SramCosts(
                size_bytes,
                bus_bits,
                float(row["Dynamic read energy (nJ)"]) * 1e3,
                float(row["Dynamic write energy (nJ)"]) * 1e3,
                float(row["Area (mm2)"]),
                float(row["Access time (ns)"]),
                float(row["Standby leakage per bank(mW)"]),
            )
        )
        store.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n")
    return SramCosts(**known[key])
