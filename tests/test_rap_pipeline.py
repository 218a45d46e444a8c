"""RAP's integer encoder, its accuracy study and ``python -m sim.rap``."""

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

from sim.golden.rap import reference
from sim.rap.__main__ import main
from sim.studies.rap.records import ACCURACY_STEPS
from sim.studies.rap.report import PLOTS
from sim.studies.rap.study import (
    TARGETS,
    VDR_TARGET_BITS,
    captured_errors,
    kernel_errors,
    variant_cosines,
)
from sim.system.rap import encoder as rap_encoder
from sim.system.rap.encoder import ABLATIONS, VARIANTS, Fixed, IntegerEncoder, PipelineConfig
from sim.workloads import minilm
from sim.workloads.synthetic_bert import random_bert

HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
OUTPUTS = ["rap.md", "rap.json", "rap.csv", *(PLOTS if HAS_MATPLOTLIB else ())]


@pytest.fixture(scope="module")
def small():
    return random_bert(seed=5, layers=1, sentences=3, tokens=8)


def _forbid_float(monkeypatch):
    """Make every float path of the encoder raise: value(), quantize and the references."""

    def forbidden(*args, **kwargs):
        raise AssertionError("float used on the integer path")

    monkeypatch.setattr(Fixed, "value", forbidden)
    monkeypatch.setattr(rap_encoder, "quantize", forbidden)
    for name in ("softmax", "gelu", "layernorm"):
        monkeypatch.setattr(reference, name, forbidden)


@pytest.mark.parametrize("key", [k for k, v in VARIANTS.items() if v.integer_only])
def test_integer_variants_touch_no_float_after_conversion(small, monkeypatch, key):
    model = IntegerEncoder(small.encoder, VARIANTS[key])
    expected = model.embed(small.token_ids)
    _forbid_float(monkeypatch)
    pooled = model.embed(small.token_ids)
    assert pooled.q.dtype == np.int64 and np.array_equal(pooled.q, expected.q)
    assert np.array_equal(pooled.e, expected.e)


@pytest.mark.parametrize("key", ["dq-q", *ABLATIONS])
def test_float_kernels_are_caught_by_the_same_guard(small, monkeypatch, key):
    model = IntegerEncoder(small.encoder, {**VARIANTS, **ABLATIONS}[key])
    _forbid_float(monkeypatch)
    with pytest.raises(AssertionError, match="float used"):
        model.embed(small.token_ids)


def test_variants_flag_exactly_the_integer_only_pipelines():
    assert {k for k, v in VARIANTS.items() if v.integer_only} == {
        "rap",
        "rap-shift",
        "rap-tensor",
        "rap-sdr",
        "rap-emsb",
    }
    for key, config in ABLATIONS.items():
        kernel = key.split("+")[1]
        assert getattr(config, kernel) == "int"
        others = [k for k in ("softmax", "gelu", "layernorm") if k != kernel]
        assert all(getattr(config, k) == "float" for k in others)


#: Worst sentence cosine against FP32 of random_bert(seed, layers=1, sentences=3, tokens=8):
#: seed 5 (the test's) and its spread over seeds 5, 6, 7 (measured): rap 0.999425 (0.999425,
#: 0.999667, 0.999299: spread 0.000368), dq-q 0.999474 (0.999474, 0.999706, 0.999319: 0.000387).
#: Bound: the seed-5 value within half the spread.
PIPELINE_MIN_COSINE = {"rap": (0.999425, 0.000368), "dq-q": (0.999474, 0.000387)}


def test_integer_pipeline_tracks_fp32_on_the_synthetic_model(small):
    cosines = variant_cosines(small, small.token_ids, {k: VARIANTS[k] for k in PIPELINE_MIN_COSINE})
    for key, (_, values) in cosines.items():
        measured, spread = PIPELINE_MIN_COSINE[key]
        assert values.shape == (3,) and values.min() == pytest.approx(measured, abs=spread / 2)


