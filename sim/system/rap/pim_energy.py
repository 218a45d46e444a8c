"""Energy of one ``pim_matmul`` call by component, from its counts and :mod:`sim.system.rap.costs`.

* ``adc``: every conversion at ``adc_bits`` by the config's ADC model and rate;
* ``compactor``: every partial vector emitted by a tile's row compactor (sparse mode; one
  compactor per tile, shared by its bit-lines), this project's synthesized ``row_compactor``
  at the config's k (:func:`~sim.system.rap.costs.compactor_pj_per_partial`);
* ``partial_sum_adds``: every partial code added into its plane's narrow sum (sparse mode: one
  add per conversion; dense mode reads one code per plane and adds nothing);
* ``bitline``: every column read (a bit-line evaluated for a conversion), ISAAC's array figure;
* ``wordline``: every word-line pulse (an input bit of one driven on one tile), ISAAC's DAC figure;
* ``shift_add``: every plane's code (or sum of partial codes) shifted and accumulated, once per
  (plane, phase, bit-line), this project's synthesized shifter and accumulator;
* ``weight_writes``: bits written into the array for a dynamic matrix (SRAM write);
* ``buffers``: razored input codes and their shifts or flags read from, and 32-bit results
  written to, SRAM buffers.

The constants come from different nodes (see :mod:`sim.system.rap.costs`); every design compared
is charged the same ones.
"""

from sim.system.rap.costs import CONSTANTS, adc_energy_pj, compactor_pj_per_partial

__all__ = ["ENERGY_COMPONENTS", "RESULT_BITS", "energy_pj"]

ENERGY_COMPONENTS = (
    "adc",
    "compactor",
    "partial_sum_adds",
    "bitline",
    "wordline",
    "shift_add",
    "weight_writes",
    "buffers",
)
#: Width of one result written to the output buffer.
RESULT_BITS = 32


def _pj(name):
    return CONSTANTS[name].value


def energy_pj(stats, config):
    """``{component: pJ}`` for the counts in ``stats`` of a call with ``config``."""
    conversions = stats["conversions"]
    adc = adc_energy_pj(config.adc_bits, config.adc_model, config.adc_rate_hz)
    sparse = config.mvm == "sparse"
    outputs = stats["results"] * RESULT_BITS
    return {
        "adc": conversions * adc,
        "compactor": stats["compactor_partials"] * compactor_pj_per_partial(config.k),
        "partial_sum_adds": conversions * _pj("int8_add_pj") if sparse else 0.0,
        "bitline": conversions * _pj("pim_bitline_column_pj"),
        "wordline": stats["wordline_pulses"] * _pj("pim_wordline_drive_pj"),
        "shift_add": stats["shift_adds"] * _pj("shift_add_pj"),
        "weight_writes": stats["weight_bits_written"] * _pj("sram_write_pj_per_bit"),
        "buffers": stats["input_bits_read"] * _pj("sram_read_pj_per_bit")
        + outputs * _pj("sram_write_pj_per_bit"),
    }
