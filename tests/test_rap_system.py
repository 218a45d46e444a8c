"""Whole inferences on the tile model: exact with ideal ADCs, tile counts, the GPU roofline
estimate, the sweep (in process and on Dask), the comparison's designs, its latency at equal ADC
area, the bit-sparsity summary, the findings and plots, and ``python -m sim.rap compare`` /
``pim``."""

import json
from dataclasses import replace
from functools import partial

import numpy as np
import pytest

from sim.golden.rap.row_split import split_plane
from sim.rap.__main__ import main
from sim.studies.rap import report_pim
from sim.studies.rap.compare import ENERGY_GROUPS, design_runs
from sim.studies.rap.figures import equal_area_latency_s, popcount_summary
from sim.studies.rap.findings import claims, compare_findings, label, pareto, sweep_findings
from sim.studies.rap.sweep import point_system, run_sweep, sweep_points
from sim.system.rap.encoder import VARIANTS, IntegerEncoder
from sim.system.rap.pim import PimConfig, pim_matmul
from sim.system.rap.products import PimProducts
from sim.system.rap.system import (
    FP32_OPS,
    GPU_KERNELS_PER_LAYER,
    conventional_system,
    equal_adc_area,
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
    # Worst cosine against FP32, measured: 0.999796 at the workload's seed 0 (0.999796,
    # 0.999796, 0.999836 over seeds 0-2: spread 0.000040); bound: within half the spread.
    assert run["latency_s"]["tiles"] > 0
    assert run["cosines"].min() == pytest.approx(0.999796, abs=0.000040 / 2)


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
    assert here == there
    assert [p["family"] for p in here] == ["rap", "rap", "conventional", "conventional"]


def test_sweep_points_cover_the_grid_in_order():
    points = sweep_points(
        [2, 3],
        [0.0, 0.01],
        [4, 128],
        spreads=[0.0, 0.01],
        extra_k=[1, 3, 7],
        dense_bits=[4],
        conventional_bits=[8],
    )
    designs = list(dict.fromkeys((p["family"], p["adc_bits"], p["k"]) for p in points))
    assert designs == [
        ("rap", 2, 1),
        ("rap", 2, 3),
        ("rap", 3, 1),
        ("rap", 3, 3),
        ("rap", 3, 7),
        ("dense", 4, None),
        ("conventional", 8, None),
    ]
    # k = 7 does not fit 4 rows: that design runs at rows = 128 only (2 spreads x 2 noises).
    assert len(points) == 6 * 8 + 4
    assert not [p for p in points if p["k"] == 7 and p["rows"] == 4]
    rap = point_system(next(p for p in points if p["k"] == 3 and p["spread"] and p["noise_swing"]))
    assert rap.pim.k == 3 and rap.pim.mvm == "sparse" and rap.pim.adc_bits == 2
    assert rap.pim.gain_sigma == rap.pim.offset_sigma == 0.01 and rap.pim.noise_swing == 0.01
    assert rap.pim.noise_reference == "bitline"
    dense = point_system(next(p for p in points if p["family"] == "dense"))
    assert dense.pim.mvm == "dense" and dense.pim.adc_range == "low" and dense.pim.k == 4
    conventional = point_system(points[-1])
    assert conventional.pim.adc_range == "full" and conventional.exact_inputs


def test_compare_runs_every_design_of_the_issue_by_default():
    runs = design_runs([2, 3, 4, 5], 128, 0.01)
    keys = [(system.key, label) for system, label in runs]
    noisy = "1 % of the bitline swing"
    assert keys == [
        *[
            (f"rap-emsb8-{sign}-sparse-adc{b}", "none")
            for sign in ("split", "twos")
            for b in (2, 3, 4, 5)
        ],
        ("rap-emsb4-split-sparse-adc3", "none"),
        ("rap-emsb6-split-sparse-adc3", "none"),
        ("rap-sdr4-sparse-adc3", "none"),
        ("rap-emsb8-split-dense-adc3", "none"),
        ("rap-emsb8-split-dense-adc5", "none"),
        ("conventional-adc8", "none"),
        ("rap-emsb8-split-sparse-adc3", noisy),
        ("conventional-adc8", noisy),
    ]
    for system, noise in runs:
        config = system.pim
        assert config.noise_swing == (0.01 if noise == noisy else 0.0)
        assert config.noise_reference == "bitline" and config.adcs_per_tile == 16
        if config.mvm == "sparse":
            assert config.k == 2**config.adc_bits - 1
    assert [
        s.key
        for s, _ in design_runs(
            [4], 64, 0, sign_modes=["twos"], emsb_bits=[], sdr_bits=[], dense_bits=[]
        )
    ] == [
        "rap-emsb8-twos-sparse-adc4",
        "conventional-adc8",
    ]


def test_equal_area_latency_equals_a_run_with_that_many_adcs():
    rng = np.random.default_rng(3)
    x = rng.integers(-3000, 3000, (6, 200))
    w = rng.integers(-128, 128, (40, 200))
    config = PimConfig(rows=64, adc_bits=3)
    ledger = {d: pim_matmul(x, w, config, dynamic=d).stats for d in (False, True)}
    assert config.adc_share == 8 and ledger[True]["write_cycles"] > 0
    for share in (1, 2, 5, 8):
        other = replace(config, adc_share=share)
        expected = sum(pim_matmul(x, w, other, dynamic=d).stats["latency_s"] for d in (False, True))
        assert equal_area_latency_s(ledger, config, share) == pytest.approx(expected, rel=1e-12)
    # The conventional design's 16 8-bit ADCs per tile buy one ADC per bit-line at 3 and 5
    # bits (ISAAC's area scaled by 2**(bits - 8)), 64 at 6 bits.
    conventional = conventional_system()
    assert conventional.pim.adcs_per_tile == 16
    for bits, adcs in ((3, 128), (5, 128), (6, 64), (8, 16)):
        assert equal_adc_area(rap_system(bits), conventional).pim.adcs_per_tile == adcs


def test_popcount_summary_counts_partials_independently():
    rng = np.random.default_rng(4)
    density = rng.uniform(0, 0.6, (500, 1))
    planes = rng.random((500, 32)) < density
    popcounts = planes.sum(axis=1)
    histogram = np.bincount(popcounts, minlength=65)  # more bins than word-lines in use
    summary = popcount_summary(histogram, 7, 32)
    partials = sum(len(split_plane(plane, 7)) for plane in planes)
    assert summary["planes"] == 500
    assert summary["partials_per_plane"] == pytest.approx(partials / np.count_nonzero(popcounts))
    assert summary["mean_popcount"] == pytest.approx(popcounts.mean())
    assert summary["density"] == pytest.approx(popcounts.mean() / 32)
    assert summary["over_k"] == pytest.approx(np.mean(popcounts > 7))
    assert summary["p90"] == np.sort(popcounts)[int(np.ceil(0.9 * 500)) - 1]
    assert summary["max"] == popcounts.max()


def _row(design, family, cos, energy, latency, area, **extra):
    groups = dict.fromkeys(ENERGY_GROUPS, energy / len(ENERGY_GROUPS))
    return {
        "design": design,
        "family": family,
        "noise": "none",
        "inputs": "emsb8-split",
        "adc_bits": 3,
        "k": 7,
        "mean_cosine": cos,
        "min_cosine": cos - 0.001,
        "energy_uj": energy,
        "latency_us": latency,
        "latency_equal_area_us": area,
        "adcs_per_tile_equal_area": 128,
        "clip_rate": 0.0,
        "partials_per_plane": 2.5,
        "planes_driven": 1000,
        "energy_uj_by_group": groups,
        "densest": {
            "product": f"layer.1.{design}.ffn_out",
            "mean_popcount": 24.5,
            "density": 24.5 / 128,
            "over_k": 0.87,
            "partials_per_plane": 4.0,
            "p90": 40,
            "max": 70,
        },
        **extra,
    }


def test_findings_state_where_the_claim_holds_and_why_not():
    conventional = _row("conv", "conventional", 0.99501, 100.0, 80.0, 80.0, k=128, adc_bits=8)
    conventional.update(inputs="exact 8-bit", partials_per_plane=1.0, planes_driven=1500)
    winner = _row("win", "rap-sparse", 0.99504, 60.0, 70.0, 20.0)  # equal at 4 decimals
    area_only = _row("area", "rap-sparse", 0.996, 90.0, 120.0, 30.0)
    costly = _row("costly", "rap-sparse", 0.996, 130.0, 70.0, 30.0)
    costly["energy_uj_by_group"]["bit-line"] += 30.0
    clipping = _row("clip", "rap-dense", 0.60, 50.0, 60.0, 20.0, clip_rate=0.3)
    rows = [winner, area_only, costly, clipping, conventional]
    verdicts = {c["design"]: (c["holds_equal_area"], c["holds_equal_count"]) for c in claims(rows)}
    assert verdicts == {
        "win": (True, True),
        "area": (True, False),
        "costly": (False, False),
        "clip": (False, False),
    }
    findings = compare_findings(rows, headline="area")
    assert findings[0] == (
        "At equal ADC area per tile, noise none: RAP is at least as accurate as the conventional "
        "design, cheaper in energy and faster for win, area; not for costly (not cheaper), "
        "clip (not accurate)."
    )
    assert findings[1].startswith("At equal ADC count per tile, noise none: RAP is at least as")
    assert "faster for win; not for area (not faster at equal ADC count)" in findings[1]
    assert findings[2].startswith("Less accurate: clip (none): mean cosine 0.6000 against 0.9950")
    assert "30.0 % of its conversions clipped" in findings[2]
    assert findings[3].startswith("Costlier in energy: costly (none): 130 against 100 uJ")
    assert "most of the excess in bit-line" in findings[3]
    assert findings[4].startswith("Slower at equal ADC count: area (none): 120 against 80 us")
    assert "the densest product of area (none), layer.1.area.ffn_out" in findings[4]
    assert "87 % of its planes carry more than k = 7 ones" in findings[4]
    assert findings[5].startswith("Dense low-range ablation (the earlier clipping model), 3-bit")
    assert (
        "the same ADC and inputs with bit-sparse partials of at most k = 7 rows: 0.9950"
        in (findings[5])
    )
    assert findings[6].startswith("Energy sensitivity: with every shift-add charged at Horowitz's")
    assert len(findings) == 7
    assert compare_findings([winner]) == [
        "No RAP row has a conventional row at the same noise: no claim to state."
    ]


def _point(family, bits, k, noise, cos, energy, spread=0.0, rows=128):
    return {
        "family": family,
        "adc_bits": bits,
        "k": k,
        "rows": rows,
        "noise_swing": noise,
        "spread": spread,
        "mean_cosine": cos,
        "min_cosine": cos,
        "energy_uj": energy,
        "latency_us": 10.0,
        "latency_equal_area_us": 5.0,
        "partials_per_plane": 1.0,
        "clip_rate": 0.0,
    }


def _sweep_record():
    points = [
        _point("rap", 2, 3, 0.0, 0.999, 150.0),
        _point("rap", 3, 7, 0.0, 0.999, 100.0),
        _point("conventional", 8, None, 0.0, 0.995, 200.0),
        _point("rap", 2, 3, 0.01, 0.998, 150.0),
        _point("rap", 3, 7, 0.01, 0.95, 100.0),
        _point("conventional", 8, None, 0.01, 0.2, 200.0),
    ]
    return {"points": points}


def test_sweep_findings_and_pareto_front():
    points = _sweep_record()["points"]
    assert [label(p) for p in pareto(points[:3])] == ["RAP 3-bit k=7"]
    assert [label(p) for p in pareto(points[3:])] == ["RAP 3-bit k=7", "RAP 2-bit k=3"]
    findings = sweep_findings(points)
    assert findings[0] == (
        "rows 128, spread 0 %, noise 0 %: best RAP 0.9990 (RAP 2-bit k=3, 150 uJ); "
        "conventional 8-bit 0.9950 (200 uJ), RAP at least as accurate, cheaper and at least "
        "0.99: RAP 2-bit k=3, RAP 3-bit k=7; Pareto front (energy vs cosine): RAP 3-bit k=7."
    )
    # At 1 % noise RAP 3-bit beats the collapsed conventional design but is not usable.
    assert "cheaper and at least 0.99: RAP 2-bit k=3; Pareto" in findings[1]
    assert findings[2].startswith("RAP 2-bit k=3, rows 128, spread 0 %: keeps >= 0.99 up to 1 %")
    assert findings[3].startswith("RAP 3-bit k=7, rows 128, spread 0 %: keeps >= 0.99 only without")


def test_plots_draw_the_front_only_with_two_points_and_integer_bit_ticks():
    import matplotlib.pyplot as plt

    drawn = report_pim.figures("pim", _sweep_record())
    try:
        legends = [
            [t.get_text() for t in axes.get_legend().get_texts()]
            for axes in drawn["rap_pareto.png"].axes
        ]
        assert legends == [["rap", "conventional"], ["rap", "conventional", "Pareto front"]]
        for axes in drawn["rap_sweep.png"].axes:
            low, high = axes.get_xlim()
            ticks = [t for t in axes.get_xticks() if low <= t <= high]
            assert ticks and all(float(t).is_integer() for t in ticks), ticks
            assert axes.get_xlabel() == "ADC bits"
        noise_legend = drawn["rap_noise.png"].axes[0].get_legend().get_texts()
        assert [t.get_text() for t in noise_legend] == [
            "RAP 2-bit k=3",
            "RAP 3-bit k=7",
            "conventional 8-bit",
        ]
    finally:
        for figure in drawn.values():
            plt.close(figure)
    rows = [_row("win", "rap-sparse", 0.99, 60.0, 70.0, 20.0)]
    drawn = report_pim.figures("compare", {"rows": rows})
    try:
        energy = drawn["rap_compare.png"].axes[0].get_legend().get_texts()
        assert [t.get_text() for t in energy] == list(ENERGY_GROUPS)
        latency = drawn["rap_latency.png"].axes[0].get_legend().get_texts()
        assert [t.get_text() for t in latency] == ["equal ADC count", "equal ADC area"]
    finally:
        for figure in drawn.values():
            plt.close(figure)


def _run(command, out, *extra):
    return main([command, "--workload", "synthetic", "--sentences", "1", *extra, "-o", str(out)])


def test_compare_cli_writes_the_same_bytes_twice(tmp_path, capsys):
    # Two designs, noise-free, to keep the suite quick: the noisy runs' seeding is tested in
    # test_rap_pim.py (test_noise_is_seeded_and_streams_are_independent), the default designs
    # by test_compare_runs_every_design_of_the_issue_by_default.
    first, second = tmp_path / "a", tmp_path / "b"
    extra = ["--adc-bits", "4", "--sign-modes", "split", "--emsb-target-bits"]
    extra += ["--sdr-target-bits", "--dense-adc-bits", "--noise", "0"]
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
    rap, conventional = record["rows"][:2]
    assert rap["clip_rate"] == 0 and rap["k"] == 15 and rap["adcs_per_tile_equal_area"] == 128
    assert rap["partials_per_plane"] == rap["partials"] / rap["planes_driven"] > 1
    assert conventional["latency_equal_area_us"] == conventional["latency_us"]
    assert conventional["partials_per_plane"] == 1 and conventional["adcs_per_tile"] == 16
    assert sum(rap["energy_uj_by_group"].values()) == pytest.approx(rap["energy_uj"])
    assert (
        rap["energy_uj_by_group"]["compactor"]
        > 0
        == conventional["energy_uj_by_group"]["compactor"]
    )
    assert rap["densest"]["product"] in {
        f"layer.{i}.{kind}" for i in (0, 1) for kind in rap["products"]
    }
    assert record["findings"] == compare_findings(record["rows"], record["headline"])
    markdown = (first / "rap.md").read_text()
    for section in ("## Findings", "## Energy by component (uJ)", "## The claim, design by design"):
        assert section in markdown
    assert "## Bit sparsity" in markdown and "Horowitz" in markdown and "ISAAC" in markdown


def test_pim_cli_finds_where_rap_wins(tmp_path):
    args = ["--adc-bits", "3", "--noise", "0", "--spread", "0", "--rows", "64"]
    assert _run("pim", tmp_path, *args, "--dense-adc-bits") == 0
    record = json.loads((tmp_path / "rap.json").read_text())
    assert [label(p) for p in record["points"]] == ["RAP 3-bit k=7", "conventional 8-bit"]
    assert record["findings"] == sweep_findings(record["points"])
    assert record["findings"][0].startswith("rows 64, spread 0 %, noise 0 %: best RAP")
    assert record["settings"]["noise reference"] == "bitline"


@pytest.mark.parametrize(
    "command, extra, message",
    [
        ("compare", ["--rows", "0"], "error: --rows must be in [1, 4096], not 0"),
        ("compare", ["--adc-bits", "13"], "error: --adc-bits must be in [1, 12], not 13"),
        ("compare", ["--noise", "-0.1"], "error: --noise must be in [0, 1), not -0.1"),
        ("compare", ["--headline-adc-bits", "0"], "error: --headline-adc-bits must be in [1, 12]"),
        ("compare", ["--dense-adc-bits", "13"], "error: --dense-adc-bits must be in [1, 12]"),
        ("compare", ["--emsb-target-bits", "1"], "error: --emsb-target-bits must be in [2, 16]"),
        (
            "compare",
            ["--sdr-target-bits", "8"],
            "error: --sdr-target-bits must be in [2, 7], not 8",
        ),
        ("pim", ["--noise", "0", "1.5"], "error: --noise must be in [0, 1), not 1.5"),
        ("pim", ["--spread", "1"], "error: --spread must be in [0, 1), not 1.0"),
        ("pim", ["--k", "0"], "error: --k must be in [1, 4096], not 0"),
        ("pim", ["--conventional-adc-bits", "13"], "error: --conventional-adc-bits must be in"),
        ("pim", ["--workers", "0"], "error: --workers must be in [1, "),
        ("pim", ["--sentences", "0"], "error: --sentences must be >= 1, not 0"),
        (
            "pim",
            ["--adc-bits", "3", "--rows", "4", "--dense-adc-bits", "--conventional-adc-bits"],
            "error: the sweep has no point",
        ),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(tmp_path, capsys, command, extra, message):
    assert _run(command, tmp_path / "out", *extra) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(message) and "\n" not in err
    assert not (tmp_path / "out").exists()
