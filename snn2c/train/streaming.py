"""Training a streaming SNN on a sequence: truncated backpropagation through time.

A streaming network's membranes carry from sensor sample to sensor sample, so it
learns from windows of the training stream rather than from shuffled rows. Each
window is `washout` samples run without gradients from the reset state (the state
the stream would have reached, approximately: the leak forgets the reset within a
few time constants), then `bptt` samples whose outputs are scored and through whose
state the gradient flows; the gradient is truncated at the window's start. Windows
start every bptt / 4 samples, so every training sample is scored about four times
per epoch, and minibatches of windows go through the same loop as every other model
(loop.fit).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from snn2c.errors import Snn2cError
from snn2c.train import field_pruning, loop
from snn2c.train.model import SpikingRegressor


def windows(
    u: np.ndarray, y: np.ndarray, *, bptt: int, washout: int, stride: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Windows (n, washout + bptt, F) of the stream u (N, F) and of its targets y (N, 1),
    one starting every `stride` samples (default max(1, bptt // 4)) from the first."""
    length = washout + bptt
    if len(u) < length:
        raise Snn2cError(
            f"the stream has {len(u)} samples, fewer than --washout + --bptt = {length}"
        )
    starts = np.arange(0, len(u) - length + 1, stride or max(1, bptt // 4))
    idx = starts[:, None] + np.arange(length)[None, :]
    xt, yt = loop.as_tensors(u[idx], y[idx])
    return xt, yt


def window_loss(
    model: SpikingRegressor,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    washout: int,
    quant: bool,
    spike_reg: float = 0.0,
) -> torch.Tensor:
    """MSE over the scored part of a batch of windows, after a washout without gradients."""
    with torch.no_grad():
        _, _, state = model.stream(x[:, :washout], quant) if washout else (None, None, None)
    out, spikes, _ = model.stream(x[:, washout:], quant, state)
    loss = nn.functional.mse_loss(out, y[:, washout:])
    if spike_reg > 0:
        n_hidden = len(model.cfg.hidden)
        loss = loss + spike_reg * spikes[..., 1 : 1 + n_hidden].sum(dim=-1).mean()
    return loss


def fit_stream(
    model: SpikingRegressor,
    u_train: np.ndarray,
    y_train: np.ndarray,
    u_val: np.ndarray,
    y_val: np.ndarray,
    *,
    bptt: int,
    washout: int,
    epochs: int,
    lr: float,
    batch_size: int,
    patience: int,
    seed: int,
    quant: bool = False,
    spike_reg: float = 0.0,
    weight_decay: float = 0.0,
    field_penalty: float = 0.0,
    on_epoch: Callable[[int, float], None] | None = None,
) -> int:
    """The streaming SNN through loop.fit, minibatches of training windows; the
    validation loss is the same windowed loss on the validation stream (field_penalty:
    the group lasso's strength, as in
    trainer.fit). Returns the epochs run."""
    xt, yt = windows(u_train, y_train, bptt=bptt, washout=washout)
    val_len = min(len(u_val) - washout, bptt * 4)
    if val_len < 1:
        raise Snn2cError(f"the validation stream ({len(u_val)} samples) is shorter than --washout")
    xv, yv = windows(u_val, y_val, bptt=val_len, washout=washout, stride=val_len)
    return loop.fit(
        model,
        lambda x, y: window_loss(model, x, y, washout=washout, quant=quant, spike_reg=spike_reg),
        lambda: window_loss(model, xv, yv, washout=washout, quant=quant),
        xt,
        yt,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        patience=patience,
        seed=seed,
        after_step=field_pruning.proximal_hook(model, field_penalty),
        select_best=field_penalty == 0,
        weight_decay=weight_decay,
        score_start=quant,
        on_epoch=on_epoch,
    )


def predict_stream(model: SpikingRegressor, u: np.ndarray, quant: bool = False) -> np.ndarray:
    """The float model's outputs (N, n_outputs) over one stream u (N, F), from the reset."""
    model.eval()
    with torch.no_grad():
        out, _, _ = model.stream(torch.as_tensor(u, dtype=torch.float32)[None], quant)
    return out[0].double().numpy()
