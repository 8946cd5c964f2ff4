"""Fake quantization on the contract's grid, with straight-through gradients.

Every grid is the quantizer's own (snn2c.quantize.fixedpoint): layer weights
``W_q = clip(rnd(W 2^ws), -qmax, qmax)`` with ``ws = weight_frac(max|W|, bits)``,
``rnd(r) = floor(r + 0.5)``; biases and thresholds in Q16, a learned leak in Q15;
the readout's weights as ``W / divisor`` in int16 at ``2^-rs`` and its bias at
``2^-(rs + fs)`` (``decoder_fracs``). Training against those values (forward)
while passing gradients straight through (backward) makes the exported integer
network use exactly the values the forward pass used (tests/test_qat_grid.py).
"""

from __future__ import annotations

import torch

from snn2c.contract import DECODER_BITS, V_FRAC
from snn2c.quantize.fixedpoint import decoder_divisor, decoder_fracs, qmax_of, weight_frac


def _round_half_up(x: torch.Tensor) -> torch.Tensor:
    return torch.floor(x + 0.5)


def _on_grid(w: torch.Tensor, frac: int, qmax: int) -> torch.Tensor:
    scale = 2.0**frac
    return torch.clamp(_round_half_up(w * scale), -qmax, qmax) / scale


def snap_weight(w: torch.Tensor, bits: int) -> torch.Tensor:
    """The float value of each weight after per-tensor power-of-two quantization (no grad)."""
    w = w.detach()
    return _on_grid(w, weight_frac(float(w.abs().max()), bits), qmax_of(bits))


def snap_fixed(x: torch.Tensor, frac: int = V_FRAC) -> torch.Tensor:
    """x rounded to a multiple of 2^-frac (Q16 biases and thresholds)."""
    return _round_half_up(x.detach() * 2.0**frac) / 2.0**frac


def snap_readout(
    w: torch.Tensor, b: torch.Tensor, kind: str, steps: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """The readout's weights and bias as the integer decoder applies them (no grad)."""
    div = decoder_divisor(kind, steps)
    wf = w.detach() / div
    rs, fs = decoder_fracs(float(wf.abs().max()), kind)
    return _on_grid(wf, rs, qmax_of(DECODER_BITS)) * div, snap_fixed(b, rs + fs)


def fake_weight(w: torch.Tensor, bits: int) -> torch.Tensor:
    """Quantized weight in the forward pass, identity gradient in the backward pass."""
    return w + (snap_weight(w, bits) - w).detach()


def fake_fixed(x: torch.Tensor, frac: int = V_FRAC) -> torch.Tensor:
    return x + (snap_fixed(x, frac) - x).detach()


def fake_readout(
    w: torch.Tensor, b: torch.Tensor, kind: str, steps: int
) -> tuple[torch.Tensor, torch.Tensor]:
    sw, sb = snap_readout(w, b, kind, steps)
    return w + (sw - w).detach(), b + (sb - b).detach()
