"""GEMMs as ZigZag layers: ``O[b][k] += I[b][c] * W[k][c]`` with B = M rows, K = N outputs,
C = the reduction, in the stored formats' precisions.

ZigZag takes whole-bit precisions, so a format is declared at its code width (SDR: sign + M
magnitude bits, 4 by default; INT8; INT4) and carries ``bits_per_element``, which adds the
per-group flag of SDR (F / G bits, e.g. 4 / 16 for A16 activations: 4.25 bits; 3 / 16 for W8
weights: 4.1875 bits) when the costs are read back.
"""

from dataclasses import dataclass

__all__ = ["StoredFormat", "Gemm", "zigzag_layer"]


@dataclass(frozen=True)
class StoredFormat:
    """How an operand is stored: ``code_bits`` declared to ZigZag, ``bits_per_element`` in
    memory (flags included), and a ``name``."""

    name: str
    code_bits: int
    bits_per_element: float

    @property
    def overhead(self):
        """Memory traffic per element over what ZigZag counts at ``code_bits``."""
        return self.bits_per_element / self.code_bits


@dataclass(frozen=True)
class Gemm:
    """One GEMM ``[m, k] x [n, k]``, ``repeat`` times (heads, sentences); its operands' stored
    formats (``a`` activations, ``w`` the weight side, ``o`` the stored output) and which of
    ``"I"``, ``"W"``, ``"O"`` live in DRAM."""

    name: str
    m: int
    k: int
    n: int
    a: StoredFormat
    w: StoredFormat
    o: StoredFormat
    dram_operands: tuple = ("W",)
    repeat: int = 1

    @property
    def macs(self):
        return self.m * self.k * self.n * self.repeat

    @property
    def shape_key(self):
        """What a cached ZigZag result depends on (not the name or the repeat count)."""
        return (
            self.m,
            self.k,
            self.n,
            self.a.code_bits,
            self.w.code_bits,
            self.o.code_bits,
            tuple(sorted(self.dram_operands)),
        )


def zigzag_layer(gemm, partial_bits):
    """The ZigZag workload layer (a dict) of one repetition of ``gemm``; partial sums are
    ``partial_bits`` wide."""
    return {
        "id": 0,
        "name": "gemm",
        "operator_type": "Gemm",
        "equation": "O[b][k]+=I[b][c]*W[k][c]",
        "loop_dims": ["B", "K", "C"],
        "loop_sizes": [gemm.m, gemm.n, gemm.k],
        "operand_precision": {
            "I": gemm.a.code_bits,
            "W": gemm.w.code_bits,
            "O": partial_bits,
            "O_final": gemm.o.code_bits,
        },
        "operand_source": {"I": 0, "W": 0},
    }
