"""The float simulator: the IR's equations in float64, without any quantization.

Kept beside the integer reference for accuracy comparisons (float versus
quantized) and as the target the torch training modules must reproduce.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

import numpy as np

from snn2c import contract as c
from snn2c import ir


@dataclass(frozen=True)
class FloatResult:
    outputs: np.ndarray  # (B, n_outputs), [0, 1]-scaled target units
    spike_counts: np.ndarray  # (B, n_layers + 1)
    spikes: list[np.ndarray] | None = None
    membranes: list[np.ndarray] | None = None
    state: FloatState | None = None  # the layers' state after the last step


@dataclass(frozen=True)
class FloatState:
    """Every layer's V, u (Izhikevich) and last spikes, (B, n) float64 each."""

    v: tuple[np.ndarray, ...]
    u: tuple[np.ndarray, ...]
    s: tuple[np.ndarray, ...]


def reset_float_state(net: ir.Network, batch: int) -> FloatState:
    """The state after a reset (each model's start values, float_start), no spikes."""
    starts = [float_start(layer.neuron, (batch, layer.n_out)) for layer in net.layers]
    ss = [np.zeros((batch, layer.n_out)) for layer in net.layers]
    return FloatState(tuple(v for v, _ in starts), tuple(u for _, u in starts), tuple(ss))


