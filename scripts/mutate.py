"""Mutation score of each configured module, one mutmut run per module (`make mutate`).

mutmut first runs its whole test selection once to map tests to functions; with every module's
tests in one selection that run alone takes most of an hour on 2 cores. This script runs mutmut
once per module, in a copy of the tree (build/mutate/<module>/) whose `[tool.mutmut]` names only
that module and the test files that check it (MODULE_TESTS below), and writes the scores as a
Markdown table and JSON (build/mutate/scores.{md,json}) with every survivor's name, for
`mutmut show` in that copy.

    python scripts/mutate.py                       # every module, one mutmut child
    python scripts/mutate.py sim/system/rap/adc.py --max-children 2
    python scripts/mutate.py --recount             # statuses now, after re-runs by name
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The modules whose figures users read (issue 25) and the test files that check each.
MODULE_TESTS = {
    "sim/golden/quant.py": ["tests/test_quant.py", "tests/test_accuracy_gemm.py"],
    "sim/golden/sdr.py": ["tests/test_sdr_matmul.py", "tests/test_sdr_encode.py"],
    "sim/golden/sdr_encode.py": ["tests/test_sdr_encode.py", "tests/test_sdr_matmul.py"],
    "sim/golden/integer.py": ["tests/test_sdr_matmul.py"],
    "sim/cycle_models/structure.py": ["tests/test_cycle_model_structure.py"],
    "synth/power/model.py": ["tests/test_synth_power.py"],
    "synth/power/clock.py": ["tests/test_synth_power.py"],
    "sim/system/rap/pim.py": [
        "tests/test_rap_pim_config.py",
        "tests/test_rap_sparse.py",
        "tests/test_rap_pim.py",
    ],
    "sim/system/rap/adc.py": [
        "tests/test_rap_adc.py",
        "tests/test_rap_sparse.py",
        "tests/test_rap_pim.py",
    ],
    "sim/system/rap/pim_energy.py": ["tests/test_rap_sparse.py", "tests/test_rap_pim.py"],
    "sim/workloads/bert.py": ["tests/test_minilm_reference.py", "tests/test_accuracy_bert.py"],
    "sim/system/engine/energy.py": ["tests/test_engine_models.py"],
}

COPIED = ["sim", "synth", "hw", "tests"]
STATUS_LINE = re.compile(r"^\s*(?P<name>[\w.]+__mutmut_\d+): (?P<status>[\w ]+)$")


def module_pyproject(module, tests):
    """The project's pyproject.toml with `[tool.mutmut]` narrowed to one module and its tests."""
    text = (ROOT / "pyproject.toml").read_text()
    config = tomllib.loads(text)["tool"]["mutmut"]
    head, _, rest = text.partition("[tool.mutmut]")
    tail = rest[rest.index("\n[", 1) :] if "\n[" in rest[1:] else ""
    lines = [
        "[tool.mutmut]",
        f"source_paths = {json.dumps(config['source_paths'])}",
        f"only_mutate = {json.dumps([module])}",
        f"pytest_add_cli_args = {json.dumps(config['pytest_add_cli_args'])}",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
    ]
    return head + "\n".join(lines) + "\n" + tail


def prepare(module, workdir):
    """A fresh copy of the tree in `workdir` configured for `module`."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in COPIED:
        shutil.copytree(ROOT / name, workdir / name, ignore=ignore)
    (workdir / "pyproject.toml").write_text(module_pyproject(module, MODULE_TESTS[module]))


def score(module, workdir, max_children):
    """Run mutmut on `module` in `workdir`; its counts and survivors."""
    start = time.monotonic()
    run = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]
    subprocess.run(run, cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    return {**statuses(module, workdir), "seconds": round(time.monotonic() - start)}


def statuses(module, workdir):
    """The counts and survivors of the mutmut results in `workdir` (after a run, or after some
    mutants were re-run by name once tests were added)."""
    results = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = {}
    for line in results.splitlines():
        match = STATUS_LINE.match(line)
        if match:
            found[match["name"]] = match["status"].strip()
    counts = {}
    for status in found.values():
        counts[status] = counts.get(status, 0) + 1
    return {
        "module": module,
        "tests": MODULE_TESTS[module],
        "total": len(found),
        "killed": counts.get("killed", 0),
        "counts": counts,
        "survivors": sorted(name for name, status in found.items() if status != "killed"),
    }


def write_tables(scores, out):
    """scores.json and scores.md in `out`."""
    (out / "scores.json").write_text(json.dumps(scores, indent=2) + "\n")
    rows = [
        "| module | killed / total, first run | killed / total, now | not killed now | tests "
        "| run time |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for entry in scores:
        others = (
            ", ".join(
                f"{count} {status}"
                for status, count in sorted(entry["counts"].items())
                if status != "killed"
            )
            or "none"
        )
        tests = " ".join(f"`{test}`" for test in entry["tests"])
        first = entry.get("first_killed", entry["killed"])
        first_total = entry.get("first_total", entry["total"])
        rows.append(
            f"| `{entry['module']}` | {first} / {first_total} | {entry['killed']} / "
            f"{entry['total']} | {others} | {tests} | {entry['seconds']} s |"
        )
    (out / "scores.md").write_text("\n".join(rows) + "\n")


def recount(module, workdir, previous):
    """The module's statuses now (former survivors re-run by name in `workdir` after tests were
    added), keeping the first run's counts and run time from `previous` (a total differs when
    the code changed since: a dead line removed)."""
    entry = statuses(module, workdir)
    entry["first_killed"] = previous.get("first_killed", previous["killed"])
    entry["first_total"] = previous.get("first_total", previous["total"])
    entry["seconds"] = previous["seconds"]
    return entry


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "modules",
        nargs="*",
        metavar="MODULE",
        help="modules to score (default: every one of MODULE_TESTS)",
    )
    parser.add_argument("--max-children", type=int, default=1, help="mutmut's parallel runs")
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "build" / "mutate")
    parser.add_argument(
        "--recount",
        action="store_true",
        help="run nothing: read each module's statuses in its copy again (after former "
        "survivors were re-run by name there), beside the first run's count",
    )
    args = parser.parse_args()
    for module in args.modules:
        if module not in MODULE_TESTS:
            parser.error(f"MODULE must be one of {', '.join(MODULE_TESTS)}, not {module}")
    scores_path = args.out / "scores.json"
    for module in args.modules or list(MODULE_TESTS):
        workdir = args.out / module.removesuffix(".py").replace("/", ".")
        if args.recount:
            scores = json.loads(scores_path.read_text())
            previous = next(s for s in scores if s["module"] == module)
            entry = recount(module, workdir, previous)
        else:
            prepare(module, workdir)
            entry = score(module, workdir, args.max_children)
            # read again: another run (another module) may have written its score meanwhile
            scores = json.loads(scores_path.read_text()) if scores_path.exists() else []
        scores = [s for s in scores if s["module"] != module] + [entry]
        scores.sort(key=lambda s: list(MODULE_TESTS).index(s["module"]))
        write_tables(scores, args.out)
        print(
            f"{module}: {entry['killed']} / {entry['total']} killed in {entry['seconds']} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
