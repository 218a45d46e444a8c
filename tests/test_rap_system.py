"""Whole inferences on the tile model: exact with ideal ADCs, tile counts, the GPU roofline
estimate, the sweep (in process and on Dask) and ``python -m sim.rap compare`` / ``pim``."""

import json
from dataclasses import replace
from functools import partial

import numpy as np
import pytest

from sim.rap.__main__ import main
from sim.studies.rap.compare import design_runs
from sim.studies.rap.sweep import run_sweep, sweep_points
from sim.system.rap.encoder import VARIANTS, IntegerEncoder
from sim.system.rap.pim import PimConfig
from sim.system.rap.products import PimProducts
from sim.system.rap.system import (
    FP32_OPS,
    GPU_KERNELS_PER_LAYER,
    conventional_system,
    gpu_estimate,
    rap_system,
    run_system,
)
from sim.workloads.encoder_models import load_workload


@pytest.fixture(scope="module")
def tiny():
    return load_workload("synthetic", 0, 1)


@pytest.mark.parametrize(
    "variant, pim",
    [
        ("dq-q", PimConfig(adc_bits=8, adc_range="full", mvm="dense", skip_zero_planes=False)),
        ("rap", PimConfig(rows=64, adc_bits=3)),
        ("rap", PimConfig(rows=64, adc_bits=1)),
        ("rap-emsb", PimConfig(rows=128, adc_bits=4, sign_mode="twos")),
    ],
)
def test_ideal_tiles_give_the_digital_pipeline_bit_for_bit(tiny, variant, pim):
    """Inputs driven exactly: dense with a full-range 8-bit ADC over 128 rows, or sparse
    partials of at most 2**adc_bits - 1 rows, reproduce the digital integer GEMMs."""
    config = VARIANTS[variant]
    digital = IntegerEncoder(tiny.model.encoder, config).embed(tiny.token_ids)
    on_tiles = IntegerEncoder(tiny.model.encoder, config, PimProducts(pim, exact_inputs=True))
    pooled = on_tiles.embed(tiny.token_ids)
    assert np.array_equal(pooled.q, digital.q) and np.array_equal(pooled.e, digital.e)
    clipped = sum(entry["clipped"] for entry in on_tiles.products.ledger.values())
    assert clipped == 0


def test_a_clipping_adc_changes_the_result(tiny):
    config = VARIANTS["rap"]
    digital = IntegerEncoder(tiny.model.encoder, config).embed(tiny.token_ids)
    dense = PimConfig(adc_bits=2, mvm="dense")
    clipping = IntegerEncoder(tiny.model.encoder, config, PimProducts(dense, exact_inputs=True))
    assert not np.array_equal(clipping.embed(tiny.token_ids).q, digital.q)


