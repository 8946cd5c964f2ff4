"""Activity counts of a network on a batch of inputs, from the integer reference.

Definitions (docs/metrics.md; NeuroBench's workload metrics):

* spikes per inference, per layer (column 0 is the encoder): exactly what the C
  spike counters (``SNN_MODEL_COUNT_SPIKES``) count;
* activation sparsity: silent (neuron, step) pairs over all (neuron, step) pairs
  of the spiking (LIF) layers, over every sample (NeuroBench ActivationSparsity);
* synaptic operations, NeuroBench's *effective* count: one operation per
  (non-zero input, non-zero integer weight) pair, bias additions excluded; a MAC
  where the input is a multi-valued current, an AC (accumulate) where it is a
  spike. A constant-current layer 0 (encoders ``population``, ``direct``) is
  counted once per inference, because snn2c computes that current once
  (``mac``); ``mac_per_step`` counts it at every step as a framework that
  re-evaluates the layer each step would. The decoder's readout
  (``y = R f + c`` after the last step) is one MAC per non-zero (f_i, R_oi);
* membrane updates: NeuroBench's MembraneUpdates (every neuron at the first
  step, then each neuron whose membrane changed from one step to the next) and
  ``executed``: neurons x steps, what the time-stepped C does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from snn2c import ir
from snn2c.contract import X_ONE, Decoder, Encoder
from snn2c.quantize import quantize
from snn2c.quantize.plan import QuantizedNetwork
from snn2c.reference import run_rows
from snn2c.reference.integer import Result, State, gaussian_activation, sigmoid_q15


@dataclass(frozen=True)
class LayerOps:
    """Synaptic operations of one connection per inference (mean over samples)."""

    name: str
    kind: str  # "mac" (current input) or "ac" (spike input)
    effective: float  # NeuroBench effective operations, as snn2c executes them
    per_step: float  # the same counted at every evaluation of the layer
    dense: float  # every weight at every evaluation, zeros included


@dataclass
class Activity:
    """Counts per inference on a batch of inputs (means over the batch)."""

    n_samples: int
    steps: int
    layer_names: list[str]  # encoder, then one per layer
    spike_counts: np.ndarray  # (B, n_layers + 1) int64, as the C counters
    spikes_per_layer: list[float]  # mean of spike_counts per column
    sparsity_per_layer: dict[str, float]  # spiking layers only
    activation_sparsity: float | None  # None when no layer spikes (no LIF layer)
    ops: list[LayerOps]
    membrane_updates: float
    membrane_updates_executed: float
    neurons: int  # LIF and LI neurons of all layers
    result: Result = field(repr=False)

    @property
    def spikes_per_inference(self) -> float:
        return float(sum(self.spikes_per_layer))

    @property
    def mac(self) -> float:
        return float(sum(o.effective for o in self.ops if o.kind == "mac"))

    @property
    def ac(self) -> float:
        return float(sum(o.effective for o in self.ops if o.kind == "ac"))

    def to_json(self) -> dict:
        return {
            "samples": self.n_samples,
            "steps": self.steps,
            "spikes_per_inference": {
                "total": self.spikes_per_inference,
                "per_layer": dict(zip(self.layer_names, self.spikes_per_layer, strict=True)),
            },
            "activation_sparsity": {
                "total": self.activation_sparsity,
                "per_layer": self.sparsity_per_layer,
            },
            "synops": {
                "mac": self.mac,
                "ac": self.ac,
                "mac_per_step": float(sum(o.per_step for o in self.ops if o.kind == "mac")),
                "dense_mac": float(sum(o.dense for o in self.ops if o.kind == "mac")),
                "dense_ac": float(sum(o.dense for o in self.ops if o.kind == "ac")),
                "per_layer": [
                    {
                        "name": o.name,
                        "kind": o.kind,
                        "effective": o.effective,
                        "per_step": o.per_step,
                        "dense": o.dense,
                    }
                    for o in self.ops
                ],
            },
            "membrane_updates": {
                "neurobench": self.membrane_updates,
                "executed": self.membrane_updates_executed,
            },
        }


def layer_names(net: ir.Network) -> list[str]:
    names = [f"encoder ({net.encoder.kind})"]
    last = len(net.layers) - 1
    for i, layer in enumerate(net.layers):
        role = "output" if i == last else "hidden"
        names.append(f"layer {i} ({role}, {layer.neuron.kind.upper()} x{layer.n_out})")
    return names


def encoder_current(qnet: QuantizedNetwork, x_q: np.ndarray) -> np.ndarray | None:
    """Layer 0's constant Q12 input (B, n_enc) for current encoders, else None."""
    enc = qnet.encoder
    xc = np.clip(np.asarray(x_q, dtype=np.int64), 0, X_ONE)
    if enc.kind is Encoder.POPULATION:
        return gaussian_activation(enc, xc)
    if enc.kind is Encoder.DIRECT:
        return xc
    return None


