"""Lookup tables of the contract: Gaussian receptive fields and the voting sigmoid."""

from __future__ import annotations

import numpy as np

from snn2c.quantize.fixedpoint import X_ONE, rnd

GAUSS_ENTRIES = 257  # |d| in [0, 4096] at a step of 16 (Q12)
GAUSS_STEP_BITS = 4
SIGMOID_ENTRIES = 257  # V in [-8, 8] at a step of 1/16
SIGMOID_RANGE_BITS = 19  # 8.0 in Q16
SIGMOID_STEP_BITS = 12  # 1/16 in Q16


def gaussian_table(sigma: float) -> np.ndarray:
    """G[k] = rnd(4096 exp(-(k/256)^2 / (2 sigma^2))), k = 0..256, as int64."""
    d = np.arange(GAUSS_ENTRIES, dtype=np.float64) / 256.0
    return rnd(X_ONE * np.exp(-(d**2) / (2.0 * sigma**2)))


def centres_q12(n: int) -> np.ndarray:
    """Receptive-field centres mu_i = i / (n - 1) in Q12, rounded as integers."""
    i = np.arange(n, dtype=np.int64)
    return (i * X_ONE + (n - 1) // 2) // (n - 1)


def centres_float(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.float64) / (n - 1)


def sigmoid_table() -> np.ndarray:
    """S[k] = rnd(32768 sigmoid(-8 + k/16)), k = 0..256, as int64 (Q15)."""
    z = -8.0 + np.arange(SIGMOID_ENTRIES, dtype=np.float64) / 16.0
    return rnd(32768.0 / (1.0 + np.exp(-z)))
