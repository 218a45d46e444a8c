"""An independent, scalar (one element at a time) SDR reference written from SPEC section 2.

Deliberately naive: Python ints, one loop per group, no NumPy tricks, so that it shares no code or
idea with the vectorised model it checks.
"""


def razor_group(values, base_bits, mag_bits, rounding):
    """SPEC 2 steps 1-5 for one group: returns ``(signs, mags, flag)``."""
    top = 2 ** (base_bits - 1) - 1
    mags = [min(abs(int(v)), top) for v in values]
    leading = 0
    for m in mags:
        leading |= m
    flag = max(0, leading.bit_length() - mag_bits)
    codes = []
    for m in mags:
        if rounding == "nearest" and flag > 0:
            codes.append(min((m + 2 ** (flag - 1)) // 2**flag, 2**mag_bits - 1))
        else:
            codes.append(m // 2**flag)
    signs = [1 if v < 0 and q != 0 else 0 for v, q in zip(values, codes, strict=True)]
    return signs, codes, flag


def razor_rows(rows, base_bits, mag_bits, group, rounding):
    """Apply :func:`razor_group` to every group of every row (lists of ints)."""
    signs, mags, flags = [], [], []
    for row in rows:
        row_s, row_m, row_f = [], [], []
        for start in range(0, len(row), group):
            s, m, f = razor_group(row[start : start + group], base_bits, mag_bits, rounding)
            row_s += s
            row_m += m
            row_f.append(f)
        signs.append(row_s)
        mags.append(row_m)
        flags.append(row_f)
    return signs, mags, flags


def decode_value(sign, mag, flag):
    """``(-1)**sign * mag * 2**flag``."""
    return (-1) ** sign * mag * 2**flag
