"""How snn2c scores a regression: one definition for training, the report, the search
and the benchmarks, so that they never score one model two ways.

numpy only (every layer may import it, none of them needs torch for it).
"""

from __future__ import annotations

import numpy as np

from snn2c import ir


def regression_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, target: ir.TargetSpec | None = None
) -> dict[str, float | None]:
    """MSE on [0, 1]-scaled targets (divided by target.scale; None: already scaled), R2
    and NDEI (RMSE / std), which the scaling leaves alone, and sMAPE on the values as
    given. A quantity that is undefined (a constant target) is None, which JSON carries."""
    t = np.asarray(y_true, dtype=np.float64).reshape(len(y_true), -1)
    p = np.asarray(y_pred, dtype=np.float64).reshape(len(y_pred), -1)
    scale = 1.0 if target is None else float(target.scale)
    ss_res = float(np.sum((t - p) ** 2))
    ss_tot = float(np.sum((t - t.mean(axis=0)) ** 2))
    rmse = float(np.sqrt(np.mean((t - p) ** 2)))
    std = float(np.std(t))
    return {
        "mse": float(np.mean(((p - t) / scale) ** 2)),
        "r2": 1.0 - ss_res / ss_tot if ss_tot > 0 else None,
        "ndei": rmse / std if std > 0 else None,
        "smape": smape(t, p),
    }


def smape(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Symmetric mean absolute percentage error in [0, 200], as NeuroBench computes it:
    200 mean(|p - y| / (|p| + |y|)), 200 if any term is undefined (NaN)."""
    y = np.asarray(y_true, np.float64).reshape(-1)
    p = np.asarray(y_pred, np.float64).reshape(-1)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        value = float(200.0 * np.mean(np.abs(p - y) / (np.abs(p) + np.abs(y))))
    return 200.0 if np.isnan(value) else value
