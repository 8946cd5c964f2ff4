"""Fake quantization on the contract's grid, with straight-through gradients.

The quantizer (snn2c/quantize) stores layer weights as ``W_q = clip(rnd(W 2^ws),
-qmax, qmax)`` with ``ws`` the largest integer such that ``max|W| 2^ws <= qmax``
(qmax 127 for int8, 32767 for int16), ``rnd(r) = floor(r + 0.5)``; biases,
thresholds and membranes in Q16; decoder weights in int16 at their own
power-of-two scale. Training against those values (forward) while passing
gradients straight through (backward) lets the exported integer network keep
the float network's accuracy.
"""

from __future__ import annotations

import math

import torch

WEIGHT_FRAC_MIN, WEIGHT_FRAC_MAX = -8, 24  # the quantizer's range of ws
V_FRAC = 16


def pow2_scale(
    max_abs: float, qmax: int, lo: int = WEIGHT_FRAC_MIN, hi: int = WEIGHT_FRAC_MAX
) -> int:
    """Largest integer s in [lo, hi] with max_abs * 2**s <= qmax (as the quantizer)."""
    if max_abs <= 0:
        return 0
    s = math.floor(math.log2(qmax / max_abs))
    while max_abs * 2.0**s > qmax:
        s -= 1
    while max_abs * 2.0 ** (s + 1) <= qmax:
        s += 1
    return min(max(s, lo), hi)


def _round_half_up(x: torch.Tensor) -> torch.Tensor:
    return torch.floor(x + 0.5)


def snap_weight(w: torch.Tensor, bits: int) -> torch.Tensor:
    """The float value of each weight after per-tensor power-of-two quantization (no grad)."""
    qmax = (1 << (bits - 1)) - 1
    ws = pow2_scale(float(w.detach().abs().max()), qmax)
    scale = 2.0**ws
    return torch.clamp(_round_half_up(w.detach() * scale), -qmax, qmax) / scale


def snap_fixed(x: torch.Tensor, frac: int = V_FRAC) -> torch.Tensor:
    """x rounded to a multiple of 2^-frac (Q16 biases and thresholds)."""
    return _round_half_up(x.detach() * 2.0**frac) / 2.0**frac


def fake_weight(w: torch.Tensor, bits: int) -> torch.Tensor:
    """Quantized weight in the forward pass, identity gradient in the backward pass."""
    return w + (snap_weight(w, bits) - w).detach()


def fake_fixed(x: torch.Tensor, frac: int = V_FRAC) -> torch.Tensor:
    return x + (snap_fixed(x, frac) - x).detach()
