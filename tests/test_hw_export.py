"""python -m hw.export: deterministic, clean Verilog that Verilator, Icarus and Yosys accept."""

import json
import os
import re
import subprocess
import sys

import pytest

from hw.designs import DESIGNS, elaborated
from hw.export import LINT_WAIVERS, export
from hw.yosys import run_script
from sim.util.tools import find_tool, verilator_environment


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("rtl")
    export(list(DESIGNS), out)
    return out


def test_same_parameters_give_the_same_bytes(exported, tmp_path):
    export(list(DESIGNS), tmp_path)
    for name in DESIGNS:
        for suffix in (".v", ".json"):
            assert (tmp_path / (name + suffix)).read_bytes() == (
                exported / (name + suffix)
            ).read_bytes()


def test_no_paths_or_source_locations(exported):
    for path in exported.glob("*"):
        text = path.read_text()
        assert (
            "/" not in re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S).replace("qrazor-hw", "")
            or path.suffix == ".v"
        )
        assert str(exported) not in text and "/home" not in text and "/opt" not in text
        assert ".py:" not in text and "src =" not in text


@pytest.mark.parametrize("name", DESIGNS)
def test_json_describes_the_verilog_ports(exported, name):
    record = json.loads((exported / f"{name}.json").read_text())
    unit = elaborated(DESIGNS[name]())
    assert record["module"] == name and record["LATENCY"] == unit.LATENCY
    assert record["parameters"] == unit.parameters
    verilog = (exported / f"{name}.v").read_text()
    header = re.search(rf"^module {name}\((.*?)\);", verilog, re.M | re.S)
    assert sorted(p.strip() for p in header.group(1).split(",")) == sorted(
        p["name"] for p in record["ports"]
    )
    for port in record["ports"]:
        width = f"[{port['width'] - 1}:0] " if port["width"] > 1 else ""
        # A lane-packed port is a plain vector in Verilog; its "signed" describes each lane.
        signed = "signed " if port["signed"] and "lanes" not in port else ""
        assert re.search(
            rf"^\s*{port['direction']} {signed}{re.escape(width)}{port['name']};", verilog, re.M
        ), port


def test_port_json_describes_two_s_complement_lanes(exported):
    ports = {p["name"]: p for p in json.loads((exported / "int8_mac.json").read_text())["ports"]}
    for name in ("a", "w"):
        assert ports[name]["signed"] is True
        assert ports[name]["lane_width"] == 8
        assert ports[name]["lanes"] * 8 == ports[name]["width"]
    codes = {p["name"]: p for p in json.loads((exported / "sdr_mac.json").read_text())["ports"]}
    assert codes["a_code"]["signed"] is False and codes["a_code"]["lane_width"] == 4
    assert "lanes" not in ports["out"] and ports["out"]["signed"] is True


def test_sdr_mac_ports_follow_spec(exported):
    record = json.loads((exported / "sdr_mac.json").read_text())
    widths = {p["name"]: (p["direction"], p["width"]) for p in record["ports"]}
    assert widths == {
        "clk": ("input", 1),
        "rst": ("input", 1),
        "a_code": ("input", 64),
        "w_code": ("input", 64),
        "a_flag": ("input", 4),
        "w_flag": ("input", 3),
        "in_valid": ("input", 1),
        "in_last": ("input", 1),
        "out_valid": ("output", 1),
        "out": ("output", 32),
    }


def test_engine_ports_follow_spec(exported):
    """SPEC 10: ``sdr_engine`` takes LANES activation codes and the group's flag (no encoder),
    each of COLS columns its own weight codes and flag; the integer engines a broadcast row of
    LANES activations and COLS x LANES weights. LATENCY is a column's."""
    engines = {name: json.loads((exported / f"{name}.json").read_text()) for name in COMPOSITES}
    widths = {
        name: {p["name"]: (p["direction"], p["width"]) for p in record["ports"]}
        for name, record in engines.items()
    }
    control = {
        "clk": ("input", 1),
        "rst": ("input", 1),
        "in_valid": ("input", 1),
        "in_last": ("input", 1),
        "out_valid": ("output", 1),
        "out": ("output", 4 * 32),
    }
    assert widths["sdr_engine"] == {
        "a_code": ("input", 16 * 4),
        "a_flag": ("input", 4),
        "w_code": ("input", 4 * 16 * 4),
        "w_flag": ("input", 4 * 3),
        **control,
    }
    for name, bits in (("int8_engine", 8), ("int4_engine", 4)):
        ports = {"a": ("input", 16 * bits), "w": ("input", 4 * 16 * bits)}
        assert widths[name] == {**ports, **control}
    for name, column in (("sdr_engine", "sdr_mac"), ("int8_engine", "int8_mac")):
        column_record = json.loads((exported / f"{column}.json").read_text())
        assert engines[name]["LATENCY"] == column_record["LATENCY"]
    assert engines["int4_engine"]["LATENCY"] == engines["int8_engine"]["LATENCY"]


