"""Float network -> fixed-point plan, with the range proof of docs/fixed-point.md."""

from __future__ import annotations

import math
from pathlib import Path
from typing import assert_never

import numpy as np

from snn2c import ir, modelfile
from snn2c.contract import (
    BETA_FRAC,
    DECODER_BITS,
    FLOAT_FIXED_LIMIT_BITS,
    FLOAT_FIXED_SPAN_BITS,
    INT32_MAX,
    IZH_AB_FRAC,
    IZH_C140_Q,
    IZH_FRAC,
    IZH_GAIN_FRAC,
    IZH_I_LIM_Q,
    IZH_K04,
    IZH_K04_FRAC,
    IZH_K1,
    IZH_SQ_SHIFT,
    IZH_U_LIM_Q,
    IZH_V_MIN_Q,
    IZH_V_PEAK_Q,
    IZH_V_REST,
    Q16_LIMIT,
    SIGMOID_OUT_FRAC,
    V_FRAC,
    X_FRAC,
    X_ONE,
    Decoder,
    Leak,
    Reset,
    leak_beta,
)
from snn2c.errors import ModelFormatError, Snn2cError
from snn2c.quantize import tables
from snn2c.quantize.fixedpoint import (
    decoder_divisor,
    decoder_fracs,
    fits32,
    qmax_of,
    raw_input_scale,
    rnd,
    weight_frac,
)
from snn2c.quantize.plan import (
    Bounds,
    FloatInputs,
    QuantizedDecoder,
    QuantizedEncoder,
    QuantizedIzh,
    QuantizedLayer,
    QuantizedLIF,
    QuantizedNetwork,
    QuantizedNeuron,
    RawInputs,
)


def quantize(net: ir.Network) -> QuantizedNetwork:
    """Quantize a float network onto the contract's grid and prove its ranges."""
    enc = _quantize_encoder(net)
    layers = []
    input_spiking = enc.spiking
    # a streaming network's state is never reset: its proof must hold for ever
    horizon = math.inf if net.streaming else float(net.steps)
    for index, layer in enumerate(net.layers):
        q = _quantize_layer(layer, net.weight_bits, input_spiking, horizon, index)
        layers.append(q)
        input_spiking = True
    dec = _quantize_decoder(net)
    raw = _quantize_raw_inputs(net.inputs) if net.inputs.integer else None
    return QuantizedNetwork(
        source=net,
        encoder=enc,
        layers=tuple(layers),
        decoder=dec,
        raw=raw,
        float_in=float_inputs(net.inputs),
    )


def float_inputs(spec: ir.InputSpec) -> FloatInputs | None:
    """How float readings are normalised in integers (docs/fixed-point.md,
    "Normalisation"), or None where a feature's range lies too far from zero for its
    width (|low| or |high| beyond 2^13 times high - low), which keeps float32."""
    span = spec.high - spec.low
    frac = FLOAT_FIXED_SPAN_BITS - 1 - np.floor(np.log2(span)).astype(np.int64)
    frac = np.where(span * 2.0**frac >= 2.0**FLOAT_FIXED_SPAN_BITS, frac - 1, frac)  # log2 rounding
    scale = 2.0**frac
    top = np.maximum(np.abs(spec.low), np.abs(spec.high)) * scale
    if np.any(top > 2.0**FLOAT_FIXED_LIMIT_BITS):
        return None
    return FloatInputs(frac, _integer_scale(rnd(spec.low * scale), rnd(spec.high * scale)))


def _quantize_raw_inputs(spec: ir.InputSpec) -> RawInputs:
    return _integer_scale(spec.low.astype(np.int64), spec.high.astype(np.int64))


def _integer_scale(low: np.ndarray, high: np.ndarray) -> RawInputs:
    scales = [raw_input_scale(int(h - lo)) for lo, h in zip(low, high, strict=True)]
    mult = np.array([m for m, _ in scales], dtype=np.int64)
    shift = np.array([sh for _, sh in scales], dtype=np.int64)
    return RawInputs(low, high, mult, shift, (1 << shift) >> 1)


