"""``sdr_encoder`` against the independent reference of :mod:`.encoder_reference`.

The wrapper delays every beat's ``x`` and ``in_valid`` by the unit's LATENCY beside it and asserts,
from reset on, that ``out_valid`` follows ``in_valid`` exactly and that every valid output's codes
and flag are the reference's razoring of that beat. The encoder's registers all load every
cycle, so k-induction extends the check to every cycle.
"""

from pathlib import Path

from sim.golden.formats import SdrConfig

from .encoder_reference import reference_verilog
from .sat import check_assertions, formal_design
from .verilog import STARTED, bus, declare, instance

__all__ = ["encoder_config", "encoder_verilog", "prove_encoder"]


def encoder_config(rtl):
    """The :class:`SdrConfig` an exported ``sdr_encoder`` razors to."""
    p = rtl.parameters
    return SdrConfig(p["BASE_BITS"], p["MAG_BITS"], p["GROUP"], p["ROUNDING"])


def encoder_verilog(rtl, saturate=True):
    """Module ``encoder_check`` with the reference (``saturate`` as in
    :func:`reference_verilog`)."""
    config = encoder_config(rtl)
    width, latency = config.group * config.base_bits, rtl.latency
    text = reference_verilog(config, saturate=saturate)
    text += f"module encoder_check (\n  input clk,\n  input {bus(width)}x,\n  input in_valid\n);\n"
    text += STARTED
    outputs = {"code": config.group * config.code_bits, "flag": config.flag_bits, "out_valid": 1}
    for name, bits in outputs.items():
        text += declare("wire", f"u_{name}", bits)
    text += instance(
        rtl.module,
        "unit",
        {"clk": "clk", "rst": "rst", "x": "x", "in_valid": "in_valid"}
        | {name: f"u_{name}" for name in outputs},
    )
    previous = ("x", "in_valid")
    for step in range(1, latency + 1):
        text += declare("reg", f"x_d{step}", width) + declare("reg", f"valid_d{step}", 1)
        text += (
            f"  always @(posedge clk) begin\n    x_d{step} <= {previous[0]};\n"
            f"    valid_d{step} <= rst ? 1'b0 : {previous[1]};\n  end\n"
        )
        previous = (f"x_d{step}", f"valid_d{step}")
    text += declare("wire", "r_code", outputs["code"]) + declare("wire", "r_flag", config.flag_bits)
    text += instance(
        "sdr_encoder_reference", "reference", {"x": previous[0], "code": "r_code", "flag": "r_flag"}
    )
    text += (
        f"  always @* if (started) assert (u_out_valid == {previous[1]} &&\n"
        "    (!u_out_valid || (u_code == r_code && u_flag == r_flag)));\nendmodule\n"
    )
    return text


def prove_encoder(rtl, workdir, time_limit, saturate=True):
    """Prove exported ``sdr_encoder`` ``rtl`` equal to the reference, every cycle."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    wrapper = workdir / "encoder_check.v"
    wrapper.write_text(encoder_verilog(rtl, saturate))
    design = formal_design([(rtl.verilog, False), (wrapper, True)], "encoder_check")
    depth = rtl.latency + 3
    return check_assertions(
        design, "encoder_check", ["x", "in_valid"], depth, workdir, time_limit, rtl.latency + 2
    )
