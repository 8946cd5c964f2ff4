"""Torch model -> snn2c.ir.Network (the .snn IR).

With ``quantized=True`` every weight, bias and threshold is written already on
the contract's grid (the values QAT trained against), so the quantizer maps them
to exactly the integers the torch forward pass used: for a snapped tensor the
largest scale with max|W| 2^ws <= qmax is the same ws again.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from snn2c import ir
from snn2c.contract import BETA_FRAC, V_ONE, Decoder, Fire, Leak, Neuron, Reset, leak_beta
from snn2c.train import qat
from snn2c.train.model import SpikingRegressor


def _np(t: torch.Tensor) -> np.ndarray:
    arr = t.detach().to(torch.float64).cpu().numpy().copy()
    arr.setflags(write=False)
    return arr


def to_network(
    model: SpikingRegressor,
    *,
    name: str,
    inputs: ir.InputSpec,
    target: ir.TargetSpec,
    quantized: bool = True,
    metadata: dict[str, Any] | None = None,
) -> ir.Network:
    cfg = model.cfg
    layers = []
    with torch.no_grad():
        for i, lin in enumerate(model.linears):
            w: torch.Tensor = lin.weight.double()
            b: torch.Tensor = lin.bias.double()
            th = model.threshold(i).double()
            if quantized:
                w = qat.snap_weight(w, cfg.weight_bits)
                b = qat.snap_fixed(b)
                th = qat.snap_fixed(th)
            if model.shifts[i] is None:  # no leak: beta = 1 exactly in Q15
                leak, beta = Leak.MUL, 1.0
            elif cfg.learn_leak:
                beta = float(torch.sigmoid(model.beta_logit[i]))
                beta = float(np.floor(beta * 2**BETA_FRAC + 0.5) / 2**BETA_FRAC)
                leak = Leak.MUL
            else:
                leak, beta = Leak.SHIFT, leak_beta(model.shifts[i])
            cls = ir.LIFNeuron if model.spiking(i) else ir.LINeuron
            neuron: ir.NeuronSpec = cls(
                leak=leak,
                leak_shift=model.shifts[i] or 0,
                beta=beta,
                threshold=max(float(th), 1.0 / V_ONE),
                reset=Reset(cfg.reset),
                fire=Fire(cfg.fire),
            )
            if cfg.neuron == Neuron.IZHIKEVICH and i < len(cfg.hidden):
                neuron = cfg.izh_neuron()
            layers.append(ir.DenseLayer(_np(w), _np(b), neuron))
        rw, rb = model.readout.weight.double(), model.readout.bias.double()
        if quantized:
            rw, rb = qat.snap_readout(rw, rb, cfg.decoder, cfg.encoder.steps)
        decoder = ir.DecoderSpec(Decoder(cfg.decoder), _np(rw), _np(rb))
    return ir.Network(
        name=name,
        inputs=inputs,
        target=target,
        encoder=cfg.encoder,
        layers=tuple(layers),
        decoder=decoder,
        weight_bits=cfg.weight_bits,
        metadata=dict(metadata or {}),
    )
