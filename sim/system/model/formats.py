"""What each engine stores (SPEC 10): every tensor at about 4 bits for ``sdr_engine`` (SDR codes
plus a flag per group: activations on the A_BITS base, weights and the KV cache on the W_BITS
base), INT8 for ``int8_engine``, INT4 for ``int4_engine`` (RTN W4A4; the per-row scales of the
integer formats, 16 bits per K elements, are left out of their traffic)."""

from sim.golden.formats import SdrConfig
from sim.system.zigzag.layers import StoredFormat

__all__ = ["ENGINES", "stored_formats"]

#: The engines compared, in report order.
ENGINES = ("sdr_engine", "int8_engine", "int4_engine")


def stored_formats(module, parameters):
    """``{"activation", "weight", "kv"}`` :class:`StoredFormat` of ``module``."""
    if module == "sdr_engine":
        m, g = parameters["MAG_BITS"], parameters["GROUP"]
        a = SdrConfig(parameters["A_BITS"], m, g)
        w = SdrConfig(parameters["W_BITS"], m, g)
        activation = StoredFormat(f"SDR A{a.base_bits} G{g}", a.code_bits, a.bits_per_element)
        weight = StoredFormat(f"SDR W{w.base_bits} G{g}", w.code_bits, w.bits_per_element)
        return {"activation": activation, "weight": weight, "kv": weight}
    bits = {"int8_engine": 8, "int4_engine": 4}[module]
    plain = StoredFormat(f"INT{bits}", bits, float(bits))
    return {"activation": plain, "weight": plain, "kv": plain}
