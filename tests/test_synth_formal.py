"""``python -m synth.formal``: every kind of proof proves a correct unit and fails, with a
counterexample, on a deliberately broken one (so none is vacuous); the CLI's files and exit
codes. Small parameters throughout; the CLI runs the full set."""

import json

import pytest

from synth.formal import cli
from synth.formal.aiger import tie_inputs
from synth.formal.catalog import Proof, all_proofs, run_proof, select
from synth.formal.compactor import prove_compactor
from synth.formal.datapath import prove_datapath, prove_datapath_each_flag
from synth.formal.encoder import prove_encoder
from synth.formal.lec import prove_lec
from synth.formal.protocol import prove_protocol
from synth.formal.result import Outcome, ProofResult, format_counterexample
from synth.formal.units import export_rtl, synthesize_rtl
from synth.formal.wavejson import read_counterexample
from synth.library.liberty import default_liberty

LIBERTY = default_liberty()
needs_liberty = pytest.mark.skipif(
    LIBERTY is None, reason="OSU 0.18 um Liberty not installed (apt-get install qflow-tech-osu018)"
)
LIMIT = 120
#: A small sdr_mac: four beats per group, narrow data (the two-copy checks stay quick).
SMALL = {"LANES": 1, "GROUP": 4, "MAG_BITS": 1, "A_BITS": 8, "W_BITS": 8, "ACC_BITS": 15}


def _mutated(rtl, old, new, tmp_path):
    """``rtl`` with the one occurrence of ``old`` in its Verilog replaced by ``new``."""
    text = rtl.verilog.read_text()
    assert text.count(old) == 1, old
    path = tmp_path / "broken" / rtl.verilog.name
    path.parent.mkdir()
    path.write_text(text.replace(old, new))
    return type(rtl)(path, rtl.module, rtl.parameters, rtl.latency, rtl.ports)


def _assert_failed(outcome, inputs):
    assert outcome.status == "failed", outcome
    assert outcome.counterexample and set(outcome.counterexample[0]) == set(inputs)
    assert "cycle" in format_counterexample(outcome.counterexample)


@needs_liberty
@pytest.mark.parametrize(
    ("design", "parameters", "booth"),
    [
        ("sdr_mac", {"LANES": 1, "GROUP": 4}, False),
        # a signed 8x8 multiplier: compared in Booth form
        ("int8_mac", {"LANES": 1, "ACC_BITS": 16}, True),
    ],
)
def test_lec_proves_a_netlist_and_fails_one_gate_changed(tmp_path, design, parameters, booth):
    rtl = export_rtl(design, {**parameters, "PIPELINE": "none"}, tmp_path / "rtl")
    netlist = synthesize_rtl(rtl, LIBERTY, tmp_path / "synth")
    proven = prove_lec(rtl, netlist, LIBERTY, tmp_path / "good", LIMIT, 8)
    assert proven.status == "proven" and proven.detail.startswith("every cycle"), proven
    assert ("Booth form" in proven.detail) == booth
    text = netlist.read_text()
    cell = text.index("XOR2X1 ")  # one XOR becomes an XNOR
    broken = tmp_path / "broken.v"
    broken.write_text(text[:cell] + "XNOR2X1 " + text[cell + len("XOR2X1 ") :])
    failed = prove_lec(rtl, broken, LIBERTY, tmp_path / "bad", LIMIT, 8)
    _assert_failed(failed, [name for name, _ in rtl.inputs()])
    assert failed.detail.startswith("&cec: an output or a register's next state differs")


@pytest.mark.parametrize(
    ("prove", "proven_detail", "failed_detail"),
    [
        (prove_datapath, "3 cycles", "counterexample within 3 cycles from reset"),
        # the first flag pair already differs
        (prove_datapath_each_flag, "each of the 49 flag pairs", "a_flag=0 w_flag=0"),
    ],
)
def test_datapath_proves_sdr_equal_to_decompress_and_fails_a_wrong_sign(
    tmp_path, prove, proven_detail, failed_detail
):
    parameters = {**SMALL, "LANES": 4, "ACC_BITS": 16, "PIPELINE": "none"}
    sdr = export_rtl("sdr_mac", parameters, tmp_path / "sdr")
    dec = export_rtl("decompress_mac", parameters, tmp_path / "dec")
    proven = prove(sdr, dec, tmp_path / "good", LIMIT, 3)
    assert proven.status == "proven" and proven_detail in proven.detail, proven
    broken = _mutated(sdr, "a_code[1] ^ w_code[1]", "a_code[1] | w_code[1]", tmp_path)
    failed = prove(broken, dec, tmp_path / "bad", LIMIT, 3)
    _assert_failed(failed, [name for name, _ in sdr.inputs()])
    assert failed.detail.endswith(failed_detail), failed


