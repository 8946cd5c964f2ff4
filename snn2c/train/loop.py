"""The one training loop: minibatch Adam, cosine learning rate, early stopping on the
validation loss, the best epoch's weights kept.

The SNN (float and QAT phases), the baseline MLP and the speed benchmark against
snnTorch all train through this function, so they differ only in the model and loss
they hand it, never in the optimiser or the stopping rule.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch
from torch import nn

LR_FLOOR = 0.02  # the cosine schedule ends at lr * LR_FLOOR


def fit(
    model: nn.Module,
    batch_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    val_loss: Callable[[], torch.Tensor],
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    patience: int,
    seed: int,
    weight_decay: float = 0.0,
    score_start: bool = False,
    on_epoch: Callable[[int, float], None] | None = None,
    after_step: Callable[[float], None] | None = None,
    select_best: bool = True,
) -> int:
    """Train `model` in place; returns the number of epochs run.

    batch_loss(x, y) is the loss of one minibatch, val_loss() the validation loss
    (called in eval mode, without gradients). With score_start the starting weights
    compete with the trained ones (fine-tuning must not make a model worse). Adam, or
    AdamW when weight_decay > 0, on the parameters that require gradients. on_epoch
    (epoch, validation loss) may raise to stop the run (a search's pruner);
    after_step(lr) runs after every optimiser step (a proximal operator's step).
    select_best=False runs every epoch and keeps the last weights (a penalised phase,
    whose validation loss without the penalty must not pick a state before it acted).
    """
    gen = torch.Generator().manual_seed(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = (
        torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
        if weight_decay > 0
        else torch.optim.Adam(params, lr=lr)
    )
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, epochs), eta_min=lr * LR_FLOOR)

    def validate() -> float:
        model.eval()
        with torch.no_grad():
            return float(val_loss())

    best = validate() if score_start else float("inf")
    best_state = copy.deepcopy(model.state_dict())
    bad, ran = 0, 0
    for epoch in range(epochs):
        model.train()
        for idx in torch.randperm(len(x_train), generator=gen).split(batch_size):
            opt.zero_grad()
            batch_loss(x_train[idx], y_train[idx]).backward()
            opt.step()
            if after_step is not None:
                after_step(float(opt.param_groups[0]["lr"]))
        sched.step()
        ran = epoch + 1
        val = validate()
        if on_epoch is not None:
            on_epoch(epoch, val)
        if not select_best:
            continue
        if val < best:
            best, best_state, bad = val, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= patience:
                break
    if select_best:
        model.load_state_dict(best_state)
    model.eval()
    return ran


def as_tensors(*arrays) -> tuple[torch.Tensor, ...]:
    """float32 tensors of the given arrays (the loop's inputs and targets)."""
    return tuple(torch.as_tensor(a, dtype=torch.float32) for a in arrays)


def fit_regressor(model: nn.Module, u_train, y_train, u_val, y_val, **options) -> int:
    """fit() for a model that maps inputs to outputs, on the MSE of its outputs (the
    baseline MLP, snnTorch's model in the speed benchmark); options as fit's."""
    xt, yt, xv, yv = as_tensors(u_train, y_train, u_val, y_val)
    return fit(
        model,
        lambda x, y: nn.functional.mse_loss(model(x), y),
        lambda: nn.functional.mse_loss(model(xv), yv),
        xt,
        yt,
        **options,
    )
