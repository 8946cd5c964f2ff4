"""The integer reference and the float simulator on networks computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from snn2c import contract, ir
from snn2c.contract import Decoder, kind_names
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import integer, normalize_device, predict, run_rows
from snn2c.reference.floatsim import normalize_float, run_float


def one_neuron(weight=1.5, fire="gt", reset="subtract", timing="same_step") -> ir.Network:
    """direct encoder -> 1 LIF (beta 0.5, threshold 1) -> rate readout y = count / T."""
    return ir.Network(
        name="one-neuron",
        inputs=ir.InputSpec(("x",), np.array([0.0]), np.array([1.0])),
        target=ir.TargetSpec(),
        encoder=ir.EncoderSpec(kind="direct", steps=4),
        layers=(
            ir.DenseLayer(
                np.array([[weight]]),
                np.array([0.0]),
                ir.LIFNeuron(
                    leak="shift",
                    leak_shift=1,
                    threshold=1.0,
                    reset=reset,
                    fire=fire,
                    reset_timing=timing,
                ),
            ),
        ),
        decoder=ir.DecoderSpec("rate", np.array([[1.0]]), np.array([0.0])),
    )


def test_hand_computed_lif_trace():
    # W = 1.5 -> int8 96 at Q6; x = 1.0 (4096): acc = 393216, >> 2 -> I = 98304 (1.5 in Q16)
    # each step: V = V - (V >> 1) + 98304, spike when V > 65536, then V -= 65536
    q = quantize(one_neuron())
    layer = q.layers[0]
    assert (int(layer.weight[0, 0]), layer.weight_frac, layer.acc_shift) == (96, 6, 2)
    res = integer.run(q, np.array([[4096], [2048]]), trace=True)
    np.testing.assert_array_equal(res.membranes[0][0, :, 0], [32768, 49152, 57344, 61440])
    np.testing.assert_array_equal(res.spike_counts, [[0, 4], [0, 2]])
    # x = 0.5: I = 49152; V: 49152, 73728 -> fire -> 8192, 53248, 75776 -> fire -> 10240
    np.testing.assert_array_equal(res.membranes[0][1, :, 0], [49152, 8192, 53248, 10240])
    # rate readout: R = 1/T = 0.25 -> 16384 at Q16, shift 0: y = 16384 * count
    np.testing.assert_array_equal(res.outputs, [[65536], [32768]])


def test_hand_computed_delayed_reset():
    # snnTorch's reset_delay: V_t = V_{t-1} - (V_{t-1} >> 1) + 98304 - 65536 * s_{t-1}
    net = one_neuron(timing="next_step")
    res = integer.run(quantize(net), np.array([[4096]]), trace=True)
    np.testing.assert_array_equal(res.membranes[0][0, :, 0], [98304, 81920, 73728, 69632])
    assert res.spike_counts[0, 1] == 4
    f = run_float(net, np.array([[1.0]]), trace=True)
    np.testing.assert_allclose(f.membranes[0][0, :, 0], [1.5, 1.25, 1.125, 1.0625])


def test_hand_computed_fire_first():
    # Spyx's LIF: s_t = [V_{t-1} > 65536], then V_t = V_{t-1} - (V_{t-1} >> 1) + 98304 - 65536 s_t:
    # next_step's membranes, each spike one step later (the last one never leaves)
    net = one_neuron(timing="fire_first")
    res = integer.run(quantize(net), np.array([[4096]]), trace=True)
    np.testing.assert_array_equal(res.membranes[0][0, :, 0], [98304, 81920, 73728, 69632])
    np.testing.assert_array_equal(res.spikes[1][0, :, 0], [0, 1, 1, 1])
    f = run_float(net, np.array([[1.0]]), trace=True)
    np.testing.assert_allclose(f.membranes[0][0, :, 0], [1.5, 1.25, 1.125, 1.0625])
    np.testing.assert_array_equal(f.spikes[1][0, :, 0], [0, 1, 1, 1])


def test_float_simulator_agrees_on_hand_case():
    net = one_neuron()
    f = run_float(net, np.array([[1.0], [0.5]]))
    np.testing.assert_allclose(f.outputs, [[1.0], [0.5]])
    np.testing.assert_array_equal(f.spike_counts, [[0, 4], [0, 2]])


def test_reset_to_zero_and_ge():
    # weight 1.0 at x = 1: I = 65536 exactly the threshold; 'gt' never fires at step 0, 'ge' does
    gt = integer.run(quantize(one_neuron(weight=1.0)), np.array([[4096]]), trace=True)
    ge = integer.run(
        quantize(one_neuron(weight=1.0, fire="ge", reset="zero")), np.array([[4096]]), trace=True
    )
    assert gt.membranes[0][0, 0, 0] == 65536 and gt.spikes[1][0, 0, 0] == 0
    np.testing.assert_array_equal(ge.membranes[0][0, :, 0], [0, 0, 0, 0])
    assert ge.spike_counts[0, 1] == 4


def test_trace_counts_are_consistent():
    net = random_network(4, encoder="rate_bernoulli", decoder="rate", hidden=(20, 10))
    x = np.random.default_rng(1).integers(0, 4097, (50, net.n_inputs))
    res = integer.run(quantize(net), x, trace=True)
    for layer, spikes in enumerate(res.spikes):
        np.testing.assert_array_equal(spikes.sum(axis=(1, 2)), res.spike_counts[:, layer])


def test_normalize_clamps_and_maps_nan_low():
    net = one_neuron()
    xq = integer.normalize(net, np.array([[-5.0], [0.0], [0.5], [1.0], [7.0], [np.nan]]))
    np.testing.assert_array_equal(xq[:, 0], [0, 0, 2048, 4096, 4096, 0])


def test_xorshift32_known_sequence():
    # Marsaglia's xorshift32 (13, 17, 5) from state 1
    assert contract.xorshift32_draws(1, 3).tolist() == [270369, 67634689, 2647435461]


def _smooth_network(decoder: str) -> ir.Network:
    return random_network(
        8, encoder="population", decoder=decoder, hidden=(32,), steps=8, weight_bits=16
    )


def _quantization_error_problem(qnet, x: np.ndarray) -> str | None:
    """What is wrong with the integer reference of `qnet` beside the float simulator
    of its source on raw inputs x; None if nothing.

    Where every spike train (encoder and layers) of an input is the same in both, the
    two differ only by the int16 weights' and Q16 membranes' rounding: each output
    within 0.5 % of the outputs' spread (measured at most 0.12 % for every decoder).
    An input whose drive sits at a threshold's edge may fire a step apart, and then
    its output differs by a spike's worth, which no rounding bound covers: at most
    10 % of the inputs may do so (measured 6 % on 300 uniform inputs)."""
    net = qnet.source
    fixed = run_rows(qnet, normalize_device(qnet, x), trace=True)
    flt = run_float(net, normalize_float(net, x), trace=True)
    assert fixed.spikes is not None and flt.spikes is not None
    same = np.ones(len(x), dtype=bool)
    for a, b in zip(fixed.spikes, flt.spikes, strict=True):
        same &= (a.reshape(len(x), -1) == b.reshape(len(x), -1)).all(axis=1)
    yq, yf = predict(qnet, x, mode="fixed"), predict(qnet, x, mode="float")
    spread = yf.std() + 1e-9
    worst = float(np.abs(yq - yf)[same].max(initial=0.0)) / spread
    if worst >= 0.005:
        return f"outputs of inputs with the same spikes differ by {worst:.2%} of the spread"
    if same.mean() < 0.9:
        return f"only {same.mean():.0%} of the inputs fire the same spikes"
    return None


def _uniform_inputs(net: ir.Network) -> np.ndarray:
    return np.random.default_rng(0).uniform(net.inputs.low, net.inputs.high, (300, net.n_inputs))


@pytest.mark.parametrize("decoder", kind_names(Decoder))
def test_quantized_close_to_float_on_a_smooth_network(decoder):
    """Quantization error stays small where spikes are not at a threshold's edge: the
    worst output of every input whose spikes agree, and how many agree."""
    net = _smooth_network(decoder)
    assert _quantization_error_problem(quantize(net), _uniform_inputs(net)) is None


@pytest.mark.parametrize("broken", ["readout", "threshold"])
@pytest.mark.parametrize("decoder", kind_names(Decoder))
def test_quantized_close_to_float_check_fails_on_a_wrong_quantization(decoder, broken):
    """The partner: a quantized network that is 3 % off its source (the readout's
    weights, or the hidden layer's threshold) is reported."""
    import dataclasses

    net = _smooth_network(decoder)
    q = quantize(net)
    if broken == "readout":
        dec = q.decoder
        q = dataclasses.replace(q, decoder=dataclasses.replace(dec, weight=dec.weight * 103 // 100))
    else:
        hid = q.layers[0]
        theta = hid.neuron.threshold * 103 // 100
        hid = dataclasses.replace(hid, neuron=dataclasses.replace(hid.neuron, threshold=theta))
        q = dataclasses.replace(q, layers=(hid, *q.layers[1:]))
    assert _quantization_error_problem(q, _uniform_inputs(net)) is not None


def test_float_normalisation():
    net = one_neuron()
    np.testing.assert_allclose(
        normalize_float(net, np.array([[-1.0], [0.25], [9.0]]))[:, 0], [0, 0.25, 1]
    )
