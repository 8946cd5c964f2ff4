"""The LIF step of the contract in float, with a surrogate gradient for the spike.

Forward, per step (docs/fixed-point.md, "One time step of a layer")::

    V = beta * V + I            leak, then integrate (I = W a + b)
    s = H(V - theta)            fire: H(x) = x > 0 ('gt') or x >= 0 ('ge')
    V = V - theta * s           reset 'subtract'  (or V = V * (1 - s): 'zero')

Backward, dH/dx is replaced by a surrogate: the fast sigmoid
``1 / (1 + slope |x|)^2`` (default, as snnTorch/SuperSpike) or the arctan
``1 / (1 + (pi/2 * slope * x)^2)``. The reset is detached from the graph (the
usual choice, which trains better); its forward value is exact.
"""

from __future__ import annotations

import math

import torch

from snn2c import contract
from snn2c.contract import Fire, Reset

SURROGATES = ("fast_sigmoid", "arctan")


class _Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, slope: float, kind: str, ge: bool):  # type: ignore[override]
        ctx.save_for_backward(x)
        ctx.slope = slope
        ctx.kind = kind
        return (x >= 0).to(x.dtype) if ge else (x > 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        (x,) = ctx.saved_tensors
        if ctx.kind == "fast_sigmoid":
            g = 1.0 / (1.0 + ctx.slope * x.abs()) ** 2
        else:
            g = 1.0 / (1.0 + (math.pi / 2 * ctx.slope * x) ** 2)
        return grad * g, None, None, None


def spike(x: torch.Tensor, slope: float = 5.0, kind: str = "fast_sigmoid", ge: bool = False):
    """Heaviside of x in the forward pass, a surrogate derivative in the backward pass."""
    if kind not in SURROGATES:
        raise ValueError(f"surrogate must be one of {SURROGATES}, got {kind!r}")
    return _Spike.apply(x, slope, kind, ge)


def lif_step(
    v: torch.Tensor,
    current: torch.Tensor,
    beta: torch.Tensor | float,
    theta: torch.Tensor | float,
    *,
    spiking: bool = True,
    reset: str = "subtract",
    fire: str = "gt",
    slope: float = 5.0,
    surrogate: str = "fast_sigmoid",
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """One step: returns (new V after reset, spikes or None for a non-spiking 'li' layer)."""
    v = beta * v + current
    if not spiking:
        return v, None
    s = spike(v - theta, slope, surrogate, fire == Fire.GE)
    sd = s.detach()
    v = v - theta * sd if reset == Reset.SUBTRACT else v * (1.0 - sd)
    return v, s


IZH_SURROGATE_MV = 10.0  # the surrogate sees (v - 30 mV) / 10 mV


def izh_step(
    v: torch.Tensor,
    u: torch.Tensor,
    current: torch.Tensor,
    *,
    a: float,
    b: float,
    c: float,
    d: float,
    dt: float,
    gain: float,
    slope: float = 5.0,
    surrogate: str = "fast_sigmoid",
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One Euler step of an Izhikevich layer (docs/fixed-point.md, "Izhikevich layers"):
    returns (v, u, spikes). v and u in mV; the spike's surrogate derivative is taken of
    (v - 30 mV) / 10 mV with the same surrogate as LIF; the reset is detached."""
    vc = v.clamp(contract.IZH_V_MIN, contract.IZH_V_PEAK)
    drive = (gain * current).clamp(-contract.IZH_I_LIM, contract.IZH_I_LIM)
    v_new = vc + dt * (
        contract.IZH_K2 * vc * vc + contract.IZH_K1 * vc + contract.IZH_K0_MV - u + drive
    )
    u_new = u + dt * a * (b * vc - u)
    s = spike((v_new - contract.IZH_V_PEAK) / IZH_SURROGATE_MV, slope, surrogate, ge=True)
    sd = s.detach()
    v_new = v_new * (1.0 - sd) + c * sd
    u_new = (u_new + d * sd).clamp(-contract.IZH_U_LIM, contract.IZH_U_LIM)
    return v_new, u_new, s
