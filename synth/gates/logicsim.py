"""Zero-delay, two-state, bit-parallel simulation of a flat mapped netlist, in NumPy.

Cell behaviour comes from the Liberty ``function`` of each output pin and the ``ff`` group of each
flip-flop (:mod:`synth.library.cellfunc`). Every net holds one uint64 word per 64 streams: stream
``s`` is bit ``s % 64`` of word ``s // 64``, so one NumPy operation evaluates a cell for 64
independent input streams. Combinational cells are levelized and grouped by level and behaviour
(cells with the same pins and functions, such as two drive strengths, share a group): each group
costs one gather, one evaluation and one scatter per cycle, however many cells it holds.

Timing, cycle by cycle:

* every flip-flop starts at 0 (its first state variable, ``IQ``, is 0; two states, no x);
* cycle ``t`` begins with a rising edge of ``clk``: the flip-flops load their next state from the
  values settled in cycle ``t - 1`` (no load at ``t = 0``) and the top-level inputs take their
  cycle-``t`` values, as if driven by upstream registers on the same edge;
* the combinational logic then settles once: no glitches, one value ``V_t`` per net and cycle.
  The outputs of cycle ``t`` are ``V_t``, what a testbench sees just before the edge that ends
  the cycle.

Activity over ``window = (first, last)``: the transitions ``V_{t-1} -> V_t`` for
``first <= t < last`` (a rise is 0 -> 1), and the duty, the fraction of the (cycle, stream) pairs
of that range where ``V_t = 1``. ``Activity.cycles`` is the window's cycles times the streams, so
that :func:`synth.power.estimate_power` gives the average power of one stream. The clock is not
simulated: flip-flop clock pins must connect to the ``clk`` port, which nothing else may read,
and its net is left out of the activity (for the clock pins' power, give it ``cycles`` rises and
falls and duty 0.5). A net that nothing drives reads 0.

Refused with a ``ValueError`` naming the instance and its cell: latches and state tables,
three-state outputs, flip-flops not clocked on the rising edge of ``clk``, asynchronous clear or
preset pins driven by a net (tied to a constant they are fine; tied active, they hold the
flip-flop at its clear/preset value from the start, both active at ``clear_preset_var1``/``2``,
the second state variable the complement of the first when ``clear_preset_var2`` is absent) and
combinational loops.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from ..library.cellfunc import ONE, ZERO, compile_function
from .activity import Activity

__all__ = ["Program", "LogicRun", "compile_netlist", "simulate"]

#: Rows 0 and 1 hold the constants 0 and 1 (so a constant's row is its value); unconnected
#: outputs write row 2, and nets start at row 3.
_SINK, _FIRST_NET = 2, 3
_LEVELS = {"L": 0, "H": 1}


@dataclass(frozen=True)
class _Group:
    """Cells of one behaviour: input rows ``(pins, cells)`` and ``(function, rows)`` per output.

    For flip-flops, ``next_state`` takes the (non-clock) input pins then both state variables,
    and the output functions take the state variables.
    """

    inputs: np.ndarray
    outputs: tuple
    next_state: object = None

    @property
    def size(self):
        return self.inputs.shape[1]


@dataclass(frozen=True)
class Program:
    """A netlist compiled for :func:`simulate`.

    ``net_rows`` maps each simulated net (bit) to its row; ``inputs`` and ``outputs`` hold each
    port's rows, LSB first. ``groups`` are the combinational cells in evaluation order.
    """

    top: str
    rows: int
    net_rows: dict = field(repr=False)
    inputs: dict = field(repr=False)
    outputs: dict = field(repr=False)
    flops: tuple = field(repr=False)
    groups: tuple = field(repr=False)
    held: tuple = field(repr=False)  # (rows, values): outputs of flip-flops held by clear/preset
    cells: int
    levels: int


@dataclass(frozen=True)
class LogicRun:
    """Outputs of every cycle and the activity over ``window`` of a :func:`simulate` run.

    ``outputs[port]`` is a uint8 array ``(cycles, streams, width)``, bit ``i`` of the port at
    ``[..., i]``.
    """

    outputs: dict
    activity: Activity
    window: tuple
    streams: int


def _refuse(instance, what):
    raise ValueError(f"instance {instance.name} ({instance.cell}): {what}")


def _tied(instance, expression, what):
    """Value (0 or 1) of a clear/preset expression whose pins must all be tied to constants."""
    function = compile_function(expression, cell=instance.cell, pin=what)
    for pin in function.inputs:
        if pin not in instance.constants:
            _refuse(instance, f"asynchronous {what} pin {pin} is driven by a net, not a constant")
    return int(function(*(ONE if instance.constants[p] else ZERO for p in function.inputs)) == ONE)


def _held_state(instance, ff):
    """``(IQ, IQN)`` of a flip-flop that an active clear or preset holds, else ``None``."""
    clear = ff.clear is not None and _tied(instance, ff.clear, "clear")
    preset = ff.preset is not None and _tied(instance, ff.preset, "preset")
    if clear and preset:
        state, inverse = _LEVELS.get(ff.clear_preset_var1), _LEVELS.get(ff.clear_preset_var2)
        if inverse is None and ff.clear_preset_var2 is None and state is not None:
            inverse = 1 - state  # no clear_preset_var2: the second state variable complements
        if None in (state, inverse):
            _refuse(
                instance,
                "clear and preset are both active and clear_preset_var1/2 "
                f"({ff.clear_preset_var1}, {ff.clear_preset_var2}) are not L or H",
            )
        return state, inverse
    if clear or preset:
        return (0, 1) if clear else (1, 0)
    return None


def _clock_pin(instance, cell, clock_bits):
    """The pin ``clocked_on`` names, checked to be a rising edge of the ``clk`` port."""
    clocked_on = cell.ff.clocked_on or ""
    tree = compile_function(clocked_on, cell=cell.name, pin="clocked_on").tree
    if tree[0] == "not" and tree[1][0] == "var":
        _refuse(instance, f"clocked on a falling edge ({clocked_on})")
    if tree[0] != "var" or tree[1] not in cell.pins:
        _refuse(instance, f"clocked on {clocked_on!r}, not on one of its pins")
    if instance.pins.get(tree[1]) not in clock_bits:
        _refuse(instance, f"clock pin {tree[1]} is not connected to the clk port")
    return tree[1]


def _check_cell(instance, cell):
    for pin in instance.pins:
        if pin not in cell.pins:
            _refuse(instance, f"the cell has no pin {pin}")
        if cell.pins[pin].direction not in ("input", "output"):
            _refuse(instance, f"pin {pin} is {cell.pins[pin].direction}, not input or output")
    if cell.has_latch:
        _refuse(instance, "latches are not supported")
    if cell.is_sequential and cell.ff is None:
        _refuse(instance, "state tables are not supported")
    for pin in cell.outputs():
        if pin.three_state:
            _refuse(instance, f"output {pin.name} is three-state ({pin.three_state})")
        if pin.function is None:
            _refuse(instance, f"output {pin.name} has no function")


class _Compiler:
    """Walks the netlist once: rows of nets, cells sorted into groups, checks."""

    def __init__(self, netlist, clock):
        self.clock_bits = {b for b in netlist.ports.get(clock, ("input", []))[1] if b is not None}
        bits = {b for _, port_bits in netlist.ports.values() for b in port_bits}
        bits.update(b for wire_bits in netlist.wires.values() for b in wire_bits)
        bits.update(b for instance in netlist.instances for b in instance.pins.values())
        bits -= self.clock_bits | {None}
        self.net_rows = {bit: _FIRST_NET + i for i, bit in enumerate(sorted(bits))}
        self.drivers = {}
        self.functions = {}

    def function(self, cell, pin, expression, inputs):
        key = cell.name, pin, inputs
        if key not in self.functions:
            self.functions[key] = compile_function(expression, inputs, cell=cell.name, pin=pin)
        return self.functions[key]

    def input_row(self, instance, pin):
        if pin in instance.constants:
            return instance.constants[pin]
        bit = instance.pins.get(pin)
        if bit is None:
            _refuse(instance, f"input pin {pin} is unconnected")
        if bit in self.clock_bits:
            _refuse(instance, f"pin {pin} reads the clock, which is not simulated")
        return self.net_rows[bit]

    def output_rows(self, instance, cell):
        rows = []
        for pin in cell.outputs():
            bit = instance.pins.get(pin.name)
            if bit in self.clock_bits:
                _refuse(instance, f"output {pin.name} drives the clock")
            row = _SINK if bit is None else self.net_rows[bit]
            if row in self.drivers:
                _refuse(instance, f"output {pin.name} shares its net with {self.drivers[row]}")
            if row != _SINK:
                self.drivers[row] = instance.name
            rows.append(row)
        return rows

    def group(self, members, names):
        """:class:`_Group` of ``members``: ``(cell, input rows, output rows)`` per cell."""
        cell = members[0][0]
        inputs = np.array([m[1] for m in members], np.intp).reshape(len(members), len(names))
        variables = cell.ff.state if cell.ff else names
        outputs = tuple(
            (
                self.function(cell, pin.name, pin.function, variables),
                np.array([m[2][i] for m in members], np.intp),
            )
            for i, pin in enumerate(cell.outputs())
        )
        next_state = cell.ff and self.function(
            cell, "next_state", cell.ff.next_state or "", names + cell.ff.state
        )
        return _Group(np.ascontiguousarray(inputs.T), outputs, next_state)


def _behaviour(cell, clock_pin=None):
    """What a group shares: input pins, output functions, and the flip-flop's own attributes."""
    ff = cell.ff and (cell.ff.state, cell.ff.next_state, clock_pin)
    inputs = tuple(pin.name for pin in cell.inputs() if pin.name != clock_pin)
    return inputs, tuple((pin.name, pin.function) for pin in cell.outputs()), ff


