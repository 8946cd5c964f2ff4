"""snn2c report MODEL [MODEL ...]: accuracy, spikes, synaptic operations, energy, target cost."""

from __future__ import annotations

import argparse
from pathlib import Path

from snn2c import modelfile
from snn2c.cli._common import add_force, add_json, emit_json, seed_arg
from snn2c.cli._common import or_na as _f
from snn2c.errors import Snn2cError
from snn2c.quantize import load_model
from snn2c.train import datasets


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="accuracy, spikes, synaptic operations, energy and target cost, with figures",
        description=(
            "Evaluate one or more .snn models on a test set: accuracy of the float and "
            "quantized SNN and of a baseline ANN, spikes and synaptic operations per "
            "inference, energy by the literature's models (estimates, constants printed), "
            "and with --build the flash, RAM and instructions per inference on the target. "
            "With --out, PNG figures and a self-contained report.html. Definitions and "
            "sources: docs/metrics.md."
        ),
    )
    p.add_argument("models", nargs="+", metavar="MODEL", help=".snn model file(s)")
    p.add_argument("--build", metavar="DIR", help="a folder written by `snn2c build` (first model)")
    p.add_argument(
        "--dataset",
        metavar="NAME",
        help=f"{datasets.help_text()} (default: the one the model was trained on)",
    )
    p.add_argument("--target", metavar="COLUMN", help="target column of a csv:PATH dataset")
    p.add_argument(
        "--seed", type=seed_arg, help="split seed (default: the model's training seed, else 0)"
    )
    p.add_argument("--out", metavar="DIR", help="write figures and report.html here")
    add_force(p, "folder")
    add_json(p)
    p.add_argument("--sample", type=int, default=0, help="test sample drawn in the figures")
    g = p.add_argument_group("baseline ANN")
    g.add_argument("--no-ann", action="store_true", help="do not retrain the baseline ANN")
    g.add_argument("--ann-epochs", type=int, default=200, help="epochs of the ANN (default 200)")
    from snn2c.report import energy, target

    g = p.add_argument_group("energy model constants (docs/metrics.md)")
    g.add_argument(
        "--e-mac",
        type=float,
        default=energy.E_MAC_PJ,
        metavar="PJ",
        help=f"energy per MAC (default {energy.E_MAC_PJ} pJ, 45 nm, Horowitz 2014)",
    )
    g.add_argument(
        "--e-ac",
        type=float,
        default=energy.E_AC_PJ,
        metavar="PJ",
        help=f"energy per accumulate (default {energy.E_AC_PJ} pJ, 45 nm)",
    )
    g.add_argument(
        "--e-spike",
        type=float,
        default=energy.E_SPIKE_PJ,
        metavar="PJ",
        help=f"energy per spike (default {energy.E_SPIKE_PJ} pJ)",
    )
    g.add_argument(
        "--p-leak",
        type=float,
        default=None,
        metavar="W",
        help="total static power P_leak (default: --p-leak-per-neuron x neurons)",
    )
    g.add_argument(
        "--p-leak-per-neuron",
        type=float,
        default=energy.P_LEAK_PER_NEURON_W,
        metavar="W",
        help="static power per neuron (default 60 nW, TrueNorth's power per neuron)",
    )
    g = p.add_argument_group("target (with --build)")
    g.add_argument(
        "--verify-json",
        metavar="FILE",
        help="reuse a saved `snn2c verify --json` document instead of running QEMU",
    )
    g.add_argument("--no-emulator", action="store_true", help="do not run QEMU")
    g.add_argument("--vectors", type=int, default=20, help="vectors for the QEMU run (default 20)")
    g.add_argument(
        "--current-ma",
        type=float,
        metavar="MA",
        help="supply current for the energy estimate (default: the board file's datasheet value)",
    )
    g.add_argument(
        "--voltage",
        type=float,
        metavar="V",
        help="supply voltage (default: the board file's, else 3.3 V)",
    )
    g.add_argument(
        "--cpi",
        type=float,
        default=target.CPI,
        help=f"cycles per instruction assumed (default {target.CPI})",
    )
    p.set_defaults(func=run)


def _target(args: argparse.Namespace, net) -> dict:
    from snn2c.report import target

    if not args.build:
        return {"available": False, "reason": "no --build DIR given"}
    verify = target.load_verify_json(args.verify_json) if args.verify_json else None
    doc = target.target_report(
        args.build,
        verify=verify,
        run_emulator=not args.no_emulator,
        vectors=args.vectors,
        current_ma=args.current_ma,
        voltage=args.voltage,
        cpi=args.cpi,
    )
    doc["available"] = True
    built = doc.get("model_hash") or target.read_build(args.build)["manifest"].get("model_hash")
    if built and built != modelfile.model_hash(net):
        doc["warning"] = f"{args.build} was built from another model (hash {built[:16]})"
    return doc