def _quantize_encoder(net: ir.Network) -> QuantizedEncoder:
    e = net.encoder
    population = e.kind.gaussian
    columns: dict = {}
    if population:
        cols = e.columns(net.n_inputs)
        centre_q12 = tables.centres_q12_of(cols.centre)  # on the grid: centres_q12(n)
        columns = dict(
            col_feature=cols.feature,
            col_direct=cols.direct,
            col_centre=np.where(cols.direct, 0, centre_q12),
        )
        if e.features is not None:
            columns["features"] = tuple(
                (f.direct, tuple(int(c) for c in tables.centres_q12_of(f.centres)))
                for f in e.features
            )
    return QuantizedEncoder(
        kind=e.kind,
        steps=e.steps,
        n_features=net.n_inputs,
        n_out=e.n_outputs(net.n_inputs),
        neurons_per_feature=e.neurons_per_feature,
        t0=e.t0,
        window=e.window,
        seed=e.seed,
        centres=tables.centres_q12(e.neurons_per_feature) if population else None,
        gauss=tables.gaussian_table(e.sigma) if population else None,
        **columns,
    )


def _quantize_layer(
    layer: ir.DenseLayer, bits: int, input_spiking: bool, steps: float, index: int
) -> QuantizedLayer:
    """One layer on the grid, its neurons by their model, and its range proof."""
    weight, ws = _quantize_weight(layer.weight, bits, index)
    input_frac = 0 if input_spiking else X_FRAC
    acc_shift = ws + input_frac - V_FRAC
    _check_q16(layer, index)
    bias = rnd(layer.bias * 2.0**V_FRAC)
    neuron = quantize_neuron(layer.neuron)

    # Interval analysis (docs/fixed-point.md, "Range proof and saturation").
    amax = 1 if input_spiking else X_ONE
    acc_lo = np.sum(np.minimum(weight, 0), axis=1) * amax
    acc_hi = np.sum(np.maximum(weight, 0), axis=1) * amax
    rounding = (1 << (acc_shift - 1)) if acc_shift > 0 else 0
    acc_bounds = (int(acc_lo.min()), int(acc_hi.max()) + rounding)
    acc_wide = not fits32(*acc_bounds)
    # the scaled accumulator is an intermediate of its own (before the bias is added)
    scaled_fits = fits32(
        int(_shift_bound(acc_lo, acc_shift).min()), int(_shift_bound(acc_hi, acc_shift).max())
    )
    cur_lo = _shift_bound(acc_lo, acc_shift) + bias - _reset_current(neuron)
    cur_hi = _shift_bound(acc_hi, acc_shift) + bias
    current = (int(cur_lo.min()), int(cur_hi.max()))
    membrane, membrane_fits = membrane_bounds(neuron, current, steps)
    saturate = acc_wide or not scaled_fits or not fits32(*current) or not membrane_fits

    return QuantizedLayer(
        weight=weight,
        weight_bits=bits,
        weight_frac=ws,
        input_frac=input_frac,
        acc_shift=acc_shift,
        bias=bias,
        input_spiking=input_spiking,
        acc_wide=acc_wide,
        saturate=saturate,
        bounds=Bounds(acc=acc_bounds, current=current, membrane=membrane),
        neuron=neuron,
    )


def _quantize_weight(w: np.ndarray, bits: int, index: int) -> tuple[np.ndarray, int]:
    """(integer weights, ws): the largest scale 2**ws at which max|w| fits `bits` bits."""
    qmax = qmax_of(bits)
    max_abs = float(np.max(np.abs(w)))
    ws = weight_frac(max_abs, bits)
    if max_abs * 2.0**ws > qmax + 0.5:
        raise Snn2cError(
            f"layers[{index}].weight: |w| up to {max_abs:g} does not fit {bits}-bit weights"
        )
    return np.clip(rnd(w * 2.0**ws), -qmax, qmax), ws


def _check_q16(layer: ir.DenseLayer, index: int) -> None:
    """Refuse a threshold or bias beyond Q16 before any integer conversion (rnd of a huge
    float would wrap int64)."""
    n = layer.neuron
    threshold = n.threshold if isinstance(n, ir.LeakyNeuron) else 0.0
    with np.errstate(over="ignore"):  # inf compares as too large
        fits = abs(threshold) * 2.0**V_FRAC < INT32_MAX and np.all(
            np.abs(layer.bias) * 2.0**V_FRAC < INT32_MAX
        )
    if not fits:
        raise Snn2cError(
            f"layers[{index}]: threshold or bias too large for Q16 membranes "
            f"(|value| >= {Q16_LIMIT})"
        )