def decoder_features(qnet: QuantizedNetwork, res: Result) -> np.ndarray:
    """The decoder's integer feature vector f (B, n_last) after the last step."""
    assert res.spikes is not None and res.membranes is not None
    kind = qnet.decoder.kind
    v = res.membranes[-1][:, -1, :]
    s = res.spikes[-1].astype(np.int64)
    if kind is Decoder.MEMBRANE:
        return v
    if kind is Decoder.POPULATION:
        assert qnet.decoder.sigmoid is not None
        return sigmoid_q15(qnet.decoder.sigmoid, v)
    if kind is Decoder.RATE:
        return s.sum(axis=1)
    fired = s.any(axis=1)
    return np.where(fired, s.argmax(axis=1), qnet.steps)


def _ops(qnet: QuantizedNetwork, x_q: np.ndarray, res: Result, names: list[str]) -> list[LayerOps]:
    assert res.spikes is not None
    steps = qnet.steps
    ops: list[LayerOps] = []
    current = encoder_current(qnet, x_q)
    for i, layer in enumerate(qnet.layers):
        nz = (layer.weight != 0).astype(np.int64)  # (n_out, n_in)
        fan_out = nz.sum(axis=0)  # non-zero weights leaving each input
        dense_eval = float(layer.n_in * layer.n_out)
        name = f"{names[i]} -> {names[i + 1].split(' (')[0]}"
        if i == 0 and current is not None:
            per_eval = float(((current != 0).astype(np.int64) @ fan_out).mean())
            ops.append(LayerOps(name, "mac", per_eval, per_eval * steps, dense_eval))
        else:
            a = res.spikes[i].astype(np.int64)  # (B, T, n_in)
            ac = float((a.sum(axis=1) @ fan_out).mean())
            ops.append(LayerOps(name, "ac", ac, ac, dense_eval * steps))
    d = qnet.decoder
    f = decoder_features(qnet, res)
    fan_out = (d.weight != 0).astype(np.int64).sum(axis=0)
    mac = float(((f != 0).astype(np.int64) @ fan_out).mean())
    ops.append(LayerOps(f"decoder ({d.kind} readout)", "mac", mac, mac, float(d.weight.size)))
    return ops


def _membrane_updates(res: Result) -> float:
    """NeuroBench MembraneUpdates per inference: all neurons at step 0, then changes."""
    assert res.membranes is not None
    total = 0
    for m in res.membranes:
        b, _, n = m.shape
        total += b * n + int(np.count_nonzero(np.diff(m, axis=1)))
    return total / max(1, res.membranes[0].shape[0])


def activity(
    net: ir.Network,
    x_q: np.ndarray,
    qnet: QuantizedNetwork | None = None,
    state: State | None = None,
) -> Activity:
    """Run the integer reference with traces on Q12 inputs (B, F) and count everything:
    B inferences, or for a streaming model B samples of one stream (from `state`, the
    state the samples before them left, or from the reset)."""
    qnet = qnet or quantize(net)
    x_q = np.asarray(x_q, dtype=np.int64)
    res = run_rows(qnet, x_q, state=state, trace=True)
    assert res.spikes is not None and res.membranes is not None
    names = layer_names(net)
    batch = x_q.shape[0]
    counts = res.spike_counts.astype(np.int64)
    spikes = [float(c) for c in counts.mean(axis=0)] if batch else [0.0] * len(names)
    sparsity: dict[str, float] = {}
    silent = total = 0
    for i, layer in enumerate(qnet.layers):
        if not layer.spiking:
            continue
        s = res.spikes[i + 1]
        n_act = s.size
        n_silent = n_act - int(s.sum())
        sparsity[names[i + 1]] = n_silent / n_act if n_act else 1.0
        silent += n_silent
        total += n_act
    neurons = sum(layer.n_out for layer in qnet.layers)
    return Activity(
        n_samples=batch,
        steps=qnet.steps,
        layer_names=names,
        spike_counts=counts,
        spikes_per_layer=spikes,
        sparsity_per_layer=sparsity,
        activation_sparsity=silent / total if total else None,
        ops=_ops(qnet, x_q, res, names),
        membrane_updates=_membrane_updates(res),
        membrane_updates_executed=float(neurons * qnet.steps),
        neurons=neurons,
        result=res,
    )