def _ann_on_target(args: argparse.Namespace, net, data, doc: dict) -> None:
    """The stored baseline MLP measured on the same board, beside the SNN (doc['target'])."""
    from snn2c.report import ann_target, target
    from snn2c.scoring import regression_metrics

    t = doc["target"]
    if not t.get("available") or args.no_emulator:
        return
    board = target.read_build(args.build)["board"]
    ann = ann_target.measure(args.build, board, net, data.x_test)
    if "outputs01" in ann:
        y = net.target.offset + net.target.scale * ann.pop("outputs01")
        ann["accuracy"] = regression_metrics(data.y_test, y[:, None], net.target)
        ann["estimate"] = target.estimate(
            board,
            ann["instructions_per_inference"],
            current_ma=args.current_ma,
            voltage=args.voltage,
            cpi=args.cpi,
        )
        t["snn_model"] = ann_target.snn_footprint(args.build, board)
    t["ann"] = ann


def run(args: argparse.Namespace) -> int:
    from snn2c.report import core, energy
    from snn2c.report.html import write_html

    for name, value in (
        ("--e-mac", args.e_mac),
        ("--e-ac", args.e_ac),
        ("--e-spike", args.e_spike),
    ):
        if value < 0:
            raise Snn2cError(f"{name}: expected a non-negative energy in pJ, got {value}")
    if args.p_leak is not None and args.p_leak < 0:
        raise Snn2cError(f"--p-leak: expected a non-negative power in W, got {args.p_leak}")
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise Snn2cError(f"{out}: is a file (expected a folder for the report)")
    if out is not None and out.is_dir() and any(out.iterdir()) and not args.force:
        # report.html and the figures would replace what is there
        raise Snn2cError(f"{out}: already exists and is not empty (use --force to overwrite)")
    constants = energy.EnergyConstants(
        e_mac_pj=args.e_mac,
        e_ac_pj=args.e_ac,
        e_spike_pj=args.e_spike,
        p_leak_w=args.p_leak,
        p_leak_per_neuron_w=args.p_leak_per_neuron,
    )
    docs = []
    stems: set[str] = set()
    for i, path in enumerate(args.models):
        qnet = load_model(path)
        net = qnet.source
        data = core.load_data(net, args.dataset, args.target, args.seed)
        name = Path(path).stem
        while name in stems:
            name += "_"
        stems.add(name)
        doc = core.model_report(
            qnet,
            data,
            name=name,
            constants=constants,
            out=out,
            train_ann=not args.no_ann,
            ann_epochs=args.ann_epochs,
            sample=args.sample,
        )
        doc["target"] = (
            _target(args, net)
            if i == 0
            else {"available": False, "reason": "--build applies to the first model"}
        )
        if i == 0:
            _ann_on_target(args, net, data, doc)
        docs.append(doc)
    comparison = [
        {
            "name": d["model"],
            "decoder": d["decoder"],
            "mse": d["accuracy"]["snn_quantized"]["mse"],
            "energy_pj": d["energy_pj"]["snn"],
            "energy_synops_pj": d["energy_pj"]["snn_synops"],
        }
        for d in docs
    ]
    html_path = None
    if out is not None:
        from snn2c.report import figures

        comp_png = (
            figures.decoder_comparison(comparison, out / "decoders.png") if len(docs) > 1 else None
        )
        html_path = write_html({"models": docs}, out / "report.html", comp_png)
    result = dict(docs[0]) if len(docs) == 1 else {"models": docs, "comparison": comparison}
    if html_path is not None:
        result["report_html"] = str(html_path)
    if args.json:
        emit_json(result)
    else:
        for d in docs:
            _summary(d)
        if html_path is not None:
            print(f"report written to {html_path}")
    return 0