def test_run_counts_tiles_layers_and_kernel_elements(tiny):
    run = run_system(tiny.model, tiny.token_ids, rap_system(4, rows=128))
    bert = tiny.model.encoder.config
    hidden, inner = bert.hidden, bert.intermediate
    # W8 over 8 bit-lines per output, 128 bit-lines per tile, 128 word-lines per tile.
    per_layer = 4 * (hidden // 128) * (hidden * 8 // 128) + 2 * (hidden // 128) * (inner * 8 // 128)
    assert run["static_tiles"] == bert.layers * per_layer
    tokens = sum(map(len, tiny.token_ids))
    assert run["elements"] == {
        "softmax": bert.layers * bert.heads * tokens * tokens,
        "gelu": bert.layers * tokens * inner,
        "layernorm": 2 * bert.layers * tokens * hidden,
    }
    layers = {name.split(".")[1] for name in run["ledger"]}
    assert layers == {str(i) for i in range(bert.layers)}
    assert all(value > 0 for value in run["energy_pj"].values() if value)
    assert run["latency_s"]["tiles"] > 0 and 0.9 < run["cosines"].min() <= 1


def test_conventional_design_pays_for_fp32_and_full_range(tiny):
    rap = run_system(tiny.model, tiny.token_ids, rap_system(5))
    conventional = run_system(tiny.model, tiny.token_ids, conventional_system())
    assert conventional_system().pim.adc_bits == 8 and conventional_system().pim.mvm == "dense"
    assert "between.dq_q" in conventional["energy_pj"] and "between.dq_q" not in rap["energy_pj"]
    assert conventional["energy_pj"]["tiles.adc"] > rap["energy_pj"]["tiles.adc"]


def test_gpu_estimate_counts_the_same_work():
    bert = replace(load_workload("synthetic", 0, 1).model.encoder.config, layers=1)
    ids = [np.zeros(3, np.int64), np.zeros(5, np.int64)]
    estimate = gpu_estimate(bert, ids, "t4", "fp16")
    h, i, t = bert.hidden, bert.intermediate, 8
    macs = t * (4 * h * h + 2 * h * i) + 2 * (9 + 25) * h
    elements = {
        "softmax": bert.heads * 34,
        "gelu": t * i,
        "layernorm": 2 * t * h,
        "residual": 2 * t * h,
    }
    flops = 2 * macs + sum(n * sum(FP32_OPS[k]) for k, n in elements.items())
    assert estimate["compute_s"] == pytest.approx(flops / 65e12)
    assert estimate["overhead_s"] == pytest.approx(GPU_KERNELS_PER_LAYER * 5e-6)


def test_sweep_on_dask_equals_the_sweep_in_process():
    points = sweep_points([3], [0.0, 0.02], [64])
    load = partial(load_workload, "synthetic", 0, 1)
    here = run_sweep(points, load, workers=1)
    there = run_sweep(points, load, workers=2)
    assert here == there and [p["family"] for p in here] == ["low", "low", "full", "full"]


def _run(command, out, *extra):
    return main([command, "--workload", "synthetic", "--sentences", "1", *extra, "-o", str(out)])


def test_compare_cli_writes_the_same_bytes_twice(tmp_path, capsys):
    # Noise-free, to keep the suite quick: the noisy runs' seeding is tested in test_rap_pim.py
    # (test_noise_is_seeded_and_streams_are_independent), their rows here by design_runs.
    first, second = tmp_path / "a", tmp_path / "b"
    extra = ["--adc-bits", "4", "--noise", "0"]
    assert _run("compare", first, *extra) == 0 and _run("compare", second, *extra) == 0
    names = sorted(p.name for p in first.iterdir())
    assert names[:3] == ["rap.csv", "rap.json", "rap.md"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    record = json.loads((first / "rap.json").read_text())
    designs = [row["design"] for row in record["rows"]]
    assert designs == [
        "rap-emsb8-split-sparse-adc4",
        "conventional-adc8",
        "gpu (NVIDIA A100 PCIe 40GB, fp16)",
    ]
    noisy = [(system.key, label) for system, label in design_runs([4], 128, 0.01)]
    assert noisy[:2] == [("rap-emsb8-split-sparse-adc4", "none"), ("conventional-adc8", "none")]
    assert [label for _, label in noisy[2:]] == ["1 % of the adc swing"] * 2 + [
        "1 % of the bitline swing"
    ] * 2
    markdown = (first / "rap.md").read_text()
    assert "## Constants" in markdown and "Horowitz" in markdown and "ISAAC" in markdown


def test_pim_cli_finds_where_each_family_wins(tmp_path):
    args = ["--adc-bits", "3", "6", "--noise", "0", "--rows", "64"]
    assert _run("pim", tmp_path, *args) == 0
    record = json.loads((tmp_path / "rap.json").read_text())
    assert len(record["points"]) == 4 and len(record["findings"]) == 1
    assert record["findings"][0].startswith("rows 64, noise 0 %: low range beats full range")


@pytest.mark.parametrize(
    "command, extra, message",
    [
        ("compare", ["--rows", "0"], "error: --rows must be in [1, 4096], not 0"),
        ("compare", ["--adc-bits", "13"], "error: --adc-bits must be in [1, 12], not 13"),
        ("compare", ["--noise", "-0.1"], "error: --noise must be in [0, 1), not -0.1"),
        ("pim", ["--noise", "0", "1.5"], "error: --noise must be in [0, 1), not 1.5"),
        ("pim", ["--workers", "0"], "error: --workers must be in [1, "),
        ("pim", ["--sentences", "0"], "error: --sentences must be >= 1, not 0"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(tmp_path, capsys, command, extra, message):
    assert _run(command, tmp_path / "out", *extra) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(message) and "\n" not in err
    assert not (tmp_path / "out").exists()