def _levels(cells):
    """Level of each combinational cell (``(instance, cell, inputs, outputs)``); 0 reads no cell."""
    producer = {row: i for i, (*_, outputs) in enumerate(cells) for row in outputs}
    producer.pop(_SINK, None)
    feeds = [sorted({producer[r] for r in inputs if r in producer}) for *_, inputs, _ in cells]
    users = defaultdict(list)
    for index, sources in enumerate(feeds):
        for source in sources:
            users[source].append(index)
    waiting = [len(sources) for sources in feeds]
    level = [0] * len(cells)
    order = [index for index, count in enumerate(waiting) if not count]
    for index in order:  # appended to while walked: a topological order
        for user in users[index]:
            level[user] = max(level[user], level[index] + 1)
            waiting[user] -= 1
            if not waiting[user]:
                order.append(user)
    if len(order) < len(cells):
        stuck = {index for index, count in enumerate(waiting) if count}
        path, index = [], min(stuck)
        while index not in path:
            path.append(index)
            index = min(source for source in feeds[index] if source in stuck)
        loop = ", ".join(cells[i][0].name for i in path[path.index(index) :])
        raise ValueError(f"combinational loop through instances {loop}")
    return level


def _port_rows(netlist, net_rows, clock):
    inputs, outputs = {}, {}
    for name, (direction, bits) in netlist.ports.items():
        if name == clock and direction == "input":
            continue
        if any(b is not None and b not in net_rows for b in bits):
            raise ValueError(f"port {name} is connected to the clock, which is not simulated")
        constants = netlist.port_constants.get(name, {})
        if direction == "output":
            rows = [
                net_rows[b] if b is not None else constants.get(i, 0) for i, b in enumerate(bits)
            ]
            outputs[name] = np.array(rows, np.intp)
        elif direction == "input":
            inputs[name] = np.array([_SINK if b is None else net_rows[b] for b in bits], np.intp)
        else:
            raise ValueError(f"port {name} is {direction}, not input or output")
    return inputs, outputs


