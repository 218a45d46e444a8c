"""Inputs of an AIG tied to constants: the ASCII AIGER that Yosys writes (``write_aiger
-ascii -map``) in, the binary AIGER that ABC reads out.

ABC's ``strash`` then folds the constants through the logic, which an ``assume`` on the same
inputs would not do: the unrolled proof sees the smaller circuit. Written here because the step
is a literal substitution on a format of five number lists; the AIGER libraries on PyPI read
and write only the ASCII form.
"""

__all__ = ["input_bits", "tie_inputs"]


def input_bits(map_text):
    """``{(port, bit): input index}`` from a ``write_aiger -map`` file."""
    bits = {}
    for line in map_text.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[0] == "input":
            bits[fields[3], int(fields[2])] = int(fields[1])
    return bits


def _varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def tie_inputs(aag_text, map_text, values):
    """The binary AIGER of ``aag_text`` with every bit of the ports in ``values``
    (``{port: int}``) replaced by that bit of its value; the inputs stay, unused."""
    lines = aag_text.split("\n")
    header = lines[0].split()
    if header[0] != "aag":
        raise ValueError("not an ASCII AIGER file")
    m, i, latches, o, a, *rest = (int(field) for field in header[1:])
    counts = rest + [0] * (4 - len(rest))  # bad, constraint, justice, fairness
    if counts[2] or counts[3]:
        raise ValueError("justice and fairness properties are not supported")
    constant = {}
    bits = input_bits(map_text)
    for (port, bit), index in bits.items():
        if port in values:
            literal = int(lines[1 + index])
            value = values[port] >> bit & 1
            constant[literal], constant[literal ^ 1] = value, value ^ 1
    missing = set(values) - {port for port, _ in bits}
    if missing:
        raise ValueError(f"no input named {', '.join(sorted(missing))}")

    def tied(literal):
        literal = int(literal)
        return constant.get(literal, literal)

    out = [f"aig {m} {i} {latches} {o} {a} {counts[0]} {counts[1]}\n".encode()]
    row = 1 + i
    for line in lines[row : row + latches]:  # "current next [init]"
        _, *after = line.split()
        out.append((" ".join(str(tied(x)) for x in after) + "\n").encode())
    row += latches
    for line in lines[row : row + o + counts[0] + counts[1]]:  # outputs, bad, constraints
        out.append(f"{tied(line)}\n".encode())
    row += o + counts[0] + counts[1]
    for k, line in enumerate(lines[row : row + a]):
        lhs, *rhs = (int(x) for x in line.split())
        if lhs != 2 * (i + latches + k + 1):
            raise ValueError(f"AND gate {k} is out of the binary format's order")
        high, low = sorted((tied(x) for x in rhs), reverse=True)
        out.append(_varint(lhs - high) + _varint(high - low))
    return b"".join(out)