def test_the_same_input_gives_the_same_integers(small):
    first = IntegerEncoder(small.encoder, VARIANTS["rap-sdr"]).embed(small.token_ids)
    second = IntegerEncoder(small.encoder, VARIANTS["rap-sdr"]).embed(small.token_ids)
    assert np.array_equal(first.q, second.q) and first.e == second.e


def test_every_kernel_meets_its_target_on_wide_and_captured_inputs(small):
    errors = kernel_errors(seed=2) + captured_errors(small, small.token_ids)
    assert {e.kernel for e in errors} == set(TARGETS)
    # softmax_vdr is measured, not held to the target: a narrow window may miss it.
    failing = [e for e in errors if not e.meets_target and e.kernel != "softmax_vdr"]
    assert not failing, failing


def test_softmax_vdr_is_measured_beside_softmax_int_and_improves_with_its_window(small):
    captured = captured_errors(small, small.token_ids)
    errors = [e for e in captured if e.kernel == "softmax_vdr"]
    assert [e.normalise for e in errors] == [f"vdr, {b}-bit window" for b in VDR_TARGET_BITS]
    softmax = next(e for e in captured if e.kernel == "softmax")
    assert all(e.count == softmax.count for e in errors)
    rms = [e.rms for e in errors]
    assert rms == sorted(rms, reverse=True) and rms[-1] < 2 * softmax.rms


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("softmax", "exact", "softmax must be one of"),
        ("requantization", "float", "requantization must be one of"),
        ("activation_bits", 17, r"activation_bits must be in \[2, 16\], not 17"),
        ("attention_bits", 1, r"attention_bits must be in \[2, 12\], not 1"),
        ("residual_bits", 32, r"residual_bits must be in \[8, 16\], not 32"),
    ],
)
def test_bad_pipeline_settings_name_the_argument(field, value, message):
    with pytest.raises(ValueError, match=message):
        PipelineConfig("bad", **{field: value})


def test_fixed_refuses_floats():
    with pytest.raises(TypeError, match="Fixed holds integers"):
        Fixed(np.zeros(3), 0)


# -- the CLI ------------------------------------------------------------------------------------


def run(out, *extra):
    return main(["accuracy", "--workload", "synthetic", *extra, "-o", str(out)])


def test_cli_writes_consistent_reports_with_the_same_bytes(tmp_path, capsys, progress_log):
    first, second = tmp_path / "a", tmp_path / "b"
    assert run(first) == 0 and run(second) == 0
    assert progress_log.tasks == {"accuracy": [ACCURACY_STEPS, ACCURACY_STEPS]}
    assert capsys.readouterr().out.split() == [str(first / n) for n in OUTPUTS] + [
        str(second / n) for n in OUTPUTS
    ]
    for name in OUTPUTS:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    record = json.loads((first / "rap.json").read_text())
    assert [v["key"] for v in record["variants"]] == [*VARIANTS, *ABLATIONS]
    markdown = (first / "rap.md").read_text()
    for variant in record["variants"]:
        assert f"| {variant['key']} |" in markdown and f"{variant['mean']:.4f}" in markdown
    csv_lines = (first / "rap.csv").read_text().splitlines()
    assert len(csv_lines) == 1 + len(record["kernels"]) + len(record["variants"])
    assert run(tmp_path / "c", "--seed", "1") == 0
    assert (tmp_path / "c" / "rap.json").read_bytes() != (first / "rap.json").read_bytes()


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--seed", "-1"], "error: --seed must be >= 0, not -1"),
    ],
)
def test_cli_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, extra, message):
    assert run(tmp_path / "out", *extra) == 2
    assert capsys.readouterr().err.strip() == message
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_file_as_output_folder(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("keep")
    assert run(target) == 2
    assert capsys.readouterr().err.strip() == f"error: -o {target}: exists and is not a folder"
    assert target.read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_cli_missing_model_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(minilm.importlib.util, "find_spec", lambda name: None)
    assert main(["accuracy", "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: the model package") and "\n" not in err
    assert not (tmp_path / "out").exists()


def test_module_entry_point_rejects_an_unknown_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sim.rap", "speed"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2 and "invalid choice: 'speed'" in result.stderr