@pytest.fixture(scope="module")
def small_mac(tmp_path_factory):
    return export_rtl("sdr_mac", {**SMALL, "PIPELINE": "none"}, tmp_path_factory.mktemp("mac"))


def test_latency_holds_every_cycle_and_fails_when_told_one_short(small_mac, tmp_path):
    proven = prove_protocol(small_mac, "latency", tmp_path / "good", LIMIT, 8)
    assert proven.status == "proven" and proven.detail.startswith("every cycle"), proven
    failed = prove_protocol(
        small_mac, "latency", tmp_path / "bad", LIMIT, 8, latency=small_mac.latency - 1
    )
    _assert_failed(failed, ["a_code", "w_code", "a_flag", "w_flag", "in_valid", "in_last"])


@pytest.mark.parametrize(
    ("prop", "old", "new"),
    [
        # a bubble advances the beat counter
        ("bubbles", "else if (in_valid) beat <= _02_;", "else beat <= _02_;"),
        # the accumulator never restarts after in_last
        ("restart", "else if (in_valid) fresh <= in_last;", "else if (in_valid) fresh <= 1'h0;"),
    ],
)
def test_two_copy_protocol_checks_prove_and_fail(small_mac, tmp_path, prop, old, new):
    proven = prove_protocol(small_mac, prop, tmp_path / "good", LIMIT, 8)
    assert proven.status == "proven" and proven.detail.startswith("bounded"), proven
    broken = _mutated(small_mac, old, new, tmp_path)
    failed = prove_protocol(broken, prop, tmp_path / "bad", LIMIT, 8)
    assert failed.status == "failed", failed
    assert {"in_valid", "in_last"} <= set(failed.counterexample[0])


@pytest.mark.parametrize("base_bits", [8, 16])
def test_encoder_equals_the_reference_and_fails_one_without_saturation(tmp_path, base_bits):
    parameters = {"GROUP": 4, "BASE_BITS": base_bits, "PIPELINE": "none"}
    rtl = export_rtl("sdr_encoder", parameters, tmp_path / "rtl")
    proven = prove_encoder(rtl, tmp_path / "good", LIMIT)
    assert proven.status == "proven" and proven.detail.startswith("every cycle"), proven
    failed = prove_encoder(rtl, tmp_path / "bad", LIMIT, saturate=False)
    _assert_failed(failed, ["x", "in_valid"])


@pytest.mark.parametrize("rows, k", [(8, 1), (8, 3)])
def test_compactor_holds_every_cycle_and_mutants_fail(tmp_path, rows, k):
    """row_compactor keeps its handshake and splits as the golden split; a compactor that lets
    K+1 ones through (exported with K+1, checked against K) fails, and so does one whose ready
    ignores the plane being split."""
    rtl = export_rtl("row_compactor", {"ROWS": rows, "K": k}, tmp_path / "rtl")
    proven = prove_compactor(rtl, tmp_path / "good", LIMIT)
    assert proven.status == "proven" and proven.detail.startswith("every cycle"), proven
    wide = export_rtl("row_compactor", {"ROWS": rows, "K": k + 1}, tmp_path / "wide")
    failed = prove_compactor(wide, tmp_path / "bad", LIMIT, k=k)
    _assert_failed(failed, ["plane", "in_valid"])
    # a plane of more than K ones: the K+1 lowest show at once
    assert any(bin(cycle["plane"]).count("1") > k for cycle in failed.counterexample)
    eager = _mutated(rtl, "assign ready = ~ busy;", "assign ready = 1'h1;", tmp_path)
    _assert_failed(prove_compactor(eager, tmp_path / "eager", LIMIT), ["plane", "in_valid"])


def test_compactor_proof_runs_from_the_catalog(tmp_path):
    (proof,) = select(all_proofs([]), ["compactor.R8.K3"])
    result = run_proof(proof, tmp_path, LIMIT)
    assert result.status == "proven", result.outcome
    assert result.outcome.detail.startswith("(ROWS=8 K=3) every cycle")


def test_counterexamples_read_from_wavejson(tmp_path):
    path = tmp_path / "cex.json"
    signals = [
        {"name": "\\a", "wave": "4=.=", "data": ["", "0101", "1111"]},
        {"name": "v", "wave": "x1.0"},
    ]
    path.write_text(json.dumps({"signal": signals}))
    assert read_counterexample(path, ["a", "v"]) == [
        {"a": 5, "v": 1},
        {"a": 5, "v": 1},
        {"a": 15, "v": 0},
    ]
    with pytest.raises(ValueError, match="no signal w"):
        read_counterexample(path, ["w"])


