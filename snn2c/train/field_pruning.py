"""Per-feature encodings learned: a group penalty on layer 0's columns, then pruning.

Every input starts with a direct column (u itself) and the uniform grid of receptive
fields. A group-lasso penalty on each column of layer 0's weights (its L2 norm over the
hidden neurons) drives the columns the regression does not need towards zero, so that
an input whose only use is linear keeps its direct column and an input that is noise
loses all of them. After the penalised float training the columns whose importance
(weight norm times the column's spread over the training inputs) falls below
PRUNE_RATIO of the largest are removed, their mean contribution moved into the bias,
and the smaller network is fine-tuned (docs/training.md, "Per-feature encodings").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import torch

from snn2c import ir
from snn2c.train.encoders import receptive_fields
from snn2c.train.model import SpikingRegressor

# a direct column costs its multiply-adds only, a field also its table lookup: the
# penalty charges it less, so that a linear input keeps one column instead of a population
DIRECT_WEIGHT = 0.6
PRUNE_RATIO = 0.05  # a column is kept if its importance is >= this share of the largest


def candidate_encoder(spec: ir.EncoderSpec, n_features: int) -> ir.EncoderSpec:
    """The encoder the penalty starts from: for every input, direct plus the grid."""
    grid = spec.feature_encodings(n_features)[0].centres
    return dataclasses.replace(spec, features=(ir.FeatureEncoding(True, grid),) * n_features)


def proximal_hook(model: SpikingRegressor, penalty: float) -> Callable[[float], None] | None:
    """loop.fit's after_step for a penalty (None without one): the proximal step at
    strength lr x penalty."""
    if penalty <= 0:
        return None
    return lambda lr: proximal_step(model, lr * penalty)


def proximal_step(model: SpikingRegressor, strength: float) -> None:
    """Group soft-thresholding of layer 0's columns (the group lasso's proximal
    operator): each column shrinks by `strength` in L2 norm, to exactly zero if it is
    shorter. Run after every optimiser step with strength = lr x penalty."""
    cols = model.cfg.encoder.columns(model.cfg.n_features)
    scale = torch.as_tensor(np.where(cols.direct, DIRECT_WEIGHT, 1.0), dtype=torch.float32)
    with torch.no_grad():
        w = model.linear(0).weight
        norm = torch.linalg.vector_norm(w, dim=0)
        w.mul_(torch.clamp(1.0 - strength * scale / torch.clamp(norm, min=1e-30), min=0.0))


def column_importance(model: SpikingRegressor, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's weight norm times its standard deviation over u, and its mean."""
    with torch.no_grad():
        act = receptive_fields(model.cfg.encoder, torch.as_tensor(u, dtype=torch.float64))
        norm = torch.linalg.vector_norm(model.linear(0).weight.double(), dim=0)
    a = act.numpy()
    return norm.numpy() * a.std(axis=0), a.mean(axis=0)


def kept_columns(importance: np.ndarray, ratio: float = PRUNE_RATIO) -> np.ndarray:
    """Indices of the columns whose importance reaches ratio x the largest (at least one)."""
    top = float(importance.max()) if importance.size else 0.0
    if top <= 0:
        return np.array([int(np.argmax(importance))])
    return np.flatnonzero(importance >= ratio * top)


def pruned_encoder(spec: ir.EncoderSpec, n_features: int, keep: np.ndarray) -> ir.EncoderSpec:
    """The encoder of the kept columns (whose order, direct first, is the IR's)."""
    cols = spec.columns(n_features)
    kept = set(int(k) for k in keep)
    features = []
    for j in range(n_features):
        direct = any(cols.direct[c] and cols.feature[c] == j for c in kept)
        centres = tuple(
            float(cols.centre[c])
            for c in sorted(kept)
            if cols.feature[c] == j and not cols.direct[c]
        )
        features.append(ir.FeatureEncoding(direct, centres))
    return dataclasses.replace(spec, features=tuple(features))


def prune(model: SpikingRegressor, u_train: np.ndarray) -> SpikingRegressor:
    """A copy of model with only the important columns of layer 0, the others' mean
    contribution folded into layer 0's bias."""
    cfg = model.cfg
    importance, mean = column_importance(model, u_train)
    keep = kept_columns(importance)
    drop = np.setdiff1d(np.arange(importance.size), keep)
    encoder = pruned_encoder(cfg.encoder, cfg.n_features, keep)
    small = SpikingRegressor(dataclasses.replace(cfg, encoder=encoder))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    w0 = model.linear(0).weight.detach()
    b0 = model.linear(0).bias.detach()
    state["layers.0.weight"] = w0[:, torch.as_tensor(keep)].clone()
    folded = w0[:, torch.as_tensor(drop)].double() @ torch.as_tensor(mean[drop])
    state["layers.0.bias"] = (b0.double() + folded).to(b0.dtype)
    small.load_state_dict(state)
    return small
