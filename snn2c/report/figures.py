"""Matplotlib figures of a report (PNG, Agg backend): what the literature draws to
explain spiking regressors (docs/metrics.md lists them)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import assert_never

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from snn2c import ir
from snn2c.contract import IZH_V_PEAK, V_FRAC, Encoder
from snn2c.quantize.plan import QuantizedIzh, QuantizedLIF, QuantizedNetwork, QuantizedNeuron
from snn2c.reference.floatsim import encode_steps
from snn2c.report.metrics import Activity, decoder_features

DPI = 110
Q16 = float(2**V_FRAC)


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _raster(ax, spikes: np.ndarray, title: str, color: str = "k") -> None:
    """spikes: (T, n) 0/1."""
    t_idx, n_idx = np.nonzero(spikes)
    size = 120.0 * min(1.0, 16.0 / max(1, spikes.shape[1]))
    ax.scatter(t_idx, n_idx, marker="|", s=max(size, 6.0), color=color, linewidths=1.5)
    ax.set_xlim(-0.5, spikes.shape[0] - 0.5)
    ax.set_ylim(-0.5, spikes.shape[1] - 0.5)
    ax.set_xlabel("time step")
    ax.set_ylabel("neuron")
    ax.set_title(title)
    ax.grid(alpha=0.3)


def encoders(net: ir.Network, u: float, path: Path, feature: str = "") -> Path:
    """One normalised input value under each encoder, with the model's steps/fields
    (the uniform grid of fields: a per-feature encoding is each input's own)."""
    base = replace(net.encoder, features=None)
    steps = base.steps
    window = base.window if base.window > 0 else max(1, steps - 1)
    npf = max(3, base.neurons_per_feature)
    x = np.array([[u]])
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5))
    what = f"{feature} " if feature else ""
    fig.suptitle(f"One input value under each encoder: {what}u = {u:.3f} (normalised), T = {steps}")

    rp = encode_steps(replace(base, kind=Encoder.RATE_PERIODIC), x)[:, 0, :]
    rb = encode_steps(replace(base, kind=Encoder.RATE_BERNOULLI), np.full((1, 8), u))[:, 0, :]
    ax = axes[0, 0]
    _raster(
        ax,
        np.concatenate([rp, rb], axis=1),
        "rate coding: P(spike) = u per step\n(periodic phase and 8 Bernoulli draws)",
    )
    ax.set_yticks(range(9))
    ax.set_yticklabels(["periodic"] + [f"Bernoulli #{i}" for i in range(8)])
    ax.set_ylabel("")

    lat = encode_steps(replace(base, kind=Encoder.LATENCY, window=window), x)[:, 0, :]
    ax = axes[0, 1]
    t_fire = np.nonzero(lat[:, 0])[0]
    ax.eventplot([t_fire], lineoffsets=0, linelengths=0.8, colors="C3", linewidths=3)
    ax.set_xlim(-0.5, steps - 0.5)
    ax.set_yticks([])
    ax.set_xlabel("time step")
    label = f"fires at step {int(t_fire[0])}" if t_fire.size else "no spike within T"
    ax.set_title(f"time-to-first-spike (latency):\nt = t0 + (1 - u) * window; {label}")
    ax.grid(alpha=0.3)

    pop = replace(base, kind=Encoder.POPULATION, neurons_per_feature=npf)
    act = encode_steps(pop, x)[0, 0, :]
    centres = np.linspace(0, 1, npf)
    ax = axes[1, 0]
    grid = np.linspace(0, 1, 200)
    for c in centres:
        ax.plot(grid, np.exp(-((grid - c) ** 2) / (2 * pop.sigma**2)), color="0.75", lw=1)
    ax.bar(centres, act, width=0.6 / npf, color="C0", label="activation (input current)")
    ax.axvline(u, color="C3", ls="--", label=f"u = {u:.3f}")
    ax.set_xlabel("receptive-field centre (normalised input)")
    ax.set_ylabel("activation A_i(u)")
    ax.set_title(
        f"population coding: {npf} Gaussian fields,\nsigma = {pop.sigma:.3g}, constant current"
    )
    ax.legend(fontsize=8, loc="upper right")

    pl = encode_steps(replace(pop, kind=Encoder.POPULATION_LATENCY, window=window), x)[:, 0, :]
    _raster(
        axes[1, 1],
        pl,
        "population latency: one spike per field,\nearlier the closer u is to its centre",
        "C0",
    )
    axes[1, 1].set_ylabel("field")
    return _save(fig, path)


def raster(net: ir.Network, act: Activity, sample: int, path: Path) -> Path:
    """Spike raster of the encoder (if spiking) and every spiking layer for one sample."""
    res = act.result
    assert res.spikes is not None
    panels = []
    if net.encoder.spiking:
        panels.append((res.spikes[0][sample], act.layer_names[0]))
    for i, layer in enumerate(net.layers):
        if layer.neuron.spiking:
            panels.append((res.spikes[i + 1][sample], act.layer_names[i + 1]))
    if not panels:
        panels.append((res.spikes[1][sample], act.layer_names[1] + ": no spiking layer"))
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, 2.2 + 1.8 * len(panels)), squeeze=False)
    for ax, (s, name) in zip(axes[:, 0], panels, strict=True):
        _raster(ax, s, f"{name}: {int(s.sum())} spikes")
    fig.suptitle(f"Spike raster, test sample {sample} (integer reference)")
    return _save(fig, path)


