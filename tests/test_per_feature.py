"""Per-feature encodings (#27): the file format, the references' column rules, and the
training step that learns them (group penalty, pruning)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

from snn2c import ir, modelfile
from snn2c.cli import main
from snn2c.errors import Snn2cError
from snn2c.modelfile import ModelFormatError
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import floatsim
from snn2c.reference.integer import normalize, run
from snn2c.train import field_pruning
from snn2c.train.encoders import receptive_fields
from snn2c.train.model import ModelConfig, SpikingRegressor
from snn2c.train.trainer import TrainConfig, train

from hostc import build_host
from netcases import per_feature_networks

FE = ir.FeatureEncoding
CASES = dict(per_feature_networks())


def _doc(net: ir.Network) -> dict:
    return json.loads(modelfile.dumps(net))


def test_a_file_without_per_feature_encodings_stays_version_1():
    net = random_network(3)
    assert _doc(net)["version"] == 1 and "features" not in _doc(net)["encoder"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_per_feature_encodings_round_trip_in_version_2(name):
    net = CASES[name]
    raw = modelfile.dumps(net)
    assert json.loads(raw)["version"] == 2
    back = modelfile.loads(raw)
    assert back.encoder.features == net.encoder.features
    assert modelfile.dumps(back) == raw


def _broken(edit) -> dict:
    doc = _doc(CASES["pf0-8in-T16"])
    edit(doc)
    return doc


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["encoder"]["features"].pop(), "expected a list of 8 encodings"),
        (lambda d: d["encoder"]["features"][3].update(direct=1), "expected true or false"),
        (lambda d: d["encoder"]["features"][0].update(centres=[0.5, 1.5]), "numbers in [0, 1]"),
        (lambda d: d["encoder"]["features"][0].update(centres=[True]), "numbers in [0, 1]"),
        (lambda d: d["encoder"]["features"][0].update(centres=[0.0] * 257), "at most 256"),
        (
            lambda d: d["encoder"].update(features=[{}] * 8),
            "every input is dropped",
        ),
        (lambda d: d.update(version=3), "newer than this snn2c supports"),
    ],
)
def test_malformed_per_feature_encodings_are_clear_errors(edit, message):
    with pytest.raises(ModelFormatError, match=message.replace("[", r"\[").replace("]", r"\]")):
        modelfile.from_dict(_broken(edit))


def test_per_feature_encodings_need_the_population_encoder():
    net = random_network(4, encoder="direct")
    doc = _doc(net)
    doc["encoder"]["features"] = [{"direct": True}] * net.n_inputs
    with pytest.raises(ModelFormatError, match="need the population encoder"):
        modelfile.from_dict(doc)


def test_the_same_fields_for_every_input_compute_what_the_common_encoding_does():
    """Per-feature encodings that repeat the uniform grid are the old network, bit for bit."""
    net = random_network(11, n_features=4, steps=12)
    grid = net.encoder.feature_encodings(4)[0].centres
    assert len(grid) == net.encoder.neurons_per_feature
    same = dataclasses.replace(
        net, encoder=dataclasses.replace(net.encoder, features=(FE(False, grid),) * 4)
    )
    x = np.random.default_rng(0).integers(-1000, 5200, (300, 4))  # Q12, past both ends
    a, b = run(quantize(net), x), run(quantize(same), x)
    assert np.array_equal(a.outputs, b.outputs) and np.array_equal(a.spike_counts, b.spike_counts)


def test_a_dropped_input_changes_nothing_and_a_direct_one_is_the_clamped_input():
    net = CASES["pf0-8in-T16"]
    assert net.encoder.features[2].dropped
    rng = np.random.default_rng(1)
    x = rng.integers(-500, 4600, (200, net.n_inputs))  # Q12
    x2 = x.copy()
    x2[:, 2] = rng.integers(-(2**31), 2**31, 200)  # any int32, far outside [0, 1]
    q = quantize(net)
    a, b = run(q, x), run(q, x2)
    assert np.array_equal(a.outputs, b.outputs) and np.array_equal(a.spike_counts, b.spike_counts)
    # a direct column carries u itself: the float encoder's first columns are the direct inputs
    u = rng.uniform(0, 1, (50, net.n_inputs))
    act = floatsim.encode_steps(net.encoder, u)[0]
    cols = net.encoder.columns(net.n_inputs)
    assert np.array_equal(act[:, cols.direct], u[:, cols.feature[cols.direct]])


@pytest.mark.parametrize("name", ["pf0-8in-T16", "pf2-3in-T12"])
def test_the_c_normalises_only_the_inputs_it_reads(name, tmp_path):
    """snn_model_normalize skips a dropped input (no float work for a sensor the network
    ignores) and writes 0 there, as the reference does; the rest bit for bit, NaN and
    out-of-range values included, and snn_model_predict's outputs on top."""
    net = CASES[name]
    dropped = list(net.encoder.dropped_inputs(net.n_inputs))
    assert dropped
    rng = np.random.default_rng(5)
    lo, hi = net.inputs.low, net.inputs.high
    x = rng.uniform(lo - 0.3 * (hi - lo), hi + 0.3 * (hi - lo), (200, net.n_inputs))
    x = x.astype(np.float32)
    x[:4, 0] = np.nan
    x[4:8] = np.inf
    xq_ref = normalize(net, x)
    assert not xq_ref[:, dropped].any() and xq_ref[:, net.used_inputs()].any()
    xq_dev, _ = build_host(net, tmp_path).normalize_predict(x)
    np.testing.assert_array_equal(xq_dev, xq_ref)
    src = (tmp_path / "src/snn_model.c").read_text()
    body = src[src.index("void snn_model_normalize(") :]
    body = body[: body.index("\n}\n")]
    for j in dropped:
        assert f"x_q12[{j}] = 0;" in body and f"x[{j}]" not in body


