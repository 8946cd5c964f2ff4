"""The float MLP baseline, trained on the same split as the SNN and reported beside it."""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from snn2c import ir


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
    gen = torch.Generator().manual_seed(seed + 1)
    torch.manual_seed(seed + 1)
    model = mlp(u_train.shape[1], hidden, y_train.shape[1])
    xt, yt = (
        torch.as_tensor(u_train, dtype=torch.float32),
        torch.as_tensor(y_train, dtype=torch.float32),
    )
    xv, yv = (
        torch.as_tensor(u_val, dtype=torch.float32),
        torch.as_tensor(y_val, dtype=torch.float32),
    )
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs, eta_min=lr * 0.02)
    best, best_state, bad = float("inf"), copy.deepcopy(model.state_dict()), 0
    for _ in range(epochs):
        model.train()
        for idx in torch.randperm(len(xt), generator=gen).split(batch_size):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            val = float(nn.functional.mse_loss(model(xv), yv))
        if val < best:
            best, best_state, bad = val, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= patience:
                break
    model.load_state_dict(best_state)
    model.eval()
    return model


def to_ir(model: nn.Sequential, *, seed: int) -> ir.BaselineMLP:
    """The trained MLP as plain arrays for the model file (ir.BaselineMLP)."""
    lins = [m for m in model if isinstance(m, nn.Linear)]
    hidden = "x".join(str(m.out_features) for m in lins[:-1])
    return ir.BaselineMLP(
        weights=tuple(m.weight.detach().double().numpy().copy() for m in lins),
        biases=tuple(m.bias.detach().double().numpy().copy() for m in lins),
        note=f"snn2c.train.baseline: ReLU MLP {hidden}, Adam, early stopping, seed {seed}",
    )


def predict_mlp(model: nn.Sequential, u: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.as_tensor(u, dtype=torch.float32)).double().numpy()
