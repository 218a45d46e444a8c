"""Every number-format fact of the accuracy study, in one table.

A GEMM ``Y = A @ W.T`` (A: activations ``[tokens, K]``, W: weights ``[N, K]``) is quantized by a
:class:`Scheme`: one :class:`OperandFormat` per operand. :data:`FAMILIES` states each family's
scale granularity and rounding; :data:`INT4` and :data:`FP4_E2M1` are the MX element formats.

Storage bits per element count the element and the per-group side information (SDR flag or block
scale). Per-row scales (per token, per output channel) are amortised over K >= 384 and not counted.
"""

from dataclasses import dataclass

from sim.golden.formats import SdrConfig, check_choice

__all__ = [
    "STUDY_GROUPS",
    "Family",
    "FAMILIES",
    "E8M0_BITS",
    "E8M0_EXPONENTS",
    "RTN_SCALE_BITS",
    "ElementFormat",
    "INT4",
    "FP4_E2M1",
    "OperandFormat",
    "Scheme",
    "qrazor_scheme",
    "integer_scheme",
    "rtn_scheme",
    "mx_scheme",
    "study_schemes",
]

#: Group sizes the study sweeps (elements sharing one flag or scale along K).
STUDY_GROUPS = (8, 16, 32, 64, 128)


@dataclass(frozen=True)
class Family:
    """A scheme family: its report label and how it scales and rounds."""

    label: str
    description: str


#: Scheme families, in report order.
FAMILIES = {
    "qrazor": Family(
        "QRazor SDR",
        "A: absmax to INT16 per token, W: absmax to INT8 per output channel (SPEC 1); both "
        "razored to SDR codes, sign + 3 bits with one flag per group of G along K (SPEC 2; "
        "'nearest' rounds half up and saturates, 'truncate' drops the razored bits); product by "
        "sdr_matmul.",
    ),
    "w8a16": Family(
        "W8A16 absmax (QRazor base)",
        "A INT16 per token, W INT8 per output channel, absmax, round half away from zero: the "
        "QRazor bases before razoring.",
    ),
    "w8a8": Family("W8A8 absmax", "A and W INT8, absmax per token / per output channel."),
    "rtn-int4": Family(
        "RTN INT4",
        "A and W INT4 on [-7, 7], round half away from zero, one absmax scale max|x|/7 per group "
        "of G along K; the scale is counted as 16 bits (FP16/BF16, as GPTQ/AWQ store it) and used "
        "at float64 precision.",
    ),
    "mxint4": Family(
        "MXINT4",
        "OCP MX v1.0 section 6.3: one E8M0 scale X = 2^(floor(log2 max|V|) - emax_elem) per group "
        "of G along K (exponent clamped to [-127, 127]); elements V/X rounded to nearest, ties to "
        "even, clamped to the largest magnitude. INT4 elements are 1.2 fixed point: k/4, k in "
        "[-7, 7], emax_elem 0 (microxcaling's int4).",
    ),
    "mxfp4": Family(
        "MXFP4",
        "As MXINT4, with FP4 E2M1 elements (0, 0.5, 1, 1.5, 2, 3, 4, 6 and negatives, emax_elem 2, "
        "largest 6).",
    ),
}

#: Width of an OCP MX shared scale (E8M0: an unsigned 8-bit power-of-two exponent, bias 127).
E8M0_BITS = 8
#: Exponents an E8M0 scale can hold (the all-ones code is NaN).
E8M0_EXPONENTS = (-127, 127)
#: Storage counted for one RTN INT4 group scale (FP16 or BF16).
RTN_SCALE_BITS = 16


@dataclass(frozen=True)
class ElementFormat:
    """A signed 4-bit (or wider) element of an MX block, stored as an integer code.

    Element values are ``code * 2**code_exp``; ``exponent_bits = 0`` is a fixed-point integer
    element (sign + magnitude, symmetric), otherwise a float with bias ``2**(e-1) - 1``, subnormals,
    and no Inf/NaN (OCP E2M1).

    Parameters
    ----------
    name : str
    bits : int
        Storage bits per element, sign included.
    exponent_bits : int
    mantissa_bits : int
        Fraction bits (INT4 as 1.2 fixed point: 2; E2M1: 1).
    """

    name: str
    bits: int
    exponent_bits: int
    mantissa_bits: int

    @property
    def emin(self):
        """Exponent of the smallest normal value (0 for integer elements)."""
        return 0 if self.exponent_bits == 0 else 2 - (1 << (self.exponent_bits - 1))

    @property
    def emax(self):
        """OCP ``emax_elem``: exponent of the largest power of two the element can hold."""
        if self.exponent_bits == 0:
            return 0
        return (1 << self.exponent_bits) - 1 - ((1 << (self.exponent_bits - 1)) - 1)

    @property
    def code_exp(self):
        """Value of code 1 is ``2**code_exp`` (the smallest step)."""
        return self.emin - self.mantissa_bits

    @property
    def max_code(self):
        """Largest code magnitude (INT: ``2**(bits-1) - 1``; float: the max normal / step)."""
        if self.exponent_bits == 0:
            return (1 << (self.bits - 1)) - 1
        top_mantissa = (1 << (self.mantissa_bits + 1)) - 1
        return top_mantissa << (self.emax - self.emin)

    @property
    def max_value(self):
        """Largest magnitude: ``max_code * 2**code_exp`` (INT4: 1.75, E2M1: 6)."""
        return self.max_code * 2.0**self.code_exp