def compile_netlist(library, netlist, clock="clk"):
    """:class:`Program` of ``netlist`` (:class:`synth.netlist.Netlist`) on ``library``.

    ``clock`` names the clock port. Raises ``ValueError`` naming the instance for every netlist
    the simulator refuses (see the module docstring).
    """
    compiler = _Compiler(netlist, clock)
    combinational, flops, held = [], defaultdict(list), []
    for instance in netlist.instances:
        cell = library.cell(instance.cell)
        _check_cell(instance, cell)
        outputs = compiler.output_rows(instance, cell)
        if cell.ff is None:
            inputs = [compiler.input_row(instance, pin.name) for pin in cell.inputs()]
            combinational.append((instance, cell, inputs, outputs))
            continue
        clock_pin = _clock_pin(instance, cell, compiler.clock_bits)
        state = _held_state(instance, cell.ff)
        if state is not None:
            for pin, row in zip(cell.outputs(), outputs, strict=True):
                value = compiler.function(cell, pin.name, pin.function, cell.ff.state)(
                    *(ONE if v else ZERO for v in state)
                )
                held.append((row, value))
            continue
        behaviour = _behaviour(cell, clock_pin)
        inputs = [compiler.input_row(instance, pin) for pin in behaviour[0]]
        flops[behaviour].append((cell, inputs, outputs))
    level = _levels(combinational)
    groups = defaultdict(list)
    for (_, cell, inputs, outputs), depth in zip(combinational, level, strict=True):
        groups[depth, _behaviour(cell)].append((cell, inputs, outputs))
    inputs, outputs = _port_rows(netlist, compiler.net_rows, clock)
    return Program(
        top=netlist.top,
        rows=_FIRST_NET + len(compiler.net_rows),
        net_rows=compiler.net_rows,
        inputs=inputs,
        outputs=outputs,
        flops=tuple(compiler.group(flops[key], key[0]) for key in sorted(flops, key=repr)),
        groups=tuple(
            compiler.group(groups[key], key[1][0])
            for key in sorted(groups, key=lambda key: (key[0], repr(key[1])))
        ),
        held=(
            np.array([row for row, _ in held], np.intp),
            np.array([value for _, value in held], np.uint64),
        ),
        cells=len(netlist.instances),
        levels=max(level, default=-1) + 1,
    )


