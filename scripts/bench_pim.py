"""AMS-PiM tile model throughput: one pim_matmul and a whole MiniLM inference on tiles.

Usage: python scripts/bench_pim.py [--repeat N] [--seed S] [--workload minilm|synthetic]

Targets (issue 22): pim_matmul of a 128 x 384 INT16 activation matrix (LLM-like: a Gaussian bulk
with outlier channels) against a 1536 x 384 weight matrix at rows=128, sparse with k = 7 (a 3-bit
ADC), eMSB 8-bit inputs, noise-free, in at most 1 s; a whole MiniLM inference over the study's
sentences through the tile model (RAP's default design) in at most 60 s. Times are the best of N
runs; the dense design and a noisy sparse one are timed beside them.
"""

import argparse

import numpy as np

from sim.system.rap.encoder import IntegerEncoder
from sim.system.rap.pim import PimConfig, pim_matmul
from sim.system.rap.products import PimProducts
from sim.system.rap.system import rap_system
from sim.util.timing import best_time
from sim.workloads.encoder_models import load_workload

MATMUL_TARGET_S = 1.0
INFERENCE_TARGET_S = 60.0


def _verdict(seconds, target):
    return f"{'meets' if seconds <= target else 'misses'} the {target:g} s target"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (best kept)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workload", choices=("minilm", "synthetic"), default="minilm")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    x = rng.normal(0, 1, (128, 384))
    x[:, ::37] *= 30  # outlier channels
    activations = np.round(x / np.abs(x).max() * 32767).astype(np.int64)
    weights = np.clip(np.round(rng.normal(0, 30, (1536, 384))), -128, 127).astype(np.int64)
    for name, config, target in (
        ("sparse, k = 7, noise-free", PimConfig(rows=128, adc_bits=3), MATMUL_TARGET_S),
        ("dense, 8-bit full-range ADC", PimConfig(adc_bits=8, adc_range="full", mvm="dense"), None),
        (
            "sparse, k = 7, 1 % noise and gain spread",
            PimConfig(adc_bits=3, noise_swing=0.01, gain_sigma=0.01),
            None,
        ),
    ):
        seconds = best_time(lambda c=config: pim_matmul(activations, weights, c), args.repeat)
        macs = 128 * 384 * 1536
        verdict = "no target" if target is None else _verdict(seconds, target)
        print(
            f"pim_matmul 128x384 @ 1536x384, {name}: {seconds:.3f} s "
            f"({macs / seconds:.3e} MAC/s; {verdict})"
        )
    workload = load_workload(args.workload, args.seed)
    system = rap_system(3)
    tokens = sum(map(len, workload.token_ids))

    def inference():
        products = PimProducts(system.pim, system.exact_inputs)
        IntegerEncoder(workload.model.encoder, system.pipeline, products).embed(workload.token_ids)

    seconds = best_time(inference, max(1, args.repeat // 5))
    print(
        f"{args.workload} inference on tiles ({workload.description}; {system.key}): "
        f"{seconds:.1f} s, {tokens / seconds:.1f} tokens/s "
        f"({_verdict(seconds, INFERENCE_TARGET_S)})"
    )


if __name__ == "__main__":
    main()