def test_row_compactor_ports_follow_spec(exported):
    """SPEC 9: plane and mask ROWS bits (one-bit lanes), in_valid, the ready output (the only
    backpressure), out_valid and out_last; LATENCY 1."""
    record = json.loads((exported / "row_compactor.json").read_text())
    widths = {p["name"]: (p["direction"], p["width"]) for p in record["ports"]}
    assert widths == {
        "clk": ("input", 1),
        "rst": ("input", 1),
        "plane": ("input", 128),
        "in_valid": ("input", 1),
        "ready": ("output", 1),
        "mask": ("output", 128),
        "out_valid": ("output", 1),
        "out_last": ("output", 1),
    }
    assert record["parameters"] == {"ROWS": 128, "K": 7} and record["LATENCY"] == 1
    assert "no mask and no out_last" in record["handshake"]["all_zero_plane"]
    assert "handshake" not in json.loads((exported / "sdr_mac.json").read_text())


@pytest.mark.parametrize("name", DESIGNS)
def test_verilator_lint_all_warnings_are_justified(exported, name):
    result = subprocess.run(
        ["verilator", "--lint-only", "-Wall", str(exported / f"{name}.v")],
        capture_output=True,
        text=True,
        env=verilator_environment(),
    )
    codes = set(re.findall(r"^%Warning-([A-Z0-9_]+):", result.stderr, re.M))
    errors = re.findall(r"^%Error(?!: Exiting due to).*$", result.stderr, re.M)
    assert not errors, errors
    assert codes <= set(LINT_WAIVERS), f"unjustified: {codes - set(LINT_WAIVERS)}"
    waived = ["-Wno-" + code for code in LINT_WAIVERS]
    clean = subprocess.run(
        ["verilator", "--lint-only", "-Wall", *waived, str(exported / f"{name}.v")],
        capture_output=True,
        text=True,
        env=verilator_environment(),
    )
    assert clean.returncode == 0, clean.stderr


