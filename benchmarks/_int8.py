"""The int8 MLP anchor: TFLite Micro post-training quantization and its numpy twin.

Quantization (what TFLite's converter does for a float MLP with a representative
dataset, one FULLY_CONNECTED per layer):

* weights int8 symmetric per tensor (scale max|w| / 127, values in [-127, 127]);
* activations int8 asymmetric, min/max calibrated on the training split, the range
  widened to hold 0 and its zero point nudged as TFLite's ChooseQuantizationParams;
* input at scale 1/255, zero point -128 (the inputs are normalised to [0, 1] first);
* int32 bias at scale in_scale * w_scale;
* requantization by QuantizeMultiplier / MultiplyByQuantizedMultiplier
  (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT), the fused ReLU as
  the activation clamp [max(-128, zero point), 127]; the output dequantized.

The twin (`fc_s8`, `run`) is TFLite's reference integer arithmetic written out
literally (the nudge and C's truncating division of SaturatingRoundingDoublingHighMul,
the mask and threshold of RoundingDivideByPOT). benchmarks/c/int8_fc.c is the
optimised C (an SMLAD path on cores with __ARM_FEATURE_SIMD32); the two must agree bit
for bit (tests/test_benchmarks.py, and target_cost.py on every board).

Input paths: `quantize_float` is the float sensor vector's normalisation and
quantization as the device computes it (float32, the 1/255 folded into the gain);
`quantize_raw` the integer one from a 12-bit ADC reading (a multiplier and a shift).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
IN_SCALE = 1.0 / 255.0
IN_ZERO_POINT = -128
ADC_MAX = 4095  # 12-bit readings


def tflite_round(x):
    """TfLiteRound / std::round: half away from zero."""
    x = np.asarray(x, dtype=np.float64)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier: (Q31 multiplier, shift; > 0 shifts left)."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = int(tflite_round(q * (1 << 31)))
    assert q_fixed <= 1 << 31
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        shift, q_fixed = 0, 0
    return q_fixed, shift


def _trunc_div(a: np.ndarray, d: int) -> np.ndarray:
    """C's integer division (towards zero) of int64 values by a positive d."""
    q = np.abs(a) // d
    return np.where(a < 0, -q, q)


def srdhm(a: np.ndarray, b: int) -> np.ndarray:
    """gemmlowp's SaturatingRoundingDoublingHighMul, int32 in, int32 out."""
    a = np.asarray(a, dtype=np.int64)
    overflow = (a == INT32_MIN) & (b == INT32_MIN)
    ab = a * np.int64(b)
    nudge = np.where(ab >= 0, np.int64(1 << 30), np.int64(1 - (1 << 30)))
    high = _trunc_div(ab + nudge, 1 << 31)
    return np.where(overflow, np.int64(INT32_MAX), high)


def rdbpot(x: np.ndarray, exponent: int) -> np.ndarray:
    """gemmlowp's RoundingDivideByPOT (round to nearest, ties away from zero)."""
    assert 0 <= exponent <= 31
    x = np.asarray(x, dtype=np.int64)
    mask = np.int64((1 << exponent) - 1)
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0).astype(np.int64)
    return (x >> exponent) + (remainder > threshold).astype(np.int64)


def wrap32(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.int64)
    return ((x + 2**31) % 2**32) - 2**31


def multiply_by_quantized_multiplier(x: np.ndarray, multiplier: int, shift: int) -> np.ndarray:
    """TFLite's MultiplyByQuantizedMultiplier (the double-rounding reference).

    `x * (1 << left_shift)` is int32 arithmetic in TFLite; here it wraps as the C
    kernel's unsigned shift does (no layer of a calibrated model gets near it)."""
    left = shift if shift > 0 else 0
    right = 0 if shift > 0 else -shift
    return rdbpot(srdhm(wrap32(np.asarray(x, dtype=np.int64) << left), multiplier), right)


@dataclass
class Layer:
    weight: np.ndarray  # int8 [n_out, n_in], row-major as the C reads it
    bias: np.ndarray  # int32 [n_out]
    in_offset: int  # -input zero point
    out_offset: int  # output zero point
    multiplier: int
    shift: int
    act_min: int
    act_max: int
    # float view, for the report
    in_scale: float = 0.0
    w_scale: float = 0.0
    out_scale: float = 0.0

    @property
    def n_in(self) -> int:
        return self.weight.shape[1]

    @property
    def n_out(self) -> int:
        return self.weight.shape[0]


def fc_s8(q_in: np.ndarray, layer: Layer) -> np.ndarray:
    """TFLite's reference_integer_ops::FullyConnected (filter offset 0), rows of q_in."""
    x = np.asarray(q_in, dtype=np.int64)
    acc = (x + layer.in_offset) @ layer.weight.astype(np.int64).T + layer.bias.astype(np.int64)
    if np.any((acc < INT32_MIN) | (acc > INT32_MAX)):
        raise OverflowError("int32 accumulator overflow")
    acc = multiply_by_quantized_multiplier(acc, layer.multiplier, layer.shift)
    acc = acc + layer.out_offset
    return np.clip(acc, layer.act_min, layer.act_max).astype(np.int64)