def test_catalog_names_every_required_proof():
    names = [p.name for p in all_proofs(["/x/osu018_stdcells.lib", "/y/sg13g2_stdcell.lib"])]
    assert len(names) == len(set(names))
    for name in (
        "lec.int8_mac.L4.none.osu018",
        "lec.decompress_mac.L1.all.sg13g2",
        "lec.sdr_encoder.G16.none.sg13g2",
        "datapath.L4.G4",
        "datapath.each_flag.L1.G4",
        "protocol.restart.int8_mac.L1.none",
        "protocol.bubbles.sdr_mac.L1.all",
        "encoder.G4.B16.nearest.none",
        "compactor.R8.K1",
        "compactor.R16.K7",
    ):
        assert name in names
    assert [p.name for p in select(all_proofs([]), ["encoder.G4.B8.*"])] == [
        "encoder.G4.B8.nearest.none",
        "encoder.G4.B8.nearest.all",
        "encoder.G4.B8.truncate.none",
        "encoder.G4.B8.truncate.all",
    ]
    with pytest.raises(ValueError, match="matches no proof"):
        select(all_proofs([]), ["lec.nothing"])


def test_cli_writes_its_report_atomically(tmp_path, capsys, progress_log):
    out = tmp_path / "formal"
    assert cli.main(["-o", str(out), "--proofs", "encoder.G4.B8.nearest.none", "--jobs", "1"]) == 0
    assert progress_log.tasks == {"proofs": [1, 1]}
    record = json.loads((out / "formal.json").read_text())
    assert [(p["name"], p["status"]) for p in record["proofs"]] == [
        ("encoder.G4.B8.nearest.none", "proven")
    ]
    assert set(record["proofs"][0]) == {"name", "status", "seconds", "detail"}
    assert "| `encoder.G4.B8.nearest.none` | proven |" in (out / "formal.md").read_text()
    assert not out.with_name("formal.partial").exists()
    assert "proven" in capsys.readouterr().out


def test_cli_exits_1_with_the_counterexample_on_a_failed_proof(tmp_path, capsys, monkeypatch):
    cycles = ({"in_valid": 1, "x": 0xF8F105},)

    def fail(proof, workdir, time_limit):
        return ProofResult(proof.name, Outcome("failed", "counterexample", cycles), 0.1)

    monkeypatch.setattr(cli, "run_proof", fail)
    out = tmp_path / "formal"
    argv = ["-o", str(out), "--proofs", "encoder.G4.B8.nearest.none", "--jobs", "1"]
    assert cli.main(argv) == 1
    printed = capsys.readouterr().out
    assert "encoder.G4.B8.nearest.none failed" in printed and "0xf8f105" in printed
    record = json.loads((out / "formal.json").read_text())
    assert record["proofs"][0]["counterexample"] == [{"in_valid": 1, "x": 0xF8F105}]


@pytest.mark.parametrize(
    "argv",
    [[], ["-o", "x", "--proofs", "no.such.proof"], ["-o", "x", "--liberty", "/no/such.lib"]],
)
def test_cli_usage_errors_exit_2_with_one_line(tmp_path, capsys, argv):
    argv = [str(tmp_path / a) if a == "x" else a for a in argv]
    assert cli.main(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1 and "Traceback" not in error


def test_proof_records_are_picklable_descriptions():
    proof = Proof("x", "encoder", "sdr_encoder", {"GROUP": 4})
    assert proof.options == {} and proof.parameters == {"GROUP": 4}


def test_tie_inputs_folds_a_port_into_the_binary_aiger_and_refuses_an_unknown_one():
    aag = "aag 3 2 0 1 1\n2\n4\n6\n6 2 4\n"  # out = a & b
    names = "input 0 0 a\ninput 1 0 b\noutput 0 0 out\n"
    # a tied to 1: the gate reads (b, 1), deltas 6-4 and 4-1
    assert tie_inputs(aag, names, {"a": 1}) == b"aig 3 2 0 1 1 0 0\n6\n\x02\x03"
    assert tie_inputs(aag, names, {"a": 0, "b": 1}) == b"aig 3 2 0 1 1 0 0\n6\n\x05\x01"
    with pytest.raises(ValueError, match="no input named c"):
        tie_inputs(aag, names, {"c": 1})
