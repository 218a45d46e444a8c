"""Golden-model throughput: SDR encode (vs np.abs on the same array) and sdr_matmul.

Usage: python scripts/bench_golden.py [--repeat N] [--seed S]

Times are the best of N runs (the minimum is the least disturbed by other load on the machine).
Target (issue P1): encode within 15x of np.abs on the same array.
"""

import argparse

import numpy as np

from sim.golden.formats import SdrConfig
from sim.golden.sdr import encode, sdr_matmul
from sim.util.timing import best_time

ENCODE_TARGET_RATIO = 15.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs per measurement (best kept)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    weights = rng.integers(-128, 128, size=(4096, 4096), dtype=np.int8)
    activations = rng.integers(-(2**15), 2**15, size=(64, 4096), dtype=np.int16)
    cases = (
        ("weights 4096x4096 int8", weights, SdrConfig(8)),
        ("activations 64x4096 int16", activations, SdrConfig(16)),
    )
    print(f"{'encode':28s} {'elements/s':>12s} {'encode ms':>10s} {'np.abs ms':>10s} {'ratio':>7s}")
    for name, array, cfg in cases:
        t_encode = best_time(lambda a=array, c=cfg: encode(a, c), args.repeat)
        t_abs = best_time(lambda a=array: np.abs(a), args.repeat)
        ratio = t_encode / t_abs
        verdict = "meets" if ratio <= ENCODE_TARGET_RATIO else "misses"
        print(
            f"{name:28s} {array.size / t_encode:12.3e} {t_encode * 1e3:10.3f} "
            f"{t_abs * 1e3:10.3f} {ratio:6.1f}x  ({verdict} the {ENCODE_TARGET_RATIO:g}x target)"
        )
    ta, tw = encode(activations, SdrConfig(16)), encode(weights, SdrConfig(8))
    t_matmul = best_time(lambda: sdr_matmul(ta, tw), max(1, args.repeat // 5))
    macs = activations.shape[0] * weights.shape[0] * weights.shape[1]
    print(f"sdr_matmul 64x4096 @ 4096x4096: {macs / t_matmul:.3e} MAC/s ({t_matmul * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