def quantize_neuron(n: ir.NeuronSpec) -> QuantizedNeuron:
    """A layer's neurons in integers, by their model."""
    match n:
        case ir.LIFNeuron() | ir.LINeuron():
            return quantize_lif(n)
        case ir.IzhikevichNeuron():
            return quantize_izhikevich(n)
        case _:
            assert_never(n)


def quantize_lif(n: ir.LIFNeuron | ir.LINeuron) -> QuantizedLIF:
    """The integer constants of a LIF or LI neuron: the Q16 threshold (>= 1) and the
    leak's Q15 factor (a 'mul' leak) or shift."""
    return QuantizedLIF(
        kind=n.kind,
        leak=n.leak,
        leak_shift=n.leak_shift,
        beta_q15=int(rnd(n.beta * 2.0**BETA_FRAC)) if n.leak is Leak.MUL else 0,
        threshold=max(1, int(rnd(n.threshold * 2.0**V_FRAC))),
        reset=n.reset,
        fire=n.fire,
        reset_timing=n.reset_timing,
    )


def _reset_current(q: QuantizedNeuron) -> int:
    """What a delayed subtract reset takes from the current's lower bound: it is
    integrated like a current (LIF only)."""
    if isinstance(q, QuantizedLIF) and q.reset_delayed and q.reset is Reset.SUBTRACT:
        return q.threshold
    return 0


def membrane_bounds(
    q: QuantizedNeuron, current: tuple[int, int], steps: float
) -> tuple[tuple[int, int], bool]:
    """(V's interval, whether it fits int32 without saturation), by the neuron model."""
    match q:
        case QuantizedLIF():
            bounds = _lif_membrane_bounds(q, current, steps)
            return bounds, fits32(*bounds)
        case QuantizedIzh():  # v and u are clamped by the model: bounded by construction
            return izh_membrane_bounds(q), True
        case _:
            assert_never(q)


def _lif_membrane_bounds(
    q: QuantizedLIF, current: tuple[int, int], steps: float
) -> tuple[int, int]:
    """V's interval over `steps` steps (math.inf: for ever): each step leaks a fraction
    lam of V and adds a current in `current`, so |V| stays within (|I| + 1) * min(T, 1 / lam)
    (docs/fixed-point.md, "Range proof and saturation"). A layer that does not leak has no
    bound for ever: the interval returned then lies outside int32."""
    beta = leak_beta(q.leak_shift) if q.leak is Leak.SHIFT else q.beta_q15 / 2.0**BETA_FRAC
    lam = 1.0 - beta
    m = steps if lam <= 0 else min(steps, 1.0 / lam)
    if math.isinf(m):
        return -(2**63), 2**63
    return math.floor(min(0, current[0] - 1) * m), math.ceil(max(0, current[1] + 1) * m)


def quantize_izhikevich(n: ir.IzhikevichNeuron) -> QuantizedIzh:
    """The integer constants of an Izhikevich neuron and the bounds of dv and u.

    The proof (docs/fixed-point.md): v is clamped to [-100, 30] mV, u to
    [-1024, 1024] mV and the drive to [-1024, 1024] mV/ms before they enter dv, so
    every term of dv is bounded independently of the input and of time.
    """
    a_q = int(rnd(n.a * 2.0**IZH_AB_FRAC))
    ab_q = int(rnd(n.a * n.b * 2.0**IZH_AB_FRAC))
    gain_q = max(1, int(rnd(n.gain * 2.0**IZH_GAIN_FRAC)))
    v8_max = -IZH_V_MIN_Q >> IZH_SQ_SHIFT
    quad_max = (v8_max * v8_max * IZH_K04 + (1 << (IZH_K04_FRAC - 1))) >> IZH_K04_FRAC
    dv_lo = IZH_K1 * IZH_V_MIN_Q + IZH_C140_Q - IZH_U_LIM_Q - IZH_I_LIM_Q
    dv_hi = quad_max + IZH_K1 * IZH_V_PEAK_Q + IZH_C140_Q + IZH_U_LIM_Q + IZH_I_LIM_Q
    assert fits32(dv_lo, dv_hi) and v8_max * v8_max < 2**31
    return QuantizedIzh(
        a_q=a_q,
        ab_q=ab_q,
        c_q=int(rnd(n.c * 2.0**IZH_FRAC)),
        d_q=int(rnd(n.d * 2.0**IZH_FRAC)),
        gain_q=gain_q,
        dt_shift=n.dt_shift,
        v0_q=int(rnd(IZH_V_REST * 2.0**IZH_FRAC)),
        u0_q=int(rnd(n.b * IZH_V_REST * 2.0**IZH_FRAC)),
        dv=(dv_lo, dv_hi),
        u=(-IZH_U_LIM_Q, IZH_U_LIM_Q),
    )


