"""The contract's encoders in torch, with the float semantics of docs/fixed-point.md.

``encode(spec, u)`` turns normalised inputs u (B, F) in [0, 1] into the first
layer's input for every step, a (T, B, n) tensor of currents (population,
direct) or 0/1 spikes (the others), feature-major (``feature * N + i``). The
float simulator (snn2c/reference/floatsim.py) computes the same values; the
integer reference and the C compute them in Q12 (the tests bound the difference).
Encoders have no trainable parameters and no gradient with respect to u.
"""

from __future__ import annotations

import torch

from snn2c import ir
from snn2c.contract import RNG_DRAW_SHIFT, X_ONE, Encoder
from snn2c.contract import xorshift32_draws as xorshift32


def receptive_fields(spec: ir.EncoderSpec, u: torch.Tensor) -> torch.Tensor:
    """Gaussian activations A_i(u) = exp(-(u - mu_i)^2 / (2 sigma^2)), (B, n_columns),
    in layer 0's column order (ir.EncoderSpec.columns); a direct column is u itself."""
    cols = spec.columns(u.shape[1])
    us = u[:, torch.as_tensor(cols.feature)]
    mu = torch.as_tensor(cols.centre, dtype=u.dtype)
    a = torch.exp(-((us - mu) ** 2) / (2.0 * spec.sigma**2))
    return torch.where(torch.as_tensor(cols.direct), us, a)


def encode(spec: ir.EncoderSpec, u: torch.Tensor) -> torch.Tensor:
    """Encoder output for all steps: (T, B, n_enc)."""
    steps = spec.steps
    u = u.detach()
    if spec.kind.gaussian:
        act = receptive_fields(spec, u)
    elif spec.kind in Encoder:
        act = u
    else:
        raise ValueError(f"unknown encoder {spec.kind!r}")
    if not spec.kind.spiking:
        return act.unsqueeze(0).expand(steps, *act.shape).contiguous()
    t = torch.arange(steps, dtype=u.dtype).view(steps, 1, 1)
    if spec.kind.timed:
        fire_at = torch.floor(spec.t0 + (1.0 - act) * spec.window + 0.5)
        return (t == fire_at.unsqueeze(0)).to(u.dtype)
    if spec.kind is Encoder.RATE_PERIODIC:
        a = act.unsqueeze(0)
        return (torch.floor((t + 1) * a) > torch.floor(t * a)).to(u.dtype)
    draws = xorshift32(spec.seed, steps * act.shape[1]) >> RNG_DRAW_SHIFT
    p = torch.as_tensor(draws.reshape(steps, 1, -1) / X_ONE, dtype=u.dtype)
    return (p < act.unsqueeze(0)).to(u.dtype)
