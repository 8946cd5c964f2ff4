"""`snn2c train --dataset NAME -o model.snn`: train a quantization-aware SNN regressor.

Torch is imported only when the command runs (the rest of the CLI never needs it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from snn2c import ir
from snn2c.cli._common import emit_json, options_to, or_na, seed_arg
from snn2c.contract import Decoder, Encoder, Fire, Reset, kind_names
from snn2c.errors import Snn2cError
from snn2c.train import datasets
from snn2c.train.datasets import TIME_SERIES


def _widths(text: str) -> tuple[int, ...]:
    try:
        widths = tuple(int(w) for w in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected layer widths like 64 or 64,32, got {text!r}"
        ) from None
    if not widths or any(w < 1 for w in widths):
        raise argparse.ArgumentTypeError(f"layer widths must be positive, got {text!r}")
    return widths


def _leak_shift(text: str) -> int | None:
    if text.strip().lower() == "none":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an integer 0..15 or none, got {text!r}"
        ) from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a spiking regressor (surrogate gradients, quantization-aware) to a .snn file",
        description="Train a LIF network on a dataset, fine-tune it on the fixed-point grid, "
        "export it and report float, integer-reference and baseline-MLP accuracy.",
    )
    p.add_argument(
        "--dataset",
        default="friedman1",
        help=datasets.help_text(default="friedman1"),
    )
    p.add_argument("--target", metavar="COLUMN", help="target column of a csv:PATH dataset")
    p.add_argument(
        "--samples", type=int, help=f"samples to generate ({', '.join(datasets.GENERATED)})"
    )
    p.add_argument(
        "--encoder", default="population", choices=kind_names(Encoder), help="input coding"
    )
    p.add_argument(
        "--decoder", default="membrane", choices=kind_names(Decoder), help="readout decoding"
    )
    p.add_argument(
        "--hidden", type=_widths, default=(12,), help="hidden LIF widths, e.g. 12 or 64,64"
    )
    p.add_argument("--readout", type=int, default=8, help="neurons in the last (decoded) layer")
    p.add_argument("--steps", type=int, default=16, help="time steps per inference")
    p.add_argument("--neurons-per-feature", type=int, default=4, help="population encoders")
    p.add_argument("--sigma", type=float, default=0.2, help="receptive-field width (population)")
    p.add_argument("--window", type=int, help="latency encoders: steps spanned (default steps-1)")
    p.add_argument("--epochs", type=int, default=150, help="float epochs (early stopping)")
    p.add_argument("--qat-epochs", type=int, default=30, help="quantization-aware epochs")
    p.add_argument("--patience", type=int, default=25, help="early-stopping patience (epochs)")
    p.add_argument("--batch-size", type=int, default=64, help="samples per gradient step")
    p.add_argument("--lr", type=float, default=3e-3, help="learning rate (Adam)")
    p.add_argument(
        "--weight-decay", type=float, default=0.0, help="decoupled weight decay (AdamW); 0: Adam"
    )
    p.add_argument(
        "--weight-bits", type=int, default=8, choices=ir.WEIGHT_BITS, help="integer weight width"
    )
    p.add_argument("--leak-shift", type=int, default=3, help="hidden leak beta = 1 - 2^-k")
    p.add_argument(
        "--readout-leak-shift",
        type=_leak_shift,
        default=None,
        metavar="K|none",
        help="last layer's leak beta = 1 - 2^-K; none (default): no leak, which lets the "
        "compiler fold the readout into one weight per hidden neuron (docs/fixed-point.md)",
    )
    p.add_argument("--threshold", type=float, default=1.0, help="firing threshold theta")
    p.add_argument(
        "--reset", default="subtract", choices=kind_names(Reset), help="reset after a spike"
    )
    p.add_argument(
        "--fire",
        default="gt",
        choices=kind_names(Fire),
        help="fire on v > theta (gt) or v >= theta (ge)",
    )
    p.add_argument(
        "--surrogate",
        default="fast_sigmoid",
        choices=("fast_sigmoid", "arctan"),
        help="surrogate gradient of the spike",
    )
    p.add_argument("--slope", type=float, default=5.0, help="surrogate gradient slope")
    p.add_argument("--learn-leak", action="store_true", help="learn beta per layer ('mul' leak)")
    p.add_argument("--learn-threshold", action="store_true", help="learn theta per layer")
    p.add_argument("--spike-reg", type=float, default=0.0, help="penalty per hidden spike")
    p.add_argument(
        "--field-penalty",
        type=float,
        default=0.0,
        help="learn each input's encoding (population): group-lasso strength on layer 0's "
        "columns, then pruning and fine-tuning; inputs may end dropped, direct or with "
        "fewer fields (docs/training.md; 0.5 suits friedman1; 0: every input gets "
        "--neurons-per-feature fields)",
    )
    p.add_argument(
        "--neuron", default="lif", choices=("lif", "izhikevich"), help="hidden-layer neuron model"
    )
    p.add_argument(
        "--izh-preset",
        default="regular_spiking",
        choices=tuple(ir.IZH_PRESETS),
        help="Izhikevich firing type (a, b, c, d)",
    )
    p.add_argument("--izh-dt-shift", type=int, default=1, help="Izhikevich dt = 2^-k ms")
    p.add_argument("--izh-gain", type=float, default=10.0, help="Izhikevich mV/ms per unit")
    p.add_argument(
        "--streaming",
        action="store_true",
        help="a stateful network over a time series: one sample in, one value out, the "
        "membranes carried from sample to sample (docs/streaming.md); --steps is per sample",
    )
    p.add_argument(
        "--bptt", type=int, default=32, help="streaming: scored samples per training window"
    )
    p.add_argument(
        "--washout", type=int, default=16, help="streaming: samples run before each window"
    )
    p.add_argument(
        "--integer-inputs",
        action="store_true",
        help="the inputs are integer readings (an ADC's counts, a sensor's register): the "
        "device then takes int32 readings and normalises them without floating point "
        "(snn_model_infer_raw; docs/fixed-point.md, 'Integer inputs')",
    )
    p.add_argument(
        "--adc-bits",
        type=int,
        metavar="B",
        help="read each real-valued input as a B-bit ADC spanning its training range "
        "would (counts 0 .. 2^B - 1), and train on those integer readings (implies "
        "--integer-inputs)",
    )
    p.add_argument("--no-baseline", action="store_true", help="skip the MLP and linear baselines")
    p.add_argument(
        "--seed", type=seed_arg, default=0, help="seed of data split, weights and batches"
    )
    p.add_argument("--name", help="model name (default: the dataset's)")
    p.add_argument("-o", "--output", required=True, metavar="MODEL", help=".snn file to write")
    p.add_argument("--force", action="store_true", help="overwrite the output file")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if out.exists() and not args.force:
        raise Snn2cError(f"{out}: already exists (use --force to overwrite)")
    if out.is_dir():
        raise Snn2cError(f"{out}: is a directory (expected a .snn file path)")
    try:
        from snn2c.train.trainer import TrainConfig, train
    except ModuleNotFoundError as e:
        if e.name in ("torch", "sklearn"):
            raise Snn2cError(
                f"training needs {e.name}: pip install 'snn2c[train]' (torch==2.13.0)"
            ) from None
        raise
    from snn2c import modelfile

    cfg = config_from_args(args, TrainConfig)
    bar = _ProgressBar(enabled=not args.json and sys.stderr.isatty())
    try:
        result = train(cfg, name=args.name, progress=bar.update)
    finally:
        bar.close()
    modelfile.save(result.network, out, force=args.force)

    m = result.metrics
    if args.json:
        emit_json(
            {
                "model": str(out),
                "dataset": args.dataset,
                "encoder": args.encoder,
                "decoder": args.decoder,
                "metrics": m,
                "spikes_per_inference": result.spikes_per_inference,
                "spikes_per_layer": result.spikes_per_layer,
                "steps": args.steps,
                "streaming": args.streaming,
                "hidden": list(args.hidden),
                "readout": args.readout,
                "weight_bits": args.weight_bits,
                "seed": args.seed,
                "epochs": result.epochs_run,
                "seconds": result.seconds,
                "model_hash": modelfile.model_hash(result.network),
                "input_encodings": result.network.input_encodings(),
            }
        )
        return 0
    per = "steps per sample, streaming" if args.streaming else "steps"
    print(
        f"trained {args.dataset}: {args.encoder} encoder, {args.decoder} decoder, "
        f"hidden {','.join(map(str, args.hidden))}, {args.steps} {per} -> {out}"
    )
    rows = (
        ("float", "float SNN"),
        ("quantized", "integer SNN"),
        ("ann", "float MLP"),
        ("linear", "linear reg."),
    )
    for key, label in rows:
        if key in m:
            series = args.dataset in TIME_SERIES
            s = m[key]
            extra = f"  NDEI {or_na(s['ndei'], '.4f')}  sMAPE {s['smape']:.2f}" if series else ""
            print(f"  {label:<12} test R2 {or_na(s['r2'], '.4f')}  MSE {s['mse']:.5f}{extra}")
    net = result.network
    if net.encoder.features is not None:
        enc = net.input_encodings()
        dropped = [n for n, e in enc.items() if e == "dropped"]
        kept = ", ".join(f"{n} {e}" for n, e in enc.items() if e != "dropped")
        print(f"  inputs: {kept}; {net.encoder.n_outputs(net.n_inputs)} columns into layer 0")
        if dropped:
            print(f"  dropped (the network ignores them): {', '.join(dropped)}")
    print(
        f"  {result.spikes_per_inference:.1f} spikes per {'sample' if args.streaming else 'inference'}; "
        f"epochs {result.epochs_run['float']} float + "
        + (f"{result.epochs_run['pruned']} pruned + " if result.epochs_run.get("pruned") else "")
        + f"{result.epochs_run['qat']} QAT; "
        f"{result.seconds['total']:.0f} s"
    )
    return 0


def config_from_args(args: argparse.Namespace, config_type):
    """The TrainConfig of the parsed options (passed in: it imports torch)."""
    return options_to(config_type, args, {"n_samples": "samples"}, baseline=not args.no_baseline)


class _ProgressBar:
    """One tqdm bar per training phase, on stderr, only on a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar: Any = None
        self.phase: str | None = None

    def update(self, phase: str, epoch: int, total: int, val: float) -> None:
        if not self.enabled:
            return
        if phase != self.phase:
            self.close()
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=f"train ({phase})", unit="epoch", leave=False)
            self.phase = phase
        assert self.bar is not None
        self.bar.update(1)
        self.bar.set_postfix(val_mse=f"{val:.5f}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
            self.phase = None
