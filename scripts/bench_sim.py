"""Simulation speed of every backend on one 16-lane sdr_mac stream, and a 4096 x 4096 GEMV.

Usage: python scripts/bench_sim.py [--m 16 --k 512 --n 64] [--repeat 3] [--backends ...]
       [--native-gemm 16 4096 256]

Prints simulated cycles/s per backend on the same stream (every run is also checked against the
golden model), the model / cocotb-Verilator speed ratio (target >= 100x), the native Verilator
testbench's speed (target >= 10^6 cycles/s, packing and unpacking included) and the time of a
4096 x 4096 GEMV through a 16-lane sdr_mac on the cycle model (target <= 1 s). Times are best of
--repeat; one-time builds are done before timing.
"""

import argparse
import time

from hw.designs import build, elaborated
from sim.verify.backends import BACKENDS, get_backend, prepare
from sim.verify.checker import check_stream
from sim.verify.streams import drained, sdr_mac_beats
from sim.workloads.llm_gemm import llm_workload
from sim.workloads.schemes import golden_product, qrazor_gemm

RATIO_TARGET = 100.0
NATIVE_TARGET = 1e6
WARM_UP_CYCLES = 64
GEMV_TARGET_SECONDS = 1.0


def sdr_mac_stream(unit, m, k, n, seed):
    gemm = qrazor_gemm(llm_workload(m, k, n, seed), unit.parameters["GROUP"])
    expected = golden_product(gemm, unit.parameters["ACC_BITS"])
    return drained(sdr_mac_beats(gemm.a, gemm.w, unit.parameters["LANES"], expected), unit.LATENCY)


def timed_run(simulate, unit, beats, repeat):
    """Best wall time of ``repeat`` runs; each run's results are checked.

    A short warm-up run first keeps one-time costs (a Verilator compile, imports) out.
    """
    simulate(unit, {port: values[:WARM_UP_CYCLES] for port, values in beats.stream.items()})
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        outputs = simulate(unit, beats.stream)
        best = min(best, time.perf_counter() - start)
        check = check_stream(outputs, beats.stream, beats.expected, unit.LATENCY)
        if not check.passed:
            raise SystemExit(f"mismatch: {check.first}")
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--k", type=int, default=512)
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--native-gemm",
        type=int,
        nargs=3,
        default=(16, 4096, 256),
        metavar=("M", "K", "N"),
        help="the long stream the native Verilator testbench is timed on",
    )
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    args = parser.parse_args()

    unit = elaborated(build("sdr_mac", LANES=16))
    beats = sdr_mac_stream(unit, args.m, args.k, args.n, args.seed)
    print(f"stream: sdr_mac LANES=16, {beats.cycles} cycles ({args.m}x{args.k}x{args.n} GEMM)")
    speeds = {}
    for name in args.backends:
        try:
            prepare(name, unit)
            seconds = timed_run(get_backend(name), unit, beats, args.repeat)
        except FileNotFoundError as error:
            print(f"{name:16s} skipped: {error}")
            continue
        speeds[name] = beats.cycles / seconds
        print(f"{name:16s} {speeds[name]:12.4g} cycles/s  ({seconds:.3f} s)")
    if "model" in speeds and "cocotb-verilator" in speeds:
        ratio = speeds["model"] / speeds["cocotb-verilator"]
        verdict = "meets" if ratio >= RATIO_TARGET else "misses"
        print(f"model / cocotb-verilator: {ratio:.1f}x ({verdict} the {RATIO_TARGET:g}x target)")
    if "verilator" in args.backends:
        m, k, n = args.native_gemm
        long = sdr_mac_stream(unit, m, k, n, args.seed)
        seconds = timed_run(get_backend("verilator"), unit, long, args.repeat)
        speed = long.cycles / seconds
        verdict = "meets" if speed >= NATIVE_TARGET else "misses"
        print(
            f"native verilator on {long.cycles} cycles ({m}x{k}x{n} GEMM): {speed:.3g} cycles/s "
            f"in {seconds:.3f} s ({verdict} the {NATIVE_TARGET:.0e} cycles/s target)"
        )

    gemv_unit = elaborated(build("sdr_mac", LANES=16))
    gemm = qrazor_gemm(llm_workload(1, 4096, 4096, args.seed), 16)
    expected = golden_product(gemm, 32)
    start = time.perf_counter()
    gemv = sdr_mac_beats(gemm.a, gemm.w, 16, expected)
    built = time.perf_counter() - start
    model_seconds = timed_run(get_backend("model"), gemv_unit, drained(gemv, gemv_unit.LATENCY), 1)
    verdict = "meets" if model_seconds <= GEMV_TARGET_SECONDS else "misses"
    print(
        f"GEMV 4096x4096, 16-lane sdr_mac, cycle model: {model_seconds:.3f} s for {gemv.cycles} "
        f"cycles ({verdict} the {GEMV_TARGET_SECONDS:g} s target); stream built in {built:.3f} s"
    )


if __name__ == "__main__":
    main()
