"""The integer reference: docs/fixed-point.md executed in numpy, the oracle for C.

Vectorised over a batch of inputs; time steps run in order. All arithmetic is
int64 holding the values the contract's C types hold, so a value that would
leave its C type is either saturated (where the layer saturates) or reported as
a broken range proof (an AssertionError, a bug in snn2c, never silent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

import numpy as np

from snn2c import ir
from snn2c.contract import (
    BETA_FRAC,
    GAUSS_ENTRIES,
    GAUSS_STEP_BITS,
    INT32_MAX,
    INT32_MIN,
    IZH_AB_FRAC,
    IZH_C140_Q,
    IZH_GAIN_FRAC,
    IZH_I_LIM_Q,
    IZH_K04,
    IZH_K04_FRAC,
    IZH_K1,
    IZH_SQ_SHIFT,
    IZH_U_LIM_Q,
    IZH_V_MIN_Q,
    IZH_V_PEAK_Q,
    LATENCY_FRAC,
    RNG_DRAW_SHIFT,
    SIGMOID_RANGE_BITS,
    SIGMOID_STEP_BITS,
    X_ONE,
    Decoder,
    Encoder,
    Fire,
    Leak,
    Reset,
    xorshift32_draws,
)
from snn2c.quantize.fixedpoint import asr, rshift_round, sat32
from snn2c.quantize.plan import (
    QuantizedEncoder,
    QuantizedIzh,
    QuantizedLayer,
    QuantizedLIF,
    QuantizedNetwork,
    RawInputs,
)
from snn2c.quantize.quantizer import float_inputs

_I64 = np.int64


@dataclass(frozen=True)
class Result:
    """Outputs of a batch run.

    outputs: (B, n_outputs) Q16 integers (the C int32_t results).
    spike_counts: (B, n_layers + 1) spikes per inference; column 0 is the encoder
        (0 for current encoders), column l + 1 is layer l.
    spikes / membranes: with trace=True, one (B, T, n) array per layer (spikes
        also for the encoder, first); membranes are V after reset at each step.
    state: the layers' state after the last step (where a stream continues).
    """

    outputs: np.ndarray
    spike_counts: np.ndarray
    spikes: list[np.ndarray] | None = None
    membranes: list[np.ndarray] | None = None
    state: State | None = None


@dataclass(frozen=True)
class State:
    """Every layer's state between two samples: V, u (Izhikevich; zero otherwise) and the
    last step's spikes (for a delayed reset), each a (B, n) int64 array per layer."""

    v: tuple[np.ndarray, ...]
    u: tuple[np.ndarray, ...]
    s: tuple[np.ndarray, ...]


