"""The spiking regressor: encoder, LIF layers, last layer, decoder, in float torch.

Per step t (the update order of docs/fixed-point.md)::

    a_0 = encoder(u, t)
    for each layer l:  V_l = beta_l V_l + W_l a_{l-1} + b_l
                       s_l = H(V_l - theta_l); V_l -= theta_l s_l  (lif; or V_l = 0)
                       a_l = s_l
    y = R f + c   after T steps, with f = V(T) (membrane), sigmoid(V(T)) (population
                  voting), count / T (rate) or first-spike step / T, T if none (first_spike)

The last layer is a non-spiking leaky integrator ('li') for membrane and
population decoding and a spiking LIF layer for rate and first-spike decoding.
With ``quant=True`` the forward pass sees every parameter on the contract's grid
(snn2c.train.qat), so training is quantization-aware.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from snn2c import ir
from snn2c.contract import BETA_FRAC, IZH_V_REST, Decoder, Neuron, leak_beta
from snn2c.train import qat
from snn2c.train.encoders import encode
from snn2c.train.neurons import izh_step, lif_step


@dataclass(frozen=True)
class LayerState:
    """Each layer's membrane V and (Izhikevich) recovery u, (B, n) tensors: what a
    streaming network carries from one sample to the next."""

    v: tuple[torch.Tensor, ...]
    u: tuple[torch.Tensor, ...]


@dataclass(frozen=True)
class ModelConfig:
    n_features: int
    encoder: ir.EncoderSpec
    decoder: str = "membrane"
    hidden: tuple[int, ...] = (64,)
    readout: int = 8  # neurons in the last layer, read by the decoder
    n_outputs: int = 1
    leak_shift: int = 3  # hidden layers: beta = 1 - 2^-k
    readout_leak_shift: int | None = None  # None: no leak (beta = 1, a perfect integrator)
    threshold: float = 1.0
    reset: str = "subtract"
    fire: str = "gt"
    surrogate: str = "fast_sigmoid"
    slope: float = 5.0
    learn_leak: bool = False  # learn beta per layer ('mul' leak, Q15 on export)
    learn_threshold: bool = False
    weight_bits: int = 8
    neuron: str = "lif"  # hidden layers: 'lif' or 'izhikevich'
    izh_preset: str = "regular_spiking"
    izh_dt_shift: int = 1  # Euler step 2^-k ms
    izh_gain: float = 10.0  # mV/ms per unit of current
    extra: dict = field(default_factory=dict)

    def izh_neuron(self) -> ir.IzhikevichNeuron:
        """The IR neuron of the hidden layers when neuron == 'izhikevich'."""
        return ir.IzhikevichNeuron.from_preset(
            self.izh_preset, dt_shift=self.izh_dt_shift, gain=self.izh_gain
        )

    @property
    def widths(self) -> tuple[int, ...]:
        return (*self.hidden, self.readout)

    @property
    def spiking_last(self) -> bool:
        return Decoder(self.decoder).counts


class SpikingRegressor(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        n_in = cfg.encoder.n_outputs(cfg.n_features)
        self.layers = nn.ModuleList()
        shifts = [cfg.leak_shift] * len(cfg.hidden) + [cfg.readout_leak_shift]
        betas, thetas = [], []
        for n_out, k in zip(cfg.widths, shifts, strict=True):
            self.layers.append(nn.Linear(n_in, n_out))
            beta = leak_beta(k)
            betas.append(math.log(beta / (1.0 - beta)) if 0.0 < beta < 1.0 else 0.0)
            thetas.append(cfg.threshold)
            n_in = n_out
        self.shifts = shifts
        # Per-layer leak (logit of beta) and threshold; frozen unless learned.
        self.beta_logit = nn.Parameter(torch.tensor(betas), requires_grad=cfg.learn_leak)
        self.theta = nn.Parameter(torch.tensor(thetas), requires_grad=cfg.learn_threshold)
        self.readout = nn.Linear(n_in, cfg.n_outputs)

    # ------------------------------------------------------------------ parameters

    def linear(self, i: int) -> nn.Linear:
        lin = self.layers[i]
        assert isinstance(lin, nn.Linear)
        return lin

    @property
    def linears(self) -> list[nn.Linear]:
        return [self.linear(i) for i in range(len(self.layers))]

    def spiking(self, i: int) -> bool:
        return i < len(self.layers) - 1 or self.cfg.spiking_last

    def beta(self, i: int, quant: bool = False) -> torch.Tensor | float:
        if not self.cfg.learn_leak or self.shifts[i] is None:
            return leak_beta(self.shifts[i])
        b = torch.sigmoid(self.beta_logit[i])
        return qat.fake_fixed(b, BETA_FRAC) if quant else b

    def threshold(self, i: int, quant: bool = False) -> torch.Tensor:
        th = self.theta[i].clamp(min=2.0**-8)
        return qat.fake_fixed(th) if quant else th

    def layer_params(self, i: int, quant: bool) -> tuple[torch.Tensor, torch.Tensor]:
        lin = self.linear(i)
        if not quant:
            return lin.weight, lin.bias
        return qat.fake_weight(lin.weight, self.cfg.weight_bits), qat.fake_fixed(lin.bias)

    def readout_params(self, quant: bool) -> tuple[torch.Tensor, torch.Tensor]:
        if not quant:
            return self.readout.weight, self.readout.bias
        cfg = self.cfg
        return qat.fake_readout(
            self.readout.weight, self.readout.bias, cfg.decoder, cfg.encoder.steps
        )

    # ------------------------------------------------------------------ forward

    def forward(self, u: torch.Tensor, quant: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """Outputs (B, n_outputs) in [0, 1]-scaled target units, and spikes per layer (B, L + 1)."""
        y, spikes, _ = self.sample(u, quant)
        return y, spikes

    def stream(
        self, u: torch.Tensor, quant: bool = False, state: LayerState | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, LayerState]:
        """B streams of S samples, u (B, S, F), in order, the state carried from sample to
        sample (from the reset state, or from `state`): outputs (B, S, n_outputs), spikes
        per layer and sample (B, S, L + 1), and the state after the last sample."""
        ys, spikes = [], []
        for i in range(u.shape[1]):
            y, sp, state = self.sample(u[:, i], quant, state)
            ys.append(y)
            spikes.append(sp)
        assert state is not None
        return torch.stack(ys, dim=1), torch.stack(spikes, dim=1), state

    def sample(
        self, u: torch.Tensor, quant: bool = False, state: LayerState | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, LayerState]:
        """T steps and a decode on inputs u (B, F), from the reset state or from `state`
        (a stream's next sample): outputs, spikes per layer, and the state after."""
        cfg = self.cfg
        steps = cfg.encoder.steps
        x = encode(cfg.encoder, u.to(self.readout.weight.dtype))  # (T, B, n_enc)
        batch = u.shape[0]
        params = [self.layer_params(i, quant) for i in range(len(self.layers))]
        w0, b0 = params[0]
        if cfg.encoder.spiking:
            cur0 = x @ w0.T + b0  # every step's input current at once
        else:
            cur0 = (x[0] @ w0.T + b0).unsqueeze(0).expand(steps, -1, -1)
        n_last = self.linear(-1).out_features
        if state is not None:
            vs, us = list(state.v), list(state.u)
        else:
            vs = [x.new_zeros(batch, lin.out_features) for lin in self.linears]
        enc_spikes = x.sum(dim=(0, 2)) if cfg.encoder.spiking else x.new_zeros(batch)
        counts = [x.new_zeros(batch) for _ in self.layers]
        last_counts = x.new_zeros(batch, n_last)
        not_fired = x.new_ones(batch, n_last)
        first = x.new_zeros(batch, n_last)
        izh = cfg.izh_neuron() if cfg.neuron == Neuron.IZHIKEVICH else None
        n_hidden = len(cfg.hidden)
        if state is None:
            if isinstance(izh, ir.IzhikevichNeuron):
                for i in range(n_hidden):
                    vs[i] = vs[i] + IZH_V_REST
            u0 = izh.b * IZH_V_REST if isinstance(izh, ir.IzhikevichNeuron) else 0.0
            us = [v * 0.0 + u0 for v in vs]
        betas = [self.beta(i, quant) for i in range(len(self.layers))]
        thetas = [self.threshold(i, quant) for i in range(len(self.layers))]
        for t in range(steps):
            a: torch.Tensor | None = None
            for i in range(len(self.layers)):
                if i == 0:
                    cur = cur0[t]
                else:
                    w, b = params[i]
                    assert a is not None
                    cur = a @ w.T + b
                if isinstance(izh, ir.IzhikevichNeuron) and i < n_hidden:
                    vs[i], us[i], sp = izh_step(
                        vs[i],
                        us[i],
                        cur,
                        a=izh.a,
                        b=izh.b,
                        c=izh.c,
                        d=izh.d,
                        dt=izh.dt_ms,
                        gain=izh.gain,
                        slope=cfg.slope,
                        surrogate=cfg.surrogate,
                    )
                    counts[i] = counts[i] + sp.detach().sum(dim=1)
                    a = sp
                    continue
                vs[i], s = lif_step(
                    vs[i],
                    cur,
                    betas[i],
                    thetas[i],
                    spiking=self.spiking(i),
                    reset=cfg.reset,
                    fire=cfg.fire,
                    slope=cfg.slope,
                    surrogate=cfg.surrogate,
                )
                if s is not None:
                    counts[i] = counts[i] + s.detach().sum(dim=1)
                a = s
            if cfg.spiking_last:
                assert a is not None
                last_counts = last_counts + a
                not_fired = not_fired * (1.0 - a)
                first = first + not_fired  # sum over t of "not fired up to t" = first spike step
        if cfg.decoder == Decoder.MEMBRANE:
            f = vs[-1]
        elif cfg.decoder == Decoder.POPULATION:
            f = torch.sigmoid(vs[-1])
        elif cfg.decoder == Decoder.RATE:
            f = last_counts / steps
        else:
            f = first / steps
        r, c = self.readout_params(quant)
        y = f @ r.T + c
        return y, torch.stack([enc_spikes, *counts], dim=1), LayerState(tuple(vs), tuple(us))
