"""Wall-clock timing of the benchmark scripts."""

import time

__all__ = ["best_time"]


def best_time(function, repeat):
    """Least wall time (seconds) of ``repeat`` calls of ``function()``: the best run is the one
    least disturbed by the rest of the machine."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best
