"""Place and route with nextpnr from the YoWASP wheels, and read its JSON report and log.

The wheels run nextpnr as WebAssembly: the first run of each compiles it (a minute) into
``YOWASP_CACHE_DIR`` (default here ``build/yowasp-cache``); the chip databases are inside the
wheels, so nothing is fetched. YoWASP maps the host's ``/tmp`` to a private folder, so nextpnr runs
inside its work folder with relative file names. The report (``--report``, nextpnr
``docs/report.md``) gives ``utilization.<bel>.{used, available}`` and
``fmax.<clock>.{achieved, constraint}`` in MHz.
"""

import json
import os
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = [
    "NextpnrError",
    "CACHE_DIR",
    "available",
    "nextpnr_arguments",
    "run_nextpnr",
    "read_report",
    "utilisation_table",
    "misfit_reason",
    "nextpnr_version",
]

#: Where the compiled WebAssembly is cached unless ``YOWASP_CACHE_DIR`` is set.
CACHE_DIR = Path("build") / "yowasp-cache"
#: nextpnr's seed: placement is deterministic for a given seed and netlist.
SEED = 1
REPORT, LOG = "nextpnr.json", "nextpnr.log"

_UTILISATION = re.compile(r"^Info:\s+(\S+):\s+(\d+)/\s*(\d+)\s+\d+%$")
#: Errors that mean the design is larger than the device (placement or routing), not a fault.
_MISFIT = (
    re.compile(r"no BELs remaining to implement cell type '([^']+)'"),
    re.compile(r"Unable to find legal placement|Failed to expand region"),
    re.compile(r"[Rr]outing failed|Failed to route"),
)


class NextpnrError(RuntimeError):
    """nextpnr failed for a reason other than the design not fitting the device."""


def available(device):
    """Whether ``device``'s YoWASP nextpnr wheel is installed."""
    try:
        version(device.wheel)
    except PackageNotFoundError:
        return False
    return True


def _environment():
    env = dict(os.environ)
    env.setdefault("YOWASP_CACHE_DIR", os.fspath(CACHE_DIR.resolve()))
    return env


def _run(device, arguments, cwd):
    module, function = device.entry
    code = f"import sys, {module} as m; sys.exit(m.{function}(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *arguments],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        check=False,
    )


def nextpnr_arguments(device, netlist, top):
    """nextpnr's arguments for ``netlist`` (a file name in the work folder)."""
    return [
        *device.arguments,
        "--json",
        netlist,
        "--top",
        top,
        "--freq",
        f"{device.freq_mhz:g}",
        "--seed",
        str(SEED),
        "--timing-allow-fail",
        "--report",
        REPORT,
        "--log",
        LOG,
        "--quiet",
    ]


def utilisation_table(log_text):
    """``{bel: (used, available)}`` of the last ``Device utilisation`` table of a nextpnr log."""
    table = {}
    for line in log_text.splitlines():
        if "Device utilisation" in line:
            table = {}
        match = _UTILISATION.match(line.strip())
        if match:
            table[match[1]] = (int(match[2]), int(match[3]))
    return table


def misfit_reason(log_text):
    """Why a failed nextpnr run did not fit the device (from its log), or ``None`` when the
    failure was something else.

    The reason names every resource of the last ``Device utilisation`` table that is over its
    capacity (whatever the error line: the placers word it differently), else the cell type that
    found no site (placement constraints such as carry chains can run out of sites before the
    count does), else routing.
    """
    errors = [line for line in log_text.splitlines() if line.startswith("ERROR:")]
    if not errors:
        return None
    table = utilisation_table(log_text)
    over = [f"{bel} {used} > {total}" for bel, (used, total) in table.items() if used > total]
    if over:
        return "needs " + ", ".join(over) + " available"
    if not any(p.search(errors[-1]) for p in _MISFIT):
        return None
    cell = _MISFIT[0].search(errors[-1])
    if cell and cell[1] in table:
        used, total = table[cell[1]]
        return f"no {cell[1]} site left for placement ({used} needed, {total} on the device)"
    if cell:
        return f"the device has no {cell[1]} sites"
    return "routing failed (" + errors[-1].removeprefix("ERROR:").strip() + ")"


def read_report(path):
    """``(fmax_mhz, constraint_mhz, clock, utilisation)`` of a nextpnr ``--report`` file."""
    data = json.loads(Path(path).read_text())
    clocks = data.get("fmax", {})
    if len(clocks) != 1:
        raise NextpnrError(f"expected one clock in {path}, found {sorted(clocks) or 'none'}")
    [(clock, fmax)] = clocks.items()
    utilisation = {
        bel: {"used": v["used"], "available": v["available"]}
        for bel, v in sorted(data["utilization"].items())
        if v["used"]
    }
    return fmax["achieved"], fmax["constraint"], clock, utilisation


def run_nextpnr(device, workdir, netlist, top):
    """Place and route ``workdir/netlist``: ``(status, reason, table)`` with status ``"routed"``
    or ``"does not fit"``, the misfit's reason and the log's utilisation table
    (:func:`utilisation_table`). Raises :class:`NextpnrError` on any other failure."""
    workdir = Path(workdir)
    result = _run(device, nextpnr_arguments(device, netlist, top), workdir)
    log = workdir / LOG
    text = log.read_text(errors="replace") if log.is_file() else ""
    if result.returncode == 0:
        return "routed", None, utilisation_table(text)
    reason = misfit_reason(text)
    if reason is None:
        errors = [line for line in (text or result.stderr).splitlines() if "ERROR" in line]
        detail = errors[-1].strip() if errors else f"exit status {result.returncode}"
        raise NextpnrError(f"{device.nextpnr}: {detail} (log: {log})")
    return "does not fit", reason, utilisation_table(text)


def nextpnr_version(device):
    """``nextpnr-0.11.1`` as the wheel's ``--version`` prints it, or the wheel's version."""
    result = _run(device, ["--version"], None)
    match = re.search(r"\(Version ([^)]+)\)", result.stdout + result.stderr)
    return match[1] if match else "unknown"