@dataclass
class Model:
    layers: list[Layer]
    out_scale: float  # dequantization of the last layer's int8 output
    out_zero_point: int
    # float-in path: q = clamp(round((x - low) * gain255), 0, 255) - 128, in float32
    low: np.ndarray = field(default_factory=lambda: np.zeros(0))
    gain255: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # raw-in path: q = ((raw * raw_mult + (1 << (raw_shift - 1))) >> raw_shift) - 128
    raw_mult: int = 0
    raw_shift: int = 0

    @property
    def n_inputs(self) -> int:
        return self.layers[0].n_in

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].n_out

    def dequantize(self, q_out: np.ndarray) -> np.ndarray:
        """float32 (q - zero point) * scale, as the device computes it."""
        k = (np.asarray(q_out, dtype=np.int64) - self.out_zero_point).astype(np.float32)
        with np.errstate(under="ignore"):
            return k * np.float32(self.out_scale)

    def quantize_float(self, x: np.ndarray) -> np.ndarray:
        """The device's float32 normalisation and rounding of raw float sensor vectors."""
        with np.errstate(under="ignore", over="ignore"):
            x = np.asarray(x, dtype=np.float32)
            t = (x - self.low.astype(np.float32)) * self.gain255.astype(np.float32)
        t = np.where(t >= np.float32(0), t, np.float32(0))  # NaN -> 0 as the C's !(t >= 0)
        t = np.minimum(t, np.float32(255.0))
        return (t + np.float32(0.5)).astype(np.int64) + IN_ZERO_POINT  # truncation, t >= 0

    def quantize_raw(self, raw: np.ndarray) -> np.ndarray:
        r = np.asarray(raw, dtype=np.int64)
        return ((r * self.raw_mult + (1 << (self.raw_shift - 1))) >> self.raw_shift) + IN_ZERO_POINT

    def run(self, q_in: np.ndarray) -> np.ndarray:
        """int8 outputs (n, n_outputs) of int8 inputs (n, n_inputs)."""
        a = np.asarray(q_in, dtype=np.int64)
        for layer in self.layers:
            a = fc_s8(a, layer)
        return a


def choose_quantization_params(rmin: float, rmax: float) -> tuple[float, int]:
    """TFLite's ChooseQuantizationParams for int8 (the range always holds 0)."""
    qmin, qmax = -128, 127
    rmin, rmax = min(rmin, 0.0), max(rmax, 0.0)
    if rmin == rmax:
        return 1.0, 0
    scale = (rmax - rmin) / (qmax - qmin)
    zp_from_min = qmin - rmin / scale
    zp_from_max = qmax - rmax / scale
    err_min = abs(qmin) + abs(rmin / scale)
    err_max = abs(qmax) + abs(rmax / scale)
    zp = zp_from_min if err_min < err_max else zp_from_max
    nudged = int(np.clip(tflite_round(zp), qmin, qmax))
    return scale, nudged


def raw_multiplier(adc_max: int = ADC_MAX) -> tuple[int, int]:
    """(M, s) with (raw * M + 2^(s-1)) >> s == round(raw * 255 / adc_max) for every
    reading, the smallest such s (the quantization of u = raw / adc_max at scale 1/255)."""
    raw = np.arange(adc_max + 1, dtype=np.int64)
    want = tflite_round(raw * 255.0 / adc_max).astype(np.int64)
    for s in range(1, 24):
        m = round(255 * 2**s / adc_max)
        if np.array_equal((raw * m + (1 << (s - 1))) >> s, want):
            return m, s
    raise ValueError("no multiplier and shift reproduce the rounding")


def from_mlp(mlp, u_calib: np.ndarray, low, high) -> Model:
    """Post-training quantization of a scikit-learn MLPRegressor (ReLU hidden layers,
    identity output) calibrated on u_calib (the normalised training inputs)."""
    ws = [np.asarray(w, dtype=np.float64).T for w in mlp.coefs_]  # [n_out, n_in]
    bs = [np.asarray(b, dtype=np.float64) for b in mlp.intercepts_]
    # float activations of the calibration set: the tensors each layer writes
    act = np.clip(np.asarray(u_calib, dtype=np.float64), 0.0, 1.0)
    ranges = []
    for k, (w, b) in enumerate(zip(ws, bs, strict=True)):
        act = act @ w.T + b
        if k < len(ws) - 1:
            act = np.maximum(act, 0.0)
        ranges.append((float(act.min()), float(act.max())))
    layers = []
    in_scale, in_zp = IN_SCALE, IN_ZERO_POINT
    for k, (w, b) in enumerate(zip(ws, bs, strict=True)):
        w_scale = float(np.abs(w).max()) / 127.0 or 1.0
        wq = np.clip(tflite_round(w / w_scale), -127, 127).astype(np.int8)
        bq = tflite_round(b / (in_scale * w_scale)).astype(np.int64)
        assert np.all(np.abs(bq) < 2**31)
        out_scale, out_zp = choose_quantization_params(*ranges[k])
        mult, shift = quantize_multiplier(in_scale * w_scale / out_scale)
        relu = k < len(ws) - 1
        layers.append(
            Layer(
                weight=wq,
                bias=bq.astype(np.int32),
                in_offset=-in_zp,
                out_offset=out_zp,
                multiplier=mult,
                shift=shift,
                act_min=max(-128, out_zp) if relu else -128,
                act_max=127,
                in_scale=in_scale,
                w_scale=w_scale,
                out_scale=out_scale,
            )
        )
        in_scale, in_zp = out_scale, out_zp
    low = np.asarray(low, dtype=np.float64)
    high = np.asarray(high, dtype=np.float64)
    m, s = raw_multiplier()
    return Model(
        layers=layers,
        out_scale=in_scale,
        out_zero_point=in_zp,
        low=low,
        gain255=255.0 / (high - low),
        raw_mult=m,
        raw_shift=s,
    )
