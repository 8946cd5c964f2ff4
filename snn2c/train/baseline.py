"""The float MLP baseline, trained on the same split as the SNN and reported beside it."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from snn2c import ir
from snn2c.train import loop


def mlp(n_in: int, hidden: tuple[int, ...], n_out: int = 1) -> nn.Sequential:
    mods: list[nn.Module] = []
    for h in hidden:
        mods += [nn.Linear(n_in, h), nn.ReLU()]
        n_in = h
    mods.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*mods)


def train_mlp(
    u_train: np.ndarray,
    y_train: np.ndarray,
    u_val: np.ndarray,
    y_val: np.ndarray,
    hidden: tuple[int, ...],
    *,
    epochs: int = 300,
    patience: int = 30,
    lr: float = 2e-3,
    batch_size: int = 64,
    seed: int = 0,
) -> nn.Sequential:
    """A ReLU MLP on the normalised inputs, Adam, early stopping on validation MSE."""
    torch.manual_seed(seed + 1)
    model = mlp(u_train.shape[1], hidden, y_train.shape[1])
    loop.fit_regressor(
        model,
        u_train,
        y_train,
        u_val,
        y_val,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        patience=patience,
        seed=seed + 1,
    )
    return model


def to_ir(
    model: nn.Sequential,
    *,
    seed: int,
    inputs: tuple[int, ...] | None = None,
    n_features: int | None = None,
) -> ir.BaselineMLP:
    """The trained MLP as plain arrays for the model file (ir.BaselineMLP). An MLP
    trained on the inputs `inputs` of n_features is stored on all of them, with zero
    weights for the others (the model file's baseline reads the network's inputs)."""
    lins = [m for m in model if isinstance(m, nn.Linear)]
    hidden = "x".join(str(m.out_features) for m in lins[:-1])
    weights = [m.weight.detach().double().numpy().copy() for m in lins]
    note = f"snn2c.train.baseline: ReLU MLP {hidden}, Adam, early stopping, seed {seed}"
    if inputs is not None and n_features is not None and len(inputs) < n_features:
        w0 = np.zeros((weights[0].shape[0], n_features))
        w0[:, list(inputs)] = weights[0]
        weights[0] = w0
        note += f"; trained on the {len(inputs)} of {n_features} inputs the SNN reads"
    return ir.BaselineMLP(
        weights=tuple(weights),
        biases=tuple(m.bias.detach().double().numpy().copy() for m in lins),
        note=note,
    )


def predict_mlp(model: nn.Sequential, u: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.as_tensor(u, dtype=torch.float32)).double().numpy()
