"""The layers of sim/, hw/ and synth/ (the import-linter contracts in pyproject.toml) and the rule
that no private name (``_name``) is imported across packages.

Layers, bottom to top: sim.util < sim.golden (with the facades sim.quant, sim.sdr) <
sim.workloads | sim.cycle_models < hw < sim.verify < sim.system < sim.studies < the CLIs < synth.
hw takes from sim only sim.golden, sim.util and the facades; sim and hw never import synth.
"""

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Where the private-name rule applies.
CHECKED = ("sim", "hw", "synth", "scripts")
#: What hw may import from sim.
HW_MAY_IMPORT = {"sim.golden", "sim.util", "sim.quant", "sim.sdr"}


def _contracts():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def _lint_imports(cwd):
    """``lint-imports --no-cache`` (the venv's) run in ``cwd``: the finished process."""
    executable = Path(sys.executable).with_name("lint-imports")
    if executable.exists():
        command = [str(executable)]
    else:
        script = "from importlinter.cli import lint_imports_command; lint_imports_command()"
        command = [sys.executable, "-c", script]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(
        [*command, "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _sim_top_modules():
    """``sim.<name>`` for every module and package directly in sim/."""
    names = {path.stem for path in (ROOT / "sim").glob("*.py") if path.stem != "__init__"}
    names |= {path.parent.name for path in (ROOT / "sim").glob("*/__init__.py")}
    return {f"sim.{name}" for name in names}


def test_import_contracts_are_kept():
    result = _lint_imports(ROOT)
    if result.returncode != 0:
        pytest.fail(f"lint-imports failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
    assert "0 broken" in result.stdout


def test_every_sim_module_is_in_a_layer():
    """A new top-level module of sim must be placed in the layers contract."""
    layers = _contracts()["layers"]["layers"]
    placed = {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}
    assert _sim_top_modules() - placed == set()


def test_hw_is_forbidden_every_other_sim_module():
    """The hw-sim contract forbids exactly the sim modules hw may not import."""
    forbidden = set(_contracts()["hw-sim"]["forbidden_modules"])
    assert forbidden == _sim_top_modules() - HW_MAY_IMPORT


def _copy_sources(destination):
    """sim/, hw/ and synth/ (their .py files) and pyproject.toml, copied into ``destination``."""
    for package in ("sim", "hw", "synth"):
        for source in (ROOT / package).rglob("*.py"):
            if "build" in source.relative_to(ROOT).parts:
                continue
            target = destination / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    shutil.copyfile(ROOT / "pyproject.toml", destination / "pyproject.toml")


def test_back_imports_break_the_contracts(tmp_path):
    """One deliberate back-import per contract, in a copy of the tree: all three are broken."""
    _copy_sources(tmp_path)
    (tmp_path / "sim/golden/back_import.py").write_text("import sim.system\n")
    (tmp_path / "sim/util/back_import.py").write_text("import synth.quantity\n")
    (tmp_path / "hw/back_import.py").write_text("import sim.cycle_models\n")
    result = _lint_imports(tmp_path)
    print(result.stdout)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 0 kept, 3 broken." in result.stdout
    assert "sim.golden.back_import -> sim.system" in result.stdout
    assert "sim.util.back_import -> synth.quantity" in result.stdout
    assert "hw.back_import -> sim.cycle_models" in result.stdout


# --- No private name crosses packages ---------------------------------------------------------


def _module_name(root, path):
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(root, dotted):
    path = root.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _package(dotted):
    """The package that owns a module: its top two components (``sim.golden``, ``hw.rap``)."""
    return tuple(dotted.split(".")[:2])


def _private(name):
    return name.startswith("_") and not name.startswith("__")


def _source_module(node, importer, is_package):
    """The absolute module of an ``ImportFrom``, relative imports resolved."""
    if node.level == 0:
        return node.module
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def private_imports(root, path):
    """``(line, what)`` for each private name that ``path`` takes from another package:
    ``from X import _name``, and ``m._name`` on a module ``m`` imported from another package."""
    importer = _module_name(root, path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(), filename=str(path))
    modules = {}  # local name -> module it is bound to
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    modules[head] = head
        elif isinstance(node, ast.ImportFrom):
            source = _source_module(node, importer, is_package)
            for alias in node.names:
                if _private(alias.name) and _package(source) != _package(importer):
                    found.append((node.lineno, f"from {source} import {alias.name}"))
                if _is_module(root, f"{source}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{source}.{alias.name}"
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        chain, value = [], node.value
        while isinstance(value, ast.Attribute):
            chain.append(value.attr)
            value = value.value
        if not (isinstance(value, ast.Name) and value.id in modules):
            continue
        module = ".".join([modules[value.id], *reversed(chain)])
        if _is_module(root, module) and _package(module) != _package(importer):
            found.append((node.lineno, f"{module}.{node.attr}"))
    return sorted(found)


def test_no_private_name_crosses_packages():
    offences = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for directory in CHECKED
        for path in sorted((ROOT / directory).rglob("*.py"))
        if "build" not in path.relative_to(ROOT).parts
        for line, what in private_imports(ROOT, path)
    ]
    assert offences == [], "private names imported across packages (make them public):\n" + (
        "\n".join(offences)
    )


def test_private_import_check_finds_both_forms(tmp_path):
    files = {
        "sim/__init__.py": "",
        "sim/golden/__init__.py": "",
        "sim/golden/fixed.py": "_ONE = 1\n",
        "hw/__init__.py": "",
        "hw/rap/__init__.py": "",
        "hw/rap/a.py": "from sim.golden.fixed import _ONE\n",
        "hw/rap/b.py": "from sim.golden import fixed\nX = fixed._ONE\n",
        "hw/rap/c.py": "import sim.golden.fixed as f\nX = f._ONE\n",
        "hw/rap/d.py": "from hw.rap.a import _ONE\nfrom . import b\nY = b._private\n",
        "sim/golden/e.py": "from .fixed import _ONE\nfrom . import fixed\nX = fixed._ONE\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = {
        name: private_imports(tmp_path, tmp_path / name) for name in files if name.endswith(".py")
    }
    assert found["hw/rap/a.py"] == [(1, "from sim.golden.fixed import _ONE")]
    assert found["hw/rap/b.py"] == [(2, "sim.golden.fixed._ONE")]
    assert found["hw/rap/c.py"] == [(2, "sim.golden.fixed._ONE")]
    assert found["hw/rap/d.py"] == []  # same package
    assert found["sim/golden/e.py"] == []  # same package