#: MX integer element: 1.2 fixed point, values k/4 for k in [-7, 7] (microxcaling ``int4``).
INT4 = ElementFormat("INT4", 4, 0, 2)
#: OCP FP4 E2M1 element: 0, 0.5, 1, 1.5, 2, 3, 4, 6 and their negatives.
FP4_E2M1 = ElementFormat("FP4 E2M1", 4, 2, 1)


@dataclass(frozen=True)
class OperandFormat:
    """How one GEMM operand is stored.

    Parameters
    ----------
    element : str
        What one element is (``"SDR 1+3 from INT16"``, ``"INT4"``, ...).
    element_bits : int
    side_bits : int
        Per-group side information: SDR flag or block scale (0 when there is none).
    group : int or None
        Elements sharing the side information; ``None`` for per-row scaling only.
    scaling : str
        Scale granularity, as the reports state it (the group size is ``group``).
    """

    element: str
    element_bits: int
    side_bits: int
    group: object
    scaling: str

    @property
    def bits_per_element(self):
        """Storage bits per element: element plus side information (per-row scales excluded)."""
        return self.element_bits + (self.side_bits / self.group if self.group else 0)


@dataclass(frozen=True)
class Scheme:
    """One quantized-GEMM scheme of the study: its family, parameters and operand formats."""

    key: str
    family: str
    activation: OperandFormat
    weight: OperandFormat
    group: object = None
    rounding: object = None
    mag_bits: object = None
    a_bits: object = None
    w_bits: object = None
    element: object = None

    @property
    def label(self):
        """Human-readable name used in the reports."""
        parts = [FAMILIES[self.family].label]
        if self.rounding:
            parts.append(self.rounding)
        if self.group:
            parts.append(f"G={self.group}")
        return " ".join(parts)

    @property
    def series(self):
        """Plot/pivot series: the family, plus the SDR rounding for QRazor."""
        return FAMILIES[self.family].label + (f" {self.rounding}" if self.rounding else "")

    @property
    def bits_per_element(self):
        """Mean storage bits per element over the two operands."""
        return (self.activation.bits_per_element + self.weight.bits_per_element) / 2


def _sdr_operand(base_bits, config, granule):
    return OperandFormat(
        f"SDR 1+{config.mag_bits} from INT{base_bits}",
        config.code_bits,
        config.flag_bits,
        config.group,
        f"absmax INT{base_bits} per {granule}, SDR flag per group along K",
    )


def qrazor_scheme(group, rounding="nearest", mag_bits=3, a_bits=16, w_bits=8):
    """QRazor: A INT16 per token, W INT8 per output channel, both razored to SDR."""
    a_cfg = SdrConfig(a_bits, mag_bits, group, rounding)
    w_cfg = SdrConfig(w_bits, mag_bits, group, rounding)
    return Scheme(
        f"qrazor-{rounding}-m{mag_bits}-g{group}",
        "qrazor",
        _sdr_operand(a_bits, a_cfg, "token"),
        _sdr_operand(w_bits, w_cfg, "output channel"),
        group=group,
        rounding=rounding,
        mag_bits=mag_bits,
        a_bits=a_bits,
        w_bits=w_bits,
    )


def integer_scheme(a_bits, w_bits):
    """Plain absmax integers: A per token, W per output channel (W8A8, or W8A16 = QRazor base)."""
    family = check_choice("family", f"w{w_bits}a{a_bits}", ("w8a8", "w8a16"))
    return Scheme(
        family,
        family,
        OperandFormat(f"INT{a_bits}", a_bits, 0, None, "absmax per token"),
        OperandFormat(f"INT{w_bits}", w_bits, 0, None, "absmax per output channel"),
        a_bits=a_bits,
        w_bits=w_bits,
    )


def rtn_scheme(group):
    """Round-to-nearest INT4 with one absmax float scale per group along K (A and W)."""
    operand = OperandFormat(
        "INT4", 4, RTN_SCALE_BITS, group, "absmax float scale per group along K"
    )
    return Scheme(
        f"rtn-int4-g{group}", "rtn-int4", operand, operand, group=group, a_bits=4, w_bits=4
    )


def mx_scheme(element, group):
    """OCP MX block format: E8M0 shared scale per group along K, ``element`` codes (A and W)."""
    family = {INT4: "mxint4", FP4_E2M1: "mxfp4"}[element]
    operand = OperandFormat(
        element.name, element.bits, E8M0_BITS, group, "E8M0 shared scale per group along K"
    )
    return Scheme(f"{family}-g{group}", family, operand, operand, group=group, element=element)


def study_schemes(groups=STUDY_GROUPS):
    """Every scheme of the study, in report order: QRazor (nearest, truncate), the integer
    baselines, then RTN INT4, MXINT4 and MXFP4, each over ``groups``."""
    groups = tuple(groups)
    for group in groups:
        check_choice("group", group, STUDY_GROUPS)
    schemes = [qrazor_scheme(g, r) for r in ("nearest", "truncate") for g in groups]
    schemes += [integer_scheme(16, 8), integer_scheme(8, 8)]
    schemes += [rtn_scheme(g) for g in groups]
    schemes += [mx_scheme(element, g) for element in (INT4, FP4_E2M1) for g in groups]
    return schemes
