"""Izhikevich layers: file format, contract constants, float/torch agreement, and the
whole path (train, export, build for nucleo-f401, verify bit-exact in QEMU)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from snn2c import ir, modelfile
from snn2c.errors import ModelFormatError
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.quantize.plan import QuantizedIzh
from snn2c.reference import integer
from snn2c.reference.floatsim import izh_float_step

from _boards_helpers import need_qemu
from netcases import izhikevich_networks


def _izh_net(preset: str = "regular_spiking", **kw) -> ir.Network:
    base = random_network(3, hidden=(12,), steps=20)
    hidden = base.layers[0]
    n = ir.IzhikevichNeuron.from_preset(preset, **kw)
    return dataclasses.replace(
        base, layers=(ir.DenseLayer(hidden.weight, hidden.bias, n), base.layers[1])
    )


def test_presets_and_round_trip():
    for preset, (a, b, c, d) in ir.IZH_PRESETS.items():
        net = _izh_net(preset, dt_shift=2, gain=33.0)
        back = modelfile.loads(modelfile.dumps(net))
        n = back.layers[0].neuron
        assert isinstance(n, ir.IzhikevichNeuron)
        assert (n.a, n.b, n.c, n.d, n.dt_shift, n.gain) == (
            a,
            b,
            c,
            d,
            2,
            33.0,
        )
    with pytest.raises(ValueError, match="preset"):
        ir.IzhikevichNeuron.from_preset("bursty")


def test_lif_files_carry_no_izhikevich_fields():
    doc = modelfile.to_dict(random_network(1))
    assert not any("gain" in layer["neuron"] for layer in doc["layers"])


def test_defaults_and_preset_field_on_load():
    doc = json.loads(modelfile.dumps(_izh_net()))
    nd = doc["layers"][0]["neuron"]
    for key in ("a", "b", "c", "d", "dt_shift", "gain"):
        del nd[key]
    nd["preset"] = "fast_spiking"
    n = modelfile.from_dict(doc).layers[0].neuron
    assert (n.a, n.b, n.c, n.d, n.dt_shift, n.gain) == (0.1, 0.2, -65.0, 2.0, 1, 10.0)


@pytest.mark.parametrize(
    "field,value,msg",
    [
        ("a", 0.0, "neuron.a"),
        ("b", 2.0, "neuron.b"),
        ("c", 30.0, "neuron.c"),
        ("d", 500.0, "neuron.d"),
        ("dt_shift", 5, "neuron.dt_shift"),
        ("gain", 300.0, "neuron.gain"),
        ("preset", "x", "neuron.preset"),
    ],
)
def test_validation(field, value, msg):
    doc = json.loads(modelfile.dumps(_izh_net()))
    doc["layers"][0]["neuron"][field] = value
    if field == "preset":
        del doc["layers"][0]["neuron"]["a"]
    with pytest.raises(ModelFormatError, match=msg):
        modelfile.from_dict(doc)


def test_izhikevich_only_in_hidden_layers():
    doc = json.loads(modelfile.dumps(_izh_net()))
    doc["layers"][-1]["neuron"] = doc["layers"][0]["neuron"]
    with pytest.raises(ModelFormatError, match="hidden layers"):
        modelfile.from_dict(doc)


def test_quantized_constants():
    q = quantize(_izh_net("chattering", dt_shift=1, gain=10.0)).layers[0]
    izh = q.neuron
    assert isinstance(izh, QuantizedIzh) and not q.saturate
    assert (izh.a_q, izh.ab_q, izh.c_q, izh.d_q) == (335544, 67109, -50 * 65536, 2 * 65536)
    assert izh.gain_q == 2560 and izh.v0_q == -65 * 65536
    lo, hi = izh.dv
    assert lo > -(2**31) and hi < 2**31


def test_integer_follows_float_single_neuron():
    """A step current: the fixed-point neuron spikes as often as the float one, in phase."""
    for preset in ir.IZH_PRESETS:
        n = ir.IzhikevichNeuron.from_preset(preset, dt_shift=2, gain=1.0)
        w = np.ones((1, 1))
        net = dataclasses.replace(
            random_network(
                0, n_features=1, hidden=(1,), last_neurons=1, encoder="direct", steps=800
            ),
            layers=(
                ir.DenseLayer(w * 0.0, np.array([10.0]), n),
                ir.DenseLayer(w, np.zeros(1), ir.LINeuron()),
            ),
        )
        res = integer.run(quantize(net), np.zeros((1, 1), dtype=np.int64), trace=True)
        t_int = np.nonzero(res.spikes[1][0, :, 0])[0]
        v, u = np.array([-65.0]), np.array([n.b * -65.0])
        t_float = []
        for t in range(800):
            v, u, s = izh_float_step(n, v, u, np.array([10.0]))
            if s[0]:
                t_float.append(t)
        assert len(t_int) == len(t_float) > 3, preset
        # rounding drifts the phase slowly: within 1% of the 200 ms run
        assert np.max(np.abs(t_int - np.array(t_float))) <= 8, preset


def test_torch_step_matches_float_simulator():
    torch = pytest.importorskip(
        "torch",
        reason="needs torch (pip install 'snn2c[train]'); scripts/setup.sh installs it and CI fails on any skip",
    )
    from snn2c.train.neurons import izh_step

    n = ir.IzhikevichNeuron.from_preset("intrinsically_bursting", dt_shift=1, gain=10.0)
    rng = np.random.default_rng(0)
    v = rng.uniform(-90, 29, 50)
    u = rng.uniform(-20, 20, 50)
    cur = rng.uniform(-3, 3, 50)
    vf, uf, sf = izh_float_step(n, v, u, cur)
    vt, ut, st = izh_step(
        torch.tensor(v),
        torch.tensor(u),
        torch.tensor(cur),
        a=n.a,
        b=n.b,
        c=n.c,
        d=n.d,
        dt=n.dt_ms,
        gain=n.gain,
    )
    np.testing.assert_allclose(vt.numpy(), vf, rtol=1e-12)
    np.testing.assert_allclose(ut.numpy(), uf, rtol=1e-12)
    np.testing.assert_array_equal(st.numpy(), sf)


def test_nir_export_refuses_izhikevich():
    pytest.importorskip(
        "nir",
        reason="needs nir (pip install 'snn2c[nir]'); scripts/setup.sh installs it and CI fails on any skip",
    )
    from snn2c.errors import Snn2cError
    from snn2c.nir.exporter import export_network

    with pytest.raises(Snn2cError, match="Izhikevich"):
        export_network(_izh_net())


@pytest.mark.slow
def test_izhikevich_network_verifies_in_qemu(tmp_path):
    from snn2c.boards import load_board
    from snn2c.build import build
    from snn2c.emulate.verify import verify_qemu

    board = load_board("nucleo-f401")
    need_qemu(board)
    _name, net = izhikevich_networks()[3]
    build(net, board, tmp_path / "b")
    res = verify_qemu(tmp_path / "b", vectors=24, count_sample=1, timeout=60)
    assert res["mismatches"] == 0, res["first_mismatch"]
    assert res["device_reported_mismatches"] == 0 and res["exit_code"] == 0


@pytest.mark.slow
def test_izhikevich_trains_exports_and_verifies_in_qemu(tmp_path):
    pytest.importorskip(
        "torch",
        reason="needs torch (pip install 'snn2c[train]'); scripts/setup.sh installs it and CI fails on any skip",
    )
    from snn2c.boards import load_board
    from snn2c.build import build
    from snn2c.emulate.verify import verify_qemu
    from snn2c.train.trainer import TrainConfig, train

    board = load_board("nucleo-f401")
    need_qemu(board)
    cfg = TrainConfig(
        dataset="friedman1",
        n_samples=400,
        hidden=(12,),
        readout=4,
        steps=12,
        epochs=2,
        qat_epochs=1,
        baseline=False,
        neuron="izhikevich",
        izh_preset="fast_spiking",
        izh_gain=40.0,
    )
    result = train(cfg)
    net = modelfile.loads(modelfile.dumps(result.network))
    hidden = net.layers[0].neuron
    assert isinstance(hidden, ir.IzhikevichNeuron) and hidden.a == 0.1
    assert result.spikes_per_layer[1] > 0
    build(net, board, tmp_path / "b")
    res = verify_qemu(tmp_path / "b", vectors=24, count_sample=0, timeout=60)
    assert res["mismatches"] == 0, res["first_mismatch"]
    assert res["exit_code"] == 0


def test_header_names_the_neuron_model():
    """The generated header's layer summary says Izhikevich, LIF or LI, as the layer is."""
    from snn2c.codegen import render_sources

    net = random_network(3, hidden=(8, 6))
    izh = dataclasses.replace(net.layers[0], neuron=ir.IzhikevichNeuron.from_preset())
    net = dataclasses.replace(net, layers=(izh, *net.layers[1:]))
    lines = [
        ln for ln in render_sources(quantize(net))["snn_model.h"].splitlines() if " * Layer " in ln
    ]
    kinds = [ln.split(", ")[0].rsplit(" ", 1)[-1] for ln in lines]
    assert kinds == ["Izhikevich", "LIF", "(non-spiking)"], lines
