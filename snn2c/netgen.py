"""Random but plausible networks, for tests, fuzzing and examples without training."""

from __future__ import annotations

import numpy as np

from snn2c import ir
from snn2c.contract import Decoder, Encoder, Fire, Leak, Reset, ResetTiming


def random_network(
    seed: int = 0,
    *,
    n_features: int = 3,
    hidden: tuple[int, ...] = (16,),
    n_outputs: int = 1,
    last_neurons: int = 4,
    encoder: str = "population",
    decoder: str = "membrane",
    steps: int = 8,
    weight_bits: int = 8,
    leak: str = "shift",
    reset: str = "subtract",
    fire: str = "gt",
    reset_timing: str = "same_step",
    weight_scale: float = 1.0,
    features: tuple[ir.FeatureEncoding, ...] | None = None,
) -> ir.Network:
    """A network with random weights scaled so that neurons actually spike; features:
    per-feature encodings (population encoder) instead of the same fields for all."""
    rng = np.random.default_rng(seed)
    enc = ir.EncoderSpec(
        kind=Encoder(encoder),
        steps=steps,
        neurons_per_feature=int(rng.integers(3, 9)),
        sigma=float(rng.uniform(0.08, 0.4)),
        t0=int(rng.integers(0, 3)),
        window=max(1, steps - 3),
        seed=int(rng.integers(1, 2**32 - 1)),
        features=features,
    )
    low = rng.uniform(-10, 10, n_features)
    high = low + rng.uniform(0.5, 50, n_features)
    inputs = ir.InputSpec(tuple(f"x{i}" for i in range(n_features)), low, high)
    spiking_last = Decoder(decoder).counts
    widths = (*hidden, last_neurons)
    layers = []
    n_in = enc.n_outputs(n_features)
    for i, n_out in enumerate(widths):
        is_last = i == len(widths) - 1
        # fan-in scaling that keeps currents of order one threshold
        gain = weight_scale * (2.5 if enc.spiking or i > 0 else 1.5) / np.sqrt(max(1, n_in) * 0.3)
        weight = rng.normal(0, gain, (n_out, n_in))
        bias = rng.normal(0.05, 0.1, n_out)
        cls = ir.LIFNeuron if (not is_last or spiking_last) else ir.LINeuron
        neuron = cls(
            leak=Leak(leak),
            leak_shift=int(rng.integers(1, 6)),
            beta=float(rng.uniform(0.5, 0.99)),
            threshold=float(rng.uniform(0.5, 1.5)),
            reset=Reset(reset),
            fire=Fire(fire),
            reset_timing=ResetTiming(reset_timing),
        )
        layers.append(ir.DenseLayer(weight, bias, neuron))
        n_in = n_out
    dec = ir.DecoderSpec(
        kind=Decoder(decoder),
        weight=rng.normal(0, 0.5, (n_outputs, n_in)),
        bias=rng.normal(0.5, 0.1, n_outputs),
    )
    return ir.Network(
        name=f"random-{seed}",
        inputs=inputs,
        target=ir.TargetSpec(name="y", units="a.u.", offset=float(rng.normal()), scale=2.0),
        encoder=enc,
        layers=tuple(layers),
        decoder=dec,
        weight_bits=weight_bits,
        metadata={"generator": "snn2c.netgen.random_network", "seed": seed},
    )
