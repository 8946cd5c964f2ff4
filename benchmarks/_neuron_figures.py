"""Each neuron model's response to a current step: membrane trace and spikes, as PNGs.

LIF (float, and the fixed-point contract), Izhikevich (the four presets, float and
fixed point, dt = 0.5 ms) and Hodgkin-Huxley (float, dt = 0.01 ms). The step starts at
10 ms and lasts to the end of a 100 ms window.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import _hh as hh
import matplotlib.pyplot as plt
import numpy as np

from snn2c import ir
from snn2c.contract import IZH_V_REST
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import integer
from snn2c.reference.floatsim import izh_float_step

T_MS = 100.0
STEP_AT_MS = 10.0


def _single_neuron_net(neuron: ir.NeuronSpec, current: float, steps: int) -> ir.Network:
    """A 1-neuron hidden layer driven by a constant bias (direct encoder, zero weights)."""
    base = random_network(0, n_features=1, hidden=(1,), last_neurons=1, encoder="direct")
    w = np.zeros((1, 1))
    return dataclasses.replace(
        base,
        encoder=dataclasses.replace(base.encoder, steps=steps),
        layers=(
            ir.DenseLayer(w, np.array([current]), neuron),
            ir.DenseLayer(np.ones((1, 1)), np.zeros(1), ir.LINeuron()),
        ),
    )


def _fixed_trace(neuron: ir.NeuronSpec, current: float, steps: int, frac: int = 16):
    """Membrane (in the neuron's units) and spike flags of the fixed-point reference."""
    res = integer.run(
        quantize(_single_neuron_net(neuron, current, steps)),
        np.zeros((1, 1), dtype=np.int64),
        trace=True,
    )
    assert res.membranes is not None and res.spikes is not None
    return res.membranes[0][0, :, 0] / 2.0**frac, res.spikes[1][0, :, 0].astype(bool)


def lif_response(current: float = 0.3, dt_ms: float = 1.0):
    """(t ms, float V, float spikes, fixed V, fixed spikes) for a LIF neuron, beta = 7/8."""
    n = ir.LIFNeuron(leak="shift", leak_shift=3, threshold=1.0)
    steps = int(T_MS / dt_ms)
    t = np.arange(steps) * dt_ms
    i = np.where(t >= STEP_AT_MS, current, 0.0)
    v, vs, ss = 0.0, [], []
    for k in range(steps):
        v = n.decay * v + i[k]
        s = v > n.threshold
        v = v - n.threshold if s else v
        vs.append(v)
        ss.append(s)
    k0 = int(STEP_AT_MS / dt_ms)
    vq, sq = _fixed_trace(n, current, steps - k0)
    vq = np.concatenate([np.zeros(k0), vq])
    sq = np.concatenate([np.zeros(k0, bool), sq])
    return t, np.array(vs), np.array(ss), vq, sq


def izh_response(preset: str, current: float = 1.0, gain: float = 10.0, dt_shift: int = 1):
    """(t ms, float v, float spikes, fixed v, fixed spikes) for one Izhikevich preset."""
    n = ir.IzhikevichNeuron.from_preset(preset, dt_shift=dt_shift, gain=gain)
    steps = int(T_MS / n.dt_ms)
    t = np.arange(steps) * n.dt_ms
    i = np.where(t >= STEP_AT_MS, current, 0.0)
    v, u = np.array([IZH_V_REST]), np.array([n.b * IZH_V_REST])
    vs, ss = [], []
    for k in range(steps):
        v, u, s = izh_float_step(n, v, u, np.array([i[k]]))
        vs.append(30.0 if s[0] else v[0])  # draw the spike peak
        ss.append(bool(s[0]))
    # fixed point: rest until the step (zero drive), then the step
    k0 = int(STEP_AT_MS / n.dt_ms)
    vq_rest, _ = _fixed_trace(n, 0.0, k0)
    vq, sq = _fixed_trace(n, current, steps)  # from rest; shifted below
    vq = np.concatenate([vq_rest, vq[: steps - k0]])
    sq = np.concatenate([np.zeros(k0, bool), sq[: steps - k0]])
    vq = np.where(sq, 30.0, vq)
    return t, np.array(vs), np.array(ss), vq, sq


def hh_response(current: float = 10.0):
    """(t ms, V, spikes) of the Hodgkin-Huxley neuron, dt = 0.01 ms."""
    steps = int(T_MS / hh.DT_MS)
    t = np.arange(steps) * hh.DT_MS
    v, s = hh.simulate(np.where(t >= STEP_AT_MS, current, 0.0))
    return t, v, s


def _spike_ticks(ax, t, s, y, color):
    ts = t[s]
    ax.plot(ts, np.full(ts.shape, y), "|", color=color, markersize=10)


def write_neuron_figures(out_dir: str | Path) -> list[Path]:
    """Writes neuron_lif.png, neuron_izhikevich.png and neuron_hh.png; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []

    t, v, s, vq, sq = lif_response()
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.plot(t, v, label="float", lw=1.2)
    ax.plot(t, vq, "--", label="fixed point (Q16)", lw=1.0)
    _spike_ticks(ax, t, s, 1.15, "C0")
    _spike_ticks(ax, t, sq, 1.25, "C1")
    ax.axhline(1.0, color="grey", lw=0.6, ls=":")
    ax.set(
        xlabel="time (ms)",
        ylabel="V (threshold units)",
        title="LIF, beta = 7/8, dt = 1 ms: current step 0.3 at 10 ms",
    )
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    paths.append(out / "neuron_lif.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    presets = list(ir.IZH_PRESETS)
    fig, axes = plt.subplots(len(presets), 1, figsize=(7, 8), sharex=True)
    for ax, preset in zip(axes, presets, strict=True):
        t, v, s, vq, sq = izh_response(preset)
        ax.plot(t, v, lw=1.0, label="float")
        ax.plot(t, vq, "--", lw=0.9, label="fixed point (Q16 mV)")
        ax.set_ylabel("v (mV)")
        ax.set_title(f"{preset}: {int(s.sum())} spikes float, {int(sq.sum())} fixed", fontsize=9)
    axes[0].legend(loc="lower right", fontsize=7)
    axes[-1].set_xlabel("time (ms)")
    fig.suptitle("Izhikevich, dt = 0.5 ms: drive step 10 mV/ms at 10 ms", fontsize=10)
    fig.tight_layout()
    paths.append(out / "neuron_izhikevich.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    t, v, s = hh_response()
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.plot(t, v, lw=1.0)
    _spike_ticks(ax, t, s, 50.0, "C3")
    ax.set(
        xlabel="time (ms)",
        ylabel="V (mV)",
        title=f"Hodgkin-Huxley, Euler dt = 0.01 ms: 10 uA/cm^2 at 10 ms ({int(s.sum())} spikes)",
    )
    fig.tight_layout()
    paths.append(out / "neuron_hh.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    return paths