@pytest.mark.parametrize("name", sorted(CASES))
def test_torch_and_numpy_encoders_agree_on_per_feature_columns(name):
    net = CASES[name]
    u = np.random.default_rng(2).uniform(0, 1, (64, net.n_inputs))
    t = receptive_fields(net.encoder, torch.as_tensor(u)).numpy()
    f = floatsim.encode_steps(net.encoder, u)[0]
    assert t.shape == f.shape == (64, net.encoder.n_outputs(net.n_inputs))
    np.testing.assert_allclose(t, f, rtol=0, atol=1e-12)


# ---------------------------------------------------------------- learning them


def _model(features: tuple[ir.FeatureEncoding, ...]) -> SpikingRegressor:
    enc = ir.EncoderSpec(
        kind=ir.Encoder.POPULATION, steps=6, neurons_per_feature=3, sigma=0.3, features=features
    )
    torch.manual_seed(0)
    return SpikingRegressor(ModelConfig(n_features=len(features), encoder=enc, hidden=(5,)))


def test_the_proximal_step_shrinks_each_column_by_its_share_and_zeroes_short_ones():
    grid = (0.0, 0.5, 1.0)
    model = _model((FE(True, grid), FE(True, grid)))
    w = model.linear(0).weight
    with torch.no_grad():
        w[:, 0] = 0.01  # a short direct column
        w[:, 2] = 0.02  # a short field column
    before = torch.linalg.vector_norm(w.detach().clone(), dim=0)
    field_pruning.proximal_step(model, 0.1)
    after = torch.linalg.vector_norm(w.detach(), dim=0)
    cols = model.cfg.encoder.columns(2)
    share = np.where(cols.direct, field_pruning.DIRECT_WEIGHT, 1.0)
    expect = torch.clamp(before - 0.1 * torch.as_tensor(share, dtype=torch.float32), min=0)
    torch.testing.assert_close(after, expect, rtol=1e-5, atol=1e-6)
    assert after[2] == 0 and after[0] == 0 and float(after.min()) == 0


