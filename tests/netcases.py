"""The equivalence suite's networks: every encoder x decoder, varied in every other axis."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from snn2c import ir
from snn2c.contract import Decoder, Encoder, kind_names
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import integer

ENCODERS = kind_names(Encoder)
DECODERS = kind_names(Decoder)
WIDTHS = (1, 2, 7, 16, 33, 64, 100, 256)


def equivalence_networks() -> list[tuple[str, ir.Network]]:
    """24 networks (6 encoders x 4 decoders), depth 1-3, widths 1-256, 1-3 outputs,
    int8/int16, shift/mul leak, subtract/zero reset, gt/ge firing, the three reset timings."""
    cases = []
    rng = np.random.default_rng(2026)
    for k, (enc, dec) in enumerate(itertools.product(ENCODERS, DECODERS)):
        depth = 1 + k % 3
        hidden = tuple(int(rng.choice(WIDTHS)) for _ in range(depth - 1))
        if k % 7 == 0:
            hidden = (*hidden[:-1], 256) if hidden else (256,)
        params = dict(
            n_features=int(rng.integers(1, 6)),
            hidden=hidden,
            n_outputs=1 + k % 3,
            last_neurons=int(rng.choice((1, 3, 8, 20))),
            encoder=enc,
            decoder=dec,
            steps=int(rng.choice((1, 4, 9, 16))),
            weight_bits=16 if k % 4 == 1 else 8,
            leak="mul" if k % 2 else "shift",
            reset="zero" if k % 3 == 2 else "subtract",
            fire="ge" if k % 5 in (1, 3) else "gt",
            reset_timing=(
                "next_step" if k % 4 == 3 else "fire_first" if k % 8 == 5 else "same_step"
            ),
        )
        net = _active(100 + k, params)
        cases.append((f"{k:02d}-{enc}-{dec}-d{depth}", net))
    return cases


def _active(seed: int, params: dict) -> ir.Network:
    """The first variant (stronger weights, then more steps) whose hidden layers spike."""
    for steps in (params["steps"], 16):
        for scale in (1.0, 2.0, 4.0, 8.0):
            net = random_network(seed, **{**params, "steps": steps}, weight_scale=scale)
            if not net.layers[0].neuron.spiking:
                return net  # a single non-spiking readout layer: nothing to spike
            x = make_inputs(net, 64, seed=seed)
            if integer.run(quantize(net), x).spike_counts[:, 1].sum() > 0:
                return net
    raise AssertionError(f"no active variant for seed {seed}")


def saturating_networks() -> list[tuple[str, ir.Network]]:
    """Networks whose range proof fails, so that the saturating paths run."""
    cases = []
    for k, (enc, bits) in enumerate((("direct", 16), ("population", 16), ("rate_periodic", 8))):
        net = random_network(
            seed=900 + k,
            n_features=4,
            hidden=(40, 12),
            encoder=enc,
            decoder="membrane" if k != 2 else "population",
            steps=12,
            weight_bits=bits,
            weight_scale=3000.0 if bits == 16 else 300.0,
        )
        cases.append((f"sat{k}-{enc}-int{bits}", net))
    return cases


def make_inputs(net: ir.Network, n: int, seed: int = 0) -> np.ndarray:
    """n Q12 input vectors: inside the range, its edges, beyond it, and int32 extremes."""
    rng = np.random.default_rng(seed)
    f = net.n_inputs
    inside = rng.integers(0, 4097, (n - n // 4, f))
    special = np.array([0, 4096, 1, 4095, 2048, -1, 4097, -5000, 10**6, -(2**31), 2**31 - 1])
    edges = rng.choice(special, (n // 4, f))
    x = np.concatenate([inside, edges])
    x[0] = 0
    x[1] = 4096
    return x.astype(np.int64)


def izhikevich_networks() -> list[tuple[str, ir.Network]]:
    """Networks whose hidden layers are Izhikevich neurons: every preset, dt 1..1/16 ms,
    current and spike encoders, every decoder, int8/int16, saturating currents included."""
    presets = tuple(ir.IZH_PRESETS)
    combos = [
        # (encoder, decoder, hidden, dt_shift, gain, bits, weight_scale, steps)
        ("population", "membrane", (16,), 1, 10.0, 8, 1.0, 16),
        ("direct", "rate", (7, 33), 0, 25.0, 16, 1.0, 12),
        ("rate_periodic", "population", (64,), 2, 40.0, 8, 2.0, 24),
        ("population_latency", "first_spike", (20, 8), 1, 60.0, 8, 4.0, 16),
        ("rate_bernoulli", "membrane", (100,), 4, 200.0, 16, 2.0, 20),
        ("latency", "rate", (2,), 3, 120.0, 8, 8.0, 9),
        ("direct", "population", (40, 12), 1, 255.0, 16, 3000.0, 10),  # saturating current
        ("direct", "membrane", (256,), 0, 5.0, 8, 1.0, 30),
    ]
    cases = []
    for k, (enc, dec, hidden, dt_shift, gain, bits, scale, steps) in enumerate(combos):
        base = random_network(
            700 + k,
            n_features=1 + k % 4,
            hidden=hidden,
            n_outputs=1 + k % 2,
            last_neurons=(1, 3, 8)[k % 3],
            encoder=enc,
            decoder=dec,
            steps=steps,
            weight_bits=bits,
            weight_scale=scale,
        )
        layers = []
        for i, layer in enumerate(base.layers):
            if i < len(base.layers) - 1:
                n = ir.IzhikevichNeuron.from_preset(
                    presets[(k + i) % len(presets)], dt_shift=dt_shift, gain=gain
                )
                layer = ir.DenseLayer(layer.weight, layer.bias, n)
            layers.append(layer)
        net = dataclasses.replace(base, layers=tuple(layers), name=f"izh-{k}")
        cases.append((f"izh{k}-{enc}-{dec}-dt{dt_shift}", net))
    return cases


def count_form_networks() -> list[tuple[str, ir.Network]]:
    """One-hidden-layer networks with a non-leaky readout, which compile to the counting
    form (docs/fixed-point.md): both current encoders, T = 1..48, int8/int16, both leak
    forms, both resets and comparisons, 1-3 outputs, thresholds up to 40, saturating
    currents."""
    combos = [
        # (encoder, hidden, steps, bits, leak, reset, fire, outputs, threshold, scale)
        ("population", 16, 8, 8, "shift", "subtract", "gt", 1, None, 1.0),
        ("direct", 64, 16, 8, "shift", "subtract", "gt", 1, None, 2.0),
        ("direct", 7, 1, 16, "mul", "zero", "ge", 2, None, 1.0),
        ("population", 33, 32, 16, "shift", "zero", "gt", 3, None, 4.0),
        ("direct", 1, 4, 8, "mul", "subtract", "ge", 1, 40.0, 60.0),
        ("population", 100, 12, 8, "shift", "subtract", "ge", 2, 0.25, 1.0),
        ("direct", 24, 9, 16, "shift", "subtract", "gt", 1, None, 3000.0),  # saturating current
        ("population", 10, 48, 8, "shift", "subtract", "gt", 1, None, 1.0),  # buckets of 2+ runs
    ]
    cases = []
    for k, (enc, hidden, steps, bits, leak, reset, fire, outs, thr, scale) in enumerate(combos):
        base = random_network(
            500 + k,
            n_features=1 + k % 5,
            hidden=(hidden,),
            n_outputs=outs,
            last_neurons=(1, 4, 8)[k % 3],
            encoder=enc,
            steps=steps,
            weight_bits=bits,
            leak=leak,
            reset=reset,
            fire=fire,
            weight_scale=scale,
        )
        h, last = base.layers
        if thr is not None:
            h = dataclasses.replace(h, neuron=dataclasses.replace(h.neuron, threshold=thr))
        readout = ir.LINeuron(leak="mul", beta=1.0)
        # the readout's own weights stay of order one (only layer 0 is scaled up)
        last = dataclasses.replace(last, weight=last.weight / scale, neuron=readout)
        layers = (h, last)
        cases.append((f"cf{k}-{enc}-T{steps}", dataclasses.replace(base, layers=layers)))
    return cases


def per_feature_networks() -> list[tuple[str, ir.Network]]:
    """Population networks with per-feature encodings: dropped inputs, direct ones,
    direct plus fields, runs of inputs that share their centres (one kernel call), odd
    and even field counts, a lone field, centres off the grid; in the counting form
    and stepped (a leaky readout, two hidden layers, a streaming model)."""
    fe = ir.FeatureEncoding
    grid4 = (0.0, 1 / 3, 2 / 3, 1.0)
    mixed = (
        fe(False, grid4),
        fe(False, grid4),  # shares the centres of the input before: one call for both
        fe(),  # dropped
        fe(True),
        fe(True),  # a run of two direct inputs
        fe(True, (0.0, 0.5, 1.0)),
        fe(False, (0.25,)),
        fe(False, (0.0, 0.1, 0.35, 0.5, 0.9)),  # off the grid
    )
    direct_only = (fe(True), fe(), fe(True))
    cases = []
    for k, (feats, hidden, steps, bits, leak_readout) in enumerate(
        (
            (mixed, (24,), 16, 8, False),
            (mixed, (16, 9), 8, 16, True),
            (direct_only, (12,), 12, 8, False),
            (mixed[3:], (7,), 32, 8, True),
        )
    ):
        net = random_network(
            700 + k,
            n_features=len(feats),
            hidden=hidden,
            n_outputs=1 + k % 2,
            last_neurons=(4, 8)[k % 2],
            steps=steps,
            weight_bits=bits,
            weight_scale=2.0,
            features=feats,
        )
        if not leak_readout:  # a non-leaky readout: the counting form
            h, last = net.layers
            readout = ir.LINeuron(leak="mul", beta=1.0)
            net = dataclasses.replace(net, layers=(h, dataclasses.replace(last, neuron=readout)))
        cases.append((f"pf{k}-{len(feats)}in-T{steps}", net))
    cases.append(("pf-stream", streaming_variant(cases[1][1])))
    return cases


def scaled_accumulator_network() -> ir.Network:
    """A spike-fed layer whose scaled accumulator (acc * 2**16 before the bias) leaves
    int32 although the current after the bias would fit: the range proof must see
    the intermediate and make the layer saturate (issue 11: UB in snn_scale32)."""
    base = random_network(
        77, n_features=2, hidden=(2,), last_neurons=1, encoder="direct", weight_bits=16
    )
    h, last = base.layers
    w1 = np.full((1, 2), -30000.0)  # ws = 0: acc in [-60000, 0], times 2**16
    neuron = dataclasses.replace(last.neuron, leak_shift=0)
    last = ir.DenseLayer(w1, np.array([30000.0]), neuron)
    return dataclasses.replace(base, layers=(h, last), name="scaled-acc")


def streaming_variant(net: ir.Network, readout_shift: int | None = 2) -> ir.Network:
    """net as a streaming model whose readout leaks by 2**-readout_shift per step
    (None: not at all, beta = 1, so its proof needs saturation)."""
    last = net.layers[-1]
    if readout_shift is None:
        neuron = dataclasses.replace(last.neuron, leak="mul", beta=1.0)
    else:
        neuron = dataclasses.replace(last.neuron, leak="shift", leak_shift=readout_shift)
    layers = (*net.layers[:-1], dataclasses.replace(last, neuron=neuron))
    return dataclasses.replace(net, layers=layers, streaming=True)
