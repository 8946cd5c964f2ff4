"""The training recipe: float training, quantization-aware fine-tuning, export, metrics.

1. load the dataset and split it (seeded); input ranges and target scaling come
   from the training split and are stored in the model;
2. train the float SNN (Adam, cosine learning rate, early stopping on the
   validation MSE, best epoch kept);
3. fine-tune with fake quantization on the contract's grid (QAT), again keeping
   the best validation epoch;
4. export to the IR; the "quantized" metrics come from the integer reference
   (snn2c.reference) run on the exported network, not from torch;
5. train the float MLP baseline on the same split.

MSE is on targets scaled to [0, 1]; R2 is on the test split.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import torch
from torch import nn

from snn2c import ir
from snn2c.contract import (
    INT32_MAX,
    INT32_MIN,
    V_ONE,
    Decoder,
    Encoder,
    Neuron,
    kind_names,
)
from snn2c.errors import Snn2cError
from snn2c.scoring import regression_metrics
from snn2c.textsafe import check_name, safe_name
from snn2c.train import baseline, datasets, field_pruning, linear, loop, streaming
from snn2c.train.export import to_network
from snn2c.train.model import ModelConfig, SpikingRegressor

SPLIT_NAMES = {"mackey-glass-nb": "NeuroBench: 750 train (last 112 validate), 750 test"}
THREADS = 1  # fixed, so that the same seed gives the same bytes on any machine


@dataclass(frozen=True)
class TrainConfig:
    dataset: str = "friedman1"
    target: str | None = None  # csv:PATH datasets
    n_samples: int | None = None
    encoder: str = "population"
    decoder: str = "membrane"
    hidden: tuple[int, ...] = (12,)
    readout: int = 8
    steps: int = 16
    neurons_per_feature: int = 4
    sigma: float = 0.2
    window: int | None = None  # latency encoders: default steps - 1
    epochs: int = 150
    qat_epochs: int = 30
    patience: int = 25
    batch_size: int = 64
    lr: float = 3e-3
    weight_decay: float = 0.0  # decoupled (AdamW); 0 = plain Adam
    weight_bits: int = 8
    leak_shift: int = 3
    readout_leak_shift: int | None = None  # None: a non-leaky readout (beta = 1)
    threshold: float = 1.0
    reset: str = "subtract"
    fire: str = "gt"
    surrogate: str = "fast_sigmoid"
    slope: float = 5.0
    learn_leak: bool = False
    learn_threshold: bool = False
    spike_reg: float = 0.0  # penalty per hidden spike per inference (sparsity)
    # > 0: learn each input's encoding (group penalty on layer 0's columns, pruning)
    field_penalty: float = 0.0
    neuron: str = "lif"  # hidden layers: 'lif' or 'izhikevich'
    izh_preset: str = "regular_spiking"
    izh_dt_shift: int = 1
    izh_gain: float = 10.0
    baseline: bool = True
    seed: int = 0
    streaming: bool = False  # state carried from sample to sample (docs/streaming.md)
    bptt: int = 32  # streaming: scored samples per training window (truncated BPTT)
    washout: int = 16  # streaming: samples run before each window's scored part
    integer_inputs: bool = False  # integer readings, normalised on the device without float
    adc_bits: int | None = None  # real inputs read as B-bit ADC counts (implies integer)


@dataclass
class TrainResult:
    network: ir.Network
    metrics: dict[str, dict[str, float | None]]
    spikes_per_inference: float
    spikes_per_layer: list[float]
    epochs_run: dict[str, int]
    seconds: dict[str, float]
    extra: dict[str, Any] = field(default_factory=dict)


def input_spec(
    ds: datasets.Dataset, integer: bool = False, adc_bits: int | None = None
) -> ir.InputSpec:
    low = ds.x_train.min(axis=0)
    high = ds.x_train.max(axis=0)
    flat = high <= low
    high = np.where(flat, low + 1.0, high)
    return ir.InputSpec(
        ds.feature_names, low.astype(np.float64), high.astype(np.float64), integer, adc_bits
    )


def _integer_readings(ds: datasets.Dataset, adc_bits: int | None) -> datasets.Dataset:
    """The dataset as integer readings: B-bit ADC counts over each feature's training
    range (adc_bits), or as it is after checking that every value is a whole int32."""
    if adc_bits is not None:
        return datasets.as_adc_counts(ds, adc_bits)
    for part in (ds.x_train, ds.x_val, ds.x_test):
        ok = np.isfinite(part) & (part == np.floor(part))
        ok &= (part >= INT32_MIN) & (part <= INT32_MAX)
        if not np.all(ok):
            j = int(np.argmax(~np.all(ok, axis=0)))
            raise Snn2cError(
                f"--integer-inputs: input {ds.feature_names[j]!r} has values that are not "
                "whole numbers within int32 (use --adc-bits B to read real values as ADC counts)"
            )
    return ds


def target_spec(ds: datasets.Dataset) -> ir.TargetSpec:
    lo, hi = float(ds.y_train.min()), float(ds.y_train.max())
    return ir.TargetSpec(name=ds.target_name, offset=lo, scale=(hi - lo) if hi > lo else 1.0)


def normalise(spec: ir.InputSpec, x: np.ndarray) -> np.ndarray:
    return np.clip((x - spec.low) / (spec.high - spec.low), 0.0, 1.0)


def _check(cfg: TrainConfig) -> None:
    if cfg.encoder not in kind_names(Encoder):
        raise Snn2cError(
            f"--encoder: expected one of {', '.join(kind_names(Encoder))}, got {cfg.encoder!r}"
        )
    if cfg.decoder not in kind_names(Decoder):
        raise Snn2cError(
            f"--decoder: expected one of {', '.join(kind_names(Decoder))}, got {cfg.decoder!r}"
        )
    if cfg.weight_bits not in ir.WEIGHT_BITS:
        raise Snn2cError(f"--weight-bits: expected 8 or 16, got {cfg.weight_bits}")
    if not cfg.hidden or any(h < 1 for h in cfg.hidden) or cfg.readout < 1:
        raise Snn2cError("--hidden and --readout need positive layer widths")
    if cfg.epochs < 1 or cfg.qat_epochs < 0 or cfg.batch_size < 1 or not cfg.lr > 0:
        raise Snn2cError("--epochs, --batch-size and --lr must be positive (--qat-epochs >= 0)")
    if not (math.isfinite(cfg.weight_decay) and 0 <= cfg.weight_decay <= 1):
        raise Snn2cError(f"--weight-decay: expected a number in [0, 1], got {cfg.weight_decay}")
    if cfg.neuron not in (Neuron.LIF, Neuron.IZHIKEVICH):
        raise Snn2cError(f"--neuron: expected lif or izhikevich, got {cfg.neuron!r}")
    if cfg.izh_preset not in ir.IZH_PRESETS:
        raise Snn2cError(
            f"--izh-preset: expected one of {', '.join(ir.IZH_PRESETS)}, got {cfg.izh_preset!r}"
        )
    bounded = {
        "--steps": (cfg.steps, "steps"),
        "--neurons-per-feature": (cfg.neurons_per_feature, "neurons_per_feature"),
        "--sigma": (cfg.sigma, "sigma"),
        "--leak-shift": (cfg.leak_shift, "leak_shift"),
        "--readout-leak-shift": (cfg.readout_leak_shift, "leak_shift"),
        "--threshold": (cfg.threshold, "threshold"),
        "--adc-bits": (cfg.adc_bits, "adc_bits"),
        "--izh-dt-shift": (cfg.izh_dt_shift, "izh.dt_shift"),
        "--izh-gain": (cfg.izh_gain, "izh.gain"),
    }
    for option, (value, key) in bounded.items():
        if value is not None and value not in ir.LIMITS[key]:  # None: not used
            raise Snn2cError(f"{option}: expected {ir.LIMITS[key].text}, got {value}")
    if cfg.seed < 0 or (cfg.n_samples is not None and cfg.n_samples < 10):
        raise Snn2cError("--seed must be >= 0 and --samples >= 10")
    if not (math.isfinite(cfg.field_penalty) and 0 <= cfg.field_penalty <= 1):
        raise Snn2cError(f"--field-penalty: expected a number in [0, 1], got {cfg.field_penalty}")
    if cfg.field_penalty > 0 and cfg.encoder != Encoder.POPULATION:
        raise Snn2cError("--field-penalty learns receptive fields: it needs --encoder population")
    if cfg.streaming and not (1 <= cfg.bptt <= 100_000 and 0 <= cfg.washout <= 100_000):
        raise Snn2cError("--bptt: expected 1..100000, --washout 0..100000")


def _setup_torch(seed: int) -> None:
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(seed)


def fit(
    model: SpikingRegressor,
    u_train: np.ndarray,
    y_train: np.ndarray,
    u_val: np.ndarray,
    y_val: np.ndarray,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    patience: int,
    seed: int,
    quant: bool = False,
    spike_reg: float = 0.0,
    weight_decay: float = 0.0,
    field_penalty: float = 0.0,
    on_epoch: Callable[[int, float], None] | None = None,
) -> int:
    """The SNN through the training loop (loop.fit); quant runs the QAT forward pass,
    whose start is scored too (fine-tuning keeps the float weights if it cannot beat
    them). spike_reg adds the mean hidden spike count per input to the loss,
    field_penalty the strength of the group lasso on layer 0's columns (a proximal
    step after every optimiser step, snn2c.train.field_pruning)."""
    xt, yt, xv, yv = loop.as_tensors(u_train, y_train, u_val, y_val)
    n_hidden = len(model.cfg.hidden)

    def batch_loss(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out, spikes = model(x, quant=quant)
        loss = nn.functional.mse_loss(out, y)
        if spike_reg > 0:
            loss = loss + spike_reg * spikes[:, 1 : 1 + n_hidden].sum(dim=1).mean()
        return loss

    return loop.fit(
        model,
        batch_loss,
        lambda: nn.functional.mse_loss(model(xv, quant=quant)[0], yv),
        xt,
        yt,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        patience=patience,
        seed=seed,
        weight_decay=weight_decay,
        score_start=quant,
        on_epoch=on_epoch,
        after_step=field_pruning.proximal_hook(model, field_penalty),
        select_best=field_penalty == 0,
    )


def train(
    cfg: TrainConfig,
    *,
    name: str | None = None,
    progress: Callable[[str, int, int, float], None] | None = None,
    on_start: Callable[[ir.Network], None] | None = None,
) -> TrainResult:
    """Run the whole recipe; `progress(phase, epoch, total, val_mse)` is called per epoch
    (it may raise to stop the run), `on_start` once with the untrained network."""
    _check(cfg)
    if cfg.streaming and cfg.readout_leak_shift is None:
        # a readout that never leaks integrates a stream without bound: it must forget
        cfg = dataclasses.replace(cfg, readout_leak_shift=cfg.leak_shift)
    ds = datasets.load(cfg.dataset, cfg.seed, cfg.target, cfg.n_samples, streaming=cfg.streaming)
    t_start = time.perf_counter()
    integer = cfg.integer_inputs or cfg.adc_bits is not None
    if integer:
        ds = _integer_readings(ds, cfg.adc_bits)
    inputs, target = input_spec(ds, integer, cfg.adc_bits), target_spec(ds)
    u_tr, u_va, u_te = (normalise(inputs, x) for x in (ds.x_train, ds.x_val, ds.x_test))
    y_tr, y_va = ((y[:, None] - target.offset) / target.scale for y in (ds.y_train, ds.y_val))

    _setup_torch(cfg.seed)
    encoder = ir.EncoderSpec(
        kind=Encoder(cfg.encoder),
        steps=cfg.steps,
        neurons_per_feature=cfg.neurons_per_feature,
        sigma=cfg.sigma,
        t0=0,
        window=cfg.window if cfg.window is not None else max(1, cfg.steps - 1),
        seed=1,
    )
    if cfg.field_penalty > 0:
        encoder = field_pruning.candidate_encoder(encoder, ds.n_features)
    # the model's options are the recipe's fields of the same names
    shared = {f.name: getattr(cfg, f.name) for f in fields(ModelConfig) if hasattr(cfg, f.name)}
    mcfg = ModelConfig(
        **{**shared, "n_features": ds.n_features, "encoder": encoder, "hidden": tuple(cfg.hidden)}
    )
    model = SpikingRegressor(mcfg)
    name = check_name(name, "--name") if name else safe_name(ds.name, "dataset")
    if on_start is not None:
        on_start(to_network(model, name=name, inputs=inputs, target=target, quantized=True))

    def hook(phase: str, total: int) -> Callable[[int, float], None] | None:
        if progress is None:
            return None
        return lambda epoch, val: progress(phase, epoch, total, val)

    common: dict[str, Any] = dict(
        batch_size=cfg.batch_size,
        patience=cfg.patience,
        spike_reg=cfg.spike_reg,
        weight_decay=cfg.weight_decay,
    )
    fitter = (
        functools.partial(streaming.fit_stream, bptt=cfg.bptt, washout=cfg.washout)
        if cfg.streaming
        else fit
    )
    ran_float = fitter(
        model,
        u_tr,
        y_tr,
        u_va,
        y_va,
        epochs=cfg.epochs,
        lr=cfg.lr,
        seed=cfg.seed,
        on_epoch=hook("float", cfg.epochs),
        field_penalty=cfg.field_penalty,
        **common,
    )
    ran_prune = 0
    if cfg.field_penalty > 0:
        model = field_pruning.prune(model, u_tr)
        # fine-tuning as long and fast as the float phase, with early stopping: a third
        # of the epochs at half the rate left friedman1 0.025 R2 short of the unpruned net
        ran_prune = fitter(
            model,
            u_tr,
            y_tr,
            u_va,
            y_va,
            epochs=cfg.epochs,
            lr=cfg.lr,
            seed=cfg.seed + 2,
            on_epoch=hook("pruned", cfg.epochs),
            **common,
        )
    t_float = time.perf_counter()
    # a stream is scored where the device would be: after the whole series before it
    u_all = np.concatenate([u_tr, u_va, u_te])
    if cfg.streaming:
        y_float = streaming.predict_stream(model, u_all)[-len(u_te) :]
    else:
        with torch.no_grad():
            y_float = model(torch.as_tensor(u_te, dtype=torch.float32))[0].double().numpy()
    ran_qat = 0
    if cfg.qat_epochs > 0:
        ran_qat = fitter(
            model,
            u_tr,
            y_tr,
            u_va,
            y_va,
            epochs=cfg.qat_epochs,
            lr=cfg.lr * 0.2,
            seed=cfg.seed + 1,
            quant=True,
            on_epoch=hook("qat", cfg.qat_epochs),
            **common,
        )
    t_qat = time.perf_counter()

    meta = {
        "trainer": "snn2c.train",
        "dataset": cfg.dataset if not cfg.dataset.startswith("csv:") else f"csv:{ds.name}",
        "seed": cfg.seed,
        **({"samples": cfg.n_samples} if cfg.n_samples else {}),
        **({"target_column": cfg.target} if cfg.target else {}),
        "hidden": list(cfg.hidden),
        "readout": cfg.readout,
        "surrogate": cfg.surrogate,
        **(
            {"neuron": cfg.neuron, "izh_preset": cfg.izh_preset} if cfg.neuron != Neuron.LIF else {}
        ),
        "epochs": {
            "float": ran_float,
            **({"pruned": ran_prune} if ran_prune else {}),
            "qat": ran_qat,
        },
        **({"field_penalty": cfg.field_penalty} if cfg.field_penalty > 0 else {}),
        "split": SPLIT_NAMES.get(ds.name, "70/15/15"),
        **(
            {"streaming": {"bptt": cfg.bptt, "washout": cfg.washout, "scored": "after the series"}}
            if cfg.streaming
            else {}
        ),
    }
    net = to_network(
        model,
        name=name,
        inputs=inputs,
        target=target,
        quantized=True,
        metadata=meta,
    )
    net = dataclasses.replace(net, streaming=cfg.streaming)

    # The integer reference on the exported network: what the device computes.
    from snn2c.quantize import quantize
    from snn2c.reference import normalize_device, run_rows, to_user_units

    x_eval = np.concatenate([ds.x_train, ds.x_val, ds.x_test]) if cfg.streaming else ds.x_test
    qnet = quantize(net)
    res = run_rows(qnet, normalize_device(qnet, x_eval))
    res = dataclasses.replace(
        res, outputs=res.outputs[-len(u_te) :], spike_counts=res.spike_counts[-len(u_te) :]
    )
    y_fixed = to_user_units(net, res.outputs.astype(np.float64) / V_ONE)
    t_eval = time.perf_counter()

    metrics = {
        "float": regression_metrics(ds.y_test, to_user_units(net, y_float), target),
        "quantized": regression_metrics(ds.y_test, y_fixed, target),
    }
    if cfg.baseline:
        # a streaming model's baseline sees what it sees, the current sample, and has no
        # memory (the windowed MLP, which sees the recent values: benchmarks/streaming.py)
        # a careful user leaves out the inputs the SNN drops: so do its rivals
        used = list(net.used_inputs())
        lin = linear.fit_linear(u_tr[:, used], y_tr)
        metrics["linear"] = regression_metrics(
            ds.y_test, to_user_units(net, linear.predict_linear(lin, u_te[:, used])), target
        )
        ann = baseline.train_mlp(
            u_tr[:, used],
            y_tr,
            u_va[:, used],
            y_va,
            tuple(cfg.hidden) if len(cfg.hidden) > 1 else (cfg.hidden[0],) * 2,
            epochs=max(cfg.epochs, 200),
            patience=max(cfg.patience, 30),
            seed=cfg.seed,
        )
        y_ann = to_user_units(net, baseline.predict_mlp(ann, u_te[:, used]))
        metrics["ann"] = regression_metrics(ds.y_test, y_ann, target)
        stored = baseline.to_ir(ann, seed=cfg.seed, inputs=tuple(used), n_features=net.n_inputs)
        if cfg.streaming:
            stored = dataclasses.replace(
                stored,
                note=stored.note + "; memoryless, on the streaming model's input (the current "
                "sample only)",
            )
        net = dataclasses.replace(net, baseline=stored)
    t_end = time.perf_counter()
    counts = res.spike_counts.astype(np.float64).mean(axis=0)
    return TrainResult(
        network=net,
        metrics=metrics,
        spikes_per_inference=float(counts.sum()),
        spikes_per_layer=[float(c) for c in counts],
        epochs_run={"float": ran_float, "pruned": ran_prune, "qat": ran_qat},
        seconds={
            "float": t_float - t_start,
            "qat": t_qat - t_float,
            "reference": t_eval - t_qat,
            "ann": t_end - t_eval,
            "total": t_end - t_start,
        },
        extra={"config": asdict(cfg), "n_train": len(ds.y_train), "n_test": len(ds.y_test)},
    )