def test_pruning_keeps_the_important_columns_and_folds_the_others_into_the_bias():
    grid = (0.0, 0.5, 1.0)
    model = _model((FE(True, grid), FE(True, grid), FE(True, grid)))
    u = np.random.default_rng(3).uniform(0, 1, (256, 3))
    u[:, 1] = 0.4  # a constant input: its columns carry nothing the bias cannot
    cols = model.cfg.encoder.columns(3)
    with torch.no_grad():
        model.linear(0).weight[:, torch.as_tensor(cols.feature == 2)] *= 1e-4  # a weak input
    small = field_pruning.prune(model, u)
    feats = small.cfg.encoder.features
    assert feats[0] == FE(True, grid) and feats[1].dropped and feats[2].dropped
    ut = torch.as_tensor(u, dtype=torch.float32)
    # the folded input is constant, the weak one nearly silent: the same outputs
    torch.testing.assert_close(small(ut)[0], model(ut)[0], rtol=0, atol=2e-3)


def test_field_penalty_is_checked_before_training():
    with pytest.raises(Snn2cError, match="needs --encoder population"):
        train(TrainConfig(dataset="friedman1", encoder="direct", field_penalty=0.1))
    with pytest.raises(Snn2cError, match="--field-penalty: expected a number in"):
        train(TrainConfig(dataset="friedman1", field_penalty=2.0))


def test_cli_field_penalty_mistake_is_one_line(tmp_path, capsys):
    args = ["train", "--dataset", "friedman1", "-o", str(tmp_path / "m.snn")]
    assert main([*args, "--field-penalty", "nan"]) != 0
    err = capsys.readouterr().err
    assert "--field-penalty" in err and "Traceback" not in err


@pytest.mark.slow
def test_training_with_the_field_penalty_drops_noise_inputs_and_keeps_accuracy(tmp_path):
    """friedman1's x6-x10 are noise: the learned encoding drops some of them and the
    pruned network is narrower than the uniform one at about its accuracy."""
    base = dict(dataset="friedman1", n_samples=1500, epochs=60, qat_epochs=5, hidden=(12,))
    plain = train(TrainConfig(**base))
    learned = train(TrainConfig(**base, field_penalty=0.5))
    net = learned.network
    noise = net.encoder.features[5:]
    assert sum(f.dropped for f in noise) >= 3, net.input_encodings()
    assert net.encoder.n_outputs(10) < plain.network.encoder.n_outputs(10) / 2
    r2 = learned.metrics["quantized"]["r2"]
    assert r2 >= plain.metrics["quantized"]["r2"] - 0.03, (r2, plain.metrics)
    path = modelfile.save(net, tmp_path / "m.snn")
    assert main(["inspect", str(path)]) == 0
    assert modelfile.load(path).encoder.features == net.encoder.features


def test_the_report_says_which_inputs_were_dropped(tmp_path, capsys):
    """`snn2c report` on a network that drops inputs: the JSON lists them, the text
    summary and the HTML page name them (escaped)."""
    from snn2c.train import datasets

    ds = datasets.load("friedman1", 0, n_samples=300)
    feats = tuple(FE() if j >= 5 else FE(True, (0.0, 1.0)) for j in range(ds.n_features))
    net = random_network(9, n_features=ds.n_features, hidden=(6,), features=feats)
    spec = ir.InputSpec(ds.feature_names, ds.x_train.min(axis=0), ds.x_train.max(axis=0))
    net = dataclasses.replace(net, inputs=spec)
    model = tmp_path / "m.snn"
    modelfile.save(net, model)
    argv = ["report", str(model), "--dataset", "friedman1", "--no-ann", "--out"]
    assert main([*argv, str(tmp_path / "r"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["inputs"]["read"] == list(ds.feature_names[:5])
    assert doc["inputs"]["dropped"] == list(ds.feature_names[5:])
    assert main([*argv, str(tmp_path / "r2")]) == 0
    text = capsys.readouterr().out
    assert f"5 of 10 (dropped: {', '.join(ds.feature_names[5:])})" in text
    page = (tmp_path / "r2" / "report.html").read_text()
    assert "Inputs: 5 of 10 read" in page and "dropped" in page
