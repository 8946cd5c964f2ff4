"""The quantized network: everything the integer kernels need, computed once.

Like TFLite Micro's OpData filled in Prepare, a QuantizedNetwork holds the
integer tables, shifts and the range-proof verdicts that both the numpy
reference and the C generator read. Plain frozen data; no behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from snn2c import ir
from snn2c.contract import Decoder, Encoder, Fire, Leak, Neuron, Reset, ResetTiming


@dataclass(frozen=True)
class QuantizedEncoder:
    kind: Encoder
    steps: int
    n_features: int
    n_out: int
    neurons_per_feature: int
    t0: int
    window: int
    seed: int
    centres: np.ndarray | None  # (N,) int64 Q12, population kinds only
    gauss: np.ndarray | None  # (257,) int64 Q12, population kinds only
    # layer 0's columns (population kinds): the input each reads, whether it is the
    # input itself (direct) and the field's Q12 centre (0 for direct); feature-major
    col_feature: np.ndarray | None = None
    col_direct: np.ndarray | None = None
    col_centre: np.ndarray | None = None
    # per-feature encodings only: each input's (direct, Q12 centres)
    features: tuple[tuple[bool, tuple[int, ...]], ...] | None = None

    @property
    def spiking(self) -> bool:
        return self.kind.spiking

    def dropped_inputs(self) -> tuple[int, ...]:
        """The inputs no column reads (per-feature encodings); they normalise to 0."""
        if self.features is None:
            return ()
        return tuple(
            j for j, (direct, centres) in enumerate(self.features) if not direct and not centres
        )

    def read_runs(self) -> tuple[tuple[int, int], ...]:
        """The inputs layer 0 reads as (first, end) runs of consecutive inputs."""
        dropped = set(self.dropped_inputs())
        runs: list[tuple[int, int]] = []
        for j in range(self.n_features):
            if j in dropped:
                continue
            if runs and runs[-1][1] == j:
                runs[-1] = (runs[-1][0], j + 1)
            else:
                runs.append((j, j + 1))
        return tuple(runs)


@dataclass(frozen=True)
class RawInputs:
    """The integer normalisation of integer inputs (docs/fixed-point.md, "Integer inputs"):
    x = min((clamp(raw, low, high) - low) * mult + half >> shift, 4096), per feature."""

    low: np.ndarray  # (n_features,) int64
    high: np.ndarray  # (n_features,) int64
    mult: np.ndarray  # (n_features,) int64, >= 1
    shift: np.ndarray  # (n_features,) int64 in [0, 31]
    half: np.ndarray  # (n_features,) int64: 2^(shift-1), or 0


@dataclass(frozen=True)
class FloatInputs:
    """The integer normalisation of float readings (docs/fixed-point.md, "Normalisation"):
    X = trunc(x 2^frac) saturated to int32 (NaN: 0), then the integer inputs' path on X
    with low and high at round(low 2^frac) and round(high 2^frac)."""

    frac: np.ndarray  # (n_features,) int64: 2^frac per feature, any sign
    ints: RawInputs


@dataclass(frozen=True)
class Bounds:
    """Closed integer intervals proven by interval analysis (per layer, over neurons)."""

    acc: tuple[int, int]
    current: tuple[int, int]
    membrane: tuple[int, int]


@dataclass(frozen=True)
class QuantizedLIF:
    """Integer constants of a LIF or LI layer (docs/fixed-point.md, "LIF update"): the
    leak as V -= V >> leak_shift or V = V * beta_q15 / 2**15, the Q16 threshold, reset,
    comparison and reset timing (all but the leak unused by a non-spiking LI)."""

    kind: Neuron  # Neuron.LIF or Neuron.LI
    leak: Leak
    leak_shift: int
    beta_q15: int  # Q15, 0 for a shift leak
    threshold: int  # Q16, >= 1
    reset: Reset
    fire: Fire
    reset_timing: ResetTiming

    def __post_init__(self):
        if self.kind not in (Neuron.LIF, Neuron.LI):
            raise ValueError(f"QuantizedLIF holds lif or li neurons, not {self.kind}")

    @property
    def spiking(self) -> bool:
        return self.kind.spiking

    @property
    def reset_delayed(self) -> bool:
        """next_step or fire_first: a spike resets while the next input integrates."""
        return self.spiking and self.reset_timing.delayed

    @property
    def fire_first(self) -> bool:
        """fire_first: s(t) from V(t-1), then the reset while integrating step t."""
        return self.spiking and self.reset_timing is ResetTiming.FIRE_FIRST


@dataclass(frozen=True)
class QuantizedIzh:
    """Integer constants of an Izhikevich layer (docs/fixed-point.md, "Izhikevich layers")."""

    a_q: int  # rnd(a * 2**24)
    ab_q: int  # rnd(a * b * 2**24)
    c_q: int  # rnd(c * 2**16), reset potential
    d_q: int  # rnd(d * 2**16), reset increment of u
    gain_q: int  # rnd(gain * 2**8), >= 1
    dt_shift: int  # Euler step dt = 2**-dt_shift ms
    v0_q: int  # state after reset: v = -65 mV
    u0_q: int  # rnd(b * -65 * 2**16)
    dv: tuple[int, int]  # proven bounds of dv (Q16 mV/ms), int32
    u: tuple[int, int]  # bounds of u (clamped)

    kind: ClassVar[Neuron] = Neuron.IZHIKEVICH

    @property
    def spiking(self) -> bool:
        return self.kind.spiking


# A layer's quantized neuron model: one type per model (ir.NeuronSpec's, LIF and LI in one).
QuantizedNeuron = QuantizedLIF | QuantizedIzh


@dataclass(frozen=True)
class QuantizedLayer(ir.Dense):
    weight: np.ndarray  # (n_out, n_in) int64 values of the storage type
    weight_bits: int  # 8 or 16
    weight_frac: int  # ws: W ~ weight * 2**-ws
    input_frac: int  # as: 12 for encoder currents, 0 for spikes
    acc_shift: int  # ws + as - 16: I = rshift_round(acc, acc_shift) + bias
    bias: np.ndarray  # (n_out,) int64, Q16
    input_spiking: bool
    acc_wide: bool  # accumulate in int64
    saturate: bool  # sat32 on I and V (not proven to fit int32)
    bounds: Bounds
    neuron: QuantizedNeuron

    @property
    def spiking(self) -> bool:
        return self.neuron.spiking


@dataclass(frozen=True)
class QuantizedDecoder:
    kind: Decoder
    weight: np.ndarray  # (n_outputs, n_last) int64, int16 range
    weight_frac: int  # rs
    feature_frac: int  # fs
    out_shift: int  # rs + fs - 16
    bias: np.ndarray  # (n_outputs,) int64 at Q(rs + fs)
    sigmoid: np.ndarray | None  # (257,) int64 Q15 for population voting

    @property
    def n_outputs(self) -> int:
        return int(self.weight.shape[0])


@dataclass(frozen=True)
class QuantizedNetwork:
    source: ir.Network
    encoder: QuantizedEncoder
    layers: tuple[QuantizedLayer, ...]
    decoder: QuantizedDecoder
    raw: RawInputs | None = None  # integer inputs only
    # float readings normalised in integers (None: in float32, for ranges it cannot hold)
    float_in: FloatInputs | None = None

    @property
    def steps(self) -> int:
        return self.encoder.steps

    @property
    def n_inputs(self) -> int:
        return self.encoder.n_features

    @property
    def n_outputs(self) -> int:
        return self.decoder.n_outputs

    @property
    def streaming(self) -> bool:
        """State carries from sample to sample; the range proof holds for ever."""
        return self.source.streaming

    @property
    def proven(self) -> bool:
        return not any(layer.saturate for layer in self.layers)


@dataclass(frozen=True)
class CountForm:
    """A network evaluated without its time steps, exactly (docs/fixed-point.md, "Counting form").

    Layer 0's spike count over the T steps is ``counts[k]`` for the largest k with
    ``edges[k] <= clamp(I, 0, top)``; the output accumulator is
    ``fold_bias + 2**fold_shift * (fold_weight @ n)`` (then the decoder's rounding
    shift and sat32); ``fold_weight @ n`` fits int32 where ``acc32``.
    """

    edges: np.ndarray  # (R,) int64, strictly increasing, edges[0] = 0: run starts of the count
    counts: np.ndarray  # (R,) int64 in [0, T]: the count on each run
    top: int  # theta + 1: every current >= top fires at every step
    fold_weight: np.ndarray  # (n_outputs, n_hidden) int64, int32 range: R @ W_1
    fold_shift: int  # -acc_shift of the readout layer, >= 0
    fold_bias: np.ndarray  # (n_outputs,) int64: c + T R b_1
    acc32: bool  # |fold_weight @ n| < 2**31 for every count vector
    out_shift: int  # the decoder's rs + fs - 16

    @property
    def runs(self) -> int:
        return int(self.edges.shape[0])
