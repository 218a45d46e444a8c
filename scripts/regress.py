"""Thin wrapper: ``python scripts/regress.py ...`` runs ``python -m sim.regress ...``."""

import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
runpy.run_module("sim.regress", run_name="__main__", alter_sys=True)
