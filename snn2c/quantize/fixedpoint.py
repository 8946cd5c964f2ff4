"""Integer primitives of the fixed-point contract (docs/fixed-point.md, "Notation").

Shared by the quantizer and the numpy reference so that both round the same way.
The constants are snn2c.contract's. All functions accept numpy integer arrays
(int64) or Python ints.
"""

from __future__ import annotations

import numpy as np

from snn2c.contract import (
    DECODER_ACC_FRAC,
    DECODER_BITS,
    DECODER_FRAC_MIN,
    INT32_MAX,
    INT32_MIN,
    WEIGHT_FRAC_MAX,
    WEIGHT_FRAC_MIN,
    X_ONE,
    Decoder,
)


def rnd(r):
    """Float to integer at quantization time: floor(r + 0.5), never truncation."""
    return np.floor(np.asarray(r, dtype=np.float64) + 0.5).astype(np.int64)


def asr(x, n: int):
    """Arithmetic shift right rounding toward minus infinity (floor(x / 2**n))."""
    return np.right_shift(x, n)  # numpy's >> on signed ints is arithmetic (floor)


def rshift_round(x, n: int):
    """Round-half-up right shift for n > 0; multiplication by 2**-n for n <= 0."""
    if n > 0:
        return np.right_shift(x + (1 << (n - 1)), n)
    return x * (1 << (-n))


def sat32(x):
    """Clamp to the int32 range."""
    return np.clip(x, INT32_MIN, INT32_MAX)


def fits32(lo: float, hi: float) -> bool:
    return lo >= INT32_MIN and hi <= INT32_MAX


def pow2_scale(max_abs: float, qmax: int, lo: int = -16, hi: int = 30) -> int:
    """Largest integer s in [lo, hi] with max_abs * 2**s <= qmax (hi for all-zero data)."""
    if max_abs <= 0:
        return 0
    s = int(np.floor(np.log2(qmax / max_abs)))
    while max_abs * 2.0**s > qmax:
        s -= 1
    while max_abs * 2.0 ** (s + 1) <= qmax:
        s += 1
    return int(min(max(s, lo), hi))


def qmax_of(bits: int) -> int:
    return (1 << (bits - 1)) - 1


def weight_frac(max_abs: float, bits: int) -> int:
    """ws of a layer's weights: the largest scale with max|W| 2^ws <= qmax, in range."""
    return pow2_scale(max_abs, qmax_of(bits), lo=WEIGHT_FRAC_MIN, hi=WEIGHT_FRAC_MAX)


def decoder_divisor(kind: str, steps: int) -> int:
    """Count features (rate, first_spike) reach the readout as counts: its weights are
    quantized as W / T so that the integer readout sees count * W / T."""
    return steps if Decoder(kind).counts else 1


def decoder_fracs(max_abs: float, kind: str) -> tuple[int, int]:
    """(rs, fs) of the readout: weights W / divisor in int16 at 2^-rs, features at 2^-fs,
    the bias at 2^-(rs + fs)."""
    fs = Decoder(kind).feature_frac
    rs = pow2_scale(max_abs, qmax_of(DECODER_BITS), lo=DECODER_FRAC_MIN, hi=DECODER_ACC_FRAC - fs)
    return rs, fs


RAW_PRODUCT_MAX = 2**32 - 1  # the device forms r * mult + half in uint32_t


def raw_input_scale(span: int) -> tuple[int, int]:
    """(mult, shift) of an integer input with high - low = span (docs/fixed-point.md,
    "Integer inputs"): x = (r * mult + 2^(shift-1)) >> shift ~ 4096 r / span for r in
    [0, span], the largest shift whose products fit uint32 (the finest multiplier)."""
    if span < 1:
        raise ValueError("integer input: high must exceed low")
    for shift in range(31, -1, -1):
        mult = int(rnd(X_ONE * 2.0**shift / span))
        if mult >= 1 and span * mult + ((1 << shift) >> 1) <= RAW_PRODUCT_MAX:
            return mult, shift
    raise ValueError(f"integer input: span {span} too wide")  # unreachable for int32 spans
