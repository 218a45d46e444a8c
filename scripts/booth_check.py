"""Does Booth mapping give every unit its smallest area? Synthesize each MAC with and without
Yosys' ``-booth`` on each Liberty library (no pipeline register, 100 MHz) and print the areas.

    .venv/bin/python scripts/booth_check.py [--lanes 16] [--liberty LIB ...]
"""

import argparse
import sys
import tempfile
from pathlib import Path
from unittest import mock

from synth.flow import yosys as flow
from synth.flow.implementation import implement
from synth.library.liberty import load_liberty
from synth.report.cli import default_libraries
from synth.report.evaluate import DEFAULT_CONDITIONS
from synth.report.headline import MACS


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lanes", type=int, default=16)
    parser.add_argument("--liberty", type=Path, nargs="+", default=None)
    args = parser.parse_args(argv)
    libraries = args.liberty or default_libraries()[0]
    print("library | unit | area with -booth | area without | change")
    with tempfile.TemporaryDirectory() as scratch:
        for path in libraries:
            library = load_liberty(path)
            for design in MACS:
                areas = {}
                for booth in (True, False):
                    with mock.patch.dict(flow.FLOW, {"booth": booth}):
                        folder = Path(scratch) / f"{library.name}_{design}_{booth}"
                        areas[booth] = implement(
                            design,
                            {"LANES": args.lanes, "PIPELINE": "none"},
                            library,
                            DEFAULT_CONDITIONS,
                            folder,
                            timing=False,
                        ).area
                change = areas[True] / areas[False] - 1
                print(
                    f"{library.name} | {design}_L{args.lanes} | {areas[True]:.0f} | "
                    f"{areas[False]:.0f} | {100 * change:+.1f} %"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
