"""SDR golden model: the public API of SPEC section 4.

``encode`` razors integers to 4-bit-style codes with one flag per group, ``decode`` restores the
integers they stand for, ``pack``/``unpack`` move them to and from a dense bitstream, and
``sdr_matmul`` is the decompression-free dot product of SPEC section 3.
"""

import numpy as np

from sim.golden.formats import SdrConfig
from sim.golden.integer import check_acc_bits, group_scaled_matmul, wrap_signed
from sim.golden.sdr_encode import encode
from sim.golden.sdr_pack import pack, unpack
from sim.golden.sdr_tensor import SdrTensor

__all__ = ["SdrConfig", "SdrTensor", "encode", "decode", "pack", "unpack", "sdr_matmul"]


def _check_tensor(name, value):
    if not isinstance(value, SdrTensor):
        raise ValueError(f"{name} must be an SdrTensor, not {type(value).__name__}")
    return value


def decode(t):
    """Integers the codes stand for: ``(-1)**sign * q << flag``, int64, shape of ``t``."""
    _check_tensor("t", t)
    return t.signed_mag() << t.element_flag().astype(np.int64)


def sdr_matmul(ta, tw, acc_bits=None):
    """Decompression-free SDR dot products ``y[..., n] = sum_k x^a[..., k] * x^w[n, k]``.

    Computed as the hardware does: per group, the sum of signed M x M code products, shifted
    once by ``fa + fw``, then accumulated. Group partial sums are at most ``G * (2**M-1)**2`` and
    every shifted term and running sum of a B <= 16 base stays far below 2**53, so float64 BLAS
    is exact here.

    Parameters
    ----------
    ta : SdrTensor, shape [..., K]
    tw : SdrTensor, shape [N, K], same group size as ``ta``
    acc_bits : int or None
        ``None``: exact result. Otherwise the result wraps modulo ``2**acc_bits`` (2 to 64).

    Returns
    -------
    ndarray of int64, shape [..., N]
    """
    _check_tensor("ta", ta)
    _check_tensor("tw", tw)
    check_acc_bits(acc_bits)
    if tw.mag.ndim != 2:
        raise ValueError(f"tw must be 2-D [N, K], not shape {tw.shape}")
    if ta.config.group != tw.config.group:
        raise ValueError(
            "ta and tw must share the group size: "
            f"ta has {ta.config.group}, tw has {tw.config.group}"
        )
    if ta.shape[-1] != tw.shape[1]:
        raise ValueError(f"ta and tw must share K: ta has K={ta.shape[-1]}, tw has K={tw.shape[1]}")
    group = ta.config.group
    exact = group_scaled_matmul(
        ta.signed_mag().reshape(-1, ta.shape[-1]),
        tw.signed_mag(),
        np.ldexp(1.0, ta.flag.reshape(-1, ta.flag.shape[-1]).astype(np.int32)),
        np.ldexp(1.0, tw.flag.astype(np.int32)),
        group,
    )
    result = wrap_signed(exact.astype(np.int64), acc_bits)
    return result.reshape(ta.shape[:-1] + (tw.shape[0],))
