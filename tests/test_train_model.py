"""The torch modules against the float simulator and the integer reference."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch",
    reason="needs torch (pip install 'snn2c[train]'); scripts/setup.sh installs it and CI fails on any skip",
)

from snn2c import ir  # noqa: E402
from snn2c.contract import Encoder, kind_names, xorshift32_draws  # noqa: E402
from snn2c.quantize import quantize  # noqa: E402
from snn2c.reference import run, run_float, to_user_units  # noqa: E402
from snn2c.reference.floatsim import encode_steps  # noqa: E402
from snn2c.reference.integer import normalize  # noqa: E402
from snn2c.train import qat  # noqa: E402
from snn2c.train.encoders import encode, xorshift32  # noqa: E402
from snn2c.train.export import to_network  # noqa: E402
from snn2c.train.model import ModelConfig, SpikingRegressor  # noqa: E402
from snn2c.train.neurons import spike  # noqa: E402

N_FEATURES = 3


def _inputs() -> tuple[ir.InputSpec, ir.TargetSpec]:
    names = tuple(f"x{i}" for i in range(N_FEATURES))
    inputs = ir.InputSpec(names, np.zeros(N_FEATURES), np.ones(N_FEATURES))
    return inputs, ir.TargetSpec(offset=0.0, scale=1.0)


def _model(encoder: str, decoder: str, seed: int = 0, **kw) -> SpikingRegressor:
    torch.manual_seed(seed)
    enc = ir.EncoderSpec(kind=encoder, steps=8, neurons_per_feature=5, sigma=0.2, window=6, seed=7)
    cfg = ModelConfig(N_FEATURES, enc, decoder=decoder, hidden=(12, 10), readout=4, **kw)
    model = SpikingRegressor(cfg)
    with torch.no_grad():  # make neurons spike: scale the initial weights up
        for lin in model.layers:
            lin.weight.mul_(4.0)
            lin.bias.add_(0.2)
    return model


def test_xorshift_matches_reference():
    np.testing.assert_array_equal(xorshift32(12345, 200), xorshift32_draws(12345, 200))


@pytest.mark.parametrize("kind", kind_names(Encoder))
def test_encoders_match_float_simulator(kind):
    spec = ir.EncoderSpec(kind=kind, steps=10, neurons_per_feature=6, sigma=0.15, t0=1, window=7)
    u = np.random.default_rng(0).uniform(0, 1, (32, N_FEATURES))
    u[0] = [0.0, 1.0, 0.5]
    got = encode(spec, torch.as_tensor(u, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(got, encode_steps(spec, u), rtol=0, atol=1e-12)


def test_surrogate_gradients():
    x = torch.tensor([-1.0, 0.0, 0.5], requires_grad=True)
    s = spike(x, slope=2.0)
    assert s.tolist() == [0.0, 0.0, 1.0]  # 'gt': H(0) = 0
    s.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1 / 9, 1.0, 1 / 4])
    y = torch.tensor([0.0], requires_grad=True)
    assert spike(y, ge=True).item() == 1.0
    spike(y, slope=2.0, kind="arctan").sum().backward()
    assert y.grad.item() == pytest.approx(1.0)


def test_fake_weight_is_the_quantizers_grid():
    w = torch.tensor([[0.30, -0.71], [0.013, 0.5]])
    snapped = qat.snap_weight(w, 8)
    # max|W| = 0.71 -> ws = 7 (0.71 * 128 = 90.9 <= 127; 0.71 * 256 > 127)
    np.testing.assert_array_equal((snapped * 128).numpy(), [[38, -91], [2, 64]])
    w.requires_grad_(True)
    qat.fake_weight(w, 8).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.ones((2, 2)))  # straight through


CASES = [
    ("population", "membrane"),
    ("population", "population"),
    ("direct", "membrane"),
    ("rate_periodic", "rate"),
    ("rate_bernoulli", "rate"),
    ("population_latency", "first_spike"),
    ("latency", "membrane"),
]


@pytest.mark.parametrize(("encoder", "decoder"), CASES)
def test_torch_forward_equals_float_simulator(encoder, decoder):
    """Same exported network: torch (float64) and the float simulator agree to 1e-9."""
    model = _model(encoder, decoder, reset="zero" if decoder == "rate" else "subtract").double()
    inputs, target = _inputs()
    net = to_network(model, name="t", inputs=inputs, target=target, quantized=False)
    u = np.random.default_rng(1).uniform(0, 1, (64, N_FEATURES))
    with torch.no_grad():
        y, spikes = model(torch.as_tensor(u))
    ref = run_float(net, u)
    np.testing.assert_allclose(y.numpy(), ref.outputs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(spikes.numpy(), ref.spike_counts, rtol=0, atol=0)
    assert ref.spike_counts[:, 1].mean() > 1  # the case actually exercises spiking


def test_learned_leak_and_threshold_export():
    model = _model("population", "membrane", learn_leak=True, learn_threshold=True).double()
    with torch.no_grad():
        model.beta_logit.add_(0.3)
        model.theta.mul_(0.8)
    inputs, target = _inputs()
    net = to_network(model, name="t", inputs=inputs, target=target, quantized=True)
    assert all(layer.neuron.leak == "mul" for layer in net.layers)
    u = np.random.default_rng(2).uniform(0, 1, (64, N_FEATURES))
    with torch.no_grad():
        y, _ = model(torch.as_tensor(u), quant=True)
    np.testing.assert_allclose(y.numpy(), run_float(net, u).outputs, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("encoder", "decoder"), [("population", "membrane"), ("population", "population")]
)
def test_quantized_forward_matches_integer_reference(encoder, decoder):
    """Torch with fake quantization vs the integer reference on the exported file.

    They differ only by the Q12 input/Gaussian table, the Q16 rounding of currents
    and leak, and the spikes those roundings flip: mean |error| < 1 % of the outputs' std and the
    spike counts within 2 %.
    """
    model = _model(encoder, decoder, seed=3)
    inputs, target = _inputs()
    net = to_network(model, name="t", inputs=inputs, target=target, quantized=True)
    x = np.random.default_rng(4).uniform(0, 1, (256, N_FEATURES))
    res = run(quantize(net), normalize(net, x))
    y_int = to_user_units(net, res.outputs / 65536.0)
    with torch.no_grad():
        y, spikes = model(torch.as_tensor(x, dtype=torch.float32), quant=True)
    y = y.double().numpy()
    scale = np.std(y) + 1e-9
    assert np.mean(np.abs(y - y_int)) < 0.01 * scale
    counts = res.spike_counts.sum(axis=1).mean()
    assert abs(spikes.double().numpy().sum(axis=1).mean() - counts) < 0.02 * counts


@pytest.mark.parametrize(("encoder", "decoder"), [("population", "membrane"), ("latency", "rate")])
def test_torch_stream_equals_float_simulator_stream(encoder, decoder):
    """A stream through torch (state carried, float64) and through the float simulator's
    stream of the exported network agree to 1e-9, spikes exactly."""
    import dataclasses

    from snn2c.reference import stream_float

    model = _model(encoder, decoder, readout_leak_shift=2).double()
    inputs, target = _inputs()
    net = to_network(model, name="t", inputs=inputs, target=target, quantized=False)
    net = dataclasses.replace(net, streaming=True)
    u = np.random.default_rng(3).uniform(0, 1, (40, N_FEATURES))
    with torch.no_grad():
        y, spikes, _ = model.stream(torch.as_tensor(u)[None])
    ref = stream_float(net, u)
    np.testing.assert_allclose(y[0].numpy(), ref.outputs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(spikes[0].numpy(), ref.spike_counts, rtol=0, atol=0)
    # the state is carried: the same samples from the reset give other outputs
    assert not np.allclose(run_float(net, u).outputs, ref.outputs)