def membranes(
    net: ir.Network, qnet: QuantizedNetwork, act: Activity, sample: int, path: Path, max_n: int = 6
) -> Path:
    """Membrane potential traces of up to max_n neurons per layer, threshold dashed."""
    res = act.result
    assert res.membranes is not None and res.spikes is not None
    n_layers = len(net.layers)
    fig, axes = plt.subplots(n_layers, 1, figsize=(8, 2.6 * n_layers + 0.6), squeeze=False)
    steps = np.arange(qnet.steps)
    for i, (ax, layer) in enumerate(zip(axes[:, 0], qnet.layers, strict=True)):
        m = res.membranes[i][sample] / Q16  # (T, n)
        s = res.spikes[i + 1][sample]
        order = np.argsort(-s.sum(axis=0), kind="stable")[:max_n]
        for k, j in enumerate(order):
            ax.plot(steps, m[:, j], marker=".", color=f"C{k}", label=f"neuron {j}")
            fired = np.nonzero(s[:, j])[0]
            if fired.size:
                ax.scatter(fired, m[fired, j], marker="^", s=40, color=f"C{k}")
        line = _firing_line(layer.neuron)
        if line is not None:
            ax.axhline(line[0], color="k", ls="--", lw=1, label=line[1])
        ax.set_xlabel("time step")
        ax.set_ylabel("V (model units)")
        ax.set_title(
            f"{act.layer_names[i + 1]}: membrane after reset"
            + (" (^ = spike)" if layer.spiking else "")
        )
        ax.legend(fontsize=7, ncol=4, loc="best")
        ax.grid(alpha=0.3)
    fig.suptitle(f"Membrane potentials, test sample {sample} (integer reference, V / 2^16)")
    return _save(fig, path)


def _firing_line(q: QuantizedNeuron) -> tuple[float, str] | None:
    """Where a layer's membrane fires, in the plot's units, and its label (None: never)."""
    match q:
        case QuantizedLIF():
            return (q.threshold / Q16, "threshold") if q.spiking else None
        case QuantizedIzh():  # v in mV (Q16)
            return IZH_V_PEAK, "spike peak (mV)"
        case _:
            assert_never(q)


def readout(
    net: ir.Network, qnet: QuantizedNetwork, act: Activity, sample: int, path: Path
) -> Path:
    """The decoder's weighted sum for one sample: R_oi * f_i per neuron, bias, total."""
    d = qnet.decoder
    f = decoder_features(qnet, act.result)[sample].astype(np.float64) / 2.0**d.feature_frac
    if d.kind.counts:
        f = f / qnet.steps  # R holds 1/T folded in; show the float meaning
        r = net.decoder.weight
    else:
        r = d.weight / 2.0**d.weight_frac
    c = net.decoder.bias
    o = 0
    contrib = r[o] * f
    total = contrib.sum() + c[o]
    y_user = net.target.offset + net.target.scale * total
    n = len(contrib)
    fig, ax = plt.subplots(figsize=(8, 3.2 + 0.12 * n))
    labels = [f"n{i}" for i in range(n)] + ["bias c", "output y"]
    vals = [*contrib, c[o], total]
    colors = ["C2" if v >= 0 else "C3" for v in contrib] + ["0.5", "C0"]
    ax.barh(range(n + 2), vals, color=colors)
    ax.set_yticks(range(n + 2))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="k", lw=0.8)
    feat = {
        "membrane": "V(T)",
        "population": "sigmoid(V(T))",
        "rate": "count / T",
        "first_spike": "t_first / T",
    }[d.kind]
    ax.set_xlabel("contribution to y ([0, 1]-scaled target units)")
    ax.set_title(
        f"Decoder ({d.kind}): y = sum_i R_i * {feat}_i + c = {total:.3f} "
        f"-> {net.target.name} = {y_user:.4g} {net.target.units}".rstrip()
        + f"\n(test sample {sample}, output {o})",
        fontsize=9,
    )
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def pred_vs_true(
    y_true: np.ndarray, preds: dict[str, np.ndarray], target: ir.TargetSpec, path: Path
) -> Path:
    """Predicted versus true values on the test set, one series per predictor."""
    fig, ax = plt.subplots(figsize=(5.8, 5.4))
    y = np.asarray(y_true).reshape(-1)
    lo, hi = float(np.min(y)), float(np.max(y))
    for k, (name, p) in enumerate(preds.items()):
        p = np.asarray(p).reshape(-1)
        ax.scatter(y, p, s=10, alpha=0.55, color=f"C{k}", label=name)
        lo, hi = min(lo, float(p.min())), max(hi, float(p.max()))
    ax.plot([lo, hi], [lo, hi], "k--", lw=1, label="y = x")
    unit = f" [{target.units}]" if target.units else ""
    ax.set_xlabel(f"true {target.name}{unit}")
    ax.set_ylabel(f"predicted {target.name}{unit}")
    ax.set_title(f"Predicted vs true, test set (n = {len(y)})")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def decoder_comparison(rows: list[dict], path: Path) -> Path:
    """Error against energy, one point per model: rows of {name, decoder, mse, energy_pj}."""
    fig, ax = plt.subplots(figsize=(7, 4.8))
    for k, r in enumerate(rows):
        ax.scatter(r["energy_pj"], r["mse"], s=60, color=f"C{k % 10}", zorder=3)
        ax.annotate(
            f"{r['name']} ({r['decoder']})",
            (r["energy_pj"], r["mse"]),
            textcoords="offset points",
            xytext=(6, 4),
            fontsize=8,
        )
    ax.set_xscale("log")
    ax.set_xlabel("estimated energy per inference, E_SNN [pJ] (literature model)")
    ax.set_ylabel("test MSE, quantized SNN ([0, 1]-scaled target)")
    ax.set_title("Decoder comparison: error vs energy")
    ax.grid(alpha=0.3, which="both")
    return _save(fig, path)
