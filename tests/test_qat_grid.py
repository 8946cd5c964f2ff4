"""QAT trains on the quantizer's own grid: for every decoder and neuron kind,
quantize(export(model)) holds exactly the values the QAT forward pass used - every
weight, bias, threshold and learned leak of every layer, and the readout's weights and
bias (which the quantizer scales by 1/T for count decoders)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="needs torch (pip install 'snn2c[train]')")

from snn2c import ir  # noqa: E402
from snn2c.contract import BETA_FRAC, V_FRAC, Leak  # noqa: E402
from snn2c.quantize import quantize  # noqa: E402
from snn2c.quantize.plan import QuantizedLIF  # noqa: E402
from snn2c.train.export import to_network  # noqa: E402
from snn2c.train.model import ModelConfig, SpikingRegressor  # noqa: E402

N_FEATURES = 3
CASES = [
    (decoder, neuron, steps)
    for decoder in ("membrane", "population", "rate", "first_spike")
    for neuron in ("lif", "izhikevich")
    for steps in (10, 16)  # T = 10: a divisor that is not a power of two
]


def _model(decoder: str, neuron: str, steps: int, seed: int) -> SpikingRegressor:
    torch.manual_seed(seed)
    enc = ir.EncoderSpec(kind="population", steps=steps, neurons_per_feature=5, sigma=0.2)
    learn = {"learn_leak": neuron == "lif", "learn_threshold": True}
    cfg = ModelConfig(
        N_FEATURES, enc, decoder=decoder, hidden=(12,), readout=4, neuron=neuron, **learn
    )
    model = SpikingRegressor(cfg)
    with torch.no_grad():  # weights of uneven size, a readout bias off every grid
        for lin in (*model.layers, model.readout):
            lin.weight.mul_(torch.rand_like(lin.weight) * 7.0)
            lin.bias.add_(0.123456789)
        model.theta.add_(0.0123456)
    return model


def _values(q: np.ndarray, frac: int) -> np.ndarray:
    return np.asarray(q, dtype=np.float64) / 2.0**frac


@pytest.mark.parametrize("decoder,neuron,steps", CASES)
def test_exported_integers_are_the_qat_forward_values(decoder, neuron, steps):
    model = _model(decoder, neuron, steps, seed=steps)
    names = tuple(f"x{i}" for i in range(N_FEATURES))
    inputs = ir.InputSpec(names, np.zeros(N_FEATURES), np.ones(N_FEATURES))
    net = to_network(model, name="grid", inputs=inputs, target=ir.TargetSpec())
    qnet = quantize(net)
    with torch.no_grad():
        for i, ql in enumerate(qnet.layers):
            w, b = (t.double().numpy() for t in model.layer_params(i, quant=True))
            np.testing.assert_array_equal(_values(ql.weight, ql.weight_frac), w)
            np.testing.assert_array_equal(_values(ql.bias, V_FRAC), b)
            q = ql.neuron
            if not isinstance(q, QuantizedLIF):
                continue
            theta = float(model.threshold(i, quant=True))
            assert q.threshold / 2.0**V_FRAC == theta
            beta = model.beta(i, quant=True)
            if q.leak is Leak.MUL:
                assert q.beta_q15 / 2.0**BETA_FRAC == float(beta)
        rw, rb = (t.double().numpy() for t in model.readout_params(quant=True))
        d = qnet.decoder
        div = steps if decoder in ("rate", "first_spike") else 1
        np.testing.assert_array_equal(_values(d.weight, d.weight_frac) * div, rw)
        np.testing.assert_array_equal(_values(d.bias, d.weight_frac + d.feature_frac), rb)
