"""The model IR: a float spiking network for regression, as stored in a .snn file.

The IR is the only thing that crosses from training (torch) into the compiler.
It is plain frozen data; every stage after it (quantize, reference, codegen)
reads it and nothing else. Each time step of a network computes, per layer l
(``docs/fixed-point.md`` gives the integer form)::

    a_0(t)   = encoder(x, t)                       input activation (current or spikes)
    V_l(t)   = leak_l(V_l(t-1)) + W_l a_{l-1}(t) + b_l
    s_l(t)   = V_l(t) > theta_l   (or >=)          only for spiking (LIF) layers
    V_l(t)  -= theta_l s_l(t)     (or V_l(t) = 0 where s_l(t) = 1)
    a_l(t)   = s_l(t)

and after T steps the decoder maps the last layer to the outputs
``y = R f(last layer) + c`` (in [0, 1]-scaled target units), then to the user's
units ``y_user = target.offset + target.scale * y``.

A streaming network (``Network.streaming``) runs the same T steps per sensor
sample, but its layers' state (V, u, the last spikes) carries from one sample to
the next instead of being reset: the encoder and the decoder's counters start
afresh with each sample, the membranes remember the stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

import numpy as np

from snn2c.contract import (
    IZH_V_MIN,
    IZH_V_PEAK,
    MAX_STEPS,
    Q16_LIMIT,
    Decoder,
    Encoder,
    Fire,
    Leak,
    Neuron,
    Reset,
    ResetTiming,
    leak_beta,
)

FORMAT_NAME = "snn2c-model"
FORMAT_VERSION = 2  # 2: per-feature encodings (a file without them is still written as 1)

# Izhikevich (2003) firing types: (a, b, c, d), v and c, d in mV, time in ms.
IZH_PRESETS: dict[str, tuple[float, float, float, float]] = {
    "regular_spiking": (0.02, 0.2, -65.0, 8.0),
    "intrinsically_bursting": (0.02, 0.2, -55.0, 4.0),
    "chattering": (0.02, 0.2, -50.0, 2.0),
    "fast_spiking": (0.1, 0.2, -65.0, 2.0),
}
WEIGHT_BITS = (8, 16)
MAX_FIELDS = 256  # receptive fields per input


@dataclass(frozen=True)
class Limit:
    """The range a parameter of the network may take: the one statement the trainer's
    options, the model-file loader and their messages all read (LIMITS)."""

    lo: float
    hi: float
    lo_open: bool = False  # lo itself is outside
    hi_open: bool = False  # hi itself is outside
    unit: str = ""
    integer: bool = False

    def __contains__(self, v: object) -> bool:
        if isinstance(v, bool) or not isinstance(v, int | float) or v != v:
            return False
        if self.integer and not (isinstance(v, int) or v.is_integer()):
            return False
        above = v > self.lo if self.lo_open else v >= self.lo
        below = v < self.hi if self.hi_open else v <= self.hi
        return above and below

    @property
    def text(self) -> str:
        """The range as a message says it: "an integer in [1, 4096]", "a number in (0, 1]"."""
        left, right = "(" if self.lo_open else "[", ")" if self.hi_open else "]"
        what = "an integer" if self.integer else "a number"
        lo, hi = (f"{v:g}" if not self.integer else str(int(v)) for v in (self.lo, self.hi))
        return f"{what} in {left}{lo}, {hi}{right}" + (f" {self.unit}" if self.unit else "")


# Every bounded parameter of ir.Network, by name (the trainer's option is --name with
# dashes; the file key is the name after the dot). Bounds that follow from the contract
# are taken from it; docs/file-format.md states the same ranges.
LIMITS: dict[str, Limit] = {
    "steps": Limit(1, MAX_STEPS, integer=True),
    "neurons_per_feature": Limit(2, MAX_FIELDS, integer=True),
    "sigma": Limit(1e-6, 1e6),
    "leak_shift": Limit(0, 15, integer=True),
    "threshold": Limit(0, Q16_LIMIT, lo_open=True, hi_open=True),
    "adc_bits": Limit(1, 24, integer=True),
    "izh.a": Limit(0, 1, lo_open=True, unit="1/ms"),
    "izh.b": Limit(-1, 1),
    "izh.c": Limit(IZH_V_MIN, IZH_V_PEAK, hi_open=True, unit="mV"),
    "izh.d": Limit(-100, 100, unit="mV"),
    "izh.gain": Limit(0, 256, lo_open=True, unit="mV/ms"),
    "izh.dt_shift": Limit(0, 4, integer=True),
}


@dataclass(frozen=True)
class InputSpec:
    """Named sensor inputs and the range each is normalised from: u = (x - low) / (high - low).

    integer: the inputs are integer readings (an ADC's counts, a sensor's register) with
    integer low and high; the device then also takes them as int32 and normalises them
    without floating point (docs/fixed-point.md, "Integer inputs").
    """

    names: tuple[str, ...]
    low: np.ndarray  # (n_features,) float64 (whole numbers when integer)
    high: np.ndarray  # (n_features,) float64 (whole numbers when integer)
    integer: bool = False
    # how integer readings were made from a real-valued dataset: B-bit ADC counts over
    # each feature's training range (snn2c train --adc-bits); None for readings as given
    adc_bits: int | None = None

    @property
    def n_features(self) -> int:
        return len(self.names)


@dataclass(frozen=True)
class TargetSpec:
    """The regression target: the network predicts y in [0, 1]; y_user = offset + scale * y."""

    name: str = "y"
    units: str = ""
    offset: float = 0.0
    scale: float = 1.0


@dataclass(frozen=True)
class FeatureEncoding:
    """One input's columns of layer 0 under a population encoder with per-feature encodings.

    direct: u itself as a current (a linear term); centres: Gaussian receptive fields
    at these centres in [0, 1] (the encoder's sigma); neither: the input is dropped
    and never read. Learned by `snn2c train --field-penalty` (docs/training.md).
    """

    direct: bool = False
    centres: tuple[float, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "direct", bool(self.direct))
        object.__setattr__(self, "centres", tuple(float(c) for c in self.centres))

    @property
    def width(self) -> int:
        """The number of layer-0 columns this input feeds."""
        return int(self.direct) + len(self.centres)

    @property
    def dropped(self) -> bool:
        return self.width == 0

    def describe(self) -> str:
        """'dropped', 'direct', '3 fields' or 'direct + 2 fields'."""
        parts = (["direct"] if self.direct else []) + (
            [f"{len(self.centres)} field{'s' if len(self.centres) != 1 else ''}"]
            if self.centres
            else []
        )
        return " + ".join(parts) or "dropped"


@dataclass(frozen=True)
class EncoderColumns:
    """Layer 0's input columns: for each, the input it reads and how (feature-major)."""

    feature: np.ndarray  # (n,) int64: the input each column reads
    direct: np.ndarray  # (n,) bool: u itself (else a Gaussian field)
    centre: np.ndarray  # (n,) float64: the field's centre in [0, 1] (0 for direct)


@dataclass(frozen=True)
class EncoderSpec:
    """How a normalised input u in [0, 1] becomes the first layer's input over `steps` steps.

    - population: Gaussian receptive fields A_i(u) = exp(-(u - mu_i)^2 / (2 sigma^2)),
      mu_i = i / (n - 1), presented as a constant current every step.
    - population_latency: the same fields, each neuron spiking once at step
      t0 + round((1 - A_i) * window), if that is < steps.
    - rate_periodic: one neuron per feature, a phase accumulator spiking floor(t*u) times.
    - rate_bernoulli: one neuron per feature, P(spike) = u per step from a seeded xorshift32.
    - latency: one neuron per feature spiking once at t0 + round((1 - u) * window).
    - direct: u itself as a constant current every step.

    features (population only): each input's own encoding (FeatureEncoding) instead
    of neurons_per_feature fields for every input; layer 0's columns are then the
    direct columns of the inputs that have one, in input order, followed by each
    input's fields in input order. neurons_per_feature is the grid they came from.
    """

    kind: Encoder = Encoder.POPULATION
    steps: int = 16
    neurons_per_feature: int = 8
    sigma: float = 0.1
    t0: int = 0
    window: int = 15
    seed: int = 1
    features: tuple[FeatureEncoding, ...] | None = None

    def __post_init__(self):
        object.__setattr__(self, "kind", Encoder(self.kind))  # a str from a file or option
        if self.features is not None:
            if self.kind != Encoder.POPULATION:
                raise ValueError("per-feature encodings need the population encoder")
            object.__setattr__(self, "features", tuple(self.features))
            for f in self.features:
                if not all(0.0 <= c <= 1.0 for c in f.centres):
                    raise ValueError("receptive-field centres must lie in [0, 1]")

    @property
    def spiking(self) -> bool:
        return self.kind.spiking

    def n_outputs(self, n_features: int) -> int:
        if self.features is not None:
            return sum(f.width for f in self.features)
        if self.kind.gaussian:
            return n_features * self.neurons_per_feature
        return n_features

    def feature_encodings(self, n_features: int) -> tuple[FeatureEncoding, ...]:
        """Each input's encoding, the uniform ones spelled out (Gaussian kinds only)."""
        if self.features is not None:
            return self.features
        grid = tuple(np.arange(self.neurons_per_feature) / (self.neurons_per_feature - 1))
        return (FeatureEncoding(False, grid),) * n_features

    def columns(self, n_features: int) -> EncoderColumns:
        """Layer 0's columns in order (Gaussian kinds only)."""
        encs = self.feature_encodings(n_features)
        direct = [j for j, f in enumerate(encs) if f.direct]
        fields = [(j, c) for j, f in enumerate(encs) for c in f.centres]
        return EncoderColumns(
            feature=np.array(direct + [j for j, _ in fields], dtype=np.int64),
            direct=np.array([True] * len(direct) + [False] * len(fields), dtype=bool),
            centre=np.array([0.0] * len(direct) + [c for _, c in fields], dtype=np.float64),
        )

    def dropped_inputs(self, n_features: int) -> tuple[int, ...]:
        """The inputs no column reads."""
        if self.features is None:
            return ()
        return tuple(j for j, f in enumerate(self.features) if f.dropped)


@dataclass(frozen=True)
class LeakyNeuron:
    """The leaky integrator both LIF and LI layers are: V_t = beta V_{t-1} + I_t.

    The leak is beta = 1 - 2**-leak_shift (Leak.SHIFT) or beta itself (Leak.MUL). A
    spiking layer (LIF) then fires where V > threshold (Fire.GT) or V >= threshold
    (Fire.GE) and resets by subtracting the threshold or to zero. reset_timing
    SAME_STEP resets right after the spike; NEXT_STEP applies the reset of step t-1
    while integrating step t (snnTorch's reset_delay=True):
    V_t = beta V_{t-1} + I_t - theta s_{t-1} (subtract) or (0 if s_{t-1} else beta V_{t-1}) + I_t (zero).
    FIRE_FIRST (Spyx's LIF) fires on the membrane held from the previous step and then
    leaks, integrates and resets: s_t = [V_{t-1} > theta], then the update above with s_t
    in place of s_{t-1}. Its membranes are next_step's; each spike leaves one step later.
    """

    leak: Leak = Leak.SHIFT
    leak_shift: int = 3
    beta: float = 0.875
    threshold: float = 1.0
    reset: Reset = Reset.SUBTRACT
    fire: Fire = Fire.GT
    reset_timing: ResetTiming = ResetTiming.SAME_STEP

    kind: ClassVar[Neuron]  # the file format's tag, one per concrete type
    title: ClassVar[str]  # its name in messages and generated comments

    def __post_init__(self):
        for name, kind in (
            ("leak", Leak),
            ("reset", Reset),
            ("fire", Fire),
            ("reset_timing", ResetTiming),
        ):
            object.__setattr__(self, name, kind(getattr(self, name)))  # a str from an option

    @property
    def decay(self) -> float:
        """The multiplicative leak factor beta applied to V each step."""
        if self.leak is Leak.SHIFT:
            return leak_beta(self.leak_shift)
        return self.beta

    @property
    def spiking(self) -> bool:
        return self.kind.spiking

    def retyped(self, cls: type[L], **changes: Any) -> L:
        """The same leaky-integrator fields as another leaky type (LIF <-> LI)."""
        return cls(**{**{f.name: getattr(self, f.name) for f in fields(self)}, **changes})


@dataclass(frozen=True)
class LIFNeuron(LeakyNeuron):
    """Leaky integrate-and-fire: the leaky integrator that spikes and resets."""

    kind: ClassVar[Neuron] = Neuron.LIF
    title: ClassVar[str] = "LIF"


@dataclass(frozen=True)
class LINeuron(LeakyNeuron):
    """A non-spiking leaky integrator (a membrane readout, last layer only). It keeps the
    spike fields of a LIF (the file carries them) and never uses them."""

    kind: ClassVar[Neuron] = Neuron.LI
    title: ClassVar[str] = "LI"


L = TypeVar("L", bound=LeakyNeuron)


@dataclass(frozen=True)
class IzhikevichNeuron:
    """Izhikevich's two-variable neuron (hidden layers only), v in mV:
    dv/dt = 0.04 v^2 + 5 v + 140 - u + gain * I, du/dt = a (b v - u), one Euler step of
    dt = 2**-dt_shift ms per network step, spike when v >= 30 mV, then v <- c, u <- u + d
    (docs/fixed-point.md, "Izhikevich layers"). Defaults: regular spiking, dt = 0.5 ms,
    gain 10 mV/ms per unit of current.
    """

    a: float = 0.02
    b: float = 0.2
    c: float = -65.0
    d: float = 8.0
    dt_shift: int = 1
    gain: float = 10.0

    kind: ClassVar[Neuron] = Neuron.IZHIKEVICH
    title: ClassVar[str] = "Izhikevich"

    @classmethod
    def from_preset(cls, preset: str = "regular_spiking", **kw: Any) -> IzhikevichNeuron:
        """A named preset's (a, b, c, d); kw overrides fields."""
        if preset not in IZH_PRESETS:
            raise ValueError(f"preset must be one of {', '.join(IZH_PRESETS)}, got {preset!r}")
        a, b, c, d = IZH_PRESETS[preset]
        return cls(**{"a": a, "b": b, "c": c, "d": d, **kw})

    @property
    def spiking(self) -> bool:
        return self.kind.spiking

    @property
    def dt_ms(self) -> float:
        """The Euler step in ms of model time per network step."""
        return 2.0 ** (-self.dt_shift)


# A layer's neuron model: one type per model, as NIR has one node per primitive. A new
# model is a new type here (docs/architecture.md, "A new neuron model").
NeuronSpec = LIFNeuron | LINeuron | IzhikevichNeuron
NEURON_TYPES: dict[Neuron, type[NeuronSpec]] = {
    t.kind: t for t in (LIFNeuron, LINeuron, IzhikevichNeuron)
}


class Dense:
    """The shape of a layer's weight matrix (n_out x n_in), float or quantized."""

    weight: np.ndarray

    @property
    def n_in(self) -> int:
        return int(self.weight.shape[1])

    @property
    def n_out(self) -> int:
        return int(self.weight.shape[0])


@dataclass(frozen=True)
class DenseLayer(Dense):
    """A fully connected layer W (n_out x n_in), bias b (n_out) and its neurons."""

    weight: np.ndarray
    bias: np.ndarray
    neuron: NeuronSpec


@dataclass(frozen=True)
class DecoderSpec:
    """Maps the last layer after the final step to outputs: y = weight @ f + bias.

    f is V(T) (membrane), sigmoid(V(T)) (population voting), spike count / steps
    (rate) or first-spike step / steps, steps where a neuron never fired (first_spike).
    """

    kind: Decoder
    weight: np.ndarray  # (n_outputs, n_last)
    bias: np.ndarray  # (n_outputs,)

    def __post_init__(self):
        object.__setattr__(self, "kind", Decoder(self.kind))

    @property
    def n_outputs(self) -> int:
        return int(self.weight.shape[0])


@dataclass(frozen=True)
class BaselineMLP:
    """The ANN a user would deploy instead, trained by `snn2c train` on the same split.

    A ReLU MLP on the same normalised inputs u (InputSpec) predicting the same
    [0, 1]-scaled target (TargetSpec): h_0 = u, h_k = relu(W_k h_{k-1} + b_k), y =
    W_L h_{L-1} + b_L. Stored so that `snn2c report` compares against it on the
    board without retraining.
    """

    weights: tuple[np.ndarray, ...]  # (n_out, n_in) per layer, float64
    biases: tuple[np.ndarray, ...]
    note: str = ""

    @property
    def hidden(self) -> tuple[int, ...]:
        return tuple(int(w.shape[0]) for w in self.weights[:-1])

    def inputs_read(self) -> tuple[int, ...]:
        """The inputs with a nonzero weight in the first layer (an MLP trained without
        the inputs the SNN drops stores zero columns for them)."""
        return tuple(int(j) for j in np.flatnonzero(np.any(self.weights[0] != 0, axis=0)))

    def predict(self, u: np.ndarray) -> np.ndarray:
        h = np.asarray(u, dtype=np.float64)
        for k, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w.T + b
            if k < len(self.weights) - 1:
                h = np.maximum(h, 0.0)
        return h


@dataclass(frozen=True)
class Network:
    """A complete float network as stored in a .snn file."""

    name: str
    inputs: InputSpec
    target: TargetSpec
    encoder: EncoderSpec
    layers: tuple[DenseLayer, ...]
    decoder: DecoderSpec
    weight_bits: int = 8
    dt: float = 1e-3  # seconds of model time per step (energy model, NIR interop)
    metadata: dict[str, Any] = field(default_factory=dict)
    baseline: BaselineMLP | None = None  # the comparison ANN, when `snn2c train` made one
    streaming: bool = False  # layer state carries from sample to sample (docs/streaming.md)

    def __post_init__(self):
        feats = self.encoder.features
        if feats is not None and len(feats) != self.inputs.n_features:
            raise ValueError(
                f"encoder.features: {len(feats)} encodings for {self.inputs.n_features} inputs"
            )

    @property
    def n_inputs(self) -> int:
        return self.inputs.n_features

    def used_inputs(self) -> tuple[int, ...]:
        """The inputs layer 0 reads: all of them unless a per-feature encoding drops some."""
        dropped = set(self.encoder.dropped_inputs(self.n_inputs))
        return tuple(j for j in range(self.n_inputs) if j not in dropped)

    def input_encodings(self) -> dict[str, str]:
        """Each input's encoding as a phrase ('direct + 2 fields', 'dropped'); {} when
        every input has the encoder's common encoding."""
        feats = self.encoder.features
        if feats is None:
            return {}
        return {n: f.describe() for n, f in zip(self.inputs.names, feats, strict=True)}

    @property
    def n_outputs(self) -> int:
        return self.decoder.n_outputs

    @property
    def steps(self) -> int:
        return self.encoder.steps
