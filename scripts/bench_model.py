"""Benchmark ``python -m sim.run_model``'s two targets: a whole all-MiniLM-L6-v2 inference (the
sentence set) and one LLaMA-7B decoder layer at sequence length 2048, each through both engines.

Prints wall seconds per engine, split into the golden model's share (``sdr_matmul`` /
``int_matmul``, the check) and the rest (quantization, the transaction-level engine model, the
schedule, the tiles run cycle by cycle), and the cycles simulated.

    python scripts/bench_model.py [--check-tiles 1]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hw.designs import build, elaborated  # noqa: E402
from sim.system.engine import runner  # noqa: E402
from sim.system.engine.models import SYNTHETIC_MODELS, minilm_runs, synthetic_gemms, synthetic_runs
from sim.system.engine.runner import Engine  # noqa: E402
from sim.workloads.minilm import load_minilm  # noqa: E402
from sim.workloads.sentences import SENTENCES  # noqa: E402

TARGETS = {"minilm": 30.0, "llama-7b": 60.0}


class _Timed:
    """Wraps a function and sums the seconds spent in it."""

    def __init__(self, function):
        self.function, self.seconds = function, 0.0

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check-tiles", type=int, default=1)
    args = parser.parse_args()
    golden = {name: _Timed(getattr(runner, name)) for name in ("sdr_matmul", "int_matmul")}
    for name, timed in golden.items():
        setattr(runner, name, timed)
    model = load_minilm()
    layer = synthetic_gemms(SYNTHETIC_MODELS["llama-7b"], 2048, 64, 64)
    print(
        f"{'workload':10} {'engine':12} {'seconds':>8} {'golden s':>9} {'rest s':>7} {'cycles':>15}"
    )
    for workload in TARGETS:
        total = 0.0
        for module in ("sdr_engine", "int8_engine"):
            engine = Engine(elaborated(build(module, COLS=4, LANES=16)))
            before = sum(t.seconds for t in golden.values())
            start = time.perf_counter()
            if workload == "minilm":
                runs, _ = minilm_runs(model, SENTENCES, engine, args.check_tiles)
            else:
                runs = synthetic_runs(layer, engine, args.check_tiles)
            seconds = time.perf_counter() - start
            check = sum(t.seconds for t in golden.values()) - before
            cycles = sum(run.cycles for run in runs.values())
            print(
                f"{workload:10} {module:12} {seconds:8.1f} {check:9.1f} {seconds - check:7.1f} "
                f"{cycles:15,}"
            )
            total += seconds
        verdict = "meets" if total < TARGETS[workload] else "MISSES"
        print(
            f"{workload:10} {'both':12} {total:8.1f}  target < {TARGETS[workload]:g} s: {verdict}"
        )


if __name__ == "__main__":
    main()
