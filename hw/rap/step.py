"""One registered step of a RAP datapath as a block of its own."""

from amaranth import Module, Signal, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hw.rap.arith import fit

__all__ = ["Step", "step"]


class Step(wiring.Component):
    """``result = function(*operands)``, cut to ``shape``, into a register (``LATENCY`` 1).

    Each multiplier, shifter and adder step of the RAP units is one such block, one lane each:
    synthesis reports its area apart, and Yosys maps (and ABC sweeps) each block on its own.
    ABC's SAT sweep over several multipliers that share an operand (the lanes' products with
    one row constant, ``x * x`` beside ``x * D``) takes minutes; one at a time, a second.
    With ``enable`` the register loads only when ``en`` is 1 and holds its value otherwise.

    Parameters
    ----------
    operands : tuple of shapes
        Shapes of the operand ports ``in0``, ``in1``, ...
    shape : shape
        Shape of ``out``; ``function``'s value must lie in its range (it is cut to it).
    function : callable
        Builds the step's combinational logic from the operand ports.
    enable : bool

    Attributes
    ----------
    in0, in1, ... : In(operands[i])
    en : In(1)
        Only with ``enable``.
    out : Out(shape)
        ``function(in0, in1, ...)`` one cycle later.
    """

    def __init__(self, operands, shape, function, enable=False):
        self._function, self._shape, self._enable = function, shape, enable
        members = {f"in{index}": In(operand) for index, operand in enumerate(operands)}
        if enable:
            members["en"] = In(1)
        members["out"] = Out(shape)
        self._count = len(operands)
        super().__init__(members)

    @property
    def LATENCY(self):
        """The result register."""
        return 1

    def elaborate(self, platform):
        m = Module()
        value = self._function(*(getattr(self, f"in{index}") for index in range(self._count)))
        result = Signal(self._shape, name="result", reset_less=True)
        update = result.eq(fit(value, self._shape))
        if self._enable:
            with m.If(self.en):
                m.d.sync += update
        else:
            m.d.sync += update
        m.d.comb += self.out.eq(result)
        return m


def step(m, name, shape, function, *operands, enable=None):
    """Add a :class:`Step` computing ``function(*operands)`` to module ``m`` as submodule
    ``name``; return its registered result (``enable``: a load-enable value, or ``None``)."""
    operands = [Value.cast(operand) for operand in operands]
    block = Step([o.shape() for o in operands], shape, function, enable is not None)
    m.submodules[name] = block
    for index, operand in enumerate(operands):
        m.d.comb += getattr(block, f"in{index}").eq(operand)
    if enable is not None:
        m.d.comb += block.en.eq(enable)
    return block.out
