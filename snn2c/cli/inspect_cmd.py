"""`snn2c inspect MODEL`: layers, parameters, weight bytes, Q-formats and range proof."""

from __future__ import annotations

import argparse
from typing import Any

from snn2c import ir, modelfile
from snn2c.cli._common import add_json, add_model, emit_json
from snn2c.contract import Neuron, ResetTiming
from snn2c.quantize import load_model
from snn2c.reference import countform, fidelity


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inspect",
        help="summarise a model: layers, sizes, Q-formats",
        description=(
            "Print what the compiler makes of a .snn model: its encoder, layers and decoder, "
            "the integer widths and shifts of each layer, the bytes of its tables, and the "
            "range proof that no accumulator or membrane can overflow (docs/fixed-point.md)."
        ),
    )
    add_model(p)
    add_json(p)
    p.set_defaults(func=run)


def _neuron_summary(n: ir.NeuronSpec) -> dict[str, Any]:
    """A layer's neuron columns. An Izhikevich layer shows the leaky-integrator fields its
    file entry carries (modelfile.IZH_LIF_FIELDS), as the JSON always has."""
    leaky = n if isinstance(n, ir.LeakyNeuron) else modelfile.IZH_LIF_FIELDS
    return {
        "neuron": n.kind,
        "beta": leaky.decay,
        "leak": leaky.leak,
        "threshold": leaky.threshold,
        "reset": leaky.reset,
        "reset_timing": leaky.reset_timing,
        "fire": leaky.fire,
    }


def summary(path: str) -> dict:
    q = load_model(path)
    net = q.source
    layers: list[dict[str, Any]] = []
    for layer, ql in zip(net.layers, q.layers, strict=True):
        layers.append(
            {
                "shape": [layer.n_in, layer.n_out],
                **_neuron_summary(layer.neuron),
                "parameters": layer.weight.size + layer.bias.size,
                "weight_format": f"int{ql.weight_bits} Q{ql.weight_frac}",
                "weight_bytes": layer.weight.size * ql.weight_bits // 8,
                "accumulator": "int64" if ql.acc_wide else "int32",
                "range_proof": "saturating" if ql.saturate else "proven",
                "membrane_bound": list(ql.bounds.membrane),
            }
        )
    d = q.decoder
    return {
        "model": path,
        "name": net.name,
        "hash": modelfile.model_hash(net),
        "inputs": list(net.inputs.names),
        "target": {"name": net.target.name, "units": net.target.units},
        "encoder": {
            "kind": net.encoder.kind,
            "steps": net.steps,
            "outputs": q.encoder.n_out,
            **({"inputs": net.input_encodings()} if net.encoder.features is not None else {}),
        },
        "layers": layers,
        "decoder": {
            "kind": d.kind,
            "outputs": d.n_outputs,
            "weight_format": f"int16 Q{d.weight_frac}",
            "feature_format": f"Q{d.feature_frac}",
        },
        "parameters": int(
            sum(x["parameters"] for x in layers) + net.decoder.weight.size + net.decoder.bias.size
        ),
        "weight_bytes": int(sum(x["weight_bytes"] for x in layers) + d.weight.size * 2),
        "formats": {"input": "Q12", "membrane": "Q16", "output": "Q16"},
        "streaming": net.streaming,
        "proof_horizon": "for ever" if net.streaming else f"{net.steps} steps after a reset",
        "counting_form": countform.why_not(q) is None,
        "counting_form_reason": countform.why_not(q),
        "metadata": net.metadata,
    }


def run(args: argparse.Namespace) -> int:
    s = summary(args.model)
    if args.json:
        emit_json(s)
        return 0
    print(f"{s['name']}  (sha256:{s['hash'][:16]}...)")
    print(f"  inputs   {len(s['inputs'])}: {', '.join(s['inputs'])}")
    tgt = s["target"]
    units = f" [{tgt['units']}]" if tgt["units"] else ""
    print(f"  target   {tgt['name']}{units}")
    e = s["encoder"]
    print(f"  encoder  {e['kind']}, {e['outputs']} outputs, {e['steps']} steps, inputs Q12")
    for name, how in e.get("inputs", {}).items():
        print(f"           {name}: {how}")
    for i, layer in enumerate(s["layers"]):
        print(
            f"  layer {i}  {layer['shape'][0]:>4} -> {layer['shape'][1]:<4} {layer['neuron']:<3} "
            f"beta={layer['beta']:.4g} thr={layer['threshold']:.4g} reset={layer['reset']}"
            + (
                f"/{layer['reset_timing']}"
                if layer["neuron"] is Neuron.LIF
                and layer["reset_timing"] is not ResetTiming.SAME_STEP
                else ""
            )
            + " "
            f"weights {layer['weight_format']} ({layer['weight_bytes']} B), "
            f"acc {layer['accumulator']}, membrane Q16 {layer['range_proof']}"
        )
    d = s["decoder"]
    print(f"  decoder  {d['kind']}, {d['outputs']} output(s), weights {d['weight_format']}")
    fid = fidelity.stored(s["metadata"])
    if fid:
        print(f"  import   {fid.text()}")
    print(f"  total    {s['parameters']} parameters, {s['weight_bytes']} bytes of weights")
    if s["streaming"]:
        print(
            f"  stream   snn_model_push: {e['steps']} steps per sample, the state carried "
            "from sample to sample; range proof for ever (docs/streaming.md)"
        )
    elif s["counting_form"]:
        print(
            "  infer    counting form: the same bits without the time steps (docs/fixed-point.md)"
        )
    else:
        print(f"  infer    {e['steps']} time steps (no counting form: {s['counting_form_reason']})")
    return 0