@pytest.mark.skipif(
    find_tool("iverilog") is None, reason="Icarus Verilog not installed (apt-get install iverilog)"
)
@pytest.mark.parametrize("name", DESIGNS)
def test_icarus_compiles(exported, name, tmp_path):
    result = subprocess.run(
        ["iverilog", "-g2005", "-o", str(tmp_path / "a.vvp"), str(exported / f"{name}.v")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert not result.stderr


#: Units built of other units only (their columns are synthesized here on their own): Yosys
#: reads and elaborates them (``prep``), a full ``synth`` of four 16-lane columns would add a
#: minute to the suite and prove nothing more.
COMPOSITES = ("sdr_engine", "int8_engine", "int4_engine")


@pytest.mark.parametrize("name", DESIGNS)
def test_yosys_reads_and_synthesizes(exported, name, tmp_path):
    stat = tmp_path / "stat.json"
    run_script(
        [
            f"read_verilog {exported / (name + '.v')}",
            f"{'prep' if name in COMPOSITES else 'synth'} -top {name}",
            f"tee -q -o {stat} stat -json",
        ],
        tmp_path / "yosys.log",
    )
    cells = json.loads(stat.read_text())["design"]["num_cells"]
    assert cells > 0


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "hw.export", *args],
        capture_output=True,
        text=True,
        env=None if env is None else {**os.environ, **env},
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["sdr_mac", "--lanes", "3"], "error: lanes must be a power of two, not 3"),
        (
            ["sdr_mac", "--group", "8", "--lanes", "16"],
            r"error: group \(8\) must be a multiple of lanes \(16\)",
        ),
        (
            ["sdr_mac", "--acc-bits", "12"],
            "error: acc_bits must be at least 23 to hold one product, not 12",
        ),
        (["sdr_encoder", "--lanes", "4"], "error: sdr_encoder does not take --lanes"),
        (["int8_mac", "--a-bits", "8"], "error: int8_mac does not take --a-bits"),
        (["sdr_engine", "--rounding", "truncate"], "error: sdr_engine does not take --rounding"),
    ],
)
def test_cli_refuses_with_one_line_and_writes_nothing(args, message, tmp_path):
    result = run_cli(*args, "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert re.fullmatch(message, result.stderr.strip())
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_cli_exports_all_with_parameters(tmp_path):
    # On a terminal (rich's TTY_COMPATIBLE=1) the run, longer than a second, draws its bar.
    result = run_cli(
        "all", "--lanes", "4", "--group", "32", "-o", str(tmp_path), env={"TTY_COMPATIBLE": "1"}
    )
    assert result.returncode == 0, result.stderr
    assert re.search(rf"export .*{len(DESIGNS)}/{len(DESIGNS)}", result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{n}{s}" for n in DESIGNS for s in (".v", ".json")
    )
    assert json.loads((tmp_path / "sdr_mac.json").read_text())["parameters"]["LANES"] == 4
    assert json.loads((tmp_path / "sdr_encoder.json").read_text())["parameters"]["GROUP"] == 32


def test_a_failed_write_leaves_no_partial_set(tmp_path, monkeypatch):
    """When the third file cannot be written, none of the set appears, and an existing file in
    the folder stays as it was."""
    import sim.util.files

    (tmp_path / "keep.txt").write_text("mine")
    real, calls = sim.util.files.write_atomic, []

    def failing(path, data):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(f"{path}: no space left on device")
        return real(path, data)

    monkeypatch.setattr(sim.util.files, "write_atomic", failing)
    with pytest.raises(OSError, match="no space left"):
        export(["sdr_mac", "int8_mac"], tmp_path, LANES=4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_no_escaped_identifiers(exported):
    """Issue 23 item 1: every identifier in every exported netlist is a plain one."""
    for path in exported.glob("*.v"):
        escaped = re.findall(r"\\\S+", path.read_text())
        assert not escaped, f"{path.name}: {escaped[:5]}"


def test_plain_identifiers_keep_names_unique_and_avoid_keywords():
    from hw.export import plain_identifiers

    text = (
        "wire \\end ;\nwire \\a$1 ;\nwire a_1;\nassign \\end = \\a$1 ;\nwire \\$auto$x.cc:1$2 ;\n"
    )
    plain = plain_identifiers(text)
    assert "\\" not in plain
    assert "wire end_ ;" in plain and "assign end_ = a ;" in plain
    assert "wire a_1;" in plain and "_auto_x_cc_1_2" in plain
    assert plain_identifiers("wire a;\nwire \\a$1 ;\nwire a_1;\n").endswith(
        "wire a_1_ ;\nwire a_1;\n"
    )
    assert plain_identifiers(text) == plain


VARIANTS = (("v4_", {"LANES": 4}), ("v16_", {"LANES": 16, "ACC_BITS": 40}))


def _wrapper(folder, modules):
    """A top module ``top`` instantiating every module in ``modules``, each port its own top-level
    port (``<instance>_<port>``); clk and rst shared."""
    ports, body = ["clk", "rst"], []
    declarations = ["input clk;", "input rst;"]
    for index, module in enumerate(modules):
        record = json.loads((folder / f"{module}.json").read_text())
        connections = []
        for port in record["ports"]:
            if port["name"] in ("clk", "rst"):
                connections.append(f".{port['name']}({port['name']})")
                continue
            wire = f"u{index}_{port['name']}"
            width = f"[{port['width'] - 1}:0] " if port["width"] > 1 else ""
            ports.append(wire)
            declarations.append(f"{port['direction']} {width}{wire};")
            connections.append(f".{port['name']}({wire})")
        body.append(f"{module} u{index} ({', '.join(connections)});")
    text = "\n".join([f"module top({', '.join(ports)});", *declarations, *body, "endmodule", ""])
    (folder / "top.v").write_text(text)
    return folder / "top.v"


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    """Two variants each of sdr_mac and int8_mac exported into one folder with --prefix."""
    out = tmp_path_factory.mktemp("variants")
    for prefix, parameters in VARIANTS:
        export(["sdr_mac", "int8_mac"], out, prefix=prefix, **parameters)
    modules = [prefix + name for prefix, _ in VARIANTS for name in ("sdr_mac", "int8_mac")]
    return out, modules


def test_prefix_names_files_modules_and_submodules(variants):
    out, modules = variants
    assert sorted(p.name for p in out.glob("*.v")) == sorted(f"{m}.v" for m in modules)
    for prefix, parameters in VARIANTS:
        text = (out / f"{prefix}sdr_mac.v").read_text()
        names = re.findall(r"^module (\w+)\(", text, re.M)
        assert names and all(name.startswith(prefix + "sdr_mac") for name in names), names
        record = json.loads((out / f"{prefix}sdr_mac.json").read_text())
        assert record["module"] == prefix + "sdr_mac"
        assert record["parameters"]["LANES"] == parameters["LANES"]


def test_prefix_must_be_an_identifier(tmp_path):
    with pytest.raises(ValueError, match="--prefix"):
        export(["sdr_mac"], tmp_path, prefix="9-bad")
    assert not any(tmp_path.iterdir())


@pytest.mark.skipif(
    find_tool("iverilog") is None, reason="Icarus Verilog not installed (apt-get install iverilog)"
)
def test_two_variants_each_compile_together_in_icarus(variants, tmp_path):
    out, modules = variants
    top = _wrapper(out, modules)
    sources = [str(top), *(str(out / f"{m}.v") for m in modules)]
    result = subprocess.run(
        ["iverilog", "-g2005", "-s", "top", "-o", str(tmp_path / "a.vvp"), *sources],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert not result.stderr


def test_two_variants_each_compile_together_in_verilator(variants, tmp_path):
    out, modules = variants
    top = _wrapper(out, modules)
    waived = ["-Wno-" + code for code in LINT_WAIVERS]
    result = subprocess.run(
        [
            "verilator",
            "--cc",
            "-Wall",
            *waived,
            "--top-module",
            "top",
            "--Mdir",
            str(tmp_path / "obj"),
            str(top),
            *(str(out / f"{m}.v") for m in modules),
        ],
        capture_output=True,
        text=True,
        env=verilator_environment(),
    )
    assert result.returncode == 0, result.stderr


def test_cli_prefix(tmp_path):
    result = run_cli("int8_mac", "--lanes", "4", "--prefix", "p_", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p_int8_mac.json", "p_int8_mac.v"]
