"""Lookup tables of the contract: Gaussian receptive fields and the voting sigmoid."""

from __future__ import annotations

import numpy as np

from snn2c.contract import (
    GAUSS_ENTRIES,
    GAUSS_INDEX_BITS,
    SIGMOID_ENTRIES,
    SIGMOID_OUT_FRAC,
    SIGMOID_RANGE_BITS,
    SIGMOID_STEP_BITS,
    V_FRAC,
    X_ONE,
)
from snn2c.quantize.fixedpoint import rnd


def gaussian_table(sigma: float) -> np.ndarray:
    """G[k] = rnd(4096 exp(-(k/256)^2 / (2 sigma^2))), k = 0..256, as int64."""
    d = np.arange(GAUSS_ENTRIES, dtype=np.float64) / (1 << GAUSS_INDEX_BITS)
    return rnd(X_ONE * np.exp(-(d**2) / (2.0 * sigma**2)))


def centres_q12(n: int) -> np.ndarray:
    """Receptive-field centres mu_i = i / (n - 1) in Q12, rounded as integers."""
    i = np.arange(n, dtype=np.int64)
    return (i * X_ONE + (n - 1) // 2) // (n - 1)


def centres_q12_of(centres) -> np.ndarray:
    """Centres in [0, 1] in Q12, rounded (on the grid i / (n - 1): centres_q12(n))."""
    return np.clip(rnd(np.asarray(centres, dtype=np.float64) * X_ONE), 0, X_ONE)


def centres_float(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.float64) / (n - 1)


def sigmoid_table() -> np.ndarray:
    """S[k] = rnd(32768 sigmoid(-8 + k/16)), k = 0..256, as int64 (Q15)."""
    lo = -(2.0 ** (SIGMOID_RANGE_BITS - V_FRAC))
    z = lo + np.arange(SIGMOID_ENTRIES, dtype=np.float64) * 2.0 ** (SIGMOID_STEP_BITS - V_FRAC)
    return rnd(2.0**SIGMOID_OUT_FRAC / (1.0 + np.exp(-z)))
