"""Integer primitives of the fixed-point contract (docs/fixed-point.md, "Notation").

Shared by the quantizer and the numpy reference so that both round the same way.
All functions accept numpy integer arrays (int64) or Python ints.
"""

from __future__ import annotations

import numpy as np

X_FRAC = 12  # normalised inputs and encoder currents: Q12
X_ONE = 1 << X_FRAC
V_FRAC = 16  # bias, threshold, membrane, outputs: Q16
BETA_FRAC = 15  # 'mul' leak factor: Q15
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


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


# Izhikevich layers (docs/fixed-point.md, "Izhikevich layers"): v and u in Q16 mV.
IZH_FRAC = 16  # v, u, c, d: Q16 mV; dv, the drive: Q16 mV/ms
IZH_SQ_SHIFT = 8  # v8 = asr(v, 8) is Q8 mV, |v8| <= 25600, v8 * v8 < 2**30
IZH_K04_FRAC = 20
IZH_K04 = 41943  # rnd(0.04 * 2**20)
IZH_AB_FRAC = 24  # a and a * b: Q24 (per ms)
IZH_GAIN_FRAC = 8  # current gain: Q8 (mV/ms per Q16 unit of current)
IZH_V_MIN_Q = -100 << IZH_FRAC
IZH_V_PEAK_Q = 30 << IZH_FRAC
IZH_C140_Q = 140 << IZH_FRAC
IZH_U_LIM_Q = 1 << 26  # 1024 mV
IZH_I_LIM_Q = 1 << 26  # 1024 mV/ms