def normalize(net: ir.Network, x: np.ndarray) -> np.ndarray:
    """Raw sensor values -> clamped Q12 integers, exactly as the C does: in integers
    from the float's value where the ranges allow (docs/fixed-point.md, "Normalisation"),
    else in float32."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != net.n_inputs:
        raise ValueError(f"expected inputs of shape (n, {net.n_inputs}), got {x.shape}")
    fixed = float_inputs(net.inputs)
    if fixed is not None:
        q = _q12_of_readings(fixed.ints, fixed_of_float(x, fixed.frac))
    else:
        low = net.inputs.low.astype(np.float32)
        gain = (X_ONE / (net.inputs.high - net.inputs.low)).astype(np.float32)
        with np.errstate(all="ignore"):  # NaN, overflow, a cast that underflows
            t = (x.astype(np.float32) - low) * gain
            t = np.where(t >= 0, t, np.float32(0))  # NaN -> 0
            t = np.where(t > X_ONE, np.float32(X_ONE), t)
            q = np.floor(t + np.float32(0.5))
    q[:, list(net.encoder.dropped_inputs(net.n_inputs))] = 0  # never read, not computed
    return q.astype(np.int32)


def fixed_of_float(x: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """X = trunc(x 2^frac) saturated to int32 (NaN: INT32_MIN, the low end as in the
    float32 rule), for x rounded to float32, as snn_fixed_of_float computes it: exact,
    since a float32 times a power of two is exact in float64."""
    with np.errstate(all="ignore"):  # a float32 cast may underflow to a subnormal
        t = np.trunc(np.asarray(x, dtype=np.float32).astype(np.float64) * 2.0**frac)
    t = np.clip(
        np.nan_to_num(t, nan=INT32_MIN, posinf=INT32_MAX, neginf=INT32_MIN), INT32_MIN, INT32_MAX
    )
    return t.astype(np.int64)


def _q12_of_readings(p: RawInputs, readings: np.ndarray) -> np.ndarray:
    """min(((clamp(v, low, high) - low) * mult + half) >> shift, 4096) per feature."""
    r = np.clip(readings.astype(np.int64), p.low, p.high) - p.low
    return np.minimum((r * p.mult + p.half) >> p.shift, X_ONE)


def normalize_raw(qnet: QuantizedNetwork, raw: np.ndarray) -> np.ndarray:
    """Integer readings -> clamped Q12 integers, as snn_normalize_raw_q12 computes them.

    Only for a model with integer inputs; raw must hold whole numbers (any int64: the
    readings are clamped to [low, high] first, as the device's int32 readings are).
    """
    p = qnet.raw
    if p is None:
        raise ValueError("the model does not take integer inputs")
    raw = np.asarray(raw)
    if raw.ndim != 2 or raw.shape[1] != qnet.n_inputs:
        raise ValueError(f"expected inputs of shape (n, {qnet.n_inputs}), got {raw.shape}")
    if raw.dtype.kind == "f" and not np.all(np.isfinite(raw) & (raw == np.floor(raw))):
        raise ValueError("integer inputs must be whole numbers")
    q = _q12_of_readings(p, raw)
    q[:, list(qnet.encoder.dropped_inputs())] = 0  # never read, not computed
    return q.astype(np.int32)


def gaussian_activation(enc: QuantizedEncoder, xc: np.ndarray) -> np.ndarray:
    """Layer 0's input in Q12, (B, n_columns), from clamped Q12 inputs (B, F): each
    column's receptive field, or the input itself for a direct column."""
    assert enc.col_feature is not None and enc.col_centre is not None
    assert enc.col_direct is not None and enc.gauss is not None
    xs = xc[:, enc.col_feature]
    d = np.abs(xs - enc.col_centre[None, :])
    k = d >> GAUSS_STEP_BITS
    f = d & ((1 << GAUSS_STEP_BITS) - 1)
    g = enc.gauss
    nxt = g[np.minimum(k + 1, GAUSS_ENTRIES - 1)]
    a = np.where(k == GAUSS_ENTRIES - 1, g[-1], g[k] + asr((nxt - g[k]) * f, GAUSS_STEP_BITS))
    return np.where(enc.col_direct[None, :], xs, a)


class _Encoder:
    """Per-step encoder output for a batch, following the contract's integer rules."""

    def __init__(self, enc: QuantizedEncoder, x_q: np.ndarray):
        self.enc = enc
        xc = np.clip(x_q.astype(_I64), 0, X_ONE)
        self.batch = xc.shape[0]
        if enc.kind is Encoder.POPULATION:
            self.current = gaussian_activation(enc, xc)
        elif enc.kind is Encoder.DIRECT:
            self.current = xc
        elif enc.kind is Encoder.POPULATION_LATENCY:
            self.fire_at = self._latency(gaussian_activation(enc, xc))
        elif enc.kind is Encoder.LATENCY:
            self.fire_at = self._latency(xc)
        elif enc.kind is Encoder.RATE_PERIODIC:
            self.x = xc
            self.phase = np.zeros_like(xc)
        elif enc.kind is Encoder.RATE_BERNOULLI:
            self.x = xc
            draws = xorshift32_draws(enc.seed, enc.steps * enc.n_out)
            self.draws = (draws >> RNG_DRAW_SHIFT).reshape(enc.steps, enc.n_out)
        else:  # pragma: no cover - the model loader rejects unknown kinds
            raise ValueError(enc.kind)

    def _latency(self, a: np.ndarray) -> np.ndarray:
        return self.enc.t0 + (((X_ONE - a) * self.enc.window + (X_ONE >> 1)) >> LATENCY_FRAC)

    def step(self, t: int) -> np.ndarray:
        kind = self.enc.kind
        if not kind.spiking:
            return self.current
        if kind.timed:
            return (self.fire_at == t).astype(_I64)
        if kind is Encoder.RATE_PERIODIC:
            self.phase = self.phase + self.x
            s = self.phase >= X_ONE
            self.phase = self.phase - np.where(s, X_ONE, 0)
            return s.astype(_I64)
        return (self.draws[t][None, :] < self.x).astype(_I64)


def _check_proven(layer: QuantizedLayer, index: int, what: str, values: np.ndarray) -> None:
    if values.size and (values.min() < INT32_MIN or values.max() > INT32_MAX):
        raise AssertionError(
            f"range proof broken in layer {index}: {what} left int32 "
            f"({values.min()}..{values.max()}); please report this snn2c bug"
        )


def synaptic_current(layer: QuantizedLayer, index: int, a: np.ndarray) -> np.ndarray:
    """Steps 1-2 of the contract, shared by every neuron kind: I = rshift_round(W a) + b."""
    acc = a @ layer.weight.T
    if not layer.acc_wide:
        _check_proven(layer, index, "accumulator", acc)
    scaled = rshift_round(acc, layer.acc_shift)
    cur = scaled + layer.bias
    if layer.saturate:
        return sat32(cur)
    _check_proven(layer, index, "scaled accumulator", scaled)
    _check_proven(layer, index, "current", cur)
    return cur


def layer_step(
    layer: QuantizedLayer,
    index: int,
    v: np.ndarray,
    u: np.ndarray,
    s_prev: np.ndarray,
    a: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One time step of one layer fed the activations a, by its neuron model: returns
    (new V, new u, spikes), (B, n) int64 each. u is the model's second state variable
    (Izhikevich's recovery; zero and unchanged for LIF/LI); s_prev the layer's spikes of
    the previous step (for a delayed reset)."""
    cur = synaptic_current(layer, index, a)
    match q := layer.neuron:
        case QuantizedLIF():
            v, s = lif_update(layer, index, v, cur, s_prev)
            return v, u, s
        case QuantizedIzh():
            return izh_update(layer, q, index, v, u, cur)
        case _:
            assert_never(q)


def lif_update(
    layer: QuantizedLayer, index: int, v: np.ndarray, cur: np.ndarray, s_prev: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Steps 3-6 of the contract (leak, integrate, fire, reset) for a LIF or LI layer
    driven by the current cur: returns (new V, spikes). A fire_first layer fires on the
    V it holds before this step, and that spike is the one this step resets."""
    q = layer.neuron
    assert isinstance(q, QuantizedLIF), "lif_update runs LIF and LI layers"
    if q.fire_first:
        s_prev = _fires(q, v)
    if q.leak is Leak.SHIFT:
        v = v - asr(v, q.leak_shift)
    else:
        v = asr(v * q.beta_q15 + (1 << (BETA_FRAC - 1)), BETA_FRAC)
    if q.reset_delayed and q.reset is Reset.ZERO:
        v = np.where(s_prev > 0, 0, v)
    v = v + cur
    if layer.saturate:
        v = sat32(v)
    if q.reset_delayed and q.reset is Reset.SUBTRACT:
        v = v - q.threshold * s_prev
        if layer.saturate:
            v = sat32(v)
    if not layer.saturate:
        _check_proven(layer, index, "membrane", v)
    if not q.spiking:
        return v, np.zeros_like(v)
    if q.fire_first:
        return v, s_prev
    s = _fires(q, v)
    if q.reset_delayed:
        return v, s
    if q.reset is Reset.SUBTRACT:
        v = v - q.threshold * s
    else:
        v = np.where(s > 0, 0, v)
    return v, s


def _fires(q: QuantizedLIF, v: np.ndarray) -> np.ndarray:
    """Step 5 of the contract: 1 where V crosses the threshold (gt or ge), as int64."""
    s = (v > q.threshold) if q.fire is Fire.GT else (v >= q.threshold)
    return s.astype(_I64)


def izh_update(
    layer: QuantizedLayer,
    q: QuantizedIzh,
    index: int,
    v: np.ndarray,
    u: np.ndarray,
    cur: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One step of an Izhikevich layer driven by the current cur (docs/fixed-point.md,
    "Izhikevich layers"): returns (new v, new u, spikes), all (B, n) int64 holding int32
    values."""
    vc = np.clip(v, IZH_V_MIN_Q, IZH_V_PEAK_Q)
    v8 = asr(vc, IZH_SQ_SHIFT)
    quad = rshift_round(v8 * v8 * IZH_K04, IZH_K04_FRAC)
    drive = np.clip(rshift_round(cur * q.gain_q, IZH_GAIN_FRAC), -IZH_I_LIM_Q, IZH_I_LIM_Q)
    dv = quad + IZH_K1 * vc + IZH_C140_Q - u + drive
    _check_proven(layer, index, "dv", dv)
    v_new = vc + rshift_round(dv, q.dt_shift)
    u_new = u + rshift_round(q.ab_q * vc - q.a_q * u, IZH_AB_FRAC + q.dt_shift)
    s = v_new >= IZH_V_PEAK_Q
    v_new = np.where(s, q.c_q, v_new)
    u_new = u_new + np.where(s, q.d_q, 0)
    _check_proven(layer, index, "membrane", np.concatenate([v_new.ravel(), u_new.ravel()]))
    u_new = np.clip(u_new, -IZH_U_LIM_Q, IZH_U_LIM_Q)
    return v_new, u_new, s.astype(_I64)


def initial_state(layer: QuantizedLayer, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """(V, u) after reset: zero for LIF/LI layers, (-65 mV, b * -65 mV) for Izhikevich."""
    shape = (batch, layer.n_out)
    match q := layer.neuron:
        case QuantizedLIF():
            return np.zeros(shape, dtype=_I64), np.zeros(shape, dtype=_I64)
        case QuantizedIzh():
            return np.full(shape, q.v0_q, dtype=_I64), np.full(shape, q.u0_q, dtype=_I64)
        case _:
            assert_never(q)


def reset_state(qnet: QuantizedNetwork, batch: int) -> State:
    """The state after snn_model_reset, for a batch of B independent runs."""
    state = [initial_state(layer, batch) for layer in qnet.layers]
    return State(
        v=tuple(st[0] for st in state),
        u=tuple(st[1] for st in state),
        s=tuple(np.zeros((batch, layer.n_out), dtype=_I64) for layer in qnet.layers),
    )


def run(
    qnet: QuantizedNetwork, x_q: np.ndarray, trace: bool = False, state: State | None = None
) -> Result:
    """Run T steps and decode on a batch of Q12 inputs (B, F): whole inferences from the
    reset state, or, given a state, one sample of B streams continuing from it."""
    x_q = np.asarray(x_q)
    if x_q.ndim != 2 or x_q.shape[1] != qnet.n_inputs:
        raise ValueError(f"expected Q12 inputs of shape (n, {qnet.n_inputs}), got {x_q.shape}")
    batch, steps = x_q.shape[0], qnet.steps
    enc = _Encoder(qnet.encoder, x_q)
    start = reset_state(qnet, batch) if state is None else state
    vs, us, ss = list(start.v), list(start.u), list(start.s)
    counts = np.zeros((batch, len(qnet.layers) + 1), dtype=_I64)
    last = qnet.layers[-1]
    first = np.full((batch, last.n_out), steps, dtype=_I64)
    last_counts = np.zeros((batch, last.n_out), dtype=_I64)
    spk_trace: list[list[np.ndarray]] = [[] for _ in range(len(qnet.layers) + 1)]
    mem_trace: list[list[np.ndarray]] = [[] for _ in qnet.layers]
    for t in range(steps):
        a = enc.step(t)
        if qnet.encoder.spiking:
            counts[:, 0] += a.sum(axis=1)
        if trace:
            spk_trace[0].append(a if qnet.encoder.spiking else np.zeros_like(a))
        for i, layer in enumerate(qnet.layers):
            vs[i], us[i], a = layer_step(layer, i, vs[i], us[i], ss[i], a)
            ss[i] = a
            counts[:, i + 1] += a.sum(axis=1)
            if trace:
                spk_trace[i + 1].append(a)
                mem_trace[i].append(vs[i])
        last_counts += a
        first = np.where((a > 0) & (first == steps), t, first)
    outputs = decode(qnet, vs[-1], last_counts, first)
    end = State(v=tuple(vs), u=tuple(us), s=tuple(ss))
    if not trace:
        return Result(outputs, counts, state=end)
    return Result(
        outputs,
        counts,
        spikes=[np.stack(s, axis=1).astype(np.uint8) for s in spk_trace],
        membranes=[np.stack(m, axis=1) for m in mem_trace],
        state=end,
    )


def stream(
    qnet: QuantizedNetwork, x_q: np.ndarray, state: State | None = None, trace: bool = False
) -> Result:
    """One stream of Q12 samples (N, F) in order, as snn_model_push runs it: each sample
    is T steps and a decode from the state the previous sample left (the reset state
    before the first, unless given). Outputs (N, n_outputs), spike counts per sample;
    with trace, each sample's steps as one row of the (N, T, n) traces."""
    x_q = np.asarray(x_q)
    if x_q.ndim != 2 or x_q.shape[1] != qnet.n_inputs:
        raise ValueError(f"expected Q12 inputs of shape (n, {qnet.n_inputs}), got {x_q.shape}")
    state = reset_state(qnet, 1) if state is None else state
    outputs = np.zeros((len(x_q), qnet.n_outputs), dtype=np.int32)
    counts = np.zeros((len(x_q), len(qnet.layers) + 1), dtype=_I64)
    spikes: list[list[np.ndarray]] = [[] for _ in range(len(qnet.layers) + 1)]
    membranes: list[list[np.ndarray]] = [[] for _ in qnet.layers]
    for i in range(len(x_q)):
        res = run(qnet, x_q[i : i + 1], trace=trace, state=state)
        outputs[i], counts[i] = res.outputs[0], res.spike_counts[0]
        if res.spikes is not None and res.membranes is not None:
            for acc, got in zip([*spikes, *membranes], [*res.spikes, *res.membranes], strict=True):
                acc.append(got)
        assert res.state is not None
        state = res.state
    if not trace or not len(x_q):
        return Result(outputs, counts, state=state)
    return Result(
        outputs,
        counts,
        spikes=[np.concatenate(s) for s in spikes],
        membranes=[np.concatenate(m) for m in membranes],
        state=state,
    )


def sigmoid_q15(table: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The voting sigmoid through its SIGMOID_ENTRIES-entry table, Q16 in, Q15 out."""
    half = 1 << SIGMOID_RANGE_BITS
    z = np.clip(v, -half, half - 1) + half
    k = z >> SIGMOID_STEP_BITS
    f = z & ((1 << SIGMOID_STEP_BITS) - 1)
    return table[k] + asr((table[k + 1] - table[k]) * f, SIGMOID_STEP_BITS)


def decode(
    qnet: QuantizedNetwork, v: np.ndarray, counts: np.ndarray, first: np.ndarray
) -> np.ndarray:
    """Decoder of the contract: Q16 outputs (B, n_outputs) from the final state."""
    d = qnet.decoder
    if d.kind is Decoder.MEMBRANE:
        f = v
    elif d.kind is Decoder.POPULATION:
        assert d.sigmoid is not None
        f = sigmoid_q15(d.sigmoid, v)
    elif d.kind is Decoder.RATE:
        f = counts
    else:
        f = first
    y = f @ d.weight.T + d.bias
    return sat32(rshift_round(y, d.out_shift)).astype(np.int32)
