"""Write an snn2c network as a NIR graph (docs/nir.md).

Each layer becomes an Affine node (the float weights and bias, unchanged) and a
neuron node with gain r dt/tau = 1: LIF (beta < 1), IF (beta = 1), or LI / I for
a non-spiking last layer. The graph's input is the encoder's output and its
output the last layer's spikes (or membrane). What NIR cannot hold - encoder,
decoder, inputs, target, dt, leak form, reset mode and timing, comparison - is
stored as JSON in the graph's metadata under "snn2c", so that import-nir gives
the same network back.

Other frameworks' NIR readers take less than NIR says (docs/nir.md, per framework), so
``flavour`` writes the same dynamics in the form a reader takes:

* "snntorch": the time base snnTorch's reader assumes (dt = 1e-4 s; tau = dt/(1-beta),
  r = tau/dt), and the non-spiking readout as a LIF whose threshold it can never reach
  (snnTorch has no LI reader);
* "norse": r = 1 with the gain r dt/tau folded into the Affine weights and bias (Norse's
  reader ignores r), tau in seconds of the model's dt, the readout as an unreachable
  LIF (Norse's reader drops LI nodes).

Flavoured graphs carry no sidecar: they are written for the other framework.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from snn2c import ir, modelfile
from snn2c.contract import Fire, Reset, ResetTiming
from snn2c.errors import Snn2cError
from snn2c.nir import mapping
from snn2c.nir.frameworks import SNNTORCH_DT  # snntorch.import_from_nir's fixed step
from snn2c.nir.importer import SIDECAR_FORMAT, SIDECAR_KEY, membrane_bound
from snn2c.nir.package import require_nir


def unexpressed(net: ir.Network) -> list[str]:
    """What other NIR simulators will not reproduce (they run NIR's own semantics)."""
    notes = [
        f"the {net.encoder.kind} encoder and the {net.decoder.kind} decoder are not NIR "
        "nodes: the graph maps encoder outputs to the last layer's "
        + ("spikes" if net.layers[-1].neuron.spiking else "membrane")
    ]
    for i, layer in enumerate(net.layers):
        n = layer.neuron
        if not isinstance(n, ir.LIFNeuron):
            continue  # LI: nothing to say; other models are refused by export_network
        if n.reset is Reset.SUBTRACT:
            notes.append(f"layer {i} resets by subtraction; NIR's LIF resets to v_reset = 0")
        if n.reset_timing is ResetTiming.NEXT_STEP:
            notes.append(f"layer {i} resets on the next step; NIR resets at the spike")
        elif n.reset_timing is ResetTiming.FIRE_FIRST:
            notes.append(
                f"layer {i} fires on the previous step's membrane (Spyx); NIR fires on the "
                "current one"
            )
        if n.fire is Fire.GE:
            notes.append(f"layer {i} fires on V >= threshold; NIR fires on V > threshold")
    return notes


FLAVOURS = ("nir", "snntorch", "norse")
UNREACHABLE = 1e9  # the readout threshold of flavoured exports (checked against the bound)


def export_network(net: ir.Network, flavour: str = "nir") -> Any:
    """The nir.NIRGraph for a network, in a reader's flavour (see the module's text)."""
    if flavour not in FLAVOURS:
        raise Snn2cError(f"--for: expected one of {', '.join(FLAVOURS)}, got {flavour!r}")
    neurons = [_leaky(layer.neuron, i) for i, layer in enumerate(net.layers)]
    nir = require_nir()
    nodes: dict[str, Any] = {
        "input": nir.Input(input_type={"input": np.array([net.layers[0].n_in])})
    }
    edges: list[tuple[str, str]] = []
    prev = "input"
    dt = SNNTORCH_DT if flavour == "snntorch" else net.dt
    for i, (layer, n) in enumerate(zip(net.layers, neurons, strict=True)):
        spiking, threshold = n.spiking, n.threshold
        if not spiking and flavour != "nir":
            bound = float(membrane_bound(layer, net.encoder.steps).max())
            spiking, threshold = True, max(UNREACHABLE, 10.0 * bound)
        fc, neu = f"fc{i}", f"{'lif' if n.spiking else 'li'}{i}"
        c = mapping.to_continuous(spiking, n.decay, threshold, layer.n_out, dt)
        weight = np.array(layer.weight, dtype=np.float64)
        bias = np.array(layer.bias, dtype=np.float64)
        if flavour == "norse":  # r into the weights and bias (r W is what NIR means), r = 1
            r = c.params["r"]
            weight, bias = weight * r[:, None], bias * r
            c.params["r"] = np.ones(layer.n_out)
        nodes[fc] = nir.Affine(weight=weight, bias=bias)
        nodes[neu] = getattr(nir, c.node_type)(**c.params)
        edges += [(prev, fc), (fc, neu)]
        prev = neu
    nodes["output"] = nir.Output(output_type={"output": np.array([net.layers[-1].n_out])})
    edges.append((prev, "output"))
    if flavour != "nir":
        return nir.NIRGraph(nodes=nodes, edges=edges)
    model = modelfile.to_dict(net)
    model["layers"] = [{"neuron": entry["neuron"]} for entry in model["layers"]]
    sidecar = {
        "format": SIDECAR_FORMAT,
        "version": 1,
        "model_sha256": modelfile.model_hash(net),
        "model": model,
    }
    meta = {SIDECAR_KEY: json.dumps(sidecar, sort_keys=True, allow_nan=False)}
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=meta)


def _leaky(n: ir.NeuronSpec, index: int) -> ir.LIFNeuron | ir.LINeuron:
    """A layer's neurons as the NIR nodes can hold them (LIF, IF, LI, I), or refused."""
    if isinstance(n, ir.LIFNeuron | ir.LINeuron):
        return n
    raise Snn2cError(f"layer {index}: {n.title} neurons have no NIR node; cannot export")


def graph_bytes(graph: Any) -> bytes:
    nir = require_nir()
    buf = io.BytesIO()
    nir.write(buf, graph)
    return buf.getvalue()


def write_graph(
    net: ir.Network, path: str | Path, *, force: bool = False, flavour: str = "nir"
) -> Path:
    """Export a network to a .nir (HDF5) file, atomically; never overwrites without force."""
    path = Path(path)
    if path.exists() and not force:
        raise Snn2cError(f"{path}: already exists (use --force to overwrite)")
    data = graph_bytes(export_network(net, flavour))
    modelfile.write_atomic(path, data)
    return path
