"""Load a Liberty (.lib) library: units, cell areas, pin capacitances, power and transition tables.

Parsing is done by the ``liberty-parser`` package (``liberty.parser``); this module only turns the
parsed groups into the few numbers the reports need. Numbers stay in the library's own units
(tables are indexed in them); :class:`Library` carries the factors to SI: ``time_scale`` (s),
``capacitance_scale`` (F), ``leakage_scale`` (W) and ``energy_scale`` (J). Internal-power tables
hold energy per transition in ``capacitive_load_unit * voltage_unit**2`` (the Liberty convention
that OpenSTA follows too). Cell area is in the library's area unit, conventionally square
micrometres.
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "default_libraries",
    "LibertyError",
    "Table",
    "PowerArc",
    "Pin",
    "FlipFlop",
    "Cell",
    "Library",
    "WireLoad",
    "load_liberty",
    "OSU018_LIBERTY",
    "IHP_LIBERTY",
    "default_liberty",
    "ihp_liberty",
]

#: Liberty of the Debian package qflow-tech-osu018 (OSU 0.18 um standard cells).
OSU018_LIBERTY = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lib")
#: IHP SG13G2 typical corner (1.2 V, 25 C; Apache-2.0), in the shared PDK folder beside the
#: project's checkout; used by path, never copied into the project.
IHP_LIBERTY = (
    Path(__file__).resolve().parents[3]  # the folder that holds this checkout
    / "shared"
    / "pdk"
    / "ihp-sg13g2"
    / "sg13g2_stdcell_typ_1p20V_25C.lib"
)

_PREFIXES = {"f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3}
_UNIT = re.compile(r"^\s*([0-9.eE+-]*)\s*([fpnumk]?)(s|W|V|A|ohm)\s*$")


_CAPACITANCES = ("capacitance", "rise_capacitance", "fall_capacitance")


class LibertyError(ValueError):
    """The Liberty file is missing, unreadable, or lacks something the reports need."""


def default_liberty():
    """The OSU 0.18 um Liberty when ``qflow-tech-osu018`` is installed, else ``None``."""
    return OSU018_LIBERTY if OSU018_LIBERTY.is_file() else None


def ihp_liberty():
    """``(path, found)`` of the IHP SG13G2 typical-corner Liberty: ``$QRAZOR_IHP_LIBERTY``, else
    ``IHP_LIBERTY`` (the shared PDK folder beside this project's checkout)."""
    path = Path(os.environ.get("QRAZOR_IHP_LIBERTY", IHP_LIBERTY))
    return path, path.is_file()


@dataclass(frozen=True)
class Table:
    """A lookup table: ``variables`` name the axes (``index`` arrays), ``values`` the grid.

    :meth:`lookup` interpolates linearly inside the grid and extrapolates linearly outside it,
    as static timing tools do.
    """

    variables: tuple
    index: tuple
    values: np.ndarray

    def lookup(self, **point):
        """Value at ``point`` (keyword per axis variable, e.g. ``input_transition_time=0.1``)."""
        values = self.values
        for variable, grid in zip(self.variables, self.index, strict=True):
            values = _interpolate_axis(values, grid, point[variable], axis=0)
        return float(values)

    def at(self, load, slew):
        """Value at output ``load`` (every ``*capacitance*`` axis) and transition ``slew``
        (every other axis), both in library units."""
        return self.lookup(
            **{name: (load if "capacitance" in name else slew) for name in self.variables}
        )


def _interpolate_axis(values, grid, x, axis):
    if len(grid) == 1:
        return np.take(values, 0, axis=axis)
    i = int(np.clip(np.searchsorted(grid, x) - 1, 0, len(grid) - 2))
    t = (x - grid[i]) / (grid[i + 1] - grid[i])
    return np.take(values, i, axis=axis) * (1 - t) + np.take(values, i + 1, axis=axis) * t


@dataclass(frozen=True)
class PowerArc:
    """One ``internal_power`` group: energy per rise/fall transition (``None``: not given), and
    the state it applies in (``when``, a Liberty expression; ``None``: any state)."""

    related_pin: str | None
    rise: Table | None
    fall: Table | None
    when: str | None = None


@dataclass(frozen=True)
class Pin:
    """A cell pin: direction, input capacitance, clock flag, power and slew tables, logic.

    Numbers are in the library's units. ``function`` and ``three_state`` are the Liberty boolean
    expressions of an output pin (unquoted text; ``None`` when the pin has none).
    ``capacitance_max`` is the largest capacitance the pin states (its ``capacitance``, its
    ``rise``/``fall_capacitance`` and the upper ends of their ``*_range``), the one a maximum
    (setup) analysis uses."""

    name: str
    direction: str
    capacitance: float
    is_clock: bool
    power: tuple = ()
    transitions: tuple = ()  # (related_pin, rise_transition Table, fall_transition Table)
    function: str | None = None
    three_state: str | None = None
    capacitance_max: float = 0.0


@dataclass(frozen=True)
class FlipFlop:
    """A cell's ``ff`` group, every attribute as unquoted text (``None`` when absent).

    ``state`` names the two state variables the output pins' functions refer to, such as
    ``("IQ", "IQN")``; ``clear_preset_var1``/``2`` (``L``, ``H``, ...) give them when ``clear``
    and ``preset`` are both active.
    """

    state: tuple
    next_state: str | None
    clocked_on: str | None
    clear: str | None = None
    preset: str | None = None
    clear_preset_var1: str | None = None
    clear_preset_var2: str | None = None


@dataclass(frozen=True)
class Cell:
    """A library cell: area, leakage power, pins, sequential or not (library units).

    ``ff`` is its flip-flop (:class:`FlipFlop`, ``None`` for a cell without an ``ff`` group);
    ``has_latch`` tells a cell with a ``latch`` group.
    """

    name: str
    area: float
    leakage: float
    pins: dict
    is_sequential: bool
    ff: FlipFlop | None = None
    has_latch: bool = False

    def inputs(self):
        return [pin for pin in self.pins.values() if pin.direction == "input"]

    def outputs(self):
        return [pin for pin in self.pins.values() if pin.direction == "output"]


@dataclass(frozen=True)
class WireLoad:
    """A Liberty ``wire_load`` model: net length from fan-out, capacitance per unit length.

    Between the ``fanout_length`` points the length is interpolated linearly; beyond the last it
    grows by ``slope`` per extra fan-out, below the first it shrinks by ``slope`` per fan-out, not
    below 0 (as OpenSTA's ``Wireload::findWireload`` does).
    """

    name: str
    capacitance: float
    slope: float
    points: tuple  # ((fanout, length), ...) by fanout

    def net_capacitance(self, fanout):
        """Wire capacitance (library units) of a net with ``fanout`` loads."""
        fanouts = [f for f, _ in self.points]
        lengths = [length for _, length in self.points]
        if fanout < fanouts[0]:
            length = max(0.0, lengths[0] - (fanouts[0] - fanout) * self.slope)
        elif fanout >= fanouts[-1]:
            length = lengths[-1] + (fanout - fanouts[-1]) * self.slope
        else:
            length = float(np.interp(fanout, fanouts, lengths))
        return length * self.capacitance


@dataclass(frozen=True)
class Library:
    """A parsed Liberty library: nominal supply (V), unit factors to SI, cells by name, and the
    ``default_wire_load`` model (``None`` when the library names none)."""

    name: str
    path: Path
    voltage: float
    time_scale: float
    capacitance_scale: float
    leakage_scale: float
    energy_scale: float
    cells: dict = field(repr=False)
    wire_load: WireLoad | None = None

    def cell(self, name):
        try:
            return self.cells[name]
        except KeyError:
            raise LibertyError(f"cell {name!r} is not in the Liberty library {self.path}") from None


def _text(value):
    """Attribute value as plain text (the parser keeps quoted strings as EscapedString)."""
    return str(getattr(value, "value", value)).strip().strip('"')


def _scale(text, unit, what, path):
    match = _UNIT.match(_text(text))
    if not match or match.group(3) != unit:
        raise LibertyError(f"{path}: cannot read {what} {_text(text)!r}")
    return float(match.group(1) or 1) * _PREFIXES[match.group(2)]


def _capacitance_scale(value, path):
    if not isinstance(value, list) or len(value) != 2:
        raise LibertyError(f"{path}: cannot read capacitive_load_unit {value!r}")
    magnitude, unit = value[0], _text(value[1]).lower()
    if len(unit) != 2 or unit[1] != "f" or unit[0] not in _PREFIXES:
        raise LibertyError(f"{path}: cannot read capacitive_load_unit {value!r}")
    return float(magnitude) * _PREFIXES[unit[0]]


def _templates(library):
    templates = {}
    for kind in ("lu_table_template", "power_lut_template"):
        for group in library.get_groups(kind):
            names = [_text(group[f"variable_{i}"]) for i in (1, 2, 3) if f"variable_{i}" in group]
            templates[_text(group.args[0])] = names
    return templates


def _table(group, templates):
    if group is None:
        return None
    variables = templates.get(_text(group.args[0]) if group.args else "", [])
    values = group.get_array("values")
    index = [
        group.get_array(f"index_{i + 1}").reshape(-1)
        for i in range(len(variables))
        if f"index_{i + 1}" in group
    ]
    if not variables or len(index) != len(variables):  # scalar table
        return Table((), (), np.asarray(values).reshape(()))
    shape = [len(i) for i in index]
    return Table(tuple(variables), tuple(index), np.asarray(values).reshape(shape))


def _optional_text(group, attribute):
    return _text(group[attribute]) if attribute in group else None


def _flip_flop(group):
    """The cell's own ``ff`` group (not a ``test_cell``'s), or ``None``."""
    groups = group.get_groups("ff")
    if not groups:
        return None
    ff = groups[0]
    return FlipFlop(
        tuple(_text(arg) for arg in ff.args),
        *(
            _optional_text(ff, attribute)
            for attribute in (
                "next_state",
                "clocked_on",
                "clear",
                "preset",
                "clear_preset_var1",
                "clear_preset_var2",
            )
        ),
    )


def _pin(group, templates):
    name = _text(group.args[0])
    power = tuple(
        PowerArc(
            _text(arc["related_pin"]) if "related_pin" in arc else None,
            _table(
                arc.get_group("rise_power") if arc.get_groups("rise_power") else None, templates
            ),
            _table(
                arc.get_group("fall_power") if arc.get_groups("fall_power") else None, templates
            ),
            _text(arc["when"]) if "when" in arc else None,
        )
        for arc in group.get_groups("internal_power")
    )
    transitions = tuple(
        (
            _text(timing["related_pin"]),
            _table(timing.get_group("rise_transition"), templates),
            _table(timing.get_group("fall_transition"), templates),
        )
        for timing in group.get_groups("timing")
        if timing.get_groups("rise_transition") and timing.get_groups("fall_transition")
    )
    return Pin(
        name,
        _text(group.get("direction", "")),
        float(group.get("capacitance", 0.0)),
        _text(group.get("clock", "false")) == "true",
        power,
        transitions,
        _optional_text(group, "function"),
        _optional_text(group, "three_state"),
        _capacitance_max(group),
    )


def _capacitance_max(group):
    values = [float(group.get(name, 0.0)) for name in _CAPACITANCES]
    for name in ("rise_capacitance_range", "fall_capacitance_range"):
        value = group.get(name)
        if value is not None:
            values.append(float(value[-1]))
    return max(values)


def _cell(group, templates):
    pins = {}
    for pin_group in group.get_groups("pin"):
        pin = _pin(pin_group, templates)
        pins[pin.name] = pin
    sequential = any(group.get_groups(kind) for kind in ("ff", "latch", "statetable"))
    return Cell(
        _text(group.args[0]),
        float(group.get("area", 0.0)),
        float(group.get("cell_leakage_power", 0.0)),
        pins,
        sequential,
        _flip_flop(group),
        bool(group.get_groups("latch")),
    )


def load_liberty(path):
    """Parse the Liberty file at ``path`` into a :class:`Library`.

    Raises :class:`LibertyError` (a ``ValueError``) with one readable line when the file is
    missing, unreadable, not Liberty, or lacks the units the power model needs.
    """
    from liberty.parser import parse_liberty

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise LibertyError(f"cannot read Liberty file {path}: {error.strerror or error}") from None
    try:
        library = parse_liberty(text)
    except Exception as error:  # the parser raises assorted exception types on bad input
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise LibertyError(f"{path} is not a readable Liberty file: {first}") from None
    if getattr(library, "group_name", None) != "library":
        raise LibertyError(f"{path} is not a Liberty file (no library group)")
    for attribute in ("time_unit", "leakage_power_unit", "capacitive_load_unit", "nom_voltage"):
        if attribute not in library:
            raise LibertyError(f"{path}: the library has no {attribute}")
    scales = {
        "time": _scale(library["time_unit"], "s", "time_unit", path),
        "leakage": _scale(library["leakage_power_unit"], "W", "leakage_power_unit", path),
        "capacitance": _capacitance_scale(library["capacitive_load_unit"], path),
    }
    voltage_scale = _scale(library.get("voltage_unit", "1V"), "V", "voltage_unit", path)
    templates = _templates(library)
    cells = {}
    for group in library.get_groups("cell"):
        cell = _cell(group, templates)
        cells[cell.name] = cell
    if not cells:
        raise LibertyError(f"{path}: the library has no cells")
    wire_load = _wire_load(library, path)
    return Library(
        _text(library.args[0]) if library.args else path.stem,
        path,
        float(library["nom_voltage"]) * voltage_scale,
        scales["time"],
        scales["capacitance"],
        scales["leakage"],
        scales["capacitance"] * voltage_scale**2,
        cells,
        wire_load,
    )


def _wire_load(library, path):
    """The ``default_wire_load`` model of a parsed library, or ``None``."""
    if "default_wire_load" not in library:
        return None
    name = _text(library["default_wire_load"])
    for group in library.get_groups("wire_load"):
        if group.args and _text(group.args[0]) == name:
            points = sorted(
                (float(a.value[0]), float(a.value[1]))
                for a in group.attributes
                if a.name == "fanout_length"
            )
            return WireLoad(
                name,
                float(group.get("capacitance", 0.0)),
                float(group.get("slope", 0.0)),
                tuple(points),
            )
    raise LibertyError(f"{path}: default_wire_load {name!r} names no wire_load group")


def default_libraries():
    """``(present, skipped)``: the OSU 0.18 um and IHP SG13G2 Liberty paths found, and
    ``(name, reason)`` for the others."""
    present, skipped = [], []
    osu = default_liberty()
    if osu is None:
        skipped.append(("OSU 0.18 um", "not installed (apt-get install qflow-tech-osu018)"))
    else:
        present.append(osu)
    ihp, found = ihp_liberty()
    if found:
        present.append(ihp)
    else:
        skipped.append(("IHP SG13G2", f"no Liberty at {ihp} (set QRAZOR_IHP_LIBERTY)"))
    return present, skipped
