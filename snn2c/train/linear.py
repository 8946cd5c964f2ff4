"""Ordinary least-squares linear regression: the simplest honest baseline, reported
beside the SNN and the MLP by `snn2c train` and `snn2c report` (numpy only)."""

from __future__ import annotations

import numpy as np


def fit_linear(u_train: np.ndarray, y_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least squares on the normalised inputs: (weights (F, k), bias (k,))."""
    a = np.hstack([u_train, np.ones((len(u_train), 1))])
    coef, *_ = np.linalg.lstsq(a, np.asarray(y_train, dtype=np.float64), rcond=None)
    return coef[:-1], coef[-1]


def predict_linear(model: tuple[np.ndarray, np.ndarray], u: np.ndarray) -> np.ndarray:
    w, b = model
    return u @ w + b