def float_start(n: ir.NeuronSpec, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(V, u) after a reset: zero for leaky integrators; v = -65 mV, u = b v for Izhikevich."""
    match n:
        case ir.LIFNeuron() | ir.LINeuron():
            return np.zeros(shape), np.zeros(shape)
        case ir.IzhikevichNeuron():
            return np.full(shape, c.IZH_V_REST), np.full(shape, n.b * c.IZH_V_REST)
        case _:
            assert_never(n)


def normalize_float(net: ir.Network, x: np.ndarray) -> np.ndarray:
    """u = (x - low) / (high - low), clipped to [0, 1]; NaN maps to 0 as on the device."""
    x = np.asarray(x, dtype=np.float64)
    u = (x - net.inputs.low) / (net.inputs.high - net.inputs.low)
    return np.clip(np.nan_to_num(u, nan=0.0), 0.0, 1.0)


def encode_steps(enc: ir.EncoderSpec, u: np.ndarray) -> np.ndarray:
    """Encoder output for every step: (T, B, n_enc) float, currents or 0/1 spikes."""
    steps = enc.steps
    if enc.kind.gaussian:
        cols = enc.columns(u.shape[1])
        us = u[:, cols.feature]
        act = np.where(
            cols.direct, us, np.exp(-((us - cols.centre[None, :]) ** 2) / (2 * enc.sigma**2))
        )
    else:
        act = u
    if not enc.kind.spiking:
        return np.broadcast_to(act, (steps, *act.shape)).copy()
    t = np.arange(steps)[:, None, None]
    if enc.kind.timed:
        fire_at = np.floor(enc.t0 + (1.0 - act) * enc.window + 0.5)
        return (t == fire_at[None]).astype(np.float64)
    if enc.kind is c.Encoder.RATE_PERIODIC:
        # phase accumulator: spike at step t iff floor((t+1) u) > floor(t u)
        return (np.floor((t + 1) * act[None]) > np.floor(t * act[None])).astype(np.float64)
    draws = c.xorshift32_draws(enc.seed, steps * act.shape[1]) >> c.RNG_DRAW_SHIFT
    return (draws.reshape(steps, 1, -1) / c.X_ONE < act[None]).astype(np.float64)


def izh_float_step(
    n: ir.IzhikevichNeuron, v: np.ndarray, u: np.ndarray, current: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Euler step of an Izhikevich neuron in float64 (v, u in mV, current in network
    units): the equations of docs/fixed-point.md, "Izhikevich layers", without rounding."""
    dt = n.dt_ms
    vc = np.clip(v, c.IZH_V_MIN, c.IZH_V_PEAK)
    drive = np.clip(n.gain * current, -c.IZH_I_LIM, c.IZH_I_LIM)
    v_new = vc + dt * (c.IZH_K2 * vc * vc + c.IZH_K1 * vc + c.IZH_K0_MV - u + drive)
    u_new = u + dt * n.a * (n.b * vc - u)
    s = v_new >= c.IZH_V_PEAK
    v_new = np.where(s, n.c, v_new)
    u_new = np.clip(u_new + n.d * s, -c.IZH_U_LIM, c.IZH_U_LIM)
    return v_new, u_new, s.astype(np.float64)


def _fires(n: ir.LeakyNeuron, v: np.ndarray) -> np.ndarray:
    """1.0 where V crosses the threshold (fire gt or ge)."""
    return ((v > n.threshold) if n.fire is c.Fire.GT else (v >= n.threshold)).astype(np.float64)


def leaky_float_step(
    n: ir.LeakyNeuron, v: np.ndarray, s_prev: np.ndarray, a: np.ndarray, layer: ir.DenseLayer
) -> tuple[np.ndarray, np.ndarray]:
    """One step of a LIF or LI layer fed a (B, n_in): (V, spikes; zeros for LI). s_prev:
    the previous step's spikes, for the delayed resets (ir.LeakyNeuron)."""
    if not n.spiking:
        v = n.decay * v + a @ layer.weight.T + layer.bias
        return v, np.zeros_like(v)
    delayed = n.reset_timing.delayed
    s = s_prev
    if n.reset_timing is c.ResetTiming.FIRE_FIRST:  # Spyx: fire on V(t-1) first
        s = _fires(n, v)
    if delayed and n.reset is c.Reset.ZERO:
        v = np.where(s > 0, 0.0, v)
    v = n.decay * v + a @ layer.weight.T + layer.bias
    if delayed and n.reset is c.Reset.SUBTRACT:
        v = v - n.threshold * s
    if n.reset_timing is not c.ResetTiming.FIRE_FIRST:
        s = _fires(n, v)
    if not delayed:
        fired = s > 0
        v = v - n.threshold * fired if n.reset is c.Reset.SUBTRACT else np.where(fired, 0.0, v)
    return v, s


def float_layer_step(
    layer: ir.DenseLayer, v: np.ndarray, u: np.ndarray, s_prev: np.ndarray, a: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One time step of one layer, by its neuron model: (V, u, spikes), (B, n) each."""
    match n := layer.neuron:
        case ir.LIFNeuron() | ir.LINeuron():
            v, s = leaky_float_step(n, v, s_prev, a, layer)
            return v, u, s
        case ir.IzhikevichNeuron():
            return izh_float_step(n, v, u, a @ layer.weight.T + layer.bias)
        case _:
            assert_never(n)


def run_float(
    net: ir.Network, u: np.ndarray, trace: bool = False, state: FloatState | None = None
) -> FloatResult:
    """Run the float network on normalised inputs u (B, F) in [0, 1]: from the reset
    state, or one sample of B streams continuing from `state`."""
    u = np.asarray(u, dtype=np.float64)
    inputs = encode_steps(net.encoder, u)
    batch, steps = u.shape[0], net.steps
    start = reset_float_state(net, batch) if state is None else state
    vs, recov, ss = list(start.v), list(start.u), list(start.s)
    counts = np.zeros((batch, len(net.layers) + 1))
    last = net.layers[-1]
    first = np.full((batch, last.n_out), float(steps))
    last_counts = np.zeros((batch, last.n_out))
    spk: list[list[np.ndarray]] = [[] for _ in range(len(net.layers) + 1)]
    mem: list[list[np.ndarray]] = [[] for _ in net.layers]
    for t in range(steps):
        a = inputs[t]
        if net.encoder.spiking:
            counts[:, 0] += a.sum(axis=1)
        if trace:
            spk[0].append(a if net.encoder.spiking else np.zeros_like(a))
        for i, layer in enumerate(net.layers):
            vs[i], recov[i], a = float_layer_step(layer, vs[i], recov[i], ss[i], a)
            ss[i] = a
            counts[:, i + 1] += a.sum(axis=1)
            if trace:
                spk[i + 1].append(a)
                mem[i].append(vs[i])
        last_counts += a
        first = np.where((a > 0) & (first == steps), float(t), first)
    outputs = _float_decode(net.decoder, vs[-1], last_counts / steps, first / steps)
    end = FloatState(tuple(vs), tuple(recov), tuple(ss))
    if not trace:
        return FloatResult(outputs, counts, state=end)
    return FloatResult(
        outputs,
        counts,
        spikes=[np.stack(s, axis=1) for s in spk],
        membranes=[np.stack(m, axis=1) for m in mem],
        state=end,
    )


def _float_decode(
    d: ir.DecoderSpec, v: np.ndarray, rate: np.ndarray, first: np.ndarray
) -> np.ndarray:
    """y = R f + c from the last layer's V, spike rate and first-spike time (over T)."""
    if d.kind is c.Decoder.MEMBRANE:
        f = v
    elif d.kind is c.Decoder.POPULATION:
        f = 1.0 / (1.0 + np.exp(-v))
    elif d.kind is c.Decoder.RATE:
        f = rate
    else:
        f = first
    return f @ d.weight.T + d.bias


def stream_float(net: ir.Network, u: np.ndarray, state: FloatState | None = None) -> FloatResult:
    """One stream of normalised samples (N, F) in order, the state carried from each
    sample to the next (the float twin of snn2c.reference.integer.stream)."""
    u = np.asarray(u, dtype=np.float64)
    state = reset_float_state(net, 1) if state is None else state
    outputs = np.zeros((len(u), net.n_outputs))
    counts = np.zeros((len(u), len(net.layers) + 1))
    for i in range(len(u)):
        res = run_float(net, u[i : i + 1], state=state)
        outputs[i], counts[i] = res.outputs[0], res.spike_counts[0]
        assert res.state is not None
        state = res.state
    return FloatResult(outputs, counts, state=state)
