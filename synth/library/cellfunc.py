"""Liberty boolean expressions (``function``, ``next_state``, ...) as bit-parallel NumPy functions.

The grammar of the Liberty User Guide's ``function`` attribute; the precedence (inversion, then
XOR, then AND, then OR) is the Guide's and the one Yosys' ``read_liberty`` implements:

* operands: pin or state names (``A``, ``A_N``, ``IQ``, ``D[0]``), the constants ``0`` and ``1``,
  and parenthesised expressions;
* NOT: prefix ``!`` and postfix ``'``; both bind tightest (``!A'`` is ``!(A')``);
* XOR: ``^``, binding tighter than AND;
* AND: ``&``, ``*``, or two operands side by side, with or without whitespace between them
  (``A B``, ``A(B)``, ``A !B``);
* OR: ``|`` and ``+``, binding loosest.

So ``A + B C ^ D`` is ``A | (B & (C ^ D))``. Binary operators associate to the left.
A compiled :class:`CellFunction` maps uint64 arrays (each bit an independent evaluation) to a
uint64 array; ``~`` complements every bit, so the constant 1 is all ones.
"""

import re
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "ZERO",
    "ONE",
    "CellFunction",
    "parse_expression",
    "compile_function",
    "probability",
]

#: The constants 0 and 1 as uint64 words (every bit the same).
ZERO, ONE = np.uint64(0), ~np.uint64(0)

_TOKEN = re.compile(r"\s*(?:([A-Za-z_][\w.\[\]]*)|([01])\b|([!'&*|+^()]))")
_BINARY = {"^": ("xor", 3), "&": ("and", 2), "*": ("and", 2), "|": ("or", 1), "+": ("or", 1)}
_OPERATIONS = {"and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor}


class _Parser:
    """Precedence climbing over the tokens of one expression; the tree is nested tuples:
    ``("var", name)``, ``("const", 0 or 1)``, ``("not", x)``, ``(op, x, y)``."""

    def __init__(self, text):
        self.text, self.tokens, position = text, [], 0
        while text[position:].strip():
            match = _TOKEN.match(text, position)
            if match is None:
                raise ValueError(f"unexpected {text[position:].strip()[0]!r}")
            name, constant, operator = match.groups()
            kind = "name" if name else "const" if constant else operator
            self.tokens.append((kind, name or constant or operator))
            position = match.end()
        self.position = 0

    def peek(self):
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def take(self):
        self.position += 1
        return self.tokens[self.position - 1]

    def parse(self):
        if not self.tokens:
            raise ValueError("empty expression")
        tree = self.binary(1)
        if self.peek() is not None:
            raise ValueError(f"unexpected {self.tokens[self.position][1]!r}")
        return tree

    def binary(self, lowest):
        tree = self.unary()
        while True:
            kind = self.peek()
            if kind in _BINARY and _BINARY[kind][1] >= lowest:
                operation, strength = _BINARY[self.take()[0]]
            elif kind in ("name", "const", "(", "!") and lowest <= 2:
                operation, strength = "and", 2  # juxtaposition
            else:
                return tree
            tree = (operation, tree, self.binary(strength + 1))

    def unary(self):
        if self.peek() == "!":
            self.take()
            return ("not", self.unary())
        kind = self.peek()
        if kind is None:
            raise ValueError("expression ends early")
        _, value = self.take()
        if kind == "name":
            tree = ("var", value)
        elif kind == "const":
            tree = ("const", int(value))
        elif kind == "(":
            tree = self.binary(1)
            if self.peek() != ")":
                raise ValueError("missing ')'")
            self.take()
        else:
            raise ValueError(f"unexpected {value!r}")
        while self.peek() == "'":
            self.take()
            tree = ("not", tree)
        return tree


def parse_expression(text):
    """Syntax tree of the Liberty expression ``text`` (raises ``ValueError`` when malformed)."""
    return _Parser(text).parse()


def probability(tree, chance):
    """Probability that ``tree`` is 1 when each variable ``v`` is 1 with probability
    ``chance(v)``, the variables taken as independent (the static-probability propagation of
    vectorless power analysis)."""
    kind = tree[0]
    if kind == "var":
        return chance(tree[1])
    if kind == "const":
        return float(tree[1])
    if kind == "not":
        return 1.0 - probability(tree[1], chance)
    left, right = probability(tree[1], chance), probability(tree[2], chance)
    if kind == "and":
        return left * right
    if kind == "or":
        return 1.0 - (1.0 - left) * (1.0 - right)
    return left * (1.0 - right) + right * (1.0 - left)


def _variables(tree):
    if tree[0] == "var":
        return {tree[1]}
    if tree[0] == "const":
        return set()
    return set().union(*(_variables(child) for child in tree[1:]))


def _closure(tree, position):
    """A function of the argument tuple computing ``tree``; ``position[name]`` is an index."""
    kind = tree[0]
    if kind == "var":
        index = position[tree[1]]
        return lambda args: args[index]
    if kind == "const":
        value = ONE if tree[1] else ZERO
        return lambda args: value
    if kind == "not":
        inner = _closure(tree[1], position)
        return lambda args: np.invert(inner(args))
    operation, left, right = (
        _OPERATIONS[kind],
        _closure(tree[1], position),
        _closure(tree[2], position),
    )
    return lambda args: operation(left(args), right(args))


@dataclass(frozen=True)
class CellFunction:
    """A compiled expression over the variables ``inputs`` (in call order).

    Call it with one uint64 array (or scalar) per input, positionally in that order, or with a
    single dict ``{name: array}``. Arrays broadcast; a constant expression returns a scalar.
    ``evaluate(operands)`` skips the checks: ``operands[i]`` is input ``i``, so one array whose
    first axis runs over the inputs will do.
    """

    expression: str
    inputs: tuple
    tree: tuple = field(repr=False)
    evaluate: object = field(repr=False, compare=False)

    def __call__(self, *args):
        if len(args) == 1 and isinstance(args[0], dict):
            args = tuple(args[0][name] for name in self.inputs)
        if len(args) != len(self.inputs):
            raise TypeError(f"{self.expression!r} takes {len(self.inputs)} inputs, not {len(args)}")
        return self.evaluate(args)


def compile_function(expression, inputs=None, *, cell="?", pin="?"):
    """:class:`CellFunction` of the Liberty ``expression`` of ``pin`` of ``cell``.

    ``inputs`` orders the variables (default: sorted); every variable of the expression must be
    among them. Raises ``ValueError`` naming the cell and pin when the expression is malformed or
    uses a name outside ``inputs``.
    """
    try:
        tree = parse_expression(expression)
    except ValueError as error:
        raise ValueError(
            f"cell {cell} pin {pin}: cannot parse function {expression!r}: {error}"
        ) from None
    names = _variables(tree)
    inputs = tuple(sorted(names) if inputs is None else inputs)
    unknown = names - set(inputs)
    if unknown:
        raise ValueError(
            f"cell {cell} pin {pin}: function {expression!r} uses {', '.join(sorted(unknown))}, "
            f"not among {', '.join(inputs) or 'no inputs'}"
        )
    position = {name: index for index, name in enumerate(inputs)}
    return CellFunction(expression, inputs, tree, _closure(tree, position))
