"""Speed of the bit-parallel gate-level simulator (synth.gates.logicsim) on a mapped int8_mac.

Usage: python scripts/bench_logicsim.py [--lanes 16] [--cycles 300] [--streams 64 256]
       [--liberty PATH] [--repeat 3]

Synthesizes int8_mac (LANES=16 by default, the largest) onto the OSU 0.18 um library with the
project's flow, compiles the netlist and runs seeded random input streams (a reset in cycle 0)
for --cycles cycles. Prints the netlist's size (cells, levels, evaluation groups), then for each
stream count the simulated cycles/s and stream-cycles/s (best of --repeat); the target is
>= 200 cycles/s with 64 streams.
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from hw.export import export
from sim.util.timing import best_time
from synth.flow.yosys import synthesize
from synth.gates.logicsim import compile_netlist, simulate
from synth.gates.netlist import read_netlist
from synth.library.liberty import default_liberty, load_liberty

TARGET_CYCLES_PER_SECOND = 200.0
SEED = 0


def random_inputs(program, cycles, streams, seed):
    rng = np.random.default_rng(seed)
    inputs = {
        name: rng.integers(0, 2, (cycles, streams, len(rows)), np.uint8)
        for name, rows in program.inputs.items()
    }
    inputs["rst"][:] = 0
    inputs["rst"][0] = 1
    return inputs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", type=int, default=16)
    parser.add_argument("--cycles", type=int, default=300)
    parser.add_argument("--streams", type=int, nargs="+", default=[64])
    parser.add_argument("--liberty", type=Path, default=default_liberty())
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.liberty is None:
        raise SystemExit("no Liberty: apt-get install qflow-tech-osu018, or pass --liberty")

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        start = time.perf_counter()
        export(["int8_mac"], folder, LANES=args.lanes)
        synthesis = synthesize(folder / "int8_mac.v", "int8_mac", folder / "synth", args.liberty)
        netlist = read_netlist(synthesis.netlist_json, "int8_mac")
        synthesized = time.perf_counter() - start
    library = load_liberty(args.liberty)
    start = time.perf_counter()
    program = compile_netlist(library, netlist)
    compiled = time.perf_counter() - start
    print(
        f"int8_mac LANES={args.lanes} on {library.name}: {program.cells} cells, "
        f"{sum(g.size for g in program.flops)} flip-flops, {program.levels} levels, "
        f"{len(program.groups)} groups (synthesis {synthesized:.1f} s, compile {compiled:.2f} s)"
    )
    for streams in args.streams:
        inputs = random_inputs(program, args.cycles, streams, SEED)
        best = best_time(lambda i=inputs: simulate(program, i, (1, args.cycles)), args.repeat)
        rate = args.cycles / best
        print(
            f"{args.cycles} cycles x {streams:5d} streams: {best:.3f} s, {rate:8.1f} cycles/s, "
            f"{rate * streams:12.4g} stream-cycles/s"
        )
        if streams == 64:
            verdict = "meets" if rate >= TARGET_CYCLES_PER_SECOND else "misses"
            print(f"64 streams: {verdict} the {TARGET_CYCLES_PER_SECOND:g} cycles/s target")


if __name__ == "__main__":
    main()
