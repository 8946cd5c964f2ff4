"""`snn2c import-nir GRAPH.nir -o MODEL.snn` and `snn2c export-nir MODEL.snn -o GRAPH.nir`."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from snn2c import ir, modelfile
from snn2c.cli._common import add_force, add_json, add_model, add_output, emit_json, options_to
from snn2c.contract import Decoder, Encoder, Reset, ResetTiming, kind_names
from snn2c.errors import Snn2cError
from snn2c.nir.exporter import FLAVOURS
from snn2c.nir.frameworks import FRAMEWORKS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import-nir",
        help="convert a NIR graph (snnTorch, Norse, Rockpool, Sinabs...) into a .snn model",
        description="Map a NIR graph onto an snn2c model; docs/nir.md lists the conventions.",
    )
    p.add_argument("graph", help="NIR graph file (.nir, HDF5)")
    add_output(p, "model")
    p.add_argument(
        "--dt", type=float, help="seconds per step (default: sidecar, else 1e-4 as snnTorch)"
    )
    p.add_argument("--steps", type=int, help="time steps per inference (default: sidecar, else 16)")
    p.add_argument(
        "--input-range",
        nargs="+",
        metavar="LO:HI",
        help="raw input range, one for all features or one per feature (default 0:1)",
    )
    p.add_argument("--encoder", choices=kind_names(Encoder), help="input coding (default direct)")
    p.add_argument(
        "--neurons-per-feature", type=int, help="receptive fields per feature (population encoders)"
    )
    p.add_argument(
        "--decoder",
        choices=kind_names(Decoder),
        help="readout of the last layer (default membrane)",
    )
    p.add_argument("--reset", choices=kind_names(Reset), help="override the reset mode (NIR: zero)")
    p.add_argument(
        "--reset-timing",
        choices=kind_names(ResetTiming),
        help="same_step (NIR's definition, default), next_step (snnTorch's reset_delay=True) "
        "or fire_first (Spyx: fire on the previous step's V)",
    )
    p.add_argument(
        "--weight-bits",
        type=int,
        choices=ir.WEIGHT_BITS,
        help="force the weight width (default: the narrowest that keeps the fixed-point "
        "network within 1 %% (mean) and 10 %% (99th percentile) of the output's std of the "
        "float import; an snn2c export keeps its own)",
    )
    p.add_argument(
        "--calibrate",
        metavar="CSV",
        help="raw inputs to measure fidelity on, one column per input (default: 1000 "
        "rows uniform over --input-range)",
    )
    p.add_argument("--name", help="model name (default: sidecar, else nir-import)")
    p.add_argument(
        "--from",
        dest="framework",
        choices=FRAMEWORKS,
        help="read the graph as that framework runs it, not as NIR's Euler step (docs/nir.md)",
    )
    add_force(p, "file")
    add_json(p)
    p.set_defaults(func=run_import)

    q = sub.add_parser(
        "export-nir",
        help="write a .snn model as a NIR graph",
        description=(
            "Write a .snn model as a NIR graph (HDF5) that snnTorch, Norse and other NIR "
            "readers load; snn2c's choices NIR does not record (dt, reset mode and timing, "
            "threshold comparison, encoder, decoder) go into the graph's metadata, which "
            "import-nir reads back (plain NIR; --for writes a framework's form without it). "
            "docs/nir.md lists the mapping and each framework's reading."
        ),
    )
    add_model(q)
    add_output(q, "graph")
    q.add_argument(
        "--for",
        dest="flavour",
        choices=FLAVOURS,
        default="nir",
        help="write for a framework's NIR reader (docs/nir.md): snntorch (dt 1e-4, readout "
        "as an unreachable LIF), norse (r = 1, readout as an unreachable LIF); default: "
        "plain NIR with snn2c's sidecar",
    )
    add_force(q, "file")
    add_json(q)
    q.set_defaults(func=run_export)


def _ranges(values: list[str] | None) -> tuple[tuple[float, float], ...] | None:
    if not values:
        return None
    out = []
    for text in values:
        lo, sep, hi = text.partition(":")
        try:
            pair = (float(lo), float(hi))
        except ValueError:
            pair = (math.nan, math.nan)
        if not sep or not all(math.isfinite(v) for v in pair) or pair[1] <= pair[0]:
            raise Snn2cError(f"--input-range: expected LO:HI with finite LO < HI, got {text!r}")
        out.append(pair)
    return tuple(out)


def run_import(args: argparse.Namespace) -> int:
    from snn2c.nir.importer import ImportOptions, import_file

    out = Path(args.output)
    if out.exists() and not args.force:
        raise Snn2cError(f"{out}: already exists (use --force to overwrite)")
    opts = options_to(ImportOptions, args, input_range=_ranges(args.input_range))
    result = import_file(args.graph, opts)
    modelfile.save(result.net, out, force=args.force)
    net = result.net
    if args.json:
        emit_json(
            {
                "graph": args.graph,
                "model": str(out),
                "hash": modelfile.model_hash(net),
                "dt": net.dt,
                "steps": net.steps,
                "encoder": net.encoder.kind,
                "decoder": net.decoder.kind,
                "inputs": net.n_inputs,
                "outputs": net.n_outputs,
                "sidecar": result.sidecar_used,
                "layers": result.layers,
                "notes": result.notes,
                "fidelity": {
                    "chosen": result.fidelity.chosen.to_json(),
                    "measured": [f.to_json() for f in result.fidelity.measured],
                }
                if result.fidelity
                else None,
            }
        )
        return 0
    print(f"{args.graph} -> {out}  ({len(net.layers)} layers, dt={net.dt:g} s, {net.steps} steps)")
    print(
        f"  encoder {net.encoder.kind}, {net.n_inputs} inputs; decoder {net.decoder.kind}, {net.n_outputs} outputs"
    )
    for i, layer in enumerate(result.layers):
        spiking = (
            f" thr={layer['threshold']:.6g} reset={layer['reset']}/{layer['reset_timing']} "
            f"fire={layer['fire']}"
            if layer["kind"].spiking
            else ""
        )
        print(
            f"  layer {i}  {layer['synapse']}+{layer['neurons']} ({layer['type']}) "
            f"{layer['n_in']} -> {layer['n_out']} {layer['kind']} beta={layer['beta']:.6g}"
            + spiking
        )
    if result.fidelity is not None:
        print(f"  fidelity: {result.fidelity.chosen.text()}")
    for note in result.notes:
        print(f"  note: {note}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from snn2c.nir.exporter import unexpressed, write_graph

    out = Path(args.output)
    if out.exists() and not args.force:
        raise Snn2cError(f"{out}: already exists (use --force to overwrite)")
    net = modelfile.load(args.model)
    write_graph(net, out, force=args.force, flavour=args.flavour)
    notes = unexpressed(net)
    if args.flavour == "snntorch":
        notes.append("written in snnTorch's time base, dt = 1e-4 s: import it with --dt 0.0001")
    if args.flavour == "norse":
        notes.append(f"Norse: from_nir(graph, dt={net.dt:g}) (the model's dt)")
    if args.flavour != "nir":
        notes.append("no snn2c sidecar in a flavoured graph: import-nir needs the options again")
    if args.json:
        emit_json(
            {
                "model": args.model,
                "graph": str(out),
                "dt": net.dt,
                "for": args.flavour,
                "layers": len(net.layers),
                "notes": notes,
            }
        )
        return 0
    print(f"{args.model} -> {out}  ({len(net.layers)} layers, dt={net.dt:g} s)")
    for note in notes:
        print(f"  note: {note}")
    return 0
