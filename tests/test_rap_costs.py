"""RAP cost models: every constant cited and positive, the ADC models' scaling in bits and a
hand-computed Murmann point, arguments refused by name, and the GPU roofline's bound."""

import math

import pytest

from sim.system.rap.costs import (
    ADC_MODELS,
    CONSTANTS,
    GPUS,
    Constant,
    adc_area_um2,
    adc_energy_pj,
    constants_table,
    gpu_roofline,
)

BITS = range(1, 13)


def test_every_constant_has_a_source_and_a_positive_value():
    for name, c in CONSTANTS.items():
        assert isinstance(c, Constant) and c.name == name
        assert c.source.strip() and c.unit.strip(), name
        assert math.isfinite(c.value) and c.value > 0, name


def test_constants_table_lists_every_constant_sorted():
    rows = constants_table()
    assert [r["name"] for r in rows] == sorted(CONSTANTS)
    assert all(set(r) == {"name", "value", "unit", "source", "note"} for r in rows)
    assert {r["name"] for r in rows} >= {
        "walden_fom_fj_per_step",
        "comparator_energy_fj",
        "pim_wordline_drive_pj",
        "pim_bitline_column_pj",
        "sram_write_pj_per_bit",
        "dram_pj_per_bit",
        "int8_mul_pj",
        "gpu.a100-pcie-40gb.fp16_peak",
    }


def test_walden_doubles_per_bit_and_flash_grows_as_comparators():
    fom = CONSTANTS["walden_fom_fj_per_step"].value
    comparator = CONSTANTS["comparator_energy_fj"].value
    for b in BITS:
        assert adc_energy_pj(b, "walden") == pytest.approx(fom * 2**b / 1000)
        assert adc_energy_pj(b, "flash") == pytest.approx((2**b - 1) * comparator / 1000)
    for b in BITS[:-1]:
        assert adc_energy_pj(b + 1, "walden") / adc_energy_pj(b, "walden") == pytest.approx(2)


def test_murmann_matches_hand_calculation():
    # 8 bits: SNDR = 48.1648 + 1.7609 = 49.9257 dB.
    # Flat part: FoM_S = 180.1416 dB, 10**(130.2159/10) = 1.05097e13, E = 1 / 2.10194e13 J.
    assert adc_energy_pj(8) == pytest.approx(0.047575, rel=1e-4)
    assert adc_energy_pj(8, rate_hz=1e8) == adc_energy_pj(8)  # below the 174 MHz corner
    # 1.28 GS/s: FoM_S = 302.7387 - 6.46079 * ln(1.28e9) = 167.2551 dB, E = 0.92476 pJ.
    assert adc_energy_pj(8, rate_hz=1.28e9) == pytest.approx(0.92476, rel=1e-4)
    # Each bit adds 6.02 dB of SNDR at a fixed FoM_S: a factor 4 in energy.
    assert adc_energy_pj(9) / adc_energy_pj(8) == pytest.approx(4.0, rel=1e-3)


@pytest.mark.parametrize("model", ADC_MODELS)
@pytest.mark.parametrize("rate_hz", [None, 1e9])
def test_energy_and_area_grow_with_bits(model, rate_hz):
    energies = [adc_energy_pj(b, model, rate_hz) for b in BITS]
    areas = [adc_area_um2(b, model) for b in BITS]
    assert all(e > 0 for e in energies)
    assert all(a < b for a, b in zip(energies, energies[1:], strict=False))
    assert all(a < b for a, b in zip(areas, areas[1:], strict=False))


def test_area_models():
    assert adc_area_um2(8) == adc_area_um2(8, "walden") == CONSTANTS["isaac_adc_area_um2"].value
    assert adc_area_um2(10) == pytest.approx(4 * adc_area_um2(8))
    assert adc_area_um2(4, "flash") == 15 * CONSTANTS["comparator_area_um2"].value


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"bits": 0}, "bits"),
        ({"bits": 13}, "bits"),
        ({"bits": 8.0}, "bits"),
        ({"bits": True}, "bits"),
        ({"bits": 8, "model": "sar"}, "model"),
        ({"bits": 8, "rate_hz": 0}, "rate_hz"),
        ({"bits": 8, "rate_hz": 2e10}, "rate_hz"),
        ({"bits": 8, "rate_hz": math.nan}, "rate_hz"),
    ],
)
def test_adc_arguments_refused_by_name(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name} must be"):
        adc_energy_pj(**kwargs)
    if "rate_hz" not in kwargs:
        with pytest.raises(ValueError, match=f"^{name} must be"):
            adc_area_um2(**kwargs)


def test_gpu_roofline_picks_the_bound():
    a100 = GPUS["a100-pcie-40gb"]
    # 312 TFLOP at 312 TFLOP/s: 1 s of compute; 155.5 GB at 1,555 GB/s: 0.1 s of memory.
    compute = gpu_roofline(a100, 312e12, 155.5e9)
    assert compute["bound"] == "compute"
    assert compute["latency_s"] == pytest.approx(1.0)
    assert compute["energy_j"] == pytest.approx(250.0)
    # 1 GFLOP (3.2 us) over 1,555 GB (1 s), plus 10 launches of 5 us.
    memory = gpu_roofline("a100-pcie-40gb", 1e9, 1555e9, kernels=10, launch_s=5e-6)
    assert memory["bound"] == "memory"
    assert memory["latency_s"] == pytest.approx(1.0 + 50e-6)
    assert memory["energy_j"] == pytest.approx(250.0 * (1.0 + 50e-6))
    t4 = gpu_roofline("t4", 130e12, 0, dtype="int8")
    assert (t4["bound"], t4["latency_s"], t4["energy_j"]) == ("compute", 1.0, 70.0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"gpu": "h100"}, "gpu"),
        ({"dtype": "bf16"}, "dtype"),
        ({"flops": -1.0}, "flops"),
        ({"bytes_moved": math.inf}, "bytes_moved"),
        ({"kernels": -1}, "kernels"),
        ({"launch_s": -1e-6}, "launch_s"),
    ],
)
def test_gpu_roofline_arguments_refused_by_name(kwargs, name):
    args = {"gpu": "t4", "flops": 1e9, "bytes_moved": 1e6} | kwargs
    with pytest.raises(ValueError, match=f"^{name} must be"):
        gpu_roofline(**args)