def _pack(bits, words):
    """``(cycles, width, words)`` uint64 of ``(cycles, streams, width)`` bits (stream ``s``: bit
    ``s % 64`` of word ``s // 64``)."""
    packed = np.packbits(np.swapaxes(bits, 1, 2), axis=-1, bitorder="little")
    padded = np.zeros(packed.shape[:2] + (8 * words,), np.uint8)
    padded[..., : packed.shape[-1]] = packed
    return padded.view("<u8").astype(np.uint64)


def _unpack(words, streams):
    """``(cycles, streams, width)`` uint8 bits of ``(cycles, width, words)`` uint64."""
    raw = np.ascontiguousarray(words, "<u8").view(np.uint8)
    bits = np.unpackbits(raw, axis=-1, count=streams, bitorder="little")
    return np.ascontiguousarray(np.swapaxes(bits, 1, 2))


def _stimulus(program, inputs):
    """Inputs checked and packed: ``(cycles, input bits, words)``, cycles and streams."""
    missing, unknown = set(program.inputs) - set(inputs), set(inputs) - set(program.inputs)
    if missing or unknown:
        raise ValueError(
            f"inputs must be the ports {', '.join(program.inputs)}; "
            f"missing {sorted(missing)}, unknown {sorted(unknown)}"
        )
    shapes = {}
    for name, rows in program.inputs.items():
        shape = np.shape(inputs[name])
        if len(shape) != 3 or shape[2] != len(rows) or not shape[0] or not shape[1]:
            raise ValueError(
                f"input {name} must have shape (cycles, streams, {len(rows)}), not {shape}"
            )
        shapes[name] = shape[:2]
    if len(set(shapes.values())) > 1:
        raise ValueError(f"inputs disagree on (cycles, streams): {shapes}")
    cycles, streams = next(iter(shapes.values()), (0, 0))
    words = -(-streams // 64)
    packed = [_pack(np.asarray(inputs[name]) != 0, words) for name in program.inputs]
    return np.concatenate(packed, axis=1), cycles, streams


def simulate(program, inputs, window):
    """Run ``program`` (:func:`compile_netlist`) on ``inputs``; return a :class:`LogicRun`.

    ``inputs`` maps every input port but the clock to bits ``(cycles, streams, width)`` (bool or
    0/1 integers, bit ``i`` of the port at ``[..., i]``). ``window = (first, last)`` selects the
    cycles whose activity is counted (module docstring).
    """
    stimulus, cycles, streams = _stimulus(program, inputs)
    first, last = window
    if not 1 <= first < last <= cycles:
        raise ValueError(f"window must satisfy 1 <= first < last <= {cycles}, not {window}")
    words = stimulus.shape[2]
    mask = np.full(words, ONE)
    if streams % 64:
        mask[-1] = np.uint64((1 << streams % 64) - 1)
    values = np.zeros((2, program.rows, words), np.uint64)
    values[:, 1] = ONE
    held_rows, held_values = program.held
    values[:, held_rows] = held_values[:, None]
    input_rows = np.concatenate([np.zeros(0, np.intp), *program.inputs.values()])
    output_rows = np.concatenate([np.zeros(0, np.intp), *program.outputs.values()])
    recorded = np.empty((cycles, len(output_rows), words), np.uint64)
    states = [np.zeros((flops.size, words), np.uint64) for flops in program.flops]
    toggles = np.zeros((program.rows, words), np.int64)
    high = np.zeros_like(toggles)
    scratch = np.empty((program.rows, words), np.uint64)
    flops = [(group.inputs, group.next_state, group.outputs) for group in program.flops]
    groups = [
        (group.inputs, [(function.evaluate, out) for function, out in group.outputs])
        for group in program.groups
    ]
    for t in range(cycles):
        now, before = values[t & 1], values[(t - 1) & 1]
        if t:
            states = [
                next_state(*before[rows], state, ~state)
                for (rows, next_state, _), state in zip(flops, states, strict=True)
            ]
        now[input_rows] = stimulus[t]
        for (_, _, outputs), state in zip(flops, states, strict=True):
            inverse = ~state
            for function, rows in outputs:
                now[rows] = function(state, inverse)
        for rows, outputs in groups:
            operands = now[rows]
            for evaluate, out in outputs:
                now[out] = evaluate(operands)
        recorded[t] = now[output_rows]
        if t == first - 1:
            start = _ones(now, mask, scratch).sum(axis=1, dtype=np.int64)
        if first <= t < last:
            toggles += _ones(np.bitwise_xor(before, now, out=scratch), mask, scratch)
            high += _ones(now, mask, scratch)
        if t == last - 1:
            end = _ones(now, mask, scratch).sum(axis=1, dtype=np.int64)
    bits = _unpack(recorded, streams)
    offsets = np.cumsum([0] + [len(rows) for rows in program.outputs.values()])
    outputs = {
        name: bits[..., offsets[i] : offsets[i + 1]] for i, name in enumerate(program.outputs)
    }
    # Per stream, rises - falls = V_{last-1} - V_{first-1}; summed over streams, likewise.
    activity = _activity(
        program, toggles.sum(axis=1), end - start, high.sum(axis=1), streams, (first, last)
    )
    return LogicRun(outputs, activity, (first, last), streams)


def _ones(words, mask, scratch):
    """Ones per word of ``words``, counting the streams in ``mask`` only."""
    return np.bitwise_count(np.bitwise_and(words, mask, out=scratch))


def _activity(program, toggles, net_rise, high, streams, window):
    first, last = window
    rows = np.fromiter(program.net_rows.values(), np.intp, len(program.net_rows))
    bits = list(program.net_rows)
    rises = (toggles[rows] + net_rise[rows]) // 2
    falls = toggles[rows] - rises
    samples = (last - first) * streams
    return Activity(
        {b: n for b, n in zip(bits, rises.tolist(), strict=True) if n},
        {b: n for b, n in zip(bits, falls.tolist(), strict=True) if n},
        dict(zip(bits, (high[rows] / samples).tolist(), strict=True)),
        samples,
        f"synth.gates.logicsim: {program.top}, {streams} streams, cycles {first} to {last - 1}",
    )