def izh_membrane_bounds(q: QuantizedIzh) -> tuple[int, int]:
    """Bounds of the stored v: the Euler update from a clamped v, or the reset value c."""
    lo = IZH_V_MIN_Q + int(_shift_bound(np.array([q.dv[0]]), q.dt_shift)[0])
    hi = IZH_V_PEAK_Q + int(_shift_bound(np.array([q.dv[1]]), q.dt_shift)[0])
    assert fits32(lo, hi)
    return min(lo, q.c_q), max(hi, q.c_q)


def _shift_bound(acc: np.ndarray, shift: int) -> np.ndarray:
    """Bound of rshift_round over a bound of acc (monotone, so endpoints suffice)."""
    if shift > 0:
        return np.right_shift(acc + (1 << (shift - 1)), shift)
    return acc * (1 << (-shift))


def _quantize_decoder(net: ir.Network) -> QuantizedDecoder:
    d = net.decoder
    weight_f = d.weight / decoder_divisor(d.kind, net.steps)
    qmax = qmax_of(DECODER_BITS)
    max_abs = float(np.max(np.abs(weight_f)))
    rs, fs = decoder_fracs(max_abs, d.kind)
    if max_abs * 2.0**rs > qmax + 0.5:
        raise Snn2cError(f"decoder.weight: |w| up to {max_abs:g} does not fit 16-bit weights")
    weight = np.clip(rnd(weight_f * 2.0**rs), -qmax, qmax)
    with np.errstate(over="ignore"):  # inf compares as too large
        bias_fits = np.all(np.abs(d.bias) * 2.0 ** (rs + fs) < 2.0**62)
    if not bias_fits:
        raise Snn2cError("decoder.bias: too large for the 64-bit readout accumulator")
    bias = rnd(d.bias * 2.0 ** (rs + fs))
    # |y_acc| and its left shift must stay inside int64 (docs/fixed-point.md)
    votes = 1 << SIGMOID_OUT_FRAC  # a population vote's largest Q15 value
    fmax = {
        Decoder.MEMBRANE: 2**31,
        Decoder.POPULATION: votes,
        Decoder.RATE: net.steps,
        Decoder.FIRST_SPIKE: net.steps,
    }
    acc_max = int(np.max(np.sum(np.abs(weight), axis=1) * fmax[d.kind] + np.abs(bias)))
    if acc_max * 2 ** max(0, V_FRAC - rs - fs) >= 2**62:
        raise Snn2cError("decoder: weights or bias too large for the 64-bit readout accumulator")
    return QuantizedDecoder(
        kind=d.kind,
        weight=weight,
        weight_frac=rs,
        feature_frac=fs,
        out_shift=rs + fs - V_FRAC,
        bias=bias,
        sigmoid=tables.sigmoid_table() if d.kind is Decoder.POPULATION else None,
    )


def load_model(path: str | Path) -> QuantizedNetwork:
    """A model file, quantized: the quantizer's errors name the file, as the loader's do.

    What every command that compiles or runs the integer network starts from; the
    float network is its .source."""
    net = modelfile.load(path)
    try:
        return quantize(net)
    except Snn2cError as e:
        raise ModelFormatError(f"{path}: {e}") from None
