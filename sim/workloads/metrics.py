"""Error figures of an approximate product against its float reference."""

import numpy as np

__all__ = ["sqnr_db", "max_relative_error"]


def sqnr_db(reference, approx):
    """Signal-to-quantization-noise ratio ``10 log10(sum ref**2 / sum (ref - approx)**2)`` in dB.

    ``inf`` when ``approx`` equals ``reference``.
    """
    reference = np.asarray(reference, np.float64)
    noise = np.sum((reference - np.asarray(approx, np.float64)) ** 2)
    signal = np.sum(reference**2)
    if noise == 0:
        return float("inf")
    return float(10 * np.log10(signal / noise))


def max_relative_error(reference, approx):
    """Largest absolute error over the largest reference magnitude (0 for a zero reference)."""
    reference = np.asarray(reference, np.float64)
    scale = np.max(np.abs(reference))
    error = np.max(np.abs(reference - np.asarray(approx, np.float64)))
    return float(error / scale) if scale > 0 else float(error)