def _summary(d: dict) -> None:
    a = d["accuracy"]
    print(
        f"{d['model']}: {d['encoder']} encoder, {d['decoder']} decoder, T = {d['steps']}"
        f"{' per sample (streaming)' if d.get('streaming') else ''}, {d['dataset']}"
    )
    for key, label in (
        ("snn_float", "SNN float"),
        ("snn_quantized", "SNN quantized"),
        ("ann", "baseline ANN"),
        ("linear", "linear reg."),
    ):
        m = a.get(key)
        if m is None:
            print(f"  {label:<14} n/a ({a.get(key + '_reason', 'not available')})")
        else:
            print(f"  {label:<14} MSE {_f(m['mse'])} (scaled)  R2 {_f(m['r2'], '.4f')}")
    fid = a.get("import_fidelity")
    if fid:
        print(
            f"  import fidelity int{fid['weight_bits']} weights, fixed point against the float "
            f"import: mean {_f(fid['mean'], '.4f')}, 99th percentile {_f(fid['p99'], '.4f')} "
            f"of the output's std ({fid['samples']} inputs, {fid['calibration']})"
        )
    inputs = d.get("inputs")
    if inputs:
        dropped = inputs["dropped"]
        print(
            f"  inputs read    {len(inputs['read'])} of {len(inputs['read']) + len(dropped)}"
            + (f" (dropped: {', '.join(dropped)})" if dropped else "")
        )
    free = a.get("free_running")
    if free:
        print(
            f"  free-running sMAPE (NeuroBench, {free['steps']} steps on its own predictions): "
            f"SNN quantized {_f(free['snn_quantized'], '.2f')}, baseline ANN "
            f"{_f(free['ann'], '.2f')}"
        )
    s = d["synops"]
    print(
        f"  per {'sample' if d.get('streaming') else 'inference'}: "
        f"{_f(d['spikes_per_inference']['total'], '.1f')} spikes, "
        f"sparsity {_f(d['activation_sparsity']['total'], '.3f')}, "
        f"{_f(s['mac'], '.1f')} MAC + {_f(s['ac'], '.1f')} AC, "
        f"{_f(d['membrane_updates']['executed'], '.0f')} membrane updates"
    )
    e = d["energy_pj"]
    c = e["constants"]
    print(
        f"  energy (estimate): ANN {_f(e['ann'])} pJ, SNN {_f(e['snn'])} pJ "
        f"(ratio {_f(e['ratio'], '.3g')}), SNN by synops {_f(e['snn_synops'])} pJ "
        f"(ratio {_f(e['ratio_synops'], '.3g')})"
    )
    print(
        f"    E_MAC {c['e_mac_pj']} pJ, E_AC {c['e_ac_pj']} pJ, E_spike {c['e_spike_pj']} pJ, "
        f"P_leak {c['p_leak_w']:.3g} W ({c['p_leak_source']}), T {c['t_seconds']:.3g} s"
    )
    t = d.get("target") or {}
    if t.get("available"):
        est = t["estimate"]
        print(
            f"  target {t['board']}: flash {t['flash_bytes']} B, RAM {t['ram_bytes']} B, "
            f"{_f(t['instructions_per_inference'], 'd') if t['instructions_per_inference'] is not None else 'n/a'} "
            f"instructions/inference (QEMU); ESTIMATE {_f(est.get('time_us'))} us, "
            f"{_f(est.get('energy_uj'))} uJ at {_f(est['current_ma'])} mA, {est['voltage_v']} V, CPI {est['cpi']}"
        )
        if t.get("note"):
            print(f"    {t['note']}")
        _print_versus(d, t)


def _print_versus(d: dict, t: dict) -> None:
    """The decision table: the SNN and the baseline ANN on the same board."""
    ann = t.get("ann")
    if not ann:
        return
    if "note" in ann:
        print(f"  baseline ANN on {t['board']}: not measured ({ann['note']})")
        return
    from snn2c.report.ann_target import versus_rows

    est = t["estimate"]
    print(
        f"  on {t['board']} ({t['core']}), side by side: instructions exact (QEMU); time and "
        f"energy ESTIMATES (CPI {est['cpi']}, {_f(est['current_ma'])} mA, {est['voltage_v']} V)"
    )
    print(
        f"    {'':<26} {'instr/inf':>10} {'time us':>9} {'energy uJ':>10} "
        f"{'flash B':>8} {'RAM B':>6} {'test R2':>8}"
    )
    for r in versus_rows(d, t):
        e = r["estimate"]
        instr = _f(r["instructions"], ",") if r["instructions"] is not None else "n/a"
        print(
            f"    {r['label']:<26} {instr:>10} "
            f"{_f(e.get('time_us'), '.1f'):>9} {_f(e.get('energy_uj'), '.3f'):>10} "
            f"{_f(r['flash_bytes'], 'd'):>8} {_f(r['ram_bytes'], 'd'):>6} {_f(r['r2'], '.4f'):>8}"
        )
    print("    flash/RAM: the model's own code and tables (runtime and C library excluded)")
