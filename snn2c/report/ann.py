"""The baseline ANN beside the SNN: its architecture (for E_ANN) and, when torch is
installed, its accuracy, by retraining it the way `snn2c train` does (same split,
same seed, snn2c.train.baseline) where the model file does not store it."""

from __future__ import annotations

import numpy as np

from snn2c import ir
from snn2c.reference import normalize_float


def hidden_layers(net: ir.Network) -> tuple[tuple[int, ...], str]:
    """The MLP's hidden widths and where they come from.

    A model written by `snn2c train` records its hidden widths; the trainer's
    baseline uses them (a single width h becomes (h, h)). Otherwise the MLP
    mirrors the SNN: one hidden layer per SNN layer, same widths.
    """
    meta = net.metadata or {}
    hidden = meta.get("hidden")
    if meta.get("trainer") == "snn2c.train" and isinstance(hidden, list) and hidden:
        h = tuple(int(v) for v in hidden)
        return (h if len(h) > 1 else (h[0], h[0])), "snn2c train's baseline rule"
    return tuple(layer.n_out for layer in net.layers), "the SNN's layer widths"


def _read(net: ir.Network, x: np.ndarray) -> np.ndarray:
    """The normalised inputs the SNN reads (a rival trained without the dropped ones)."""
    return normalize_float(net, x)[:, list(net.used_inputs())]


def linear_predictions(
    net: ir.Network, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray
) -> np.ndarray:
    """Least-squares linear regression fitted on the training split (on the inputs the
    SNN reads), in user units."""
    from snn2c.train.linear import fit_linear, predict_linear  # numpy only

    t = net.target
    y = ((np.asarray(y_train, dtype=np.float64) - t.offset) / t.scale).reshape(len(y_train), -1)
    model = fit_linear(_read(net, x_train), y)
    return t.offset + t.scale * predict_linear(model, _read(net, x_test))


def predict_stored(net: ir.Network, x: np.ndarray) -> np.ndarray:
    """The stored baseline MLP's predictions in user units (numpy, no torch)."""
    assert net.baseline is not None
    y = net.baseline.predict(normalize_float(net, x))
    return net.target.offset + net.target.scale * y


def train_and_predict(
    net: ir.Network,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    x_test: np.ndarray,
    *,
    hidden: tuple[int, ...],
    seed: int,
    epochs: int,
) -> np.ndarray:
    """Train the baseline MLP (imports torch) on the inputs the SNN reads and return
    its test predictions in user units."""
    from snn2c.train import baseline  # torch

    t = net.target

    def scale(y: np.ndarray) -> np.ndarray:
        return ((np.asarray(y, dtype=np.float64) - t.offset) / t.scale).reshape(len(y), -1)

    model = baseline.train_mlp(
        _read(net, x_train),
        scale(y_train),
        _read(net, x_val),
        scale(y_val),
        hidden,
        epochs=epochs,
        patience=max(10, min(30, epochs)),
        seed=seed,
    )
    y = baseline.predict_mlp(model, _read(net, x_test))
    return t.offset + t.scale * y
